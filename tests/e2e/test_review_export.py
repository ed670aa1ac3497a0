"""``inspect export csv`` (issue 10 point 4): the baton CLI's export columns in its order, then
Grant and Path; one row per principal × entitlement with expanded access marked inherited, and
``--out`` written for its owner only."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from tests.e2e import review_account as acct
from tests.e2e.cli_helpers import clean_env, run_cli

BATON_HEADER = ["Type", "Last Name", "First Name", "User ID", "User Status", "Email Address",
                "Entitlement Display Name", "Entitlement", "Resource Type", "Resource Name",
                "Entitlement Description", "Entitlement Slug"]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "review.c1z"
    acct.sync_cli(acct.account(), path)
    return path


def test_export_rows_of_users_and_the_whole_count(synced: Path) -> None:
    result = run_cli(["inspect", "export", "csv", "-f", str(synced)], synced.parent,
                     clean_env(synced.parent))
    assert result.code == 0, result.stderr
    lines = list(csv.reader(io.StringIO(result.stdout)))
    assert lines[0] == [*BATON_HEADER, "Grant", "Path"]
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    users = {(r["User ID"].rsplit("/", 1)[1], r["Resource Name"], r["Entitlement Slug"],
              r["User Status"], r["Grant"], r["Path"]) for r in rows if r["Type"] == "user"}
    assert users == {
        ("admin", "AdministratorAccess", "attached", "enabled", "direct", ""),
        ("admin", "ReadOnlyAccess", "attached", "enabled", "inherited", "via role root-role"),
        ("admin", "root-role", "assume", "enabled", "direct", ""),
        ("alice", "AdministratorAccess", "attached", "enabled", "inherited", "via group admins"),
        ("alice", "ReadOnlyAccess", "attached", "enabled", "inherited", "via role root-role"),
        ("alice", "admins", "member", "enabled", "direct", ""),
        ("alice", "root-role", "assume", "enabled", "direct", ""),
        ("bob", "dev", "member", "enabled", "direct", ""),
        ("bob", "ecs-any", "attached", "enabled", "inherited", "via group dev"),
        ("dan", "AdministratorAccess on resource group prod", "attached", "enabled", "direct",
         ""),
        ("dan", "dev", "member", "enabled", "direct", ""),
        ("dan", "ecs-any", "attached", "enabled", "inherited", "via group dev"),
        ("dan", "oss-read", "attached", "enabled", "direct", ""),
        ("svc", "AdministratorAccess", "attached", "enabled", "inherited",
         "via role ops-role → role admin-role"),
        ("svc", "ReadOnlyAccess", "attached", "enabled", "inherited",
         "via role ops-role → role admin-role → role root-role"),
        ("svc", "admin-role", "assume", "enabled", "inherited", "via role ops-role"),
        ("svc", "assume-admin-role", "attached", "enabled", "inherited", "via role ops-role"),
        ("svc", "assume-ops-role", "attached", "enabled", "direct", ""),
        ("svc", "ops-role", "assume", "enabled", "direct", ""),
        ("svc", "root-role", "assume", "enabled", "inherited",
         "via role ops-role → role admin-role"),
    }
    stats = run_cli(["inspect", "stats", "-f", str(synced), "-o", "json"], synced.parent,
                    clean_env(synced.parent))
    assert len(rows) == json.loads(stats.stdout)["grants"]


def test_out_file_is_private(synced: Path, tmp_path: Path) -> None:
    out = tmp_path / "access.csv"
    result = run_cli(["inspect", "export", "csv", "-f", str(synced), "--out", str(out)],
                     tmp_path, clean_env(tmp_path))
    assert result.code == 0 and result.stdout == "", result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().splitlines()[0].startswith("Type,Last Name,First Name,User ID")


def test_cells_that_look_like_formulas_are_quoted(tmp_path: Path) -> None:
    """A value from the API (here a user's email) that starts like a spreadsheet formula is
    written with a leading ``'``: the reviewer's spreadsheet shows it, never evaluates it."""
    account = acct.account()
    formula = '=HYPERLINK("https://example.invalid/x","open")'
    for user in account["users"]:
        if user["name"] == "dan":
            user["email"] = formula
    path = tmp_path / "review.c1z"
    acct.sync_cli(account, path)
    result = run_cli(["inspect", "export", "csv", "-f", str(path)], tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    cells = [cell for line in csv.reader(io.StringIO(result.stdout)) for cell in line]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert any(c.startswith("'=HYPERLINK") for c in cells), cells
