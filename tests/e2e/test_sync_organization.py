"""Organization mode end to end: the test Resource Directory (tests/emulator/org_account.py)
synced into one c1z through the real emulator, judged as exact sets.

Two folder levels, four members: two synced in full through their access role, one whose access
role is missing (AssumeRole refused) and one whose access role may not list users; both failing
members are named in the warnings and the report, carry the reason on their account resource,
and never look like accounts without users.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions, OrgReport, sync_organization
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.emulator import org_account as org

pytestmark = pytest.mark.timeout(120)

M, A, B, NOROLE, LOCKED = org.MANAGEMENT, org.PROD_APP, org.PROD_EU, org.DEV_NOROLE, org.DEV_LOCKED
ACCESS = "ResourceDirectoryAccountAccessRole"


def _user(uid: str, name: str) -> tuple[str, str, str]:
    return ("user", f"acs:ram::{uid}:user/{name}", uid)


def _group(uid: str, name: str) -> tuple[str, str, str]:
    return ("group", f"acs:ram::{uid}:group/{name}", uid)


def _role(uid: str) -> tuple[str, str, str]:
    return ("role", f"acs:ram::{uid}:role/{ACCESS}", uid)


EXPECTED_RESOURCES = {
    ("folder", org.ROOT, ""), ("folder", org.PROD, org.ROOT),
    ("folder", org.PROD_EU_FOLDER, org.PROD), ("folder", org.DEV, org.ROOT),
    ("account", M, org.ROOT), ("account", A, org.PROD), ("account", B, org.PROD_EU_FOLDER),
    ("account", NOROLE, org.DEV), ("account", LOCKED, org.DEV),
    _user(M, "emulator-admin"), _user(M, "alice"), _user(A, "bob"), _user(A, "carol"),
    _user(B, "dave"), _group(M, "org-mgmt-ops"), _group(A, "prod-app-ops"),
    _group(B, "prod-eu-ops"), _role(A), _role(B),
}
ADMIN = "policy:acs:ram::system:policy/AdministratorAccess:attached"
EXPECTED_GRANTS = {
    (f"group:acs:ram::{M}:group/org-mgmt-ops:member", f"acs:ram::{M}:user/emulator-admin"),
    (f"group:acs:ram::{A}:group/prod-app-ops:member", f"acs:ram::{A}:user/bob"),
    (f"group:acs:ram::{B}:group/prod-eu-ops:member", f"acs:ram::{B}:user/dave"),
    (ADMIN, f"acs:ram::{M}:user/emulator-admin"),
    ("policy:acs:ram::system:policy/ReadOnlyAccess:attached", f"acs:ram::{M}:user/alice"),
    (ADMIN, f"acs:ram::{A}:role/{ACCESS}"), (ADMIN, f"acs:ram::{B}:role/{ACCESS}"),
    # the access roles trust the management account: its account holds assume (and, expanded,
    # what the roles hold)
    (f"role:acs:ram::{A}:role/{ACCESS}:assume", M), (f"role:acs:ram::{B}:role/{ACCESS}:assume", M),
    (ADMIN, M),
    # ... and, the management account being in the file, each of its identities whose own
    # policies allow sts:AssumeRole on the role holds assume itself: emulator-admin
    # (AdministratorAccess), not alice (ReadOnlyAccess allows no sts:AssumeRole)
    (f"role:acs:ram::{A}:role/{ACCESS}:assume", f"acs:ram::{M}:user/emulator-admin"),
    (f"role:acs:ram::{B}:role/{ACCESS}:assume", f"acs:ram::{M}:user/emulator-admin"),
}


async def _sync(tmp_path: Path, options: OrgOptions, data: dict[str, Any] | None = None
                ) -> tuple[OrgReport, Path]:
    path = tmp_path / "org.c1z"
    async with running_emulator(data or org.organization(),
                                EmulatorOptions(report_delay_s=0)) as emu:
        config = ConnectorConfig(access_key_id=org.ADMIN_KEY[0],
                                 access_key_secret=org.ADMIN_KEY[1], endpoint=emu.url)
        return await sync_organization(config, path, options), path


async def test_organization_exact_resources_grants_and_failed_members(tmp_path: Path) -> None:
    report, path = await _sync(tmp_path, OrgOptions(max_accounts_in_flight=2))
    assert (report.management, sorted(report.synced), sorted(report.failed)) == (
        M, [A, B], [NOROLE, LOCKED])
    assert "EntityNotExist.Role" in report.failed[NOROLE]
    assert "NoPermission" in report.failed[LOCKED]
    for uid, name in ((NOROLE, "dev-norole"), (LOCKED, "dev-locked")):
        assert sum(f"member account {uid} ({name}) failed" in w
                   for w in report.sync.warnings) == 1
    with C1zReader.open(path) as reader:
        kinds = ("folder", "account", "user", "group", "role")
        found = {(r.id.resource_type, r.id.resource, r.parent_resource_id.resource)
                 for kind in kinds for r in reader.resources(kind)}
        grants = {(g.entitlement.id, g.principal.id.resource) for g in reader.grants()}
        failed = {uid: reader.get_resource("account", uid) for uid in (NOROLE, LOCKED)}
        synced = reader.get_resource("account", A)
    assert found == EXPECTED_RESOURCES
    assert grants == EXPECTED_GRANTS
    for uid, resource in failed.items():
        assert resource is not None
        assert resource.profile.fields["sync_status"].string_value == "failed"
        assert resource.status.details == f"failed: {report.failed[uid]}"
    assert synced is not None and "sync_status" not in synced.profile.fields


async def test_member_selection(tmp_path: Path) -> None:
    report, path = await _sync(tmp_path, OrgOptions(member_accounts=frozenset({A, NOROLE}),
                                                    exclude_accounts=frozenset({NOROLE})))
    assert (report.synced, report.failed, sorted(report.skipped)) == (
        [A], {}, sorted([B, NOROLE, LOCKED]))
    with C1zReader.open(path) as reader:
        users = {r.id.resource for r in reader.resources("user")}
    assert users == {f"acs:ram::{M}:user/emulator-admin", f"acs:ram::{M}:user/alice",
                     f"acs:ram::{A}:user/bob", f"acs:ram::{A}:user/carol"}


def _external_id_required() -> dict[str, Any]:
    """prod-eu's access role trusts the management account only with ExternalId 'audit-7'."""
    data = org.organization()
    entry = data["organization"]["accounts"][2]
    condition = {"StringEquals": {"sts:ExternalId": "audit-7"}}
    entry["document"]["roles"] = [{"name": ACCESS, "trust_policy": {
        "Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                       "Principal": {"RAM": [f"acs:ram::{M}:root"]},
                                       "Condition": condition}]}}]
    entry["document"]["attachments"] = [{"policy": "AdministratorAccess", "policy_type": "System",
                                         "principal_type": "role", "principal": ACCESS}]
    return data


async def test_member_external_id(tmp_path: Path) -> None:
    only = frozenset({B})
    report, _ = await _sync(tmp_path, OrgOptions(member_accounts=only, external_id="audit-7"),
                            _external_id_required())
    assert (report.synced, report.failed) == ([B], {})
    (tmp_path / "again").mkdir()
    report, _ = await _sync(tmp_path / "again", OrgOptions(member_accounts=only),
                            _external_id_required())
    assert report.synced == [] and "NoPermission" in report.failed[B]
