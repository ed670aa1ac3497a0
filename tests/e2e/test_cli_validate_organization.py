"""``validate --organization`` from the console script against the emulator serving the test
organization: the management identity's probes (Resource Directory reads included) and one
member's through AssumeRole, each side named when it lacks something."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.connector.cloudsso import READ_ACTIONS, WRITE_ACTIONS
from baton_alibaba_cloud.connector.org_permissions import DIRECTORY_ACTIONS
from baton_alibaba_cloud.connector.permissions import required_permissions
from tests.e2e import cloudsso_org as sso
from tests.e2e.cli_helpers import SCRIPT, clean_env, run_cli
from tests.emulator import org_account as org

ROLE = f"role/{org.ACCESS_ROLE}"


def _serve(home: Path, data: dict[str, Any]) -> Iterator[dict[str, str]]:
    account = home / "org.json"
    account.write_text(json.dumps(data), encoding="utf-8")
    proc = subprocess.Popen([str(SCRIPT), "emulator", "--port", "0", "--account", str(account)],
                            cwd=home, env=clean_env(home), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        yield json.loads(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    yield from _serve(tmp_path_factory.mktemp("validate-org"), org.organization())


def _validate(tmp_path: Path, ready: dict[str, str], *extra: str,
              key: tuple[str, str] = org.ADMIN_KEY) -> tuple[int, dict[str, Any], str]:
    result = run_cli(["validate", "--organization", "--endpoint", ready["url"],
                      "--access-key-id", key[0], "--access-key-secret", key[1],
                      "-o", "json", "--log-format", "console", *extra],
                     tmp_path, clean_env(tmp_path))
    return result.code, json.loads(result.stdout or "{}"), result.stderr


def _statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["permission"]: r["status"] for r in report["results"]}


def test_healthy_first_member_and_management_are_ok(tmp_path: Path,
                                                    ready: dict[str, str]) -> None:
    code, doc, err = _validate(tmp_path, ready)
    assert code == 0, err[-2000:]
    management = doc["management_account"]
    assert management["account_id"] == org.MANAGEMENT
    statuses = _statuses(management)
    assert set(statuses) == {*required_permissions(["sync"]), *DIRECTORY_ACTIONS,
                             *READ_ACTIONS, "(none)"}
    assert set(statuses.values()) == {"ok"} and management["missing"] == []
    member = doc["member_account"]
    assert member["account_id"] == org.PROD_APP  # the directory's first member
    assert member["role_arn"] == f"acs:ram::{org.PROD_APP}:{ROLE}" and member["error"] is None
    assert member["report"]["identity"].startswith(
        f"acs:ram::{org.PROD_APP}:assumed-role/{org.ACCESS_ROLE}/")
    assert set(_statuses(member["report"]).values()) == {"ok"}


def test_member_without_its_access_role_is_named(tmp_path: Path, ready: dict[str, str]) -> None:
    code, doc, err = _validate(tmp_path, ready, "--member-accounts",
                               f"{org.DEV_NOROLE},{org.PROD_APP}")
    assert code == 1
    assert doc["management_account"]["missing"] == []
    member = doc["member_account"]
    assert member["account_id"] == org.DEV_NOROLE and "report" not in member
    assert "EntityNotExist.Role" in member["error"]
    errors = [line for line in err.splitlines() if " ERROR " in line]
    assert len(errors) == 1, err
    assert errors[0].split(" ERROR ", 1)[1].startswith(
        f"member account {org.DEV_NOROLE}: cannot assume acs:ram::{org.DEV_NOROLE}:{ROLE}: ")
    assert "--member-role-name" in errors[0]
    last = err.strip().splitlines()[-1]
    assert last == (f"Error: not ready for --organization: member account {org.DEV_NOROLE} "
                    "(each named above with the fix)")
    assert "Traceback" not in err


def test_member_role_lacking_permissions_names_each(tmp_path: Path,
                                                   ready: dict[str, str]) -> None:
    code, doc, err = _validate(tmp_path, ready, "--member-accounts", org.DEV_LOCKED)
    assert code == 1
    report = doc["member_account"]["report"]
    # the locked role may read the alias only: everything else the sync needs is missing
    assert set(report["missing"]) == set(required_permissions(["sync"])) - {
        "ram:GetAccountAlias"}
    line = next(x for x in err.splitlines() if f"member account {org.DEV_LOCKED} (" in x)
    assert f"grant them to the role acs:ram::{org.DEV_LOCKED}:{ROLE}" in line
    assert "RAM ListRoles needs ram:ListRoles" in line
    assert "management account" not in err.strip().splitlines()[-1]


def test_management_identity_without_assume_role(tmp_path: Path,
                                                 ready: dict[str, str]) -> None:
    """alice holds ReadOnlyAccess: the management side lacks what a read-only policy does not
    grant, and entering the member is refused for her (sts:AssumeRole)."""
    code, doc, err = _validate(tmp_path, ready, key=org.ALICE_KEY)
    assert code == 1
    missing = doc["management_account"]["missing"]
    assert missing and all(p in required_permissions(["sync"]) for p in missing)
    member = doc["member_account"]
    assert member["account_id"] == org.PROD_APP and "NoPermission" in member["error"]
    assert "sts:AssumeRole" in member["error"]
    errors = [x.split(" ERROR ", 1)[1] for x in err.splitlines() if " ERROR " in x]
    assert [e.split(" (", 1)[0].split(":", 1)[0] for e in errors] == [
        "management account", f"member account {org.PROD_APP}"]
    assert all(f"{p}" in errors[0] for p in missing)


def test_console_tables_name_both_sides(tmp_path: Path, ready: dict[str, str]) -> None:
    result = run_cli(["validate", "--organization", "--endpoint", ready["url"],
                      "--access-key-id", org.ADMIN_KEY[0], "--access-key-secret",
                      org.ADMIN_KEY[1], "--member-accounts", org.PROD_EU],
                     tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    assert "Management account" in result.stdout
    assert f"Member account {org.PROD_EU} through acs:ram::{org.PROD_EU}:{ROLE}" in \
        result.stdout.replace("\n", " ")
    assert "ListAccountsForParent" in result.stdout


def test_cloudsso_permissions_of_the_management_identity(tmp_path: Path) -> None:
    """With a CloudSSO directory, its reads are probed in it (with -p its writes too): an
    identity denied cloudsso:ListAccessAssignments is named with exactly that one missing."""
    data = sso.organization()
    management = data["organization"]["accounts"][0]["document"]
    key = ("LTAI5tOrgMgmtNoAssign01", "org-mgmt-no-assign-secret-01")
    management["users"].append({"name": "no-assign",
                                "access_keys": [{"id": key[0], "secret": key[1]}]})
    management["policies"] = [*management.get("policies", []), {
        "name": "no-assignments", "type": "Custom", "document": {"Version": "1", "Statement": [
            {"Effect": "Deny", "Action": "cloudsso:ListAccessAssignments", "Resource": "*"}]}}]
    management["attachments"] += [
        {"policy": "AdministratorAccess", "policy_type": "System", "principal_type": "user",
         "principal": "no-assign"},
        {"policy": "no-assignments", "policy_type": "Custom", "principal_type": "user",
         "principal": "no-assign"}]
    for ready in _serve(tmp_path, data):
        code, doc, err = _validate(tmp_path, ready, "-p", "--member-accounts", org.PROD_APP,
                                   key=key)
        assert code == 1, err[-2000:]
        statuses = _statuses(doc["management_account"])
        assert {p: statuses[p] for p in (*READ_ACTIONS, *WRITE_ACTIONS)} == {
            **{p: "ok" for p in (*READ_ACTIONS, *WRITE_ACTIONS)},
            "cloudsso:ListAccessAssignments": "missing"}
        assert doc["management_account"]["missing"] == ["cloudsso:ListAccessAssignments"]
        code, doc, _ = _validate(tmp_path, ready, "--no-cloudsso", "--member-accounts",
                                 org.PROD_APP, key=key)
        assert code == 0 and not [p for p in _statuses(doc["management_account"])
                                  if p.startswith("cloudsso:")]


def test_explicit_cloudsso_without_a_directory_is_not_ready(tmp_path: Path,
                                                           ready: dict[str, str]) -> None:
    """The test organization has no CloudSSO directory: by default that is fine (nothing to
    read), but an explicit --cloudsso asks for one, so its absence is named with the way out."""
    code, doc, err = _validate(tmp_path, ready, "--cloudsso")
    assert code == 1, err[-2000:]
    row = next(r for r in doc["management_account"]["results"]
               if r["permission"] == "cloudsso:ListDirectories")
    assert row["status"] == "error: NoDirectory"
    assert "--cloudsso-region us-west-1" in row["detail"] and "--no-cloudsso" in row["detail"]
