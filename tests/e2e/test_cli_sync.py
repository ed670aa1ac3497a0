"""The installed console script against the emulator: demo, sync, inspect, failures, validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton_alibaba_cloud.connector.permissions import required_permissions
from tests.cli import accounts
from tests.e2e.cli_helpers import clean_env, emulator, endpoint_flags, key_flags, run_cli

WRONG_SECRET = "definitely-not-the-secret-0123456789"


def test_demo_writes_demo_c1z_and_prints_the_summary(tmp_path: Path) -> None:
    result = run_cli(["demo"], tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    assert (tmp_path / "demo.c1z").read_bytes().startswith(b"C1ZF\x00")
    for word in ("user", "group", "role", "policy", "entitlements", "grants"):
        assert word in result.stdout
    assert "inspect" in result.stdout


def test_sync_then_inspect_stats_resources_grants(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    with emulator(accounts.account()) as emu:
        result = run_cli(endpoint_flags(emu) + key_flags(accounts.ROOT_KEY), tmp_path, env)
    assert result.code == 0, result.stderr
    finished = [json.loads(ln) for ln in result.stderr.splitlines()
                if '"sync finished"' in ln]
    assert finished and finished[0]["grants"] > 0

    stats = run_cli(["inspect", "stats", "-o", "json"], tmp_path, env)
    assert stats.code == 0, stats.stderr
    assert "user" in stats.stdout and "grants" in stats.stdout

    users = run_cli(["inspect", "resources", "-t", "user"], tmp_path, env)
    assert users.code == 0 and "Alice" in users.stdout

    admins = f"group:acs:ram::{accounts.ACCOUNT_ID}:group/admins:member"
    grants = run_cli(["inspect", "grants", "-e", admins, "-o", "json"], tmp_path, env)
    assert grants.code == 0, grants.stderr
    assert f"acs:ram::{accounts.ACCOUNT_ID}:user/alice" in grants.stdout
    assert "bob" not in grants.stdout


def _failed_once(result_code: int, lines: list[str], stdout: str, stderr: str) -> str:
    assert result_code == 1, stderr
    assert len(lines) == 1, lines
    assert "Traceback" not in stderr
    for secret in (accounts.ROOT_KEY[1], accounts.CONNECTOR_KEY[1], WRONG_SECRET):
        assert secret not in stdout + stderr
    return lines[0]


@pytest.mark.parametrize(
    ("key", "actions", "expect"),
    [
        ((accounts.ROOT_KEY[0], WRONG_SECRET), None, "SignatureDoesNotMatch"),
        (("LTAIdoesNotExist00001", WRONG_SECRET), None, "InvalidAccessKeyId.NotFound"),
        (accounts.CONNECTOR_KEY, "drop ram:ListRoles", "ram:ListRoles"),
    ],
    ids=["wrong-secret", "unknown-key", "missing-permission"],
)
def test_failures_exit_1_with_one_line_and_keep_the_previous_file(
    tmp_path: Path, key: tuple[str, str], actions: str | None, expect: str
) -> None:
    env = clean_env(tmp_path)
    perms = [p for p in required_permissions(["sync"]) if p != "ram:ListRoles"]
    with emulator(accounts.account(perms)) as emu:
        first = run_cli(endpoint_flags(emu) + key_flags(accounts.ROOT_KEY), tmp_path, env)
        assert first.code == 0, first.stderr
        before = (tmp_path / "sync.c1z").read_bytes()
        result = run_cli(endpoint_flags(emu) + key_flags(key), tmp_path, env)
    line = _failed_once(result.code, result.error_lines, result.stdout, result.stderr)
    assert line.startswith("Error: ") and expect in line
    assert (tmp_path / "sync.c1z").read_bytes() == before
    assert not list(tmp_path.glob("*.tmp*"))


def test_validate_passes_with_the_admin_key_and_names_what_a_restricted_key_misses(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path)
    perms = [p for p in required_permissions(["sync"]) if p != "ram:ListUsersForGroup"]
    with emulator(accounts.account(perms)) as emu:
        ok = run_cli(["validate", *endpoint_flags(emu), *key_flags(accounts.ROOT_KEY)],
                     tmp_path, env)
        bad = run_cli(["validate", *endpoint_flags(emu), *key_flags(accounts.CONNECTOR_KEY)],
                      tmp_path, env)
        as_json = run_cli(["validate", "-o", "json", "-p", *endpoint_flags(emu),
                           *key_flags(accounts.CONNECTOR_KEY)], tmp_path, env)
    assert ok.code == 0, ok.stderr + ok.stdout
    assert "ram:ListUsers" in ok.stdout and "missing" not in ok.stdout
    line = _failed_once(bad.code, bad.error_lines, bad.stdout, bad.stderr)
    assert "ram:ListUsersForGroup" in line and "missing" in bad.stdout
    doc = json.loads(as_json.stdout)
    assert "ram:ListUsersForGroup" in doc["missing"] and "ram:AddUserToGroup" in doc["missing"]


def test_least_privilege_policy_syncs_and_each_removed_action_fails_validate(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path)
    policy = run_cli(["permissions", "--sync-secrets"], tmp_path, env)
    assert policy.code == 0
    actions = json.loads(policy.stdout)["Statement"][0]["Action"]
    assert actions == sorted(actions) and "ram:ListAccessKeys" in actions
    flags = ["--sync-secrets", *key_flags(accounts.CONNECTOR_KEY)]
    with emulator(accounts.account(actions)) as emu:
        synced = run_cli(endpoint_flags(emu) + flags, tmp_path, env)
        assert synced.code == 0, synced.stderr
        assert run_cli(["validate", *endpoint_flags(emu), *flags], tmp_path, env).code == 0
    # Every action once is covered in-process (tests/cli/test_validate_probes.py); through the
    # console script, a read, an IMS action and a sync-secrets action:
    for dropped in ("ram:GetRole", "ram:ListVirtualMFADevices", "ram:GetAccessKeyLastUsed"):
        with emulator(accounts.account([a for a in actions if a != dropped])) as emu:
            result = run_cli(["validate", *endpoint_flags(emu), *flags], tmp_path, env)
        assert result.code == 1 and dropped in result.error_lines[-1], result.stdout
