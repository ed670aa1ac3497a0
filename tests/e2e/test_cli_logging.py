"""Logs and the terminal: secrets never appear in a debug run; the live display on a pty."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
from tests.cli import accounts
from tests.e2e.cli_helpers import (
    SCRIPT,
    clean_env,
    emulator,
    endpoint_flags,
    key_flags,
    run_cli,
    sync_role_session,
)


def test_a_debug_run_never_shows_a_secret_or_a_token(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    with emulator(accounts.account()) as emu:
        creds = asyncio.run(sync_role_session(emu.url, "log-test"))
        sts_flags = ["--access-key-id", creds["AccessKeyId"],
                     "--access-key-secret", creds["AccessKeySecret"],
                     "--security-token", creds["SecurityToken"]]
        ok = run_cli(["--log-level", "debug", "--sync-secrets", *endpoint_flags(emu), *sts_flags],
                     tmp_path, env)
        assumed = run_cli(["--log-level", "debug", "--role-arn", accounts.SYNC_ROLE_ARN,
                           *endpoint_flags(emu), *key_flags(accounts.DEPLOYER_KEY)], tmp_path,
                          env)
        bad = run_cli(["--log-level", "debug", *endpoint_flags(emu),
                       *key_flags((accounts.ROOT_KEY[0], "wrong-secret-for-the-debug-test"))],
                      tmp_path, env)
        console = run_cli(["--log-level", "debug", "--log-format", "console", "--role-arn",
                           accounts.SYNC_ROLE_ARN, *endpoint_flags(emu), *sts_flags], tmp_path,
                          env)
    assert ok.code == 0, ok.stderr[-2000:]
    assert assumed.code == 0, assumed.stderr[-2000:]
    assert console.code == 0, console.stderr[-2000:]
    assert bad.code == 1
    # every line of a JSON run is JSON, the failure too; at debug its traceback is a field
    *_, failed = bad.records
    assert failed["level"] == "error" and failed["exit_code"] == 1
    assert failed["msg"].startswith("Error: ") and "Traceback" in failed["stacktrace"]
    records = ok.records
    assert any("ListUsers" in r["msg"] for r in records if r["level"] == "debug")
    assert " DEBUG " in console.stderr
    assert "'x-acs-security-token': '" in console.stderr  # the header, its value hidden
    everything = "".join(r.stdout + r.stderr for r in (ok, assumed, bad, console))
    for secret in (creds["AccessKeySecret"], creds["SecurityToken"], accounts.DEPLOYER_KEY[1],
                   "wrong-secret-for-the-debug-test"):
        assert secret not in everything
    assert "Signature=" in everything  # the debug log does show the request headers...
    assert not re.search(r"Signature=[0-9a-f]{16}", everything)  # ...signature redacted


REQUEST_FIELDS = {"sync_id", "service", "action", "attempt", "status", "request_id",
                  "duration_ms", "headers"}


def _records(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in stderr.splitlines() if ln.startswith("{")]


def test_json_lines_carry_the_sync_id_and_each_request_at_debug(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    throttling = EmulatorOptions(faults=FaultOptions(throttle_rate=0.2), seed=3)
    args = ["--log-format", "json", *key_flags(accounts.ROOT_KEY)]
    with emulator(accounts.account(), options=throttling) as emu:
        debug = run_cli(["--log-level", "debug", *args, *endpoint_flags(emu)], tmp_path, env)
        info = run_cli([*args, *endpoint_flags(emu)], tmp_path, env)
    assert debug.code == 0 and info.code == 0, debug.stderr[-2000:] + info.stderr[-2000:]
    records = _records(debug.stderr)
    assert len(records) == len(debug.stderr.splitlines())  # nothing but JSON lines
    [finished] = [r for r in records if r["msg"] == "sync finished"]
    assert all(r.get("sync_id") == finished["sync_id"] for r in records)
    requests = [r for r in records if "attempt" in r]
    assert requests and all(r["level"] == "debug" and set(r) >= REQUEST_FIELDS
                            for r in requests)
    assert all(r["request_id"] and r["duration_ms"] >= 0 for r in requests)
    assert any(r.get("code") == "Throttling.User" for r in requests)
    assert any(r["attempt"] > 1 for r in requests)  # the retries of those throttled answers
    # at info: no line per request, one summary with the counts, the credential source
    summary = _records(info.stderr)
    assert not any("attempt" in r or r["level"] == "debug" for r in summary)
    [api] = [r for r in summary if "requests_by_action" in r]
    assert api["level"] == "info" and api["requests"] > 0 and api["throttled"] > 0
    assert api["sync_id"] and api["errors"]["Throttling.User"] == api["throttled"]
    [source] = [r for r in summary if "credentials_source" in r]
    assert source["credentials_source"] == "flags" and source["account_id"]


def _read_pty(fd: int, proc: subprocess.Popen[bytes], timeout: float) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    return out


def test_the_live_display_is_drawn_on_a_terminal_and_not_when_redirected(tmp_path: Path) -> None:
    env = clean_env(tmp_path, {"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})
    throttling = EmulatorOptions(faults=FaultOptions(throttle_rate=0.2), seed=3)
    with emulator(accounts.account(), options=throttling) as emu:
        args = [str(SCRIPT), *endpoint_flags(emu), *key_flags(accounts.ROOT_KEY)]
        master, slave = pty.openpty()
        proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdin=slave, stdout=slave,
                                stderr=slave, close_fds=True)
        os.close(slave)
        try:
            screen = _read_pty(master, proc, timeout=50).decode("utf-8", "replace")
            assert proc.wait(timeout=10) == 0, screen[-2000:]
        finally:
            os.close(master)
        piped = run_cli([*endpoint_flags(emu), *key_flags(accounts.ROOT_KEY)], tmp_path, env)
    assert "Syncing Alibaba Cloud" in screen and "Resource type" in screen
    assert "user" in screen and "elapsed" in screen
    counters = re.findall(r"requests ([\d,]+)\s+throttled ([\d,]+)", screen)
    assert counters, screen[-2000:]  # the client's counters, live
    requests, throttled = (int(n.replace(",", "")) for n in counters[-1])
    assert requests > 10 and throttled > 0
    assert "\x1b[" in screen  # drawn with terminal control sequences
    assert "INFO" in screen  # console log format on a terminal
    # log lines are written above the display (its lines cleared first), not drawn over it
    assert re.search(r"\x1b\[2K\d\d:\d\d:\d\d INFO  using credentials", screen), screen[-3000:]
    assert "Syncing Alibaba Cloud: done" in screen  # the sync-wide phase, in the title
    assert piped.code == 0 and "Syncing Alibaba Cloud" not in piped.stderr
    assert "\x1b[" not in piped.stderr
