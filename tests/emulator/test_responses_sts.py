"""STS through ``dispatch``: caller identity, AssumeRole trust rules, OIDC, expiry."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton_alibaba_cloud.emulator.accounts import SAMPLE_ACCOUNT
from baton_alibaba_cloud.emulator.backend import Backend
from baton_alibaba_cloud.emulator.identity import Caller

from .test_responses_ram import call, caller_of, error_of

UID = "5123456789012345"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def backend(clock: Clock) -> Backend:
    return Backend.from_account(json.loads(SAMPLE_ACCOUNT.read_text(encoding="utf-8")), now=clock)


def user(backend: Backend, key: str) -> Caller:
    return caller_of(backend, key)


ALICE = "LTAI5tDemoAliceKey000001"
CI = "LTAI5tDemoCiKey000000001"
ROOT = "LTAI5tDemoRootKey0000001"


def test_caller_identity(backend: Backend) -> None:
    mine = call(backend, "sts", "GetCallerIdentity", user(backend, ALICE))
    assert mine["IdentityType"] == "RAMUser" and mine["Arn"] == f"acs:ram::{UID}:user/alice"
    assert mine["AccountId"] == UID and mine["UserId"] == mine["PrincipalId"]
    root = call(backend, "sts", "GetCallerIdentity", user(backend, ROOT))
    assert (root["IdentityType"], root["Arn"]) == ("Account", f"acs:ram::{UID}:root")


def assume(backend: Backend, caller: Caller, role: str, **extra: str) -> dict[str, Any]:
    return call(backend, "sts", "AssumeRole", caller,
                RoleArn=f"acs:ram::{UID}:role/{role}", RoleSessionName="s1", **extra)


def test_assume_role_and_use_the_session(backend: Backend, clock: Clock) -> None:
    body = assume(backend, user(backend, ALICE), "admin-role", DurationSeconds="900")
    credentials = body["Credentials"]
    assert credentials["AccessKeyId"].startswith("STS.")
    assert credentials["Expiration"] == "2026-11-27T12:15:00Z"
    assert body["AssumedRoleUser"]["Arn"] == f"acs:ram::{UID}:assumed-role/admin-role/s1"
    resolved = backend.resolve_access_key(credentials["AccessKeyId"])
    assert resolved is not None and resolved.security_token == credentials["SecurityToken"]
    assert resolved.expires_at == NOW + timedelta(seconds=900)
    session = resolved.caller
    identity = call(backend, "sts", "GetCallerIdentity", session)
    assert identity["IdentityType"] == "AssumedRoleUser"
    assert identity["RoleId"] == body["AssumedRoleUser"]["AssumedRoleId"].split(":")[0]
    documents = backend.identity_policy_documents(session)
    assert documents and documents[0]["Statement"][0]["Action"] == "*"
    chained = assume(backend, session, "chained-role")
    assert chained["AssumedRoleUser"]["Arn"].endswith("chained-role/s1")


def test_external_id_condition(backend: Backend) -> None:
    ci = user(backend, CI)
    assert error_of(backend, "sts", "AssumeRole", ci, RoleArn=f"acs:ram::{UID}:role/deploy-role",
                    RoleSessionName="ci") == ("NoPermission", 403)
    assert error_of(backend, "sts", "AssumeRole", ci, RoleArn=f"acs:ram::{UID}:role/deploy-role",
                    RoleSessionName="ci", ExternalId="wrong-id") == ("NoPermission", 403)
    body = assume(backend, ci, "deploy-role", ExternalId="ci-2024", DurationSeconds="7200")
    assert body["Credentials"]["SecurityToken"]


@pytest.mark.parametrize(("key", "role", "extra", "code", "status"), [
    (ROOT, "admin-role", {}, "NoPermission", 403),
    (ALICE, "deploy-role", {}, "NoPermission", 403),
    (ALICE, "broken-trust-role", {}, "NoPermission", 403),
    (ALICE, "ecs-instance-role", {}, "NoPermission", 403),
    (ALICE, "partner-audit-role", {"ExternalId": "partner-7731"}, "NoPermission", 403),
    (ALICE, "no-such-role", {}, "EntityNotExist.Role", 404),
    (ALICE, "admin-role", {"DurationSeconds": "899"}, "InvalidParameter.DurationSeconds", 400),
    (ALICE, "admin-role", {"DurationSeconds": "3601"}, "InvalidParameter.DurationSeconds", 400),
    (ALICE, "admin-role", {"Policy": "{not json"}, "InvalidParameter.PolicyGrammar", 400),
])
def test_assume_role_refusals(backend: Backend, key: str, role: str, extra: dict[str, str],
                              code: str, status: int) -> None:
    assert error_of(backend, "sts", "AssumeRole", user(backend, key),
                    RoleArn=f"acs:ram::{UID}:role/{role}", RoleSessionName="s1",
                    **extra) == (code, status)


def test_bad_arn_and_session_name(backend: Backend) -> None:
    alice = user(backend, ALICE)
    assert error_of(backend, "sts", "AssumeRole", alice, RoleArn="arn:aws:iam::1:role/x",
                    RoleSessionName="s1") == ("InvalidParameter.RoleArn", 400)
    assert error_of(backend, "sts", "AssumeRole", alice, RoleArn=f"acs:ram::{UID}:role/admin-role",
                    RoleSessionName="x") == ("InvalidParameter.RoleSessionName", 400)


def test_explicit_deny_beats_account_trust(backend: Backend) -> None:
    dave_key = "LTAI5tDaveKey"
    from baton_alibaba_cloud.emulator.entities import AccessKey

    backend.add_access_key(AccessKey(dave_key, "s", backend.user("dave").user_id, NOW, NOW))
    assert error_of(backend, "sts", "AssumeRole", user(backend, dave_key),
                    RoleArn=f"acs:ram::{UID}:role/restricted-role",
                    RoleSessionName="s1") == ("NoPermission", 403)
    assert assume(backend, user(backend, ALICE), "restricted-role")


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature-not-checked"


OIDC_ARN = f"acs:ram::{UID}:oidc-provider/github-actions"
GOOD = {"iss": "https://token.actions.githubusercontent.com", "aud": "sts.aliyuncs.com",
        "sub": "repo:acme/app:ref:refs/heads/main",
        "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 600}


def oidc(backend: Backend, claims: dict[str, Any], provider: str = OIDC_ARN,
         role: str = "oidc-ci-role") -> dict[str, str]:
    return {"OIDCProviderArn": provider, "OIDCToken": jwt(claims),
            "RoleArn": f"acs:ram::{UID}:role/{role}", "RoleSessionName": "gha"}


def test_assume_role_with_oidc(backend: Backend) -> None:
    anonymous = user(backend, ALICE)
    body = call(backend, "sts", "AssumeRoleWithOIDC", anonymous, **oidc(backend, GOOD))
    assert body["OIDCTokenInfo"]["Subject"] == GOOD["sub"]
    assert body["Credentials"]["AccessKeyId"].startswith("STS.")


@pytest.mark.parametrize(("claims", "provider", "role", "code"), [
    ({**GOOD, "aud": "someone-else"}, OIDC_ARN, "oidc-ci-role",
     "AuthenticationFail.OIDCToken.AudienceNotMatch"),
    ({**GOOD, "iss": "https://evil.example.com"}, OIDC_ARN, "oidc-ci-role",
     "AuthenticationFail.OIDCToken.IssuerNotMatch"),
    ({**GOOD, "exp": int(NOW.timestamp()) - 1}, OIDC_ARN, "oidc-ci-role",
     "AuthenticationFail.OIDCToken.Expired"),
    (GOOD, f"acs:ram::{UID}:oidc-provider/unknown", "oidc-ci-role",
     "AuthenticationFail.NoPermission"),
    ({**GOOD, "sub": "repo:other/app"}, OIDC_ARN, "oidc-ci-role",
     "AuthenticationFail.NoPermission"),
    (GOOD, OIDC_ARN, "admin-role", "AuthenticationFail.NoPermission"),
])
def test_oidc_refusals(backend: Backend, claims: dict[str, Any], provider: str, role: str,
                       code: str) -> None:
    params = oidc(backend, claims, provider, role)
    assert error_of(backend, "sts", "AssumeRoleWithOIDC", user(backend, ALICE),
                    **params) == (code, 401)


def test_malformed_oidc_token(backend: Backend) -> None:
    params = {**oidc(backend, GOOD), "OIDCToken": "not-a-jwt"}
    assert error_of(backend, "sts", "AssumeRoleWithOIDC", user(backend, ALICE), **params) == (
        "AuthenticationFail.OIDCToken.Invalid", 401)


def test_a_trust_condition_on_the_current_time_is_evaluated(clock: Clock) -> None:
    """acs:CurrentTime is part of AssumeRole's context, so a trust policy that lets a partner
    in until a date stops letting it in after that date (the emulator's clock decides)."""
    account = json.loads(SAMPLE_ACCOUNT.read_text(encoding="utf-8"))
    until = {"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"RAM": [f"acs:ram::{UID}:root"]},
         "Condition": {"DateLessThan": {"acs:CurrentTime": "2026-12-01T00:00:00Z"}}}]}
    role = next(r for r in account["roles"] if r["name"] == "admin-role")
    role["trust_policy"] = until
    backend = Backend.from_account(account, now=clock)
    assert assume(backend, user(backend, ALICE), "admin-role")
    clock.now = datetime(2026, 12, 2, tzinfo=UTC)
    assert error_of(backend, "sts", "AssumeRole", user(backend, ALICE),
                    RoleArn=f"acs:ram::{UID}:role/admin-role",
                    RoleSessionName="s2") == ("NoPermission", 403)
