"""Who of the management account may really assume a member's role, judged by the emulator.

In an organization file the management account's users are synced too, so a member role that
trusts the management account (``ResourceDirectoryAccountAccessRole`` always does) is granted
to each management identity whose own policies allow ``sts:AssumeRole`` on it, besides the
account itself. The test organization (tests/emulator/org_account.py) gains management users
``ops`` (AliyunSTSAssumeRoleAccess), ``ops-denied`` (the same, and a Deny on prod-app's roles)
and ``named`` (the same; the only one prod-eu's ``named-only`` role trusts), and a management
role ``hop`` that may assume anything. Every (management user, member role) pair is tried with
the emulator's real STS AssumeRole and must agree with the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import AlibabaClient, AlibabaError, Endpoints, StaticProvider
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions, sync_organization
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.emulator import org_account as org

pytestmark = pytest.mark.timeout(120)

M, A, B = org.MANAGEMENT, org.PROD_APP, org.PROD_EU
USERS = {"emulator-admin": org.ADMIN_KEY, "alice": org.ALICE_KEY,
         "ops": ("LTAI5tOrgMgmtOps00000001", "org-mgmt-ops-secret-00001"),
         "ops-denied": ("LTAI5tOrgMgmtOpsDenied01", "org-mgmt-ops-denied-secret"),
         "named": ("LTAI5tOrgMgmtNamed000001", "org-mgmt-named-secret-001")}
ROLES = [(A, org.ACCESS_ROLE), (B, org.ACCESS_ROLE), (B, "named-only")]


def _attach(policy: str, kind: str, principal_type: str, principal: str) -> dict[str, str]:
    return {"policy": policy, "policy_type": kind, "principal_type": principal_type,
            "principal": principal}


def _organization() -> dict[str, Any]:
    data = org.organization()
    accounts = data["organization"]["accounts"]
    management = accounts[0]["document"]
    management["users"] += [{"name": n, "access_keys": [{"id": k[0], "secret": k[1]}]}
                            for n, k in USERS.items() if n not in ("emulator-admin", "alice")]
    management["policies"] = [{"name": "no-prod-app", "type": "Custom", "document": {
        "Version": "1", "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole",
                                       "Resource": f"acs:ram::{A}:role/*"}]}}]
    trust_root = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"RAM": [f"acs:ram::{M}:root"]}}]}
    management["roles"] = [{"name": "hop", "trust_policy": trust_root}]
    management["attachments"] += [
        _attach("AliyunSTSAssumeRoleAccess", "System", "user", "ops"),
        _attach("AliyunSTSAssumeRoleAccess", "System", "user", "ops-denied"),
        _attach("no-prod-app", "Custom", "user", "ops-denied"),
        _attach("AliyunSTSAssumeRoleAccess", "System", "user", "named"),
        _attach("AliyunSTSAssumeRoleAccess", "System", "role", "hop")]
    eu = next(a for a in accounts if a["display_name"] == "prod-eu")["document"]
    eu["roles"] = [{"name": "named-only", "trust_policy": {"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"RAM": [f"acs:ram::{M}:user/named"]}}]}}]
    return data


def _direct_assume(path: Path) -> set[tuple[str, str]]:
    """(role id, principal id) of the direct assume grants held by management identities."""
    with C1zReader.open(path) as reader:
        return {(g.entitlement.resource.id.resource, g.principal.id.resource)
                for g in reader.grants(resource_type="role")
                if g.principal.id.resource.startswith(f"acs:ram::{M}:")
                and not bt.has_annotation(g.annotations, GrantImmutable)
                and (not g.sources.sources or g.entitlement.id in g.sources.sources)}


async def _can_assume(url: str, key: tuple[str, str], uid: str, role: str) -> bool:
    client = AlibabaClient(StaticProvider(key[0], key[1], None), Endpoints.single(url))
    try:
        async with client:
            await client.call("sts", "AssumeRole", {"RoleArn": f"acs:ram::{uid}:role/{role}",
                                                    "RoleSessionName": "check"})
    except AlibabaError as exc:
        assert exc.code in ("NoPermission", "EntityNotExist.Role"), exc
        return False
    return True


async def test_management_identities_that_may_enter_a_member_are_the_ones_sts_lets_in(
        tmp_path: Path) -> None:
    path = tmp_path / "org.c1z"
    async with running_emulator(_organization(), EmulatorOptions(report_delay_s=0)) as emu:
        config = ConnectorConfig(access_key_id=org.ADMIN_KEY[0],
                                 access_key_secret=org.ADMIN_KEY[1], endpoint=emu.url)
        report = await sync_organization(config, path, OrgOptions(max_accounts_in_flight=2))
        assert sorted(report.synced) == [A, B]
        said = _direct_assume(path)
        for name, key in USERS.items():
            for uid, role in ROLES:
                granted = (f"acs:ram::{uid}:role/{role}", f"acs:ram::{M}:user/{name}") in said
                assert granted == await _can_assume(emu.url, key, uid, role), (name, uid, role)
    users = {(role.rsplit("/", 1)[1], role.split(":")[3], who.rsplit("/", 1)[1])
             for role, who in said if ":user/" in who and f"::{M}:" not in role}
    assert users == {
        (org.ACCESS_ROLE, A, "emulator-admin"), (org.ACCESS_ROLE, B, "emulator-admin"),
        (org.ACCESS_ROLE, A, "ops"), (org.ACCESS_ROLE, B, "ops"),
        (org.ACCESS_ROLE, B, "ops-denied"),
        (org.ACCESS_ROLE, A, "named"), (org.ACCESS_ROLE, B, "named"), ("named-only", B, "named")}
    # a management role may be a way in too (its sessions are identities of the management
    # account): hop holds assume on both access roles, not on named-only
    assert {(role, who) for role, who in said if who.endswith(":role/hop")} == {
        (f"acs:ram::{A}:role/{org.ACCESS_ROLE}", f"acs:ram::{M}:role/hop"),
        (f"acs:ram::{B}:role/{org.ACCESS_ROLE}", f"acs:ram::{M}:role/hop")}
