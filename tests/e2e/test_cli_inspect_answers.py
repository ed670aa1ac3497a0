"""``inspect`` through the console script on a synced emulator account: no silent empty answer
(unknown names exit 2 with suggestions), piped tables whole, csv/json for programs, names
typed as people know them, and API data that cannot drive the terminal."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import accounts
from tests.e2e.cli_helpers import Result, clean_env, emulator, endpoint_flags, key_flags, run_cli

UID = accounts.ACCOUNT_ID
ALICE = f"acs:ram::{UID}:user/alice"
HOSTILE = "Mal\x1b[2J\x1b]0;owned\x07lo\x00ry\u202e"  # clear screen, set title, bidi override


def _account() -> dict[str, Any]:
    data = accounts.account()
    data["users"] += [{"name": "sam1", "display_name": "Sam"},
                      {"name": "sam2", "display_name": "Sam"},
                      {"name": "mallory", "display_name": HOSTILE}]
    data["memberships"].append({"user": "mallory", "group": "admins"})
    return data


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A directory whose sync.c1z holds the account, and the environment to run in it."""
    where = tmp_path_factory.mktemp("answers")
    env = clean_env(where)
    with emulator(_account()) as emu:
        result = run_cli(endpoint_flags(emu) + key_flags(accounts.ROOT_KEY), where, env)
    assert result.code == 0, result.stderr
    return where, env


def _inspect(synced: tuple[Path, dict[str, str]], *args: str) -> Result:
    where, env = synced
    return run_cli(["inspect", *args], where, env)


def _json(synced: tuple[Path, dict[str, str]], *args: str) -> Any:
    result = _inspect(synced, *args, "-o", "json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def test_piped_grants_hold_every_full_id(synced: tuple[Path, dict[str, str]]) -> None:
    rows = _json(synced, "grants")
    table = _inspect(synced, "grants")
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert len(lines) == 2 + len(rows)  # header, rule, one line per grant: nothing wrapped
    assert {ln.split()[-1] for ln in lines[2:]} == {row["id"] for row in rows}
    for row in rows:
        [line] = [ln for ln in lines if ln.endswith(row["id"])]
        assert row["principal_id"] in line and row["resource_type"] in line
    assert [ln for ln in lines if ALICE in ln], "grep for a full ARN finds the user"


def test_grants_say_how_each_is_held(synced: tuple[Path, dict[str, str]]) -> None:
    rows = _json(synced, "grants", "-r", "acs:ram::system:policy/ReadOnlyAccess")
    held = {(r["principal_type"], r["principal_id"], r["entitlement"], r["held"])
            for r in rows}
    assert held == {
        ("group", f"acs:ram::{UID}:group/readers", "attached", "direct"),
        ("user", f"acs:ram::{UID}:user/bob", "attached", "via group readers"),
    }


def test_csv_parses_and_matches_the_json(synced: tuple[Path, dict[str, str]]) -> None:
    rows = _json(synced, "grants", "-t", "group")
    result = _inspect(synced, "grants", "-t", "group", "-o", "csv")
    assert result.code == 0, result.stderr
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in parsed] == [r["id"] for r in rows]
    assert {(r["principal_id"], r["held"]) for r in parsed} == {
        (r["principal_id"], r["held"]) for r in rows}
    assert parsed and all(r["resource_type"] == "group" for r in parsed)


@pytest.mark.parametrize(("args", "named", "suggested"), [
    (["resources", "-t", "users"], "users", "user"),
    (["entitlements", "-t", "Role"], "Role", "role"),
    (["grants", "-e", "nosuch"], "nosuch", None),
    (["grants", "-e", "admins"], "admins", f"group:acs:ram::{UID}:group/admins:member"),
    (["grants", "-r", "auditor"], "auditor", f"acs:ram::{UID}:role/auditor"),
    (["grants", "-t", "role", "-r", ALICE], ALICE, None),
    (["access", "--principal-type", "usr", "--principal", ALICE], "usr", "user"),
    (["access", "--principal-type", "user", "--principal", "alicia"], "alicia", ALICE),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_unknown_names_exit_2_with_suggestions(
    synced: tuple[Path, dict[str, str]], args: list[str], named: str, suggested: str | None,
) -> None:
    result = _inspect(synced, *args)
    assert result.code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    [line] = result.error_lines
    assert line.startswith("Error: no ") and f"'{named}'" in line
    if suggested is not None:
        assert "did you mean" in line and suggested in line
    assert "Error" not in line[6:] and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["alice", "Alice", "alice@cli-test.onaliyun.com", ALICE])
def test_principal_by_name(synced: tuple[Path, dict[str, str]], name: str) -> None:
    data = _json(synced, "access", "--principal-type", "user", "--principal", name)
    assert data["principal"]["id"] == ALICE
    assert data["resources"]


def test_ambiguous_principal_lists_the_candidates(synced: tuple[Path, dict[str, str]]) -> None:
    result = _inspect(synced, "access", "--principal-type", "user", "--principal", "Sam")
    assert result.code == 2
    [line] = result.stderr.splitlines()
    assert f"acs:ram::{UID}:user/sam1" in line and f"acs:ram::{UID}:user/sam2" in line


def test_a_known_principal_without_grants_is_an_honest_empty_answer(
    synced: tuple[Path, dict[str, str]],
) -> None:
    data = _json(synced, "access", "--principal-type", "user", "--principal", "sam1")
    assert data["resources"] == []


def test_control_characters_of_api_data_are_escaped(synced: tuple[Path, dict[str, str]]) -> None:
    mallory = f"acs:ram::{UID}:user/mallory"
    escaped = "Mal\\x1b[2J\\x1b]0;owned\\x07lo\\x00ry\\u202e"
    for args in (["resources", "-t", "user"], ["grants", "-t", "group"],
                 ["access", "--principal-type", "user", "--principal", mallory]):
        result = _inspect(synced, *args)
        assert result.code == 0, result.stderr
        assert escaped in result.stdout, args
        assert not set("\x1b\x07\x00\u202e") & set(result.stdout), args
    as_json = _inspect(synced, "resources", "-t", "user", "-o", "json")
    assert "\x1b" not in as_json.stdout and "\\u001b" in as_json.stdout
    assert HOSTILE in {r["display_name"] for r in json.loads(as_json.stdout)}
    as_csv = _inspect(synced, "resources", "-t", "user", "-o", "csv")  # piped: byte-exact
    assert HOSTILE in {r["display_name"] for r in csv.DictReader(io.StringIO(as_csv.stdout))}
