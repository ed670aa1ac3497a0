"""A --role-arn session that expires during a sync, through the console script.

Sessions here are 900 s (STS's minimum, ``--role-session-duration 900``), and no rule of the
real service is bent: the emulator's clock moves away from ours, but never further than the
15 minutes the signature check allows. How two clocks drift apart is how sessions die early in
real life:

- The connector's machine was paused (VM snapshot, suspended laptop) and its wall clock has not
  caught up: the emulator's clock is 850 s behind ours when the session is issued, then, with
  the sync under way, jumps 901 s forward (51 s ahead of ours). The server now says the session
  expired while our clock still gives it most of its life, so it refuses requests with
  ``InvalidSecurityToken.Expired``; the client renews the session (once for all the refused
  requests) and retries each of them.
- Our clock runs 896 s ahead of the emulator's: a 900 s session looks 4 s long from here, so
  the client renews it halfway through its life, before the server would ever refuse it (and
  not on every request, as a fixed 5-minute margin would).

The sync lasts about 5 s: 48 roles, each read with GetRole, at a tenth of the published quota
(``--rate-limit-scale 0.1``: 10 requests per second).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from baton_alibaba_cloud.emulator.options import EmulatorOptions
from tests.cli import accounts
from tests.e2e.cli_helpers import Result, clean_env, emulator, endpoint_flags, run_cli

EXPIRED = "InvalidSecurityToken.Expired"


class Clock:
    """The emulator's clock: ours plus an offset the test moves during the sync."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def __call__(self) -> float:
        return time.time() + self.offset


def _account() -> dict[str, Any]:
    data = accounts.account()
    alice = f"acs:ram::{accounts.ACCOUNT_ID}:user/alice"
    data["roles"] += [{"name": f"app-{i:02d}", "trust_policy": {"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": [alice]}}]}}
        for i in range(48)]
    # alice may assume them only if her own policies allow sts:AssumeRole too
    data["attachments"].append({"policy": "AliyunSTSAssumeRoleAccess", "policy_type": "System",
                                "principal_type": "user", "principal": "alice"})
    return data


def _sync(tmp_path: Path, clock: Clock, jump_to: float | None = None) -> tuple[Result, Any]:
    """Sync through the console script; with ``jump_to``, move the emulator's clock to that
    offset once the session was issued and the roles are being read."""
    flags = ["--role-arn", accounts.SYNC_ROLE_ARN, "--role-session-duration", "900",
             "--access-key-id", accounts.DEPLOYER_KEY[0],
             "--access-key-secret", accounts.DEPLOYER_KEY[1], "--rate-limit-scale", "0.1"]
    with emulator(_account(), options=EmulatorOptions(clock=clock)) as emu:
        log = emu.request_log
        if jump_to is not None:
            threading.Thread(target=_jump, args=(clock, jump_to, log), daemon=True).start()
        result = run_cli([*flags, *endpoint_flags(emu)], tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr[-3000:]
    records = [json.loads(ln) for ln in result.stderr.splitlines() if ln.startswith("{")]
    [finished] = [r for r in records if r["msg"] == "sync finished"]
    assert finished["resources"] > 48 and finished["grants"] > 48
    return result, log


def _jump(clock: Clock, offset: float, log: Any) -> None:
    deadline = time.monotonic() + 30
    while log.count("GetRole") < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    clock.offset = offset


def test_the_server_expires_the_session_first_and_refused_requests_are_retried(
    tmp_path: Path,
) -> None:
    result, log = _sync(tmp_path, Clock(-850.0), jump_to=+51.0)
    assert log.count("AssumeRole") == 2  # the first session, and its one renewal
    calls = log.calls
    refused = [i for i, c in enumerate(calls) if c.code == EXPIRED]
    assert refused, "no request was refused: the clock jumped after the sync had finished"
    for i in refused:  # each refused request was made again, and answered
        again = [c for c in calls[i + 1:] if (c.service, c.action, c.params, c.code)
                 == (calls[i].service, calls[i].action, calls[i].params, "")]
        assert again, calls[i]
    assert result.stderr.count("expired before their stated expiration") == 1
    assert '"level": "error"' not in result.stderr


def test_a_session_about_to_expire_is_renewed_before_the_server_refuses_it(
    tmp_path: Path,
) -> None:
    _, log = _sync(tmp_path, Clock(-896.0))
    assert 2 <= log.count("AssumeRole") <= 6  # about every 2 s, not on every request
    assert not [c for c in log.calls if c.code == EXPIRED]
