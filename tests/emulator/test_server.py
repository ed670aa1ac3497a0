"""The three starters: in-loop, in a thread for blocking clients, and the foreground ``serve``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from baton_alibaba_cloud.alibaba._signer import format_date, sign_request
from baton_alibaba_cloud.emulator.server import EmulatorThread, load_account, running_emulator

from .gateway_fakes import Creds, call


def _blocking_call(url: str, creds: Creds, action: str) -> tuple[int, dict[str, Any]]:
    """A signed STS call with urllib (a blocking client, like the SDK's sync path)."""
    parsed = URL(url)
    signed = sign_request("POST", f"{parsed.host}:{parsed.port}", action, "2015-04-01", {},
                          credentials=creds, date=format_date(datetime.now(UTC)),
                          nonce=uuid.uuid4().hex)
    request = urllib.request.Request(url + "/", data=b"", headers=signed.headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def test_running_emulator_with_the_sample_account() -> None:
    sample = load_account(None)
    async with running_emulator() as emu, aiohttp.ClientSession() as session:
        assert emu.url.startswith("http://127.0.0.1:") and emu.port > 0
        creds = Creds(emu.access_key_id, emu.access_key_secret)
        status, body, _ = await call(session, emu.url, "sts", "GetCallerIdentity", creds=creds,
                                     clock=time.time)
        assert emu.request_log.count("GetCallerIdentity") == 1
        assert emu.backend.account_id == sample["account"]["id"]
    assert status == 200, body
    assert body["AccountId"] == sample["account"]["id"] and body["RequestId"]


async def test_running_emulator_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "account.json"
    path.write_text(json.dumps(load_account(None)), "utf-8")
    async with running_emulator(path) as emu:
        assert emu.access_key_id and emu.access_key_secret
        assert emu.ready_line() == {"url": emu.url, "access_key_id": emu.access_key_id,
                                    "access_key_secret": emu.access_key_secret}


def test_emulator_thread_serves_blocking_clients() -> None:
    with EmulatorThread() as emu:
        status, body = _blocking_call(emu.url, Creds(emu.access_key_id, emu.access_key_secret),
                                      "GetCallerIdentity")
        bad, error = _blocking_call(emu.url, Creds("nobody", "x"), "GetCallerIdentity")
    assert status == 200 and body["AccountId"]
    assert (bad, error["Code"]) == (404, "InvalidAccessKeyId.NotFound")


def test_serve_prints_one_json_line_and_stops_on_sigterm() -> None:
    script = (
        "import json, sys\n"
        "from baton_alibaba_cloud.emulator.server import serve\n"
        "serve(None, ready=lambda line: print(json.dumps(line), flush=True))\n"
        "print('stopped', flush=True)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        assert set(ready) == {"url", "access_key_id", "access_key_secret"}
        status, _ = _blocking_call(ready["url"], Creds(ready["access_key_id"],
                                                       ready["access_key_secret"]),
                                   "GetCallerIdentity")
        assert status == 200
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and out.strip() == "stopped"
