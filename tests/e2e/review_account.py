"""The emulator account of the review views (issue 10): one user per hygiene case, a group and a
role chain that lead to AdministratorAccess, a custom ``*`` policy, risky trust policies, and
``changed()``: the same account after a membership removed, MFA switched off and a policy
attached to a group (for ``inspect diff``).

Dates are relative to now, so that "older than 90 days" stays true whenever the tests run.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.cli_helpers import Result, clean_env, emulator, endpoint_flags, key_flags, run_cli

UID = "2233445566778899"
OTHER = "9988776655443322"
ADMIN_KEY = ("LTAI5tReviewAdmin01", "review-admin-secret-do-not-leak-01")


NOW = datetime.now(UTC).replace(microsecond=0)


def ago(days: float) -> str:
    """An ISO time ``days`` before the tests started (fixed, so two syncs agree)."""
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def arn(kind: str, name: str) -> str:
    """``acs:ram::<UID>:<kind>/<name>``."""
    return f"acs:ram::{UID}:{kind}/{name}"


def _key(key_id: str, created: float, used: float | None = None, **extra: Any) -> dict[str, Any]:
    key = {"id": key_id, "secret": f"secret-{key_id.lower()}-do-not-leak", "created": ago(created)}
    return {**key, "last_used": ago(used)} if used is not None else {**key, **extra}


def _trust(principal: dict[str, Any], condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole",
                                 "Principal": principal}
    if condition:
        statement["Condition"] = condition
    return {"Version": "1", "Statement": [statement]}


def _attach(policy: str, kind: str, ptype: str, principal: str) -> dict[str, str]:
    return {"policy": policy, "policy_type": kind, "principal_type": ptype,
            "principal": principal}


def _console(last_login: float | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"login_profile": {"status": "Active"}}
    return {**found, "last_login": ago(last_login)} if last_login is not None else found


def account() -> dict[str, Any]:
    """The account as first synced."""
    return {
        "version": 1,
        "account": {
            "id": UID, "alias": "review", "created": ago(800),
            # meets CIS 1.7, 1.8, 1.10-1.12, 1.14; no symbol (1.9), never expires (1.13)
            "password_policy": {"MinimumPasswordLength": 14, "RequireUppercaseCharacters": True,
                                "RequireLowercaseCharacters": True, "RequireNumbers": True,
                                "PasswordReusePrevention": 5, "MaxLoginAttemps": 5},
            # MFA mandatory at login; idle users never disabled (1.5)
            "security_preference": {"LoginProfilePreference": {
                "MFAOperationForLogin": "mandatory"}},
        },
        "users": [
            {"name": "admin", "created": ago(700), "access_keys": [
                {"id": ADMIN_KEY[0], "secret": ADMIN_KEY[1], "created": ago(10),
                 "last_used": ago(0.5)}]},
            # console + MFA, recent login, a young key used yesterday; admin through a group
            {"name": "alice", "created": ago(600), **_console(2),
             "mfa": {"name": "alice", "type": "VMFA"},
             "access_keys": [_key("LTAI5tReviewAlice01", 10, 1)]},
            # console without MFA, inactive for 200 days, a 400-day-old key never used
            {"name": "bob", "created": ago(500), **_console(200),
             "access_keys": [_key("LTAI5tReviewBob0001", 400)]},
            # frozen, with an active key used 5 days ago
            {"name": "carol", "status": "freeze", "created": ago(300),
             "access_keys": [_key("LTAI5tReviewCarol01", 30, 5)]},
            # a service: an old key in use and an inactive one; reaches admin by a role chain
            {"name": "svc", "created": ago(400), "access_keys": [
                _key("LTAI5tReviewSvc0001", 100, 1),
                _key("LTAI5tReviewSvc0002", 200, status="Inactive")]},
            # console without MFA, created five days ago, never logged in
            {"name": "dan", "created": ago(5), **_console()},
        ],
        "groups": [{"name": "admins"}, {"name": "dev"}],
        "memberships": [{"user": "alice", "group": "admins"}, {"user": "bob", "group": "dev"},
                        {"user": "dan", "group": "dev"}],
        "policies": [
            {"name": "everything", "type": "Custom", "document": {"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
            {"name": "ecs-any", "type": "Custom", "document": {"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": "ecs:*", "Resource": "acs:ecs:*:*:instance/*"}]}},
            {"name": "oss-read", "type": "Custom", "document": {"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": ["oss:GetObject"], "Resource": "*"}]}},
            # what lets svc assume ops-role, and ops-role assume admin-role
            *({"name": f"assume-{role}", "type": "Custom", "document": {
                "Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                               "Resource": arn("role", role)}]}}
              for role in ("ops-role", "admin-role")),
        ],
        "roles": [
            {"name": "ops-role", "trust_policy": _trust({"RAM": [arn("user", "svc")]})},
            {"name": "admin-role", "trust_policy": _trust({"RAM": [arn("role", "ops-role")]})},
            {"name": "partner-role", "trust_policy": _trust(
                {"RAM": [f"acs:ram::{OTHER}:root"]})},
            {"name": "root-role", "trust_policy": _trust({"RAM": [f"acs:ram::{UID}:root"]})},
            {"name": "fed-role", "trust_policy": _trust(
                {"Federated": [arn("saml-provider", "corp")]})},
        ],
        "attachments": [
            _attach("AdministratorAccess", "System", "user", "admin"),
            _attach("AdministratorAccess", "System", "group", "admins"),
            _attach("AdministratorAccess", "System", "role", "admin-role"),
            _attach("everything", "Custom", "role", "partner-role"),
            _attach("ecs-any", "Custom", "group", "dev"),
            _attach("ReadOnlyAccess", "System", "role", "root-role"),
            _attach("oss-read", "Custom", "user", "dan"),
            _attach("assume-ops-role", "Custom", "user", "svc"),
            _attach("assume-admin-role", "Custom", "role", "ops-role"),
            # admin within one resource group only
            {**_attach("AdministratorAccess", "System", "user", "dan"),
             "resource_group": "rg-review00000001"},
        ],
        "resource_groups": [{"id": "rg-review00000001", "name": "prod"}],
        "saml_providers": [{"name": "corp"}],
    }


def changed() -> dict[str, Any]:
    """The account after three changes: dan leaves dev, alice's MFA is gone, and oss-read is
    attached to dev (so bob gains it by inheritance)."""
    data = copy.deepcopy(account())
    data["memberships"].remove({"user": "dan", "group": "dev"})
    alice = next(u for u in data["users"] if u["name"] == "alice")
    del alice["mfa"]
    data["attachments"].append(_attach("oss-read", "Custom", "group", "dev"))
    return data


def sync_cli(account_data: dict[str, Any], path: Path, *extra: str) -> Result:
    """Sync ``account_data`` with --sync-secrets into ``path`` through the console script."""
    with emulator(account_data) as emu:
        args = ["-f", str(path), "--sync-secrets", *endpoint_flags(emu), *key_flags(ADMIN_KEY),
                *extra]
        result = run_cli(args, path.parent, clean_env(path.parent))
    assert result.code == 0, result.stderr
    return result


@contextmanager
def synced(tmp: Path) -> Iterator[Path]:
    """``tmp/review.c1z`` synced from ``account()``."""
    path = tmp / "review.c1z"
    sync_cli(account(), path)
    yield path
