"""The ``emulator`` subcommand: one JSON line when ready, serves the connector, Ctrl-C exits."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AlibabaError,
    Endpoints,
    RetryPolicy,
    StaticProvider,
)
from tests.e2e.cli_helpers import SCRIPT, clean_env, run_cli


def _serve(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([str(SCRIPT), "emulator", "--port", "0", *args], cwd=tmp_path,
                            env=clean_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, json.loads(line)


def test_emulator_prints_its_url_and_key_serves_a_sync_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    proc, ready = _serve(tmp_path, "--synthetic", "users=100,groups=5,roles=3")
    try:
        assert set(ready) == {"url", "access_key_id", "access_key_secret"}
        assert ready["url"].startswith("http://127.0.0.1:")
        url = ready["url"]
        result = run_cli(["--endpoint", url, "--sts-endpoint", url,
                          "--access-key-id", ready["access_key_id"],
                          "--access-key-secret", ready["access_key_secret"]],
                         tmp_path, clean_env(tmp_path))
        assert result.code == 0, result.stderr[-2000:]
        assert '"resources": 3' not in result.stderr  # the synthetic account, not empty
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_emulator_refuses_a_bad_synthetic_spec_with_exit_2(tmp_path: Path) -> None:
    result = run_cli(["emulator", "--synthetic", "users=lots"], tmp_path, clean_env(tmp_path))
    assert result.code == 2 and "users" in result.stderr and "Traceback" not in result.stderr


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Ctrl-C; the rest of stdout and stderr once it exited."""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return out, err


def _client(ready: dict[str, str]) -> AlibabaClient:
    return AlibabaClient(StaticProvider(ready["access_key_id"], ready["access_key_secret"], None),
                         Endpoints.single(ready["url"]), retry=RetryPolicy(max_attempts=1))


async def test_account_file_one_json_line_only_and_the_key_works(tmp_path: Path) -> None:
    account: dict[str, Any] = {
        "account": {"id": "1111222233334444", "alias": "cli-test",
                    "access_keys": [{"id": "LTAI5tCliRoot", "secret": "cli-root-secret"}]},
        "users": [{"name": "emulator-admin",
                   "access_keys": [{"id": "LTAI5tCliAdmin", "secret": "cli-admin-secret"}]}],
        "attachments": [{"policy": "AdministratorAccess", "policy_type": "System",
                         "principal_type": "user", "principal": "emulator-admin"}],
    }
    path = tmp_path / "account.json"
    path.write_text(json.dumps(account), encoding="utf-8")
    proc, ready = _serve(tmp_path, "--account", str(path))
    try:
        assert ready == {"url": ready["url"], "access_key_id": "LTAI5tCliAdmin",
                         "access_key_secret": "cli-admin-secret"}
        async with _client(ready) as client:
            who = await client.call("sts", "GetCallerIdentity")
            alias = await client.call("ram", "GetAccountAlias")
        assert who["AccountId"] == "1111222233334444" and alias["AccountAlias"] == "cli-test"
    finally:
        rest, _ = _stop(proc)
    assert rest == "", "the ready line is the only thing on stdout"


async def _fates(tmp_path: Path, *switches: str) -> list[str]:
    """What 12 GetAccountAlias calls met: ``ok`` or the error code."""
    proc, ready = _serve(tmp_path, "--no-quotas", *switches)
    fates: list[str] = []
    try:
        async with _client(ready) as client:
            for _ in range(12):
                try:
                    await client.call("ram", "GetAccountAlias")
                    fates.append("ok")
                except AlibabaError as error:
                    fates.append(error.code)
    finally:
        _stop(proc)
    return fates


async def test_fault_switches_are_reproducible_under_a_seed(tmp_path: Path) -> None:
    switches = ("--throttle-rate", "0.4", "--error-rate", "0.3", "--latency-ms", "1-3",
                "--latency-rate", "0.5", "--seed", "7")
    first = await _fates(tmp_path, *switches)
    assert first == await _fates(tmp_path, *switches)
    assert {"ok", "Throttling.User"} <= set(first)
    assert set(first) <= {"ok", "Throttling.User", "ServiceUnavailable", "InternalError"}


def test_emulator_refuses_a_bad_account_file_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for text, why in (('{"account": {"alias": "x"}}', "account.id: is required"),
                      ("not json", "not JSON")):
        bad.write_text(text, encoding="utf-8")
        result = run_cli(["emulator", "--account", str(bad)], tmp_path, clean_env(tmp_path))
        assert result.code == 2, result.stderr
        assert "--account" in result.stderr and why in result.stderr
        assert "Traceback" not in result.stderr


async def test_synthetic_org_prints_the_management_administrator(tmp_path: Path) -> None:
    """``--synthetic-org``: the printed key is the management account's RAM administrator, who
    reads the directory and enters a member through its access role."""
    proc, ready = _serve(tmp_path, "--synthetic-org", "accounts=3,folders=1,users=3,groups=1,"
                         "roles=1,memberships=1,attachments=1,resource_groups=0,"
                         "scoped_attachments=0")
    try:
        async with _client(ready) as client:
            who = await client.call("sts", "GetCallerIdentity")
            listed = await client.call("resourcemanager", "ListAccounts", {"PageSize": "100"})
            assumed = await client.call("sts", "AssumeRole", {
                "RoleArn": "acs:ram::1000000000000002:role/ResourceDirectoryAccountAccessRole",
                "RoleSessionName": "cli-test"})
        assert who["Arn"] == "acs:ram::1000000000000001:user/emulator-admin"
        assert {a["AccountId"] for a in listed["Accounts"]["Account"]} == {
            "1000000000000001", "1000000000000002", "1000000000000003"}
        assert assumed["AssumedRoleUser"]["Arn"].startswith(
            "acs:ram::1000000000000002:assumed-role/ResourceDirectoryAccountAccessRole/")
    finally:
        _stop(proc)
