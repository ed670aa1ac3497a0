"""Injected faults: each kind observable on the wire, and reproducible under a seed."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest

from baton_alibaba_cloud.emulator.faults import NO_FAULT, FaultInjector
from baton_alibaba_cloud.emulator.options import FaultOptions

from .gateway_fakes import harness

MIXED = FaultOptions(latency_rate=0.3, latency_ms=(1, 5), throttle_rate=0.2,
                     server_error_rate=0.2, drop_rate=0.1, truncate_rate=0.1, slow_body_rate=0.1)


def _fates(seed: int, n: int = 40) -> list[Any]:
    injector = FaultInjector(MIXED, seed)
    return [injector.plan("ram", "ListUsers") for _ in range(n)]


def test_plans_are_reproducible_under_a_seed() -> None:
    assert _fates(7) == _fates(7)
    assert _fates(7) != _fates(8)


def test_interleaving_other_actions_does_not_change_an_actions_fate() -> None:
    alone = _fates(3, 10)
    injector = FaultInjector(MIXED, 3)
    mixed = []
    for _ in range(10):
        injector.plan("ims", "ListGroups")
        mixed.append(injector.plan("ram", "ListUsers"))
    assert mixed == alone


def test_no_rates_no_faults() -> None:
    assert FaultInjector(FaultOptions(), 1).plan("ram", "ListUsers") is NO_FAULT


async def _statuses(seed: int) -> list[str]:
    faults = FaultOptions(throttle_rate=0.3, server_error_rate=0.3)
    async with harness(faults=faults, seed=seed, quotas=False) as h:
        out = []
        for _ in range(15):
            status, body, _ = await h.call("ram", "ListUsers")
            out.append(f"{status}:{body.get('Code', '')}")
        return out


async def test_wire_outcomes_are_reproducible() -> None:
    first, second = await _statuses(11), await _statuses(11)
    assert first == second
    assert {s.split(":")[1] for s in first} >= {"", "Throttling.User"}


async def test_throttling_fault() -> None:
    async with harness(faults=FaultOptions(throttle_rate=1.0)) as h:
        status, body, _ = await h.call("ram", "ListUsers")
        assert h.emu.request_log.throttled[("ram", "ListUsers")] == 1
    assert (status, body["Code"]) == (400, "Throttling.User")


async def test_server_error_fault() -> None:
    async with harness(faults=FaultOptions(server_error_rate=1.0), quotas=False) as h:
        seen = {((await h.call("ram", "ListUsers"))[1]["Code"]) for _ in range(12)}
        status, body, _ = await h.call("ram", "ListUsers")
    assert seen == {"ServiceUnavailable", "InternalError"}
    assert (status, body["Code"]) in {(503, "ServiceUnavailable"), (500, "InternalError")}


async def test_dropped_connection() -> None:
    async with harness(faults=FaultOptions(drop_rate=1.0)) as h:
        with pytest.raises(aiohttp.ClientError):
            await h.call("ram", "ListUsers")
        assert h.emu.request_log.dropped[("ram", "ListUsers")] == 1


async def test_truncated_body() -> None:
    async with harness(faults=FaultOptions(truncate_rate=1.0)) as h:
        with pytest.raises(aiohttp.ClientPayloadError):
            await h.call("ram", "ListUsers")


async def test_slow_body_arrives_whole() -> None:
    faults = FaultOptions(slow_body_rate=1.0, slow_chunk_bytes=16, slow_chunk_delay_ms=5)
    async with harness(faults=faults) as h:
        started = time.monotonic()
        status, body, _ = await h.call("ram", "ListUsers", {"Marker": "m" * 40})
        elapsed = time.monotonic() - started
    assert status == 200 and body["Params"] == {"Marker": "m" * 40}
    assert elapsed >= 0.005 * 8


async def test_fixed_latency() -> None:
    async with harness(faults=FaultOptions(latency_rate=1.0, latency_ms=(60, 60))) as h:
        started = time.monotonic()
        status, _, _ = await h.call("ram", "ListUsers")
        elapsed = time.monotonic() - started
    assert status == 200 and elapsed >= 0.06
