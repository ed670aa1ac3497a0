"""``inspect principals`` (issue 10 point 2): the exact holders of an entitlement on the review
account, each with its path (direct, via a group, via a role chain), the lookup by display
name, and one-line errors for an unknown name or entitlement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e import review_account as acct
from tests.e2e.cli_helpers import clean_env, run_cli


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("review") / "review.c1z"
    acct.sync_cli(acct.account(), path)
    return path


def _holders(path: Path, *args: str) -> set[tuple[str, str, str, str]]:
    result = run_cli(["inspect", "principals", "-f", str(path), "-o", "json", *args],
                     path.parent, clean_env(path.parent))
    assert result.code == 0, result.stderr
    return {(p["entitlement"], p["principal_type"], p["display_name"], path_["label"])
            for p in json.loads(result.stdout)["principals"] for path_ in p["paths"]}


def test_who_holds_administrator_access_and_how(synced: Path) -> None:
    assert _holders(synced, "-r", "AdministratorAccess") == {
        ("attached", "user", "admin", "direct"),
        ("attached", "group", "admins", "direct"),
        ("attached", "role", "admin-role", "direct"),
        ("attached", "user", "alice", "via group admins"),
        ("attached", "role", "ops-role", "via role admin-role"),
        ("attached", "user", "svc", "via role ops-role → role admin-role"),
    }


def test_by_id_with_slug_and_the_trust_side(synced: Path) -> None:
    assert _holders(synced, "-r", acct.arn("role", "admin-role"), "-e", "assume") == {
        ("assume", "role", "ops-role", "direct"),
        ("assume", "user", "svc", "via role ops-role"),
    }
    assert _holders(synced, "-r", "partner-role", "-t", "role") == {
        ("assume", "account", f"External account {acct.OTHER}", "direct")}
    assert _holders(synced, "-r", "dev", "-e", "member") == {
        ("member", "user", "bob", "direct"), ("member", "user", "dan", "direct")}


def test_the_table_shows_one_line_per_path(synced: Path) -> None:
    result = run_cli(["inspect", "principals", "-f", str(synced), "-r", "everything"],
                     synced.parent, clean_env(synced.parent))
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Principals of everything (policy)"
    assert [ln.split()[:3] for ln in lines[3:]] == [
        ["attached", "account", "External"], ["attached", "role", "partner-role"]]


@pytest.mark.parametrize(("args", "message"), [
    (["-r", "admn-role"], "Error: no resource has the id or name 'admn-role'; did you mean "
                          "'admin-role' or 'fed-role' or 'assume-admin-role'?"),
    (["-r", "admin-role", "-e", "attached"],
     "Error: role 'admin-role' has no entitlement 'attached' (it has: assume)"),
])
def test_unknown_names_are_one_line_errors(synced: Path, args: list[str], message: str) -> None:
    result = run_cli(["inspect", "principals", "-f", str(synced), *args], synced.parent,
                     clean_env(synced.parent))
    assert (result.code, result.error_lines, result.stdout) == (2, [message], "")
