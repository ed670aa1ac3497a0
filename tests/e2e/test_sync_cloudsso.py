"""CloudSSO in an organization sync, end to end: the test organization with a CloudSSO
directory (``cloudsso_org.py``) synced through the real emulator, judged as exact sets.

Both failing members are still named in the warnings and the report; the CloudSSO users,
group, access configurations and the three (configuration, account) bindings are there; each
binding is linked to the role CloudSSO provisioned in its account, so ``inspect access`` (the
console script) shows an SSO user the policies it reaches in each account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import ScopeBindingTrait
from baton_alibaba_cloud.baton.types import unpack_annotation
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions, OrgReport, sync_organization
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e import cloudsso_org as sso
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.test_sync_organization import EXPECTED_GRANTS as ORG_GRANTS
from tests.emulator import org_account as org

pytestmark = pytest.mark.timeout(120)

M, A, B, NOROLE, LOCKED = org.MANAGEMENT, org.PROD_APP, org.PROD_EU, org.DEV_NOROLE, org.DEV_LOCKED
RO, ADMIN = "ReadOnly", "Admin"
RO_POLICY = "policy:acs:ram::system:policy/ReadOnlyAccess:attached"
ADMIN_POLICY = "policy:acs:ram::system:policy/AdministratorAccess:attached"
INLINE_POLICY = f"policy:acs:ram::{A}:policy/AliyunReservedSSO-Admin-InlinePolicy:attached"
ALICE, BOB, CAROL = sso.user("alice"), sso.user("bob"), sso.user("carol")


def _idp(uid: str) -> str:
    return f"acs:ram::{uid}:saml-provider/AliyunReservedSSO-{sso.DIRECTORY}"


EXPECTED_SSO_RESOURCES = {
    ("cloudsso_directory", sso.D, M),
    ("sso_user", ALICE, sso.D), ("sso_user", BOB, sso.D), ("sso_user", CAROL, sso.D),
    ("sso_group", sso.GROUP, sso.D),
    ("access_configuration", sso.config(RO), sso.D),
    ("access_configuration", sso.config(ADMIN), sso.D),
    ("access_assignment", sso.binding(RO, A), A), ("access_assignment", sso.binding(RO, B), B),
    ("access_assignment", sso.binding(ADMIN, A), A),
    ("role", sso.reserved(A, RO), A), ("role", sso.reserved(B, RO), B),
    ("role", sso.reserved(A, ADMIN), A),
}


def _assigned(name: str, uid: str) -> str:
    return f"access_assignment:{sso.binding(name, uid)}:assigned"


def _assume(uid: str, name: str) -> str:
    return f"role:{sso.reserved(uid, name)}:assume"


def _expected_sso_grants() -> set[tuple[str, str]]:
    """Direct: membership, assignments, the links, the reserved roles' trust (their IdP) and
    policies. Expanded: the group's members hold its assignments, whoever holds an assignment
    holds its role's assume and, through it, the role's policies."""
    ops = {sso.GROUP, ALICE, BOB}
    grants = {(f"sso_group:{sso.GROUP}:member", ALICE), (f"sso_group:{sso.GROUP}:member", BOB),
              (_assigned(ADMIN, A), CAROL)}
    for uid in (A, B):
        grants |= {(_assigned(RO, uid), p) for p in ops}
        holders = {*ops, sso.binding(RO, uid), _idp(uid)}
        grants |= {(_assume(uid, RO), p) for p in holders - {_idp(uid)}}
        grants |= {(_assume(uid, RO), _idp(uid))}
        grants |= {(RO_POLICY, p) for p in holders | {sso.reserved(uid, RO)}}
    admin_holders = {CAROL, sso.binding(ADMIN, A), _idp(A)}
    grants |= {(_assume(A, ADMIN), p) for p in admin_holders}
    for policy in (ADMIN_POLICY, INLINE_POLICY):
        grants |= {(policy, p) for p in admin_holders | {sso.reserved(A, ADMIN)}}
    return grants


async def _sync(tmp_path: Path, data: dict[str, Any], options: OrgOptions | None = None
                ) -> tuple[OrgReport, Path]:
    path = tmp_path / "org.c1z"
    async with running_emulator(data, EmulatorOptions(report_delay_s=0,
                                                      cloudsso_task_delay_s=0)) as emu:
        config = ConnectorConfig(access_key_id=org.ADMIN_KEY[0],
                                 access_key_secret=org.ADMIN_KEY[1], endpoint=emu.url)
        report = await sync_organization(config, path, options or OrgOptions(
            max_accounts_in_flight=2))
    return report, path


async def test_cloudsso_exact_resources_grants_and_inspect_access(tmp_path: Path) -> None:
    report, path = await _sync(tmp_path, sso.organization())
    assert (sorted(report.synced), sorted(report.failed)) == ([A, B], sorted([NOROLE, LOCKED]))
    for uid, name in ((NOROLE, "dev-norole"), (LOCKED, "dev-locked")):
        assert sum(f"member account {uid} ({name}) failed" in w
                   for w in report.sync.warnings) == 1
    assert not [w for w in report.sync.warnings if "CloudSSO" in w or "cloudsso" in w]
    kinds = ("cloudsso_directory", "sso_user", "sso_group", "access_configuration",
             "access_assignment", "role")
    with C1zReader.open(path) as reader:
        found = {(r.id.resource_type, r.id.resource, r.parent_resource_id.resource)
                 for kind in kinds for r in reader.resources(kind)}
        grants = {(g.entitlement.id, g.principal.id.resource) for g in reader.grants()}
        bound = reader.get_resource("access_assignment", sso.binding(RO, B))
        admin = reader.get_resource("access_configuration", sso.config(ADMIN))
    access_roles = {("role", f"acs:ram::{uid}:role/{org.ACCESS_ROLE}", uid) for uid in (A, B)}
    assert found == EXPECTED_SSO_RESOURCES | access_roles
    assert grants == ORG_GRANTS | _expected_sso_grants()
    assert bound is not None and admin is not None
    trait = unpack_annotation(bound.annotations, ScopeBindingTrait)
    assert trait is not None and (trait.role_id.resource, trait.scope_resource_id.resource) == (
        sso.config(RO), B)
    policies = admin.profile.fields["policies"].list_value
    assert [(p.struct_value["type"], p.struct_value["name"]) for p in policies.values] == [
        ("System", "AdministratorAccess"), ("Inline", "ecs-describe")]
    _inspect_access_shows_policies_per_account(tmp_path, path)


def _inspect_access_shows_policies_per_account(tmp_path: Path, path: Path) -> None:
    """alice reaches ReadOnlyAccess in prod-app and prod-eu through the group ops, carol
    AdministratorAccess and the inline policy in prod-app, each through the reserved role."""
    for who, expected in (
            (ALICE, {(sso.reserved(A, RO), RO_POLICY), (sso.reserved(B, RO), RO_POLICY)}),
            (CAROL, {(sso.reserved(A, ADMIN), ADMIN_POLICY),
                     (sso.reserved(A, ADMIN), INLINE_POLICY)})):
        result = run_cli(["inspect", "access", "-f", str(path), "--principal-type", "sso_user",
                          "--principal", who, "-o", "json"], tmp_path, clean_env(tmp_path))
        assert result.code == 0, result.stderr
        doc = json.loads(result.stdout)
        reached = {(role, entitlement) for role, entitlement in _policy_paths(doc)}
        assert reached == expected


def _policy_paths(doc: Any) -> set[tuple[str, str]]:
    """(the reserved role on the path, the policy entitlement) of each policy held."""
    found = set()
    for resource in doc["resources"]:
        for held in resource["entitlements"]:
            if not held["entitlement_id"].startswith("policy:"):
                continue
            for path in held["paths"]:
                roles = [hop["resource_id"] for hop in path["via"]
                         if hop["resource_type"] == "role"]
                found |= {(role, held["entitlement_id"]) for role in roles}
    return found


async def test_no_cloudsso_leaves_it_out(tmp_path: Path) -> None:
    report, path = await _sync(tmp_path, sso.organization(),
                               OrgOptions(cloudsso=False, member_accounts=frozenset({A})))
    assert report.synced == [A]
    with C1zReader.open(path) as reader:
        assert [t.id for t in reader.resource_types() if "sso" in t.id] == []


async def test_cloudsso_denied_marks_the_management_account(tmp_path: Path) -> None:
    """alice of the management account may read (ReadOnlyAccess) but not CloudSSO: one warning
    names the action and the permission; the management account carries the mark."""
    data = sso.organization()
    mgmt = data["organization"]["accounts"][0]["document"]
    mgmt["policies"] = [{"name": "no-sso", "type": "Custom", "document": {
        "Version": "1", "Statement": [{"Effect": "Deny", "Action": "cloudsso:*",
                                       "Resource": "*"}]}}]
    mgmt["attachments"].append({"policy": "no-sso", "policy_type": "Custom",
                                "principal_type": "user", "principal": "emulator-admin"})
    report, path = await _sync(tmp_path, data, OrgOptions(member_accounts=frozenset({A})))
    assert report.synced == [A]
    warned = [w for w in report.sync.warnings if "cloudsso" in w]
    assert len(warned) == 1 and "cloudsso:ListDirectories" in warned[0], warned
    with C1zReader.open(path) as reader:
        account = reader.get_resource("account", M)
        assert account is not None
        assert "cloudsso:ListDirectories" in account.profile.fields["cloudsso"].string_value
        assert list(reader.resources("sso_user")) == []


async def test_a_refused_listing_marks_the_directory(tmp_path: Path) -> None:
    """ListUsers refused, the rest allowed: the directory carries the mark, one warning names
    cloudsso:ListUsers, and the groups and assignments are still synced (their grants to the
    unread users are dropped, each with the completeness warning)."""
    data = sso.organization()
    mgmt = data["organization"]["accounts"][0]["document"]
    mgmt["policies"] = [{"name": "no-sso-users", "type": "Custom", "document": {
        "Version": "1", "Statement": [{"Effect": "Deny", "Action": "cloudsso:ListUsers",
                                       "Resource": "*"}]}}]
    mgmt["attachments"].append({"policy": "no-sso-users", "policy_type": "Custom",
                                "principal_type": "user", "principal": "emulator-admin"})
    report, path = await _sync(tmp_path, data, OrgOptions(member_accounts=frozenset({A})))
    warned = [w for w in report.sync.warnings if "(grant cloudsso:" in w]
    assert len(warned) == 1 and "cloudsso:ListUsers" in warned[0], warned
    with C1zReader.open(path) as reader:
        directory = reader.get_resource("cloudsso_directory", sso.D)
        assert directory is not None
        assert "cloudsso:ListUsers" in directory.profile.fields["users"].string_value
        assert list(reader.resources("sso_user")) == []
        assert {r.id.resource for r in reader.resources("sso_group")} == {sso.GROUP}
        assert len(list(reader.resources("access_assignment"))) == 3


async def test_assignments_page_by_next_token(tmp_path: Path) -> None:
    """45 users each assigned ReadOnly on prod-app: three pages of ListAccessAssignments (20
    at most a page), every assignment read."""
    data = sso.organization()
    block = data["organization"]["cloudsso"]
    extra = [f"user{n:02d}" for n in range(45)]
    block["users"] += [{"name": n} for n in extra]
    block["assignments"] += [{"access_configuration": RO, "principal_type": "User",
                              "principal": n, "account": A} for n in extra]
    _, path = await _sync(tmp_path, data, OrgOptions(member_accounts=frozenset({A})))
    with C1zReader.open(path) as reader:
        users = {r.display_name: r.id.resource for r in reader.resources("sso_user")}
        held = {g.principal.id.resource for g in reader.grants()
                if g.entitlement.id == _assigned(RO, A) and not g.sources.sources}
    assert held == {sso.GROUP} | {users[n] for n in extra}


async def test_explicit_cloudsso_without_a_directory_is_marked(tmp_path: Path) -> None:
    """--cloudsso where ListDirectories finds none: a warning and a mark on the management
    account saying so (and where else to look), never a silent empty directory; without
    --cloudsso the same organization syncs quietly without it."""
    options = OrgOptions(cloudsso=True, member_accounts=frozenset({A}))
    report, path = await _sync(tmp_path, org.organization(), options)
    warned = [w for w in report.sync.warnings if "cloudsso" in w]
    assert len(warned) == 1 and "--cloudsso-region us-west-1" in warned[0], warned
    with C1zReader.open(path) as reader:
        account = reader.get_resource("account", M)
        assert account is not None
        assert "no directory in cn-shanghai" in account.profile.fields["cloudsso"].string_value
    (tmp_path / "auto").mkdir()
    report, _ = await _sync(tmp_path / "auto", org.organization(),
                            OrgOptions(member_accounts=frozenset({A})))
    assert not [w for w in report.sync.warnings if "cloudsso" in w]
