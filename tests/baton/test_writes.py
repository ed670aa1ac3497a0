"""The sync's database queue: one thread, submission order, bounded, failures raised."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from functools import partial
from pathlib import Path

import pytest

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.baton.sync._writes import WriteQueue
from baton_alibaba_cloud.baton.sync.engine import run_sync


async def test_work_runs_in_order_on_one_thread_beside_the_loop() -> None:
    queue = WriteQueue(max_pending=2)
    done: list[tuple[int, int]] = []

    def write(n: int) -> None:
        done.append((n, threading.get_ident()))

    try:
        for n in range(5):
            await queue.submit(partial(write, n))
        seen = await queue.call(lambda: list(done))  # a read sees every write before it
        await queue.drain()
    finally:
        queue.close()
    assert [n for n, _ in seen] == [0, 1, 2, 3, 4]
    threads = {ident for _, ident in done}
    assert len(threads) == 1 and threading.get_ident() not in threads


async def test_submit_waits_only_when_max_pending_writes_are_queued() -> None:
    queue = WriteQueue(max_pending=2)
    release = threading.Event()
    try:
        await queue.submit(release.wait)
        await queue.submit(lambda: None)
        third = asyncio.create_task(queue.submit(lambda: None))
        await asyncio.sleep(0.05)
        assert not third.done()  # two queued: the third waits for the first
        release.set()
        await asyncio.wait_for(third, 5)
        await queue.drain()
    finally:
        release.set()
        queue.close()


async def test_a_failed_write_raises_in_drain() -> None:
    queue = WriteQueue()

    def fail() -> None:
        raise ValueError("disk says no")

    try:
        await queue.submit(fail)
        with pytest.raises(ValueError, match="disk says no"):
            await queue.drain()
    finally:
        queue.close()


USER = bt.resource_type("user", "User")


class _Users:
    resource_type: ResourceType = USER

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        yield [bt.resource(USER, f"u{n}", f"U{n}") for n in range(50)]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return self._details(resource)

    async def _details(self, resource: Resource) -> AsyncIterator[SyncItems]:
        yield SyncItems(grants=[Grant(id=f"g-{resource.id.resource}")])


def _messages(error: BaseException) -> list[str]:
    if isinstance(error, BaseExceptionGroup):
        return [text for inner in error.exceptions for text in _messages(inner)]
    return [str(error)]


async def test_a_write_that_fails_on_the_thread_fails_the_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.c1z"
    writer = C1zWriter.open(path)

    def refuse(items: object) -> None:
        raise ValueError("grants refused")

    monkeypatch.setattr(writer, "put_grants", refuse)
    try:
        with pytest.raises(Exception) as raised:  # alone, or in a task group's exceptions
            await run_sync([_Users()], writer, concurrency_per_type=4)
        assert "grants refused" in _messages(raised.value)
        # the thread is done with the connection: the caller can still use (and abort) it
        assert writer.connection.execute("select count(*) from v1_resources").fetchone()[0] == 50
    finally:
        writer.abort()
    assert not path.exists()
