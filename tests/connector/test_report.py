"""The credential report on the connector side: parsed by header name whether or not pages
repeat the header; polled on a fake clock until COMPLETED with a bounded backoff; refused,
unknown or too slow means ``None`` with one warning and per-user enrichment, never a failure."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import AlibabaError, ConflictError, NotFoundError
from baton_alibaba_cloud.connector._context import Context, Params, ServiceName
from baton_alibaba_cloud.connector._login import LoginFacts, LoginFactsSource
from baton_alibaba_cloud.connector._report import ReportPoller, fetch_report, parse_report
from tests.fake_time import SleepingClock

HEADER = "user,user_creation_time,password_exist,mfa_active,access_key_1_exist,later_column"
ROOT = "<root>,2020-01-01T00:00:00Z,TRUE,FALSE,FALSE,x"
ALICE = "alice@d.onaliyun.com,2021-01-01T00:00:00Z,TRUE,TRUE,FALSE,y"
BOB = "bob@d.onaliyun.com,2021-01-02T00:00:00Z,FALSE,FALSE,TRUE,z"


def b64(*lines: str) -> str:
    return base64.b64encode(("\n".join(lines) + "\n").encode()).decode()


class FakeClock(SleepingClock):
    """The sleeping clock, and a poller that waits on it."""

    def poller(self, **kw: float) -> ReportPoller:
        return ReportPoller(sleep=self.sleep, clock=self, **kw)


class FakeApi:
    """Scripted IMS: GenerateCredentialReport answers ``states`` in turn (then the last one
    forever, or raises ``refuse``); GetCredentialReport serves ``pages``; per-user calls say
    'no console login, no MFA'."""

    def __init__(self, states: list[str], pages: list[str] | None = None,
                 refuse: AlibabaError | None = None) -> None:
        self.states = states
        self.report_pages = pages or [b64(HEADER, ROOT, ALICE, BOB)]
        self.refuse = refuse
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call(self, service: ServiceName, action: str,
                   params: Params | None = None) -> dict[str, Any]:
        self.calls.append((action, dict(params or {})))
        if action == "GenerateCredentialReport":
            if self.refuse is not None:
                raise self.refuse
            return {"State": self.states.pop(0) if len(self.states) > 1 else self.states[0]}
        if action == "GetCredentialReport":
            index = int(str((params or {}).get("NextToken", "0")))
            more = index + 1 < len(self.report_pages)
            page = {"Content": self.report_pages[index], "IsTruncated": "true" if more else "false"}
            return {**page, "NextToken": str(index + 1)} if more else page
        if action == "GetLoginProfile":
            raise NotFoundError("EntityNotExist.User.LoginProfile", "none", http_status=404)
        return {}

    async def pages_of(self) -> AsyncIterator[dict[str, Any]]:
        yield {"VirtualMFADevices": {"VirtualMFADevice": []}}

    def pages(self, service: ServiceName, action: str,
              params: Params | None = None) -> AsyncIterator[dict[str, Any]]:
        self.calls.append((action, dict(params or {})))
        return self.pages_of()

    def numbered_pages(self, service: ServiceName, action: str,
                       params: Params | None = None) -> AsyncIterator[dict[str, Any]]:
        raise AssertionError(f"the credential report path never calls {service} {action}")

    def count(self, action: str) -> int:
        return sum(1 for name, _ in self.calls if name == action)


# --- parsing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("second_page", [
    b64(HEADER, BOB),                 # the header repeated (what the emulator sends)
    b64(BOB),                         # the header only on the first page
    base64.b64encode(f"\ufeff{HEADER}\n{BOB}\n".encode()).decode(),  # each page with a BOM
])
def test_pages_with_or_without_a_repeated_header(second_page: str) -> None:
    rows = parse_report([b64(HEADER, ROOT, ALICE), second_page])
    assert set(rows) == {"alice@d.onaliyun.com", "bob@d.onaliyun.com"}
    assert rows["bob@d.onaliyun.com"]["access_key_1_exist"] == "TRUE"
    assert rows["alice@d.onaliyun.com"]["later_column"] == "y"  # unknown columns kept


def test_a_header_is_never_a_user_even_reordered_or_with_a_bom() -> None:
    reordered = "mfa_active,user,password_exist"
    second = base64.b64encode(
        ("\ufeff" + reordered + "\nFALSE,carol@d.onaliyun.com,TRUE\n\n").encode()).decode()
    rows = parse_report([b64(HEADER, ROOT, ALICE), second, b64(HEADER)])
    assert set(rows) == {"alice@d.onaliyun.com", "carol@d.onaliyun.com"}
    assert "user" not in rows and "<root>" not in rows
    assert rows["carol@d.onaliyun.com"]["password_exist"] == "TRUE"  # read by name


# --- polling ---------------------------------------------------------------------------------

def test_the_backoff_doubles_to_four_seconds_within_a_minute() -> None:
    delays = ReportPoller().delays()
    assert delays[:5] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert set(delays[3:]) == {4.0} and 56 < sum(delays) <= 60


async def test_polls_until_completed_then_reads_every_page() -> None:
    clock = FakeClock()
    api = FakeApi(["STARTED", "INPROGRESS", "INPROGRESS", "COMPLETED"],
                  pages=[b64(HEADER, ROOT, ALICE), b64(HEADER, BOB)])
    rows = await fetch_report(api, clock.poller())
    assert rows is not None and set(rows) == {"alice@d.onaliyun.com", "bob@d.onaliyun.com"}
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert [name for name, _ in api.calls] == ["GenerateCredentialReport"] * 4 + [
        "GetCredentialReport"] * 2
    assert api.calls[-1][1] == {"MaxItems": "3501", "NextToken": "1"}


async def test_completed_at_once_reads_without_sleeping() -> None:
    clock = FakeClock()
    api = FakeApi(["COMPLETED"])
    assert await fetch_report(api, clock.poller()) is not None
    assert clock.sleeps == [] and api.count("GenerateCredentialReport") == 1


async def test_gives_up_after_the_budget_with_one_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    api = FakeApi(["STARTED", "INPROGRESS"])
    with caplog.at_level(logging.WARNING):
        assert await fetch_report(api, clock.poller()) is None
    assert sum(clock.sleeps) <= 60 and clock.now <= 60
    assert api.count("GetCredentialReport") == 0
    assert api.count("GenerateCredentialReport") == len(clock.sleeps) + 1
    (record,) = caplog.records
    assert "not ready after 60 s (still INPROGRESS)" in record.getMessage()


async def test_slow_requests_count_against_the_budget() -> None:
    clock = FakeClock()
    api = FakeApi(["STARTED", "INPROGRESS"])
    original = api.call

    async def slow(service: ServiceName, action: str, params: Params | None = None
                   ) -> dict[str, Any]:
        clock.now += 10.0  # every request takes ten seconds
        return await original(service, action, params)

    api.call = slow  # type: ignore[method-assign]
    assert await fetch_report(api, clock.poller()) is None
    assert clock.now <= 60 + 10  # the last poll may start just before the minute is up


@pytest.mark.parametrize(("api", "message"), [
    (FakeApi(["STARTED"], refuse=ConflictError(
        "LimitExceeded.CredentialReport", "too many users", http_status=409)),
     "credential report unavailable (LimitExceeded.CredentialReport)"),
    (FakeApi(["FAILED"]), "unknown state 'FAILED'"),
])
async def test_a_refusal_or_an_unknown_state_gives_up_at_once(
        api: FakeApi, message: str, caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    with caplog.at_level(logging.WARNING):
        assert await fetch_report(api, clock.poller()) is None
    assert clock.sleeps == [] and api.count("GetCredentialReport") == 0
    (record,) = caplog.records
    assert message in record.getMessage()


# --- the fallback ----------------------------------------------------------------------------

def source(api: FakeApi, users: int, clock: FakeClock) -> LoginFactsSource:
    ctx = Context(api=api, uid="5123456789012345")
    ctx.counts.users = users
    return LoginFactsSource(ctx, clock.poller())


async def test_a_report_not_ready_in_time_falls_back_to_per_user_calls_once(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    api = FakeApi(["STARTED", "INPROGRESS"])
    logins = source(api, 3, clock)
    upns = ["alice@d.onaliyun.com", "bob@d.onaliyun.com", "carol@d.onaliyun.com"]
    with caplog.at_level(logging.WARNING):
        answers = await asyncio.gather(*(logins.facts(upn) for upn in upns))
    assert answers == [(LoginFacts(False, None, False), False)] * 3
    assert api.count("GetLoginProfile") == 3 and api.count("GetCredentialReport") == 0
    assert len([r for r in caplog.records if "credential report" in r.getMessage()]) == 1


async def test_the_report_is_started_once_from_phase_1_and_shared() -> None:
    clock = FakeClock()
    api = FakeApi(["STARTED", "COMPLETED"])
    logins = source(api, 3, clock)
    logins.prefetch_report()
    logins.prefetch_report()
    facts = await asyncio.gather(logins.facts("bob@d.onaliyun.com"),
                                 logins.facts("alice@d.onaliyun.com"))
    assert facts[0] == (LoginFacts(False, None, False, True), True)  # from the report
    assert api.count("GenerateCredentialReport") == 2 and api.count("GetCredentialReport") == 1


@pytest.mark.parametrize("users", [1, 3501])
async def test_no_report_outside_its_range(users: int) -> None:
    clock = FakeClock()
    api = FakeApi(["COMPLETED"])
    logins = source(api, users, clock)
    logins.prefetch_report()
    await logins.facts("alice@d.onaliyun.com")
    assert api.count("GenerateCredentialReport") == 0
