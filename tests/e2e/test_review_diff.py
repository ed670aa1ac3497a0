"""``inspect diff`` (issue 10 point 3): the review account synced twice with three changes in
between (a membership removed, MFA switched off, a policy attached to a group) gives exactly
those changes, each inherited grant with the direct change that caused it; the same with
``--against`` a copy of the first sync; ``--exit-code``; an unchanged account; the errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import review_account as acct
from tests.e2e.cli_helpers import clean_env, run_cli

DEV = acct.arn("group", "dev")
OSS = f"policy:{acct.arn('policy', 'oss-read')}:attached"


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``review.c1z`` holding both syncs, and ``first.c1z`` holding the first only."""
    where = tmp_path_factory.mktemp("diff")
    path = where / "review.c1z"
    acct.sync_cli(acct.account(), path)
    shutil.copy(path, where / "first.c1z")
    acct.sync_cli(acct.changed(), path)
    return path, where / "first.c1z"


def _diff(path: Path, *args: str) -> tuple[int, Any]:
    result = run_cli(["inspect", "diff", "-f", str(path), "-o", "json", *args], path.parent,
                     clean_env(path.parent))
    assert not result.error_lines, result.stderr
    return result.code, json.loads(result.stdout)


EXPECTED_GRANTS = {
    ("added", f"{OSS}:group:{DEV}", True, None),
    ("removed", f"group:{DEV}:member:user:{acct.arn('user', 'dan')}", True, None),
    ("added", f"{OSS}:user:{acct.arn('user', 'bob')}", False, f"{OSS}:group:{DEV}"),
    ("removed", f"policy:{acct.arn('policy', 'ecs-any')}:attached:user:{acct.arn('user', 'dan')}",
     False, f"group:{DEV}:member:user:{acct.arn('user', 'dan')}"),
}


def _summary(data: Any) -> tuple[set[tuple[Any, ...]], dict[str, Any]]:
    grants = {(g["change"], g["grant_id"], g["direct"], g["caused_by"]) for g in data["grants"]}
    resources = {f"{r['resource_type']} {r['display_name']}": (r["change"], r["fields"])
                 for r in data["resources"]}
    return grants, resources


@pytest.mark.parametrize("against", [False, True], ids=["two syncs in the file", "--against"])
def test_the_three_changes_and_their_consequences(
    synced: tuple[Path, Path], against: bool
) -> None:
    path, first = synced
    code, data = _diff(path, *(["--against", str(first)] if against else []))
    assert code == 0 and data["changed"] is True
    grants, resources = _summary(data)
    assert grants == EXPECTED_GRANTS
    assert set(resources) == {"user alice", "policy oss-read"}
    assert resources["user alice"][0] == "changed"
    assert resources["user alice"][1]["profile.mfa_enabled"] == {"before": True, "after": False}
    assert resources["policy oss-read"][1] == {
        "profile.attachment_count": {"before": 1.0, "after": 2.0}}


def test_the_table_says_direct_or_inherited_and_the_cause(synced: tuple[Path, Path]) -> None:
    path, _ = synced
    result = run_cli(["inspect", "diff", "-f", str(path)], path.parent, clean_env(path.parent))
    assert result.code == 0, result.stderr
    rows = [ln.split("  ") for ln in result.stdout.splitlines()[3:]]
    cells = [[c.strip() for c in row if c.strip()][:5] for row in rows]
    assert cells[2:] == [
        ["added", "grant", "group dev → attached on policy oss-read", "direct", "-"],
        ["removed", "grant", "user dan → member on group dev", "direct", "-"],
        ["added", "grant", "user bob → attached on policy oss-read", "inherited",
         "caused by group dev → attached on policy oss-read"],
        ["removed", "grant", "user dan → attached on policy ecs-any", "inherited",
         "caused by user dan → member on group dev"],
    ]


def test_exit_code_only_when_asked_and_only_on_change(synced: tuple[Path, Path]) -> None:
    path, _ = synced
    assert _diff(path, "--exit-code")[0] == 1
    code, data = _diff(path, "--against", str(path), "--exit-code")
    assert (code, data["changed"], data["resources"], data["grants"]) == (0, False, [], [])


def test_one_sync_or_another_account_is_a_clear_error(
    synced: tuple[Path, Path], tmp_path: Path
) -> None:
    path, first = synced
    result = run_cli(["inspect", "diff", "-f", str(first)], tmp_path, clean_env(tmp_path))
    assert (result.code, result.error_lines) == (1, [
        f"Error: {first} holds 1 finished full sync(s), and a diff needs two: sync again into "
        "the same file, or compare with --against OTHER.c1z"])
    other = tmp_path / "other.c1z"
    data = acct.account()
    data["account"]["id"] = "1111222233334444"
    acct.sync_cli(data, other)
    result = run_cli(["inspect", "diff", "-f", str(path), "--against", str(other)], tmp_path,
                     clean_env(tmp_path))
    assert (result.code, result.error_lines) == (1, [
        f"Error: {other} is account 1111222233334444 and {path} is account {acct.UID}; "
        "compare two syncs of the same account"])
