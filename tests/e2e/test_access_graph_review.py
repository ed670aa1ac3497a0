"""Issue 4 as a reviewer checks it, on the account of ``test_access_graph.py``: user
enrichment (MFA, console login, MFA at login, service accounts), access keys (SecretTrait,
status, last use), the principals trust names, no secret anywhere in the file, and
``inspect access`` printing the path of every entitlement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import zstandard
from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import SecretTrait, UserTrait
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, Status
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.test_access_graph import (
    ACCOUNT,
    FC,
    OIDC,
    OTHER,
    SAML,
    UID,
    arn,
    attached,
    plan,
    sync,
)

__all__ = ["plan"]  # the fixture: both plans must give a reviewer the same answers


def _user_facts(path: Path) -> dict[str, tuple[Any, ...]]:
    """Per user: account type, status, MFA bound (None: not known), console login, MFA required
    at login, last login."""
    found = {}
    with C1zReader.open(path) as reader:
        for res in reader.resources("user"):
            trait = bt.unpack_annotation(res.annotations, UserTrait)
            assert trait is not None
            profile = MessageToDict(res.profile)
            found[_name(res.id.resource)] = (
                UserTrait.AccountType.Name(trait.account_type).removeprefix("ACCOUNT_TYPE_"),
                Status.ResourceStatus.Name(res.status.status).removeprefix("RESOURCE_STATUS_"),
                trait.mfa_status.mfa_enabled if trait.HasField("mfa_status") else None,
                profile.get("console_login_enabled"),
                profile.get("mfa_bind_required"),
                trait.last_login.ToJsonString() if trait.HasField("last_login") else None,
            )
    return found


def _name(resource_id: str) -> str:
    return resource_id.rsplit("/", 1)[-1]


async def test_users_principals_and_keys_as_a_reviewer_reads_them(
    plan: str, tmp_path: Path
) -> None:
    path = tmp_path / "sync.c1z"
    await sync(path)
    assert _user_facts(path) == {
        "emulator-admin": ("SERVICE", "ENABLED", False, False, None, None),
        "alice": ("HUMAN", "ENABLED", True, True, True, "2026-11-20T08:00:00Z"),
        "bob": ("HUMAN", "ENABLED", False, True, False, None),
        "svc": ("SERVICE", "ENABLED", False, False, None, None),
        "dave": ("HUMAN", "DISABLED", False, False, False, None),
    }
    with C1zReader.open(path) as reader:
        partner = reader.get_resource("account", OTHER)
        assert partner is not None and not partner.HasField("parent_resource_id")
        assert partner.display_name == f"External account {OTHER}"
        assert MessageToDict(partner.profile)["external"] is True
        services = {r.id.resource: r for r in reader.resources("service")}
        assert sorted(services) == sorted(["ecs.aliyuncs.com", FC])
        assert all(not r.annotations and not r.HasField("parent_resource_id")
                   for r in services.values())
        providers = {r.id.resource for r in reader.resources("identity_provider")}
        assert providers == {SAML, OIDC}
        keys = {r.id.resource: r for r in reader.resources("access_key")}
        doc = reader.get_resource("policy", f"acs:ram::{UID}:policy/dev-ecs")
        assert doc is not None and json.loads(MessageToDict(doc.profile)["policy_document"]) == \
            ACCOUNT["policies"][0]["document"]
    assert {k: _key_facts(r) for k, r in keys.items()} == {
        "LTAI5tGraphAdmin1": ("emulator-admin", "ENABLED", "Active", True, None),
        "LTAI5tGraphAlice1": ("alice", "ENABLED", "Active", True, "2026-11-26T07:30:00Z"),
        "LTAI5tGraphSvc001": ("svc", "ENABLED", "Active", True, None),
        "LTAI5tGraphSvc002": ("svc", "DISABLED", "Inactive", True, None),
    }


def _key_facts(res: Resource) -> tuple[Any, ...]:
    trait = bt.unpack_annotation(res.annotations, SecretTrait)
    assert trait is not None and trait.identity_id == res.parent_resource_id
    return (
        _name(trait.identity_id.resource),
        Status.ResourceStatus.Name(res.status.status).removeprefix("RESOURCE_STATUS_"),
        res.status.details, trait.HasField("created_at"),
        trait.last_used_at.ToJsonString() if trait.HasField("last_used_at") else None,
    )


def _secrets(value: object) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "secret"] + _secrets(list(value.values()))
    if isinstance(value, list):
        return [s for item in value for s in _secrets(item)]
    return []


async def test_no_secret_anywhere_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    await sync(path)
    raw = path.read_bytes()
    assert raw[:5] == b"C1ZF\x00"
    database = zstandard.ZstdDecompressor().decompress(raw[5:], max_output_size=1 << 30)
    secrets = _secrets(ACCOUNT)
    assert len(secrets) == 5  # the root key and four user keys
    assert [s for s in secrets if s.encode() in database] == []
    assert b"LTAI5tGraphSvc002" in database  # the ids are there, only the secrets are not


async def test_inspect_access_prints_the_paths(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    await sync(path)
    alice = arn("user", "alice")
    args = ["inspect", "access", "-f", str(path), "--principal-type", "user", "--principal"]
    result = run_cli([*args, alice], tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    lines = [line.strip("│├└─ ") for line in result.stdout.splitlines()]
    assert lines == [
        "Effective access for Alice (user)",
        "dev (group)", "member  direct",
        "assume-chain (policy)", "attached  via role user-role",
        "dev-ecs (policy)", "attached  via group dev",
        "ops-oss (policy)", "attached  via role user-role",
        "AdministratorAccess (policy)", "attached  via role user-role → role chain-role",
        "AliyunSTSAssumeRoleAccess (policy)", "attached  direct",
        # root-role trusts the account's root and alice holds AliyunSTSAssumeRoleAccess
        "ReadOnlyAccess (policy)", "attached",
        "via role root-role", "via role user-role → role chain-role → role root-role",
        "chain-role (role)", "assume  via role user-role",
        "deny-role (role)", "assume", "direct", "via role user-role → role chain-role",
        "odd-role (role)", "assume  direct",
        "root-role (role)", "assume", "direct", "via role user-role → role chain-role",
        "user-role (role)", "assume  direct",
    ]
    as_json = run_cli([*args, alice, "-o", "json"], tmp_path, clean_env(tmp_path))
    held = {e["entitlement_id"]: [p["label"] for p in e["paths"]]
            for r in json.loads(as_json.stdout)["resources"] for e in r["entitlements"]}
    assert held[attached("AdministratorAccess")] == ["via role user-role → role chain-role"]
