"""A silent endpoint is heard about within seconds: one warning per host while requests wait,
and the live display counts the requests still waiting, from the real client's counters."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest
from rich.console import Console

from baton_alibaba_cloud.alibaba import AlibabaClient, Endpoints, StaticProvider, TransportError
from baton_alibaba_cloud.baton.sync.engine import ProgressEvent
from baton_alibaba_cloud.cli._progress import LiveProgress
from baton_alibaba_cloud.cli._run import ClientCounters
from tests.hostile.harness import silent_listener


async def test_waiting_requests_warn_once_and_show_in_the_live_display(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="baton_alibaba_cloud.alibaba")
    with silent_listener() as url:
        client = AlibabaClient(StaticProvider("LTAIsilent0000000001", "s"), Endpoints.single(url),
                               timeout=2.0, validate=False)
        async with client:
            calls = [asyncio.create_task(client.call("ram", "GetAccountAlias", {}))
                     for _ in range(3)]
            await asyncio.sleep(1.4)  # past min(5, timeout / 2) = 1 s, before the timeout
            counters = ClientCounters(client)()
            out = io.StringIO()
            console = Console(file=out, force_terminal=True, width=160)
            with LiveProgress(console, stats=lambda: counters) as progress:
                progress(ProgressEvent("list", "user", resources=0))
            for call in calls:
                call.cancel()
            await asyncio.gather(*calls, return_exceptions=True)
    assert counters.waiting == 3
    assert "no answer yet to 3 (endpoint silent)" in out.getvalue()
    warned = [r.getMessage() for r in caplog.records if "no answer from" in r.getMessage()]
    assert len(warned) == 1, warned
    assert warned[0].startswith(f"no answer from {url.removeprefix('http://')} for 1 s (RAM "
                                "GetAccountAlias); still waiting")
    assert client.stats.waiting == 0  # every waiting request was counted out again


async def test_a_silent_endpoint_times_out_after_three_attempts() -> None:
    with silent_listener() as url:
        async with AlibabaClient(StaticProvider("LTAIsilent0000000001", "s"),
                                 Endpoints.single(url), timeout=1.0, validate=False) as client:
            started = asyncio.get_running_loop().time()
            with pytest.raises(TransportError) as caught:
                await client.call("ram", "GetAccountAlias", {})
            took = asyncio.get_running_loop().time() - started
    assert caught.value.code == "Timeout" and url in str(caught.value)
    assert client.stats.requests["ram:GetAccountAlias"] == 3
    assert 3.0 <= took < 6.0
