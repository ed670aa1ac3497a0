"""The review views on an organization file (the test Resource Directory of
tests/emulator/org_account.py): names repeat across accounts (every member has its
``ResourceDirectoryAccountAccessRole``), so each row says whose it is; the settings checks run
for every synced account; a failed member says it was not checked, never that it passed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.connector import report
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.org_sync import sync_org_file
from tests.emulator import org_account as org

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("org-review") / "org.c1z"
    sync_org_file(org.organization(), path, EmulatorOptions(report_delay_s=0))
    return path


def _json(path: Path, *args: str) -> Any:
    result = run_cli(["inspect", *args, "-f", str(path), "-o", "json"], path.parent,
                     clean_env(path.parent))
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_users_say_their_account_in_account_order(synced: Path) -> None:
    rows = _json(synced, "users")
    assert [(r["account"], r["user"]) for r in rows] == [
        ("org-mgmt", "alice"), ("org-mgmt", "emulator-admin"), ("prod-app", "bob"),
        ("prod-app", "carol"), ("prod-eu", "dave")]


def test_findings_name_the_account_and_check_every_synced_one(synced: Path) -> None:
    found = _json(synced, "findings")["findings"]
    access = {(f["check"], f["account"]) for f in found
              if f["object"] == org.ACCESS_ROLE}
    assert access == {("admin-reachable", "prod-app"), ("admin-reachable", "prod-eu"),
                      ("role-trusts-other-account", "prod-app"),
                      ("role-trusts-other-account", "prod-eu")}
    trust = next(f for f in found if f["check"] == "role-trusts-other-account")
    assert f"account {org.MANAGEMENT} (org-mgmt, in this file)" in trust["reason"]
    lockout = {f["account"] for f in found if f["check"] == "password-policy-lockout"}
    assert lockout == {"org-mgmt", "prod-app", "prod-eu"}
    unchecked = {f["account"]: f["reason"] for f in found
                 if f["check"] == "account-settings-not-synced"}
    assert unchecked == {name: "the account failed in this sync; its settings are unknown"
                         for name in ("dev-norole", "dev-locked")}
    table = run_cli(["inspect", "findings", "-f", str(synced), "-o", "csv"], synced.parent,
                    clean_env(synced.parent))
    assert table.stdout.splitlines()[0] == \
        "severity,check,object_type,account,object,reason,paths"


def test_the_report_says_organization_and_shows_the_account_column(synced: Path) -> None:
    with C1zReader.open(synced) as reader:
        data = report.report_data(reader)
    assert data["account"] == {"id": org.MANAGEMENT, "name": "org-mgmt and 4 member accounts"}
    assert data["users"]["columns"][:2] == ["account", "user"]
    assert {tuple(r[:2]) for r in data["users"]["rows"]} == {
        ("org-mgmt", "alice"), ("org-mgmt", "emulator-admin"), ("prod-app", "bob"),
        ("prod-app", "carol"), ("prod-eu", "dave")}
