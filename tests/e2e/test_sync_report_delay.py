"""A credential report that takes time to build changes nothing in the synced users: the
connector polls GenerateCredentialReport (STARTED, INPROGRESS, COMPLETED) and reads the report
once; a report that never gets ready within the minute leaves per-user calls, one warning and
still the same users."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.connector import _login, run
from baton_alibaba_cloud.connector._report import ReportPoller
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.request_log import RequestLog
from baton_alibaba_cloud.emulator.server import load_account, running_emulator
from tests.e2e.test_sync_sample import config_for, repeated_calls

USERS = len(load_account(None)["users"])


def users_in(path: Path) -> dict[str, dict[str, Any]]:
    with C1zReader.open(path) as reader:
        return {r.id.resource: MessageToDict(r) for r in reader.resources("user")}


async def sync_sample(path: Path, options: EmulatorOptions) -> RequestLog:
    async with running_emulator(None, options) as emu:
        await run.sync(config_for(emu, sync_secrets=True), path)
        return emu.request_log


async def test_a_report_that_takes_time_gives_the_same_users(tmp_path: Path) -> None:
    at_once = await sync_sample(tmp_path / "at-once.c1z", EmulatorOptions(report_delay_s=0))
    slow = await sync_sample(tmp_path / "slow.c1z", EmulatorOptions(report_delay_s=1.2))
    assert users_in(tmp_path / "slow.c1z") == users_in(tmp_path / "at-once.c1z")
    assert at_once.count("GenerateCredentialReport") == 2  # STARTED, then COMPLETED
    assert slow.count("GenerateCredentialReport") >= 3  # STARTED, INPROGRESS…, COMPLETED
    for log in (at_once, slow):
        assert log.count("GetCredentialReport") == 1
        assert log.count("GetLoginProfile") < USERS  # only users the report says have one
        assert repeated_calls(log) == []
        assert not [c for c in log.calls if c.code]  # never read before it was ready


async def test_a_report_never_ready_falls_back_with_one_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The emulator's clock and the connector's poller move together, only when it waits:
    the minute of polling passes at once, the report (an hour to build) is never ready."""
    offset = [0.0]

    async def wait(seconds: float) -> None:
        offset[0] += seconds

    monkeypatch.setattr(_login, "ReportPoller",
                        lambda: ReportPoller(sleep=wait, clock=lambda: offset[0]))
    options = EmulatorOptions(report_delay_s=3600, clock=lambda: time.time() + offset[0])
    await sync_sample(tmp_path / "at-once.c1z", EmulatorOptions(report_delay_s=0))
    with caplog.at_level(logging.WARNING, logger="baton_alibaba_cloud"):
        log = await sync_sample(tmp_path / "never.c1z", options)
    assert users_in(tmp_path / "never.c1z") == users_in(tmp_path / "at-once.c1z")
    assert 50 < offset[0] <= 60
    assert log.count("GetCredentialReport") == 0
    assert log.count("GetLoginProfile") == USERS  # the per-user plan
    assert repeated_calls(log) == []
    warnings = [r.getMessage() for r in caplog.records if "credential report" in r.getMessage()]
    assert warnings == ["credential report not ready after 60 s (still INPROGRESS); using "
                        "per-user calls"]
