"""Rate limiter math, adaptive slow-down and retry schedules, all on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from baton_alibaba_cloud.alibaba import (
    AlibabaError,
    Endpoints,
    NotFoundError,
    RateLimiter,
    RetryPolicy,
    ServerError,
    ThrottlingError,
    published_rate,
)
from tests.fake_time import SleepingClock


def test_published_rates() -> None:
    assert published_rate("ram", "ListUsers") == 100
    assert published_rate("ims", "GetUser") == 100
    assert published_rate("ram", "CreatePolicy") == 20
    assert published_rate("ram", "DeleteUser") == 20
    assert published_rate("ram", "AddUserToGroup") == 10
    assert published_rate("ims", "RemoveUserFromGroup") == 10
    assert published_rate("ram", "AttachPolicyToRole") == 10
    assert published_rate("sts", "AssumeRole") == 100
    assert published_rate("ram", "SomethingNew") == 100


def test_overrides_and_factor() -> None:
    limiter = RateLimiter({"ims:ListUsers": 50}, factor=0.5)
    assert limiter.quota("ims", "ListUsers") == 25
    assert limiter.quota("ram", "ListUsers") == 50
    assert limiter.quota("ram", "AddUserToGroup") == 5
    with pytest.raises(ValueError):
        RateLimiter(factor=0)


async def test_bucket_keeps_under_the_quota() -> None:
    fake = SleepingClock()
    limiter = RateLimiter(clock=fake, sleep=fake.sleep)
    for _ in range(10):  # the burst: a tenth of a second's worth
        await limiter.acquire("ram", "ListUsers")
    assert fake.sleeps == []
    await limiter.acquire("ram", "ListUsers")
    assert fake.sleeps == [pytest.approx(0.01)]
    for _ in range(189):
        await limiter.acquire("ram", "ListUsers")
    # 200 requests at 100/s with a burst of 10: (200 - 10) / 100 seconds of waiting
    assert fake.now == pytest.approx(1.9)
    await limiter.acquire("ram", "GetUser")  # another action has its own bucket
    assert fake.now == pytest.approx(1.9)


async def test_concurrent_waiters_are_spaced() -> None:
    fake = SleepingClock()
    limiter = RateLimiter(clock=fake, sleep=fake.sleep)
    waits = [limiter.bucket("ram", "AddUserToGroup").reserve() for _ in range(5)]
    assert waits == [0.0, pytest.approx(0.1), pytest.approx(0.2), pytest.approx(0.3),
                     pytest.approx(0.4)]


async def test_only_a_burst_of_callers_book_ahead_and_the_rate_holds() -> None:
    fake = SleepingClock()
    booked: list[float] = []

    async def sleep(seconds: float) -> None:  # callers wake at their own time, in turn
        booked.append(seconds)
        wake = fake.now + seconds
        await asyncio.sleep(0)
        fake.now = max(fake.now, wake)

    limiter = RateLimiter(clock=fake, sleep=sleep)
    await asyncio.gather(*(limiter.acquire("ram", "ListUsers") for _ in range(200)))
    # 200 at once: nobody books more than a tenth of a second ahead (without turns the last
    # would have booked 1.9 s ahead at the rate of that moment), and 100/s still holds
    assert max(booked) <= 0.1 + 1e-9
    assert fake.now == pytest.approx(1.9)
    booked.clear()
    await asyncio.gather(*(limiter.acquire("ram", "AddUserToGroup") for _ in range(5)))
    assert max(booked) <= 0.1 + 1e-9  # 10/s: one caller at a time books its tenth of a second


async def test_adaptive_slow_down_and_recovery() -> None:
    fake = SleepingClock()
    limiter = RateLimiter(clock=fake, sleep=fake.sleep)
    limiter.on_throttled("ram", "ListUsers")
    assert limiter.rate("ram", "ListUsers") == pytest.approx(70)
    limiter.on_throttled("ram", "ListUsers")  # same burst: within the cooldown, one cut only
    assert limiter.rate("ram", "ListUsers") == pytest.approx(70)
    fake.now += 1.5
    limiter.on_throttled("ram", "ListUsers")
    assert limiter.rate("ram", "ListUsers") == pytest.approx(49)
    for _ in range(10):
        limiter.on_success("ram", "ListUsers")
    assert limiter.rate("ram", "ListUsers") == pytest.approx(54)
    for _ in range(1000):
        limiter.on_success("ram", "ListUsers")
    assert limiter.rate("ram", "ListUsers") == pytest.approx(100)
    for _ in range(50):
        fake.now += 2
        limiter.on_throttled("ram", "ListUsers")
    assert limiter.rate("ram", "ListUsers") == pytest.approx(5)  # the floor


async def test_in_flight_bound() -> None:
    limiter = RateLimiter(max_in_flight=2)
    active = 0
    peak = 0

    async def one() -> None:
        nonlocal active, peak
        async with limiter.slot("ram", "GetUser"):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1

    await asyncio.gather(*(one() for _ in range(8)))
    assert peak == 2


def _throttled() -> ThrottlingError:
    return ThrottlingError("Throttling.User", "flow", action="ListUsers", service="ram")


async def test_retry_backoff_is_full_jitter_and_bounded() -> None:
    fake = SleepingClock()
    policy = RetryPolicy(max_attempts=5, base_delay=0.2, max_delay=0.5, sleep=fake.sleep,
                         random=lambda: 1.0, clock=fake)
    attempts: list[int] = []

    async def always(n: int) -> str:
        attempts.append(n)
        raise _throttled()

    with pytest.raises(ThrottlingError):
        await policy.run(always)
    assert attempts == [1, 2, 3, 4, 5]
    assert fake.sleeps == [pytest.approx(x) for x in (0.2, 0.4, 0.5, 0.5)]


async def test_retry_gives_up_at_the_time_budget() -> None:
    fake = SleepingClock()
    policy = RetryPolicy(max_attempts=100, base_delay=1, max_delay=10, max_total=20,
                         sleep=fake.sleep, random=lambda: 1.0, clock=fake)

    async def always(n: int) -> str:
        raise ServerError("InternalError", "boom")

    with pytest.raises(ServerError):
        await policy.run(always)
    assert sum(fake.sleeps) <= 20
    assert fake.sleeps == [1, 2, 4, 8]


@pytest.mark.parametrize("error", [
    NotFoundError("EntityNotExist.User", "no"), AlibabaError("InvalidParameter", "bad"),
])
async def test_no_retry_for_final_errors(error: AlibabaError) -> None:
    fake = SleepingClock()
    policy = RetryPolicy(sleep=fake.sleep, clock=fake)
    calls = 0

    async def fail(n: int) -> str:
        nonlocal calls
        calls += 1
        raise error

    with pytest.raises(type(error)):
        await policy.run(fail)
    assert calls == 1 and fake.sleeps == []


async def test_retry_after_header_wins() -> None:
    fake = SleepingClock()
    policy = RetryPolicy(sleep=fake.sleep, clock=fake, random=lambda: 0.0)
    error = _throttled()
    error.retry_after = 2.5
    assert policy.delay(1, error) == 2.5
    error.retry_after = 99
    assert policy.delay(1, error) == policy.max_delay


def test_endpoints_parse() -> None:
    ep = Endpoints(ram="http://127.0.0.1:8080", ims="ims.aliyuncs.com", sts="https://x:443/")
    assert ep.for_service("ram").host == "127.0.0.1:8080"
    assert str(ep.for_service("ram").url("A=%2A")) == "http://127.0.0.1:8080/?A=%2A"
    assert ep.for_service("ims").host == "ims.aliyuncs.com"
    assert str(ep.for_service("ims").url("")) == "https://ims.aliyuncs.com/"
    assert ep.for_service("sts").host == "x"
    for bad in ("", "ftp://x", "http://x/path", "http://x/?q=1"):
        with pytest.raises(ValueError):
            Endpoints(ram=bad)
