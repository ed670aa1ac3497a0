"""``inspect can`` on an organization file with CloudSSO (tests/e2e/cloudsso_org.py): a CloudSSO
user holds no RAM policy; its ways in are the ``AliyunReservedSSO-<name>`` roles its access
assignments let it assume (directly or through its group), one per account, each evaluated on
that role's policies. Names repeat across accounts, so roles and RAM users are shown with
their account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton_alibaba_cloud.emulator.options import EmulatorOptions
from tests.e2e import cloudsso_org as sso
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.org_sync import sync_org_file
from tests.emulator import org_account as org

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sso-can") / "org.c1z"
    sync_org_file(sso.organization(), path,
                  EmulatorOptions(report_delay_s=0, cloudsso_task_delay_s=0))
    return path


def _can(path: Path, *args: str) -> object:
    result = run_cli(["inspect", "can", "-f", str(path), *args, "-o", "json"], path.parent,
                     clean_env(path.parent))
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_sso_users_reach_actions_through_their_reserved_roles(synced: Path) -> None:
    rows = _can(synced, "--action", "ecs:DescribeInstances")
    assert isinstance(rows, list)
    assert {(r["principal"], r["path"], r["answer"]) for r in rows
            if r["principal_type"] == "sso_user"} == {
        ("Alice", "via role AliyunReservedSSO-ReadOnly in prod-app", "yes"),
        ("Alice", "via role AliyunReservedSSO-ReadOnly in prod-eu", "yes"),
        ("Bob", "via role AliyunReservedSSO-ReadOnly in prod-app", "yes"),
        ("Bob", "via role AliyunReservedSSO-ReadOnly in prod-eu", "yes"),
        ("Carol", "via role AliyunReservedSSO-Admin in prod-app", "yes")}
    assert {r["principal"] for r in rows if r["principal_type"] == "role"} == {
        "AliyunReservedSSO-Admin in prod-app", "AliyunReservedSSO-ReadOnly in prod-app",
        "AliyunReservedSSO-ReadOnly in prod-eu", f"{org.ACCESS_ROLE} in prod-app",
        f"{org.ACCESS_ROLE} in prod-eu"}


@pytest.mark.parametrize(("who", "answer"), [("carol", "yes"), ("alice", "no")])
def test_one_sso_user_answers_for_a_ram_write(synced: Path, who: str, answer: str) -> None:
    """Only the Admin configuration (AdministratorAccess, on prod-app) allows ram:CreateUser."""
    data = _can(synced, "--action", "ram:CreateUser", "--principal", who,
                "--principal-type", "sso_user")
    assert isinstance(data, dict)
    assert (data["principal_id"], data["answer"]) == (sso.user(who), answer)
