"""The credential report takes time to build, on the emulator's clock: STARTED, INPROGRESS
until ``report_delay`` has passed, then COMPLETED (and COMPLETED at once for four hours);
GetCredentialReport before the first report is ready is refused with its 404; the switch
reaches the backend from ``EmulatorOptions`` and from the ``emulator`` command."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import click
import pytest

from baton_alibaba_cloud.alibaba import NotFoundError
from baton_alibaba_cloud.cli import _emulator
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.emulator.accounts.generator import Spec, generate
from baton_alibaba_cloud.emulator.backend import Backend
from baton_alibaba_cloud.emulator.errors import EmulatorError
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.responses import dispatch
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.test_sync_sample import config_for

from .test_responses_ram import admin, call, error_of

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def backend_with(clock: Clock, delay: float, users: int = 6) -> Backend:
    account = generate(Spec(users=users, memberships=0, attachments=1))
    return Backend.from_account(account, now=clock, report_delay=timedelta(seconds=delay))


def state(backend: Backend) -> str:
    return str(call(backend, "ims", "GenerateCredentialReport")["State"])


def refusal(backend: Backend) -> tuple[str, int, str]:
    """GetCredentialReport's refusal: code, HTTP status and message."""
    with pytest.raises(EmulatorError) as caught:
        dispatch(backend, "ims", "GetCredentialReport", {}, admin(backend))
    return caught.value.code, caught.value.http_status, caught.value.message


def test_started_then_inprogress_until_the_delay_then_completed() -> None:
    clock = Clock()
    backend = backend_with(clock, delay=2.0)
    code, status, message = refusal(backend)
    assert (code, status) == ("EntityNotExist.CredentialReport", 404)
    assert "GenerateCredentialReport first" in message
    assert state(backend) == "STARTED"
    for _ in range(3):
        clock.advance(seconds=0.5)
        assert state(backend) == "INPROGRESS"
        code, status, message = refusal(backend)
        assert (code, status) == ("EntityNotExist.CredentialReport", 404)
        assert "still being generated" in message
    clock.advance(seconds=0.5)  # exactly two seconds after STARTED
    assert state(backend) == "COMPLETED"
    page = call(backend, "ims", "GetCredentialReport")
    assert page["GeneratedTime"] == "2026-11-27T09:00:02Z"  # when it became ready
    assert page["IsTruncated"] == "false"


def test_within_four_hours_the_existing_report_is_completed_at_once() -> None:
    clock = Clock()
    backend = backend_with(clock, delay=1.0)
    assert state(backend) == "STARTED"
    clock.advance(seconds=1)
    first = call(backend, "ims", "GetCredentialReport")
    backend.create_user("late", "Late")  # not in a report made before it existed
    clock.advance(hours=3, minutes=59)
    assert state(backend) == "COMPLETED"
    assert call(backend, "ims", "GetCredentialReport") == first
    clock.advance(minutes=1)  # four hours after it became ready: a new one
    assert state(backend) == "STARTED"
    assert state(backend) == "INPROGRESS"
    assert call(backend, "ims", "GetCredentialReport") == first  # the latest ready one
    clock.advance(seconds=1)
    assert state(backend) == "COMPLETED"
    newer = call(backend, "ims", "GetCredentialReport")
    assert newer["GeneratedTime"] == "2026-11-27T13:00:02Z" and newer != first


def test_no_delay_is_ready_at_once() -> None:
    backend = backend_with(Clock(), delay=0)
    assert state(backend) == "STARTED"
    assert call(backend, "ims", "GetCredentialReport")["Content"]
    assert state(backend) == "COMPLETED"


def test_the_3500_user_refusal_holds() -> None:
    clock = Clock()
    backend = backend_with(clock, delay=1.0, users=3501)
    assert error_of(backend, "ims", "GenerateCredentialReport") == (
        "LimitExceeded.CredentialReport", 409)
    assert refusal(backend)[:2] == ("EntityNotExist.CredentialReport", 404)


def test_default_delay_is_one_second() -> None:
    assert EmulatorOptions().report_delay_s == 1.0
    assert Backend(backend_with(Clock(), 0).account).report_delay == timedelta(seconds=1)


async def test_over_http_on_the_options_clock() -> None:
    """``report_delay_s`` and ``clock`` reach the backend; the refusal is an HTTP 404."""
    offset = [0.0]
    options = EmulatorOptions(report_delay_s=30, clock=lambda: time.time() + offset[0])
    async with running_emulator(None, options) as emu, run.client_for(config_for(emu)) as api:
        assert (await api.call("ims", "GenerateCredentialReport"))["State"] == "STARTED"
        with pytest.raises(NotFoundError) as caught:
            await api.call("ims", "GetCredentialReport", {"MaxItems": "3501"})
        assert (caught.value.code, caught.value.http_status) == (
            "EntityNotExist.CredentialReport", 404)
        offset[0] = 29.0
        assert (await api.call("ims", "GenerateCredentialReport"))["State"] == "INPROGRESS"
        offset[0] = 30.5
        assert (await api.call("ims", "GenerateCredentialReport"))["State"] == "COMPLETED"
        page = await api.call("ims", "GetCredentialReport", {"MaxItems": "3501"})
        assert page["Content"]


@pytest.mark.parametrize(("args", "expected"), [([], 1.0), (["--report-delay", "0"], 0.0),
                                               (["--report-delay", "2.5"], 2.5)])
def test_the_emulator_command_switch(args: list[str], expected: float) -> None:
    ctx = _emulator.emulator.make_context("emulator", list(args))
    assert _emulator.fault_options(ctx.params).report_delay_s == expected


def test_the_emulator_command_refuses_a_negative_delay() -> None:
    with pytest.raises(click.BadParameter):
        _emulator.emulator.make_context("emulator", ["--report-delay", "-1"])
