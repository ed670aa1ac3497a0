"""End-to-end syncs against the emulator over loopback: the sample account's exact access
graph, no API call made twice, and the cheaper attachment plan picked in both directions."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import UserTrait
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable, GrantMetadata
from baton_alibaba_cloud.baton.sync.engine import SyncReport
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.emulator.accounts.generator import generate, parse_spec
from baton_alibaba_cloud.emulator.request_log import RequestLog
from baton_alibaba_cloud.emulator.server import RunningEmulator, load_account, running_emulator

UID = "5123456789012345"
PARTNER = "1987654321098765"


def _arn(kind: str, name: str) -> str:
    return f"acs:ram::{UID}:{kind}/{name}"


def config_for(emu: RunningEmulator, **extra: Any) -> ConnectorConfig:
    """A configuration that talks to ``emu`` with its admin key."""
    return ConnectorConfig(
        access_key_id=emu.access_key_id, access_key_secret=emu.access_key_secret,
        endpoint=emu.url, **extra,
    )


@pytest.fixture
async def sample() -> AsyncIterator[RunningEmulator]:
    async with running_emulator(None) as emu:
        yield emu


def direct_grants(path: Path) -> set[tuple[str, str, str]]:
    """``(entitlement id, principal type, principal id)`` of every grant not made by expansion."""
    with C1zReader.open(path) as reader:
        return {
            (g.entitlement.id, g.principal.id.resource_type, g.principal.id.resource)
            for g in reader.grants()
            if not bt.has_annotation(g.annotations, GrantImmutable)
        }


def expected_sample_grants() -> set[tuple[str, str, str]]:
    """The sample account's memberships and attachments from its JSON, and its trust by hand."""
    data = load_account(None)
    found = {(f"group:{_arn('group', m['group'])}:member", "user", _arn("user", m["user"]))
             for m in data["memberships"]}
    for a in data["attachments"]:
        owner = "system" if a["policy_type"] == "System" else UID
        policy = f"acs:ram::{owner}:policy/{a['policy']}"
        principal = (a["principal_type"], _arn(a["principal_type"], a["principal"]))
        if "resource_group" in a:  # attached within one resource group: a binding's grant
            scope = f"acs:resourcemanager::{UID}:resourcegroup/{a['resource_group']}"
            found.add((f"policy_binding:{policy}@{scope}:attached", *principal))
        else:
            found.add((f"policy:{policy}:attached", *principal))

    def assume(role: str) -> str:
        return f"role:{_arn('role', role)}:assume"

    # trusting the account's root grants the users and roles whose own policies allow
    # sts:AssumeRole: emulator-admin and admin-role (AdministratorAccess; a role never
    # assumes itself) and alice (AliyunSTSAssumeRoleAccess); dave is denied by restricted-role
    found |= {
        (assume("admin-role"), "user", _arn("user", "emulator-admin")),
        (assume("admin-role"), "user", _arn("user", "alice")),
        (assume("deploy-role"), "user", _arn("user", "ci-deployer")),
        (assume("chained-role"), "role", _arn("role", "admin-role")),
        (assume("partner-audit-role"), "account", PARTNER),
        (assume("ecs-instance-role"), "service", "ecs.aliyuncs.com"),
        (assume("saml-sso-role"), "identity_provider", f"acs:ram::{UID}:saml-provider/corp-idp"),
        (assume("oidc-ci-role"), "identity_provider",
         f"acs:ram::{UID}:oidc-provider/github-actions"),
        (assume("restricted-role"), "user", _arn("user", "emulator-admin")),
        (assume("restricted-role"), "user", _arn("user", "alice")),
        (assume("restricted-role"), "role", _arn("role", "admin-role")),
    }
    return found


async def test_sample_account_access_graph(sample: RunningEmulator, tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    report = await run.sync(config_for(sample, sync_secrets=True), path)
    assert direct_grants(path) == expected_sample_grants()
    assert report.resources == {
        "account": 2, "user": 11, "group": 4, "role": 9, "policy": 11,
        "resource_group": 2, "policy_binding": 3, "identity_provider": 2, "service": 1,
        "access_key": 5,
    }
    assert report.warnings == [
        w for w in report.warnings if w.startswith("role broken-trust-role: ")
    ] and len(report.warnings) == 1
    with C1zReader.open(path) as reader:
        partner = reader.get_grant(
            f"role:{_arn('role', 'partner-audit-role')}:assume:account:{PARTNER}")
        external = reader.get_resource("account", PARTNER)
        dave = reader.get_resource("user", _arn("user", "dave"))
        admin_policy = reader.get_resource("policy", "acs:ram::system:policy/AdministratorAccess")
    assert partner is not None and external is not None and dave is not None
    meta = bt.unpack_annotation(partner.annotations, GrantMetadata)
    assert meta is not None and dict(meta.metadata)["condition"]
    assert external.display_name == f"External account {PARTNER}"
    assert not external.HasField("parent_resource_id")
    assert dict(external.profile)["external"] is True
    trait = bt.unpack_annotation(dave.annotations, UserTrait)
    assert trait is not None and trait.status.status == UserTrait.Status.STATUS_DISABLED
    assert trait.status.details == "frozen"
    assert admin_policy is not None and not admin_policy.HasField("parent_resource_id")


async def test_sample_user_enrichment(sample: RunningEmulator, tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    await run.sync(config_for(sample), path)
    with C1zReader.open(path) as reader:
        users = {r.id.resource: r for r in reader.resources("user")}
    alice = bt.unpack_annotation(users[_arn("user", "alice")].annotations, UserTrait)
    assert alice is not None and alice.mfa_status.mfa_enabled
    assert dict(users[_arn("user", "alice")].profile)["mfa_bind_required"] is True
    deployer = bt.unpack_annotation(users[_arn("user", "ci-deployer")].annotations, UserTrait)
    assert deployer is not None
    assert deployer.account_type == UserTrait.AccountType.ACCOUNT_TYPE_SERVICE
    bob = bt.unpack_annotation(users[_arn("user", "bob")].annotations, UserTrait)
    assert bob is not None and bob.account_type == UserTrait.AccountType.ACCOUNT_TYPE_HUMAN


POLLED = frozenset({("ims", "GenerateCredentialReport")})
"""The one action a sync repeats on purpose: each call asks whether the credential report is
built yet (STARTED, INPROGRESS, then COMPLETED), a poll of a changing state, not a fetch."""


def repeated_calls(log: RequestLog) -> list[tuple[Any, ...]]:
    """Successful calls made more than once with the same parameters, polls aside."""
    seen = Counter((c.service, c.action, c.params) for c in log.calls
                   if not c.code and (c.service, c.action) not in POLLED)
    return [key for key, n in seen.items() if n > 1]


def duplicate_calls(emu: RunningEmulator) -> list[tuple[Any, ...]]:
    """Successful calls ``emu`` answered more than once with the same parameters, polls aside."""
    return repeated_calls(emu.request_log)


async def test_no_api_call_is_made_twice(sample: RunningEmulator, tmp_path: Path) -> None:
    report = await run.sync(config_for(sample, sync_secrets=True), tmp_path / "s.c1z")
    assert duplicate_calls(sample) == []
    assert sum(report.api_requests.values()) == sample.request_log.total
    log = sample.request_log
    assert log.count("GenerateCredentialReport") >= 2  # STARTED first: polled until COMPLETED
    assert log.count("GetCredentialReport") == 1  # read once, when it was ready


async def _plan_sync(spec: str, tmp_path: Path) -> tuple[RunningEmulator, int]:
    account = generate(parse_spec(spec))
    async with running_emulator(account) as emu:
        report = await run.sync(config_for(emu), tmp_path / "plan.c1z")
        wide = [a for a in account["attachments"] if "resource_group" not in a]
        attached = len({(a["policy_type"], a["policy"]) for a in wide})
        assert report.grants_by_type.get("policy", 0) >= len(wide)
        return emu, attached


def _attachment_requests(emu: RunningEmulator) -> int:
    return sum(emu.request_log.count(action) for action in (
        "ListEntitiesForPolicy", "ListPoliciesForUser", "ListPoliciesForGroup",
        "ListPoliciesForRole"))


async def test_per_principal_plan_when_few_principals(tmp_path: Path) -> None:
    emu, attached = await _plan_sync(
        "users=4,groups=2,roles=2,system_policies=50,custom_policies=40,memberships=4,"
        "attachments=60", tmp_path)
    log = emu.request_log
    assert log.count("ListEntitiesForPolicy") == 0
    assert log.count("ListPoliciesForUser") == 4
    assert log.count("ListPoliciesForGroup") == 2
    assert log.count("ListPoliciesForRole") == 2
    assert _attachment_requests(emu) == 8 < attached  # the per-policy plan would cost more


async def test_per_policy_plan_when_many_principals(tmp_path: Path) -> None:
    emu, attached = await _plan_sync(
        "users=120,groups=10,roles=10,system_policies=50,custom_policies=20,memberships=50,"
        "attachments=15", tmp_path)
    log = emu.request_log
    assert log.count("ListEntitiesForPolicy") == attached
    for action in ("ListPoliciesForUser", "ListPoliciesForGroup", "ListPoliciesForRole"):
        assert log.count(action) == 0
    assert _attachment_requests(emu) == attached < 120 + 10 + 10  # fewer than one per principal


def test_report_is_json_friendly() -> None:
    report = SyncReport(sync_id="x", resources={"user": 1})
    assert json.loads(json.dumps(report.resources)) == {"user": 1}
