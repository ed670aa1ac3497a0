"""Per-account, per-action quotas: published numbers, overrides, ``Throttling.User`` answers."""

from __future__ import annotations

import pytest

from baton_alibaba_cloud.emulator.quotas import THROTTLING_MESSAGE, QuotaBook, default_rate

from .gateway_fakes import Clock, harness


@pytest.mark.parametrize(
    ("service", "action", "rate"),
    [
        ("ram", "ListUsers", 100), ("ram", "CreatePolicy", 20), ("ram", "AddUserToGroup", 10),
        ("ram", "ListRoles", 100), ("ram", "CreateUser", 20), ("ram", "AttachPolicyToGroup", 10),
        ("ims", "ListUsers", 100), ("ims", "AddUserToGroup", 10), ("sts", "AssumeRole", 100),
    ],
)
def test_published_and_pattern_rates(service: str, action: str, rate: float) -> None:
    assert default_rate(service, action) == rate


def test_bucket_refills_with_time() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    assert all(book.admit("1", "ram", "AddUserToGroup") for _ in range(10))
    assert not book.admit("1", "ram", "AddUserToGroup")
    assert book.admit("2", "ram", "AddUserToGroup")  # another account has its own quota
    assert book.admit("1", "ims", "AddUserToGroup")  # another API has its own quota
    clock.advance(0.1)
    assert book.admit("1", "ram", "AddUserToGroup")
    assert not book.admit("1", "ram", "AddUserToGroup")


def test_overrides() -> None:
    book = QuotaBook(Clock(), {"RAM:ListUsers": 1, "GetUser": 3})
    assert (book.rate("ram", "ListUsers"), book.rate("ims", "ListUsers")) == (1, 100)
    assert (book.rate("ram", "GetUser"), book.rate("ims", "GetUser")) == (3, 3)


async def test_over_quota_answers_throttling_user() -> None:
    async with harness(quota_overrides={"ram:ListUsers": 2}) as h:
        statuses = [(await h.call("ram", "ListUsers"))[0] for _ in range(2)]
        status, body, response = await h.call("ram", "ListUsers")
        other, _, _ = await h.call("ims", "ListUsers")
        log = h.emu.request_log
    assert statuses == [200, 200] and other == 200
    assert (status, body["Code"], body["Message"]) == (400, "Throttling.User", THROTTLING_MESSAGE)
    assert "x-acs-retry-after" not in response.headers
    assert log.throttled[("ram", "ListUsers")] == 1


async def test_retry_after_header_is_optional() -> None:
    async with harness(quota_overrides={"ListUsers": 1}, retry_after_header=True) as h:
        await h.call("ram", "ListUsers")
        status, _, response = await h.call("ram", "ListUsers")
    assert status == 400 and response.headers["x-acs-retry-after"] == "1000"


async def test_quotas_can_be_switched_off() -> None:
    async with harness(quotas=False, quota_overrides={"ListUsers": 1}) as h:
        statuses = {(await h.call("ram", "ListUsers"))[0] for _ in range(5)}
    assert statuses == {200}
