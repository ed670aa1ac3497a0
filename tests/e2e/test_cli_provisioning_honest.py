"""Provisioning through the console script against the emulator, as a reviewer relies on it:
an inherited grant is refused naming the direct grants, "already" answers are re-read before
they count as success (the emulator's request log shows the re-read), and every grant and
revoke logs one info line with its RequestId."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli import accounts
from tests.e2e.cli_helpers import Result, clean_env, emulator, endpoint_flags, key_flags, run_cli

UID = accounts.ACCOUNT_ID
ALICE = f"acs:ram::{UID}:user/alice"
BOB = f"acs:ram::{UID}:user/bob"
READERS = f"acs:ram::{UID}:group/readers"
READ_ONLY = "policy:acs:ram::system:policy/ReadOnlyAccess:attached"
MEMBER = f"group:{READERS}:member"


def _logs(result: Result) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in result.stderr.splitlines() if ln.startswith("{")]


def _provisioned(result: Result) -> dict[str, Any]:
    """The one info line of a grant or revoke."""
    [line] = [r for r in _logs(result) if "outcome" in r]
    assert line["level"] == "info"
    return line


def test_inherited_revoke_refused_and_already_answers_reread(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    with emulator(accounts.account()) as emu:
        base = endpoint_flags(emu) + key_flags(accounts.ROOT_KEY)

        def run(*args: str) -> Result:
            return run_cli([*base, *args], tmp_path, env)

        assert run().code == 0
        inherited = run("-p", "--revoke-grant", f"{READ_ONLY}:user:{BOB}")
        assert inherited.code == 1, inherited.stderr
        [line] = inherited.error_lines
        assert "bob" in line and "via group readers" in line
        assert f"{READ_ONLY}:group:{READERS}" in line  # the group's attachment
        assert f"{MEMBER}:user:{BOB}" in line  # or bob's membership
        assert emu.request_log.count("DetachPolicyFromUser") == 0  # nothing was attempted

        grant = ["-p", "--grant-entitlement", MEMBER, "--grant-principal-type", "user",
                 "--grant-principal", ALICE]
        first = run(*grant)
        assert first.code == 0 and first.stdout == f"granted: {MEMBER}:user:{ALICE}\n"
        made = _provisioned(first)
        assert (made["action"], made["outcome"]) == ("AddUserToGroup", "granted")
        assert made["request_id"] and made["principal"] == f"user:{ALICE}"
        emu.request_log.reset()
        again = run(*grant)
        assert again.code == 0 and again.stdout.startswith("already granted: ")
        assert _provisioned(again)["outcome"] == "already granted"
        assert _provisioned(again)["request_id"]
        assert [c.action for c in emu.request_log.calls] == ["AddUserToGroup",
                                                             "ListGroupsForUser"]

        assert run().code == 0  # the new membership is in the file
        revoke = ["-p", "--revoke-grant", f"{MEMBER}:user:{ALICE}"]
        gone = run(*revoke)
        assert gone.code == 0 and gone.stdout.startswith("revoked: "), gone.stderr
        assert _provisioned(gone)["action"] == "RemoveUserFromGroup"
        emu.request_log.reset()
        twice = run(*revoke)
        assert twice.code == 0 and twice.stdout.startswith("already revoked: ")
        assert [c.action for c in emu.request_log.calls] == ["RemoveUserFromGroup",
                                                             "ListGroupsForUser"]
        assert run().code == 0
        after = run_cli(["inspect", "grants", "-e", MEMBER, "-o", "json"], tmp_path, env)
        assert {g["principal_id"] for g in json.loads(after.stdout)} == {BOB}


def test_already_detached_policy_is_reread(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    with emulator(accounts.account()) as emu:
        base = endpoint_flags(emu) + key_flags(accounts.ROOT_KEY)
        assert run_cli(base, tmp_path, env).code == 0
        revoke = [*base, "-p", "--revoke-grant", f"{READ_ONLY}:group:{READERS}"]
        assert run_cli(revoke, tmp_path, env).code == 0
        emu.request_log.reset()
        twice = run_cli(revoke, tmp_path, env)
        assert twice.code == 0 and twice.stdout.startswith("already revoked: "), twice.stderr
        assert [c.action for c in emu.request_log.calls] == ["DetachPolicyFromGroup",
                                                             "ListPoliciesForGroup"]
        line = _provisioned(twice)
        assert (line["action"], line["outcome"]) == ("DetachPolicyFromGroup", "already revoked")

        emu.request_log.reset()  # a typo is answered with the exact id, and nothing is called
        by_name = run_cli([*base, "-p", "--grant-entitlement", MEMBER, "--grant-principal-type",
                           "user", "--grant-principal", "alice"], tmp_path, env)
        assert by_name.code == 1 and f"did you mean {ALICE}?" in by_name.error_lines[0]
        typo = run_cli([*base, "-p", "--grant-entitlement", "readers", "--grant-principal-type",
                        "user", "--grant-principal", ALICE], tmp_path, env)
        assert typo.code == 1 and "no entitlement 'readers'" in typo.error_lines[0]
        assert MEMBER in typo.error_lines[0]
        assert emu.request_log.total == 0




def test_console_log_escapes_api_data(tmp_path: Path) -> None:
    """A role name holding ESC and NUL reaches the console log (the sync's warning about its
    trust policy) escaped; the JSON log escapes it as JSON."""
    data = accounts.account()
    hostile = "bad\x1b[2J\x1b]0;owned\x07ro\x00le"
    data["roles"].append({"name": hostile, "trust_policy": {
        "Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                       "Principal": {"RAM": ["not-an-arn"]}}]}})
    with emulator(data) as emu:
        base = endpoint_flags(emu) + key_flags(accounts.ROOT_KEY)
        console = run_cli([*base, "--log-format", "console"], tmp_path, clean_env(tmp_path))
        as_json = run_cli([*base, "--log-format", "json", "-f", "j.c1z"], tmp_path,
                          clean_env(tmp_path))
    assert console.code == 0 and as_json.code == 0, console.stderr
    [line] = [ln for ln in console.stderr.splitlines() if "not-an-arn" in ln]
    assert "bad\\x1b[2J\\x1b]0;owned\\x07ro\\x00le" in line
    assert not set("\x1b\x07\x00") & set(console.stderr + console.stdout)
    [record] = [r for r in _logs(as_json) if "not-an-arn" in r["msg"]]
    assert hostile in record["msg"] and "\x1b" not in as_json.stderr
