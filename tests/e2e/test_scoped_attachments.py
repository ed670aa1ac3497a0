"""Issue 9 point 1 end to end: policies attached within a Resource Manager resource group.

An emulator account where alice is AdministratorAccess on resource group rg-prod only, group
dev holds ReadOnlyAccess on rg-dev, and role ops-role (assumable by erin) holds
AliyunRAMReadOnlyAccess on rg-prod. Synced through the real client; the c1z must hold exactly
these scoped grants, direct and expanded (group → members, role → who may assume it), as
``policy_binding`` resources with baton's SCOPE_BINDING trait, distinct from the account-wide
``attached`` grants; ``inspect access`` must name them; and an identity that may not read
Resource Manager gets a loud warning and a mark on the account instead of a silent "none".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import ScopeBindingTrait
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceType
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.test_access_graph import read_grants
from tests.e2e.test_sync_sample import config_for

UID = "2233445566778899"
PROD, DEV = "rg-aek2scopedprod1", "rg-aek2scopeddev01"
READER_KEY = ("LTAI5tScopedReader01", "scoped-reader-secret-do-not-leak")


def _attach(policy: str, principal_type: str, principal: str, group: str | None = None,
            policy_type: str = "System") -> dict[str, str]:
    found = {"policy": policy, "policy_type": policy_type, "principal_type": principal_type,
             "principal": principal}
    return {**found, "resource_group": group} if group else found


ACCOUNT: dict[str, Any] = {
    "account": {"id": UID, "alias": "scoped"},
    "users": [
        {"name": "emulator-admin",
         "access_keys": [{"id": "LTAI5tScopedAdmin01", "secret": "scoped-admin-secret"}]},
        {"name": "alice"}, {"name": "bob"}, {"name": "dave"}, {"name": "erin"},
        {"name": "reader", "access_keys": [{"id": READER_KEY[0], "secret": READER_KEY[1]}]},
    ],
    "groups": [{"name": "dev"}],
    "memberships": [{"user": "bob", "group": "dev"}, {"user": "dave", "group": "dev"}],
    "roles": [{"name": "ops-role", "trust_policy": {"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"RAM": [f"acs:ram::{UID}:user/erin"]}}]}}],
    "resource_groups": [
        {"id": PROD, "name": "prod", "display_name": "rg-prod"},
        {"id": DEV, "name": "dev", "display_name": "rg-dev", "status": "OK"},
    ],
    "attachments": [
        _attach("AdministratorAccess", "user", "emulator-admin"),
        _attach("AliyunSTSAssumeRoleAccess", "user", "erin"),
        _attach("ReadOnlyAccess", "user", "dave"),  # account-wide: not a scoped grant
        _attach("AliyunRAMReadOnlyAccess", "user", "reader"),  # RAM only, no Resource Manager
        _attach("AdministratorAccess", "user", "alice", PROD),
        _attach("ReadOnlyAccess", "group", "dev", DEV),
        _attach("AliyunRAMReadOnlyAccess", "role", "ops-role", PROD),
    ],
}


def arn(kind: str, name: str) -> str:
    return f"acs:ram::{UID}:{kind}/{name}"


def rg(group_id: str) -> str:
    return f"acs:resourcemanager::{UID}:resourcegroup/{group_id}"


def binding(policy: str, group_id: str) -> str:
    return f"acs:ram::system:policy/{policy}@{rg(group_id)}"


def bound(policy: str, group_id: str) -> str:
    return f"policy_binding:{binding(policy, group_id)}:attached"


MEMBERS_OF_DEV = f"group:{arn('group', 'dev')}:member"
ASSUME_OPS = f"role:{arn('role', 'ops-role')}:assume"
DIRECT = {
    (bound("AdministratorAccess", PROD), "user", arn("user", "alice"), None, None),
    (bound("ReadOnlyAccess", DEV), "group", arn("group", "dev"), ((MEMBERS_OF_DEV,), True),
     None),
    (bound("AliyunRAMReadOnlyAccess", PROD), "role", arn("role", "ops-role"),
     ((ASSUME_OPS,), False), None),
}
EXPANDED = {
    (bound("ReadOnlyAccess", DEV), "user", arn("user", "bob"),
     frozenset({(MEMBERS_OF_DEV, True)})),
    (bound("ReadOnlyAccess", DEV), "user", arn("user", "dave"),
     frozenset({(MEMBERS_OF_DEV, True)})),
    (bound("AliyunRAMReadOnlyAccess", PROD), "user", arn("user", "erin"),
     frozenset({(ASSUME_OPS, True)})),
}


def _scoped(rows: set[Any]) -> set[Any]:
    return {row for row in rows if row[0].startswith("policy_binding:")}


async def test_exact_scoped_grants_direct_and_expanded(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    async with running_emulator(ACCOUNT) as emu:
        report = await run.sync(config_for(emu), path)
    direct, expanded, _ = read_grants(path)
    assert _scoped(direct) == DIRECT
    assert _scoped(expanded) == EXPANDED
    assert ("policy:acs:ram::system:policy/ReadOnlyAccess:attached", "user",
            arn("user", "dave"), None, None) in direct  # account-wide stays its own grant
    assert not [row for row in direct if row[0].startswith("policy:") and row[2] ==
                arn("user", "alice")]  # alice holds nothing account-wide
    assert report.resources["resource_group"] == 2
    assert report.resources["policy_binding"] == 3
    assert report.warnings == []


async def test_the_binding_is_a_scope_binding_of_policy_and_group(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    async with running_emulator(ACCOUNT) as emu:
        await run.sync(config_for(emu), path)
    with C1zReader.open(path) as reader:
        types = {t.id: t for t in reader.resource_types()}
        prod = reader.get_resource("resource_group", rg(PROD))
        admin = reader.get_resource("policy_binding", binding("AdministratorAccess", PROD))
    assert list(types["policy_binding"].traits) == [ResourceType.TRAIT_SCOPE_BINDING]
    assert prod is not None and admin is not None
    assert prod.display_name == "rg-prod"
    assert prod.parent_resource_id.resource == UID
    assert {k: v for k, v in dict(prod.profile).items()} == {
        "id": PROD, "name": "prod", "status": "OK", "account_id": UID}
    assert admin.display_name == "AdministratorAccess on resource group rg-prod"
    assert (admin.parent_resource_id.resource_type, admin.parent_resource_id.resource) == (
        "resource_group", rg(PROD))
    trait = bt.unpack_annotation(admin.annotations, ScopeBindingTrait)
    assert trait is not None
    assert (trait.role_id.resource_type, trait.role_id.resource) == (
        "policy", "acs:ram::system:policy/AdministratorAccess")
    assert (trait.scope_resource_id.resource_type, trait.scope_resource_id.resource) == (
        "resource_group", rg(PROD))


async def test_inspect_access_names_the_resource_group(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    async with running_emulator(ACCOUNT) as emu:
        await run.sync(config_for(emu), path)
    args = ["inspect", "access", "-f", str(path), "--principal-type", "user", "--principal"]
    result = run_cli([*args, arn("user", "erin")], tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    lines = [line.strip("│├└─ ") for line in result.stdout.splitlines()]
    start = lines.index("AliyunRAMReadOnlyAccess on resource group rg-prod (policy_binding)")
    assert lines[start + 1] == "attached  via role ops-role"
    alice = run_cli([*args, arn("user", "alice")], tmp_path, clean_env(tmp_path))
    assert "AdministratorAccess on resource group rg-prod (policy_binding)" in alice.stdout


async def test_resource_manager_denied_is_loud_not_empty(tmp_path: Path) -> None:
    """A RAM-only identity: the sync finishes, warns once, and marks the account."""
    path = tmp_path / "sync.c1z"
    async with running_emulator(ACCOUNT) as emu:
        config = ConnectorConfig(access_key_id=READER_KEY[0], access_key_secret=READER_KEY[1],
                                 endpoint=emu.url)
        report = await run.sync(config, path)
    assert report.warnings == [
        f"account {UID}: resource manager not readable: NoPermission (grant "
        "resourcemanager:ListResourceGroups); its grants are missing from this sync"]
    assert report.resources.get("resource_group", 0) == 0
    with C1zReader.open(path) as reader:
        account = reader.get_resource("account", UID)
    assert account is not None
    assert dict(account.profile)["resource_manager"] == (
        "not readable: NoPermission (grant resourcemanager:ListResourceGroups)")


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_grants() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("policy_binding:")]


async def test_the_readme_grant_is_in_the_demo_account(tmp_path: Path) -> None:
    """The README's example of a scoped grant is what a sync of the demo account writes."""
    shown = _readme_grants()
    assert shown
    path = tmp_path / "demo.c1z"
    async with running_emulator(None) as emu:
        await run.sync(config_for(emu), path)
    with C1zReader.open(path) as reader:
        for grant_id in shown:
            assert reader.get_grant(grant_id) is not None, grant_id
