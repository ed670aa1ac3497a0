"""The sync engine: drives ``ResourceSyncer``s concurrently and streams them into a c1z writer.

Why this shape (docs/architecture.md): the API quotas bound a sync, not Python, so every
resource type lists at once (phase 1) and then every type runs its per-resource ``details`` in
its own bounded pool at once (phase 2), which keeps each API action's quota busy. Memory stays
bounded: listed pages go to the writer as they come, phase 2 reads resources back from the
writer in chunks, and details are written in batches. In both phases the database work runs on
one background thread (``_writes``), so SQLite's index updates do not stall the requests. Then
the completeness pass makes the sync joinable (contract §4), grant expansion runs, and the
report is counted from the file itself.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from baton_alibaba_cloud.baton.builder import AfterDetails, ResourceSyncer, SyncItems, WideDetails
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.baton.sync import _completeness
from baton_alibaba_cloud.baton.sync._memory import release_free_memory
from baton_alibaba_cloud.baton.sync._writes import WriteQueue
from baton_alibaba_cloud.baton.sync.expand import ExpansionStats, expand_grants

__all__ = [
    "DEFAULT_CONCURRENCY", "Observer", "ProgressEvent", "SyncReport", "SyncWriter", "run_sync",
]

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
"""Rows per writer call: the Go SDK bulk-inserts in chunks of 1000 too."""
READ_CHUNK = 500
"""Rows read back from the writer at a time by the whole-picture steps (``AfterDetails``)."""
DETAILS_CHUNK = 100
"""Resources read back at a time to feed phase 2's workers; the next chunk of every type is
read while this one is fed, so each type holds up to two chunks (a resource is about 3 KB in
memory: 500 a chunk was 30 MB over a dozen types, for no speed)."""
MAX_WARNINGS = 1000
"""Warnings kept in the report; the rest are counted (a broken account can produce millions)."""
DEFAULT_CONCURRENCY = 32
"""``details`` workers per type, unless its syncer asks for more (``builder.WideDetails``).
Requests are paced by the client's per-action quotas and in-flight bound, not by this; 32 keeps
an action at 100 requests/s while a resource's details take up to ~0.3 s. More costs memory:
every worker holds its resource and the answers it is working on."""


class SyncWriter(Protocol):
    """The part of ``C1zWriter`` the engine uses (upserts, one open sync, its connection)."""

    @property
    def sync_id(self) -> str: ...

    @property
    def connection(self) -> sqlite3.Connection: ...

    def put_resource_types(self, items: Iterable[ResourceType]) -> Any: ...

    def put_resources(self, items: Iterable[Resource]) -> Any: ...

    def put_entitlements(self, items: Iterable[Entitlement]) -> Any: ...

    def put_grants(self, items: Iterable[Grant]) -> Any: ...


@dataclass(frozen=True)
class ProgressEvent:
    """Progress for a display: running totals for one resource type in one phase.

    ``phase`` is ``list``, ``details``, ``complete``, ``expand`` or ``done``; ``resources`` and
    ``grants`` are what this type's syncer has written so far (resources listed or upserted,
    grants emitted by its details), not what is in the file, except in the ``done`` event of
    each type: there they are the file's final counts (grants by their entitlement's type).
    """

    phase: str
    resource_type: str
    resources: int = 0
    grants: int = 0


Observer = Callable[[ProgressEvent], None]


@dataclass
class SyncReport:
    """What a finished sync wrote, counted from the file after the completeness pass."""

    sync_id: str
    resources: dict[str, int] = field(default_factory=dict)
    entitlements: int = 0
    grants: int = 0
    grants_by_type: dict[str, int] = field(default_factory=dict)
    expansion: ExpansionStats | None = None
    warnings: list[str] = field(default_factory=list)
    dropped_warnings: int = 0
    durations: dict[str, float] = field(default_factory=dict)
    api_requests: dict[str, int] = field(default_factory=dict)
    """Requests per API action, filled in by the caller that owns the API client."""

    @property
    def total_resources(self) -> int:
        """All resources of every type."""
        return sum(self.resources.values())


async def run_sync(
    syncers: Sequence[ResourceSyncer],
    writer: SyncWriter,
    *,
    concurrency_per_type: int = DEFAULT_CONCURRENCY,
    observer: Observer | None = None,
    expand: bool = True,
) -> SyncReport:
    """Run one full sync of ``syncers`` into ``writer``'s open sync and return the report.

    ``expand=False`` leaves the grants as the connector gave them (``GrantExpandable`` still
    pending): a snapshot served to baton-sdk, whose syncer expands them itself.

    The writer is neither committed nor aborted here: the caller owns the file's fate, so an
    exception from any syncer propagates (cancelling the others) and the caller aborts.
    """
    run = _Run(syncers, writer, concurrency_per_type, observer)
    run.expand = expand
    return await run.execute()


class _Run:
    """The state of one ``run_sync`` call: counters, pending batches, warnings."""

    def __init__(
        self,
        syncers: Sequence[ResourceSyncer],
        writer: SyncWriter,
        concurrency: int,
        observer: Observer | None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency_per_type must be at least 1")
        self.syncers = {s.resource_type.id: s for s in syncers}
        if len(self.syncers) != len(syncers):
            raise ValueError("two syncers declare the same resource type id")
        self.writer = writer
        self.concurrency = concurrency
        self.observer = observer
        self.resources_written = dict.fromkeys(self.syncers, 0)
        self.grants_written = dict.fromkeys(self.syncers, 0)
        self.pending_resources: list[Resource] = []
        self.pending_grants: list[Grant] = []
        self.report = SyncReport(sync_id=writer.sync_id)
        self.writes = WriteQueue()
        self.expand = True

    async def execute(self) -> SyncReport:
        """Phases in order, each timed into ``report.durations``."""
        self.writer.put_resource_types(s.resource_type for s in self.syncers.values())
        try:
            await self._timed("list", self._phase_list())
            await self._timed("details", self._phase_details())
            await self._timed("after_details", self.writes.call(self._after_details))
        finally:
            self.writes.close()
        self._timed_sync("complete", self._complete)
        if self.expand:
            self._timed_sync("expand", self._expand)
        self._count()
        self._emit_totals()
        self._emit("done", "")
        return self.report

    async def _timed(self, name: str, work: Any) -> None:
        """Run a phase, time it, then hand what it freed back to the system (``_memory``)."""
        start = time.monotonic()
        await work
        self.report.durations[name] = time.monotonic() - start
        release_free_memory()

    def _timed_sync(self, name: str, work: Callable[[], None]) -> None:
        start = time.monotonic()
        work()
        self.report.durations[name] = time.monotonic() - start
        release_free_memory()

    # phase 1 ---------------------------------------------------------------------------------

    async def _phase_list(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            for syncer in self.syncers.values():
                tasks.create_task(self._list_type(syncer))
        await self.writes.drain()

    async def _list_type(self, syncer: ResourceSyncer) -> None:
        type_id = syncer.resource_type.id
        async for page in syncer.list():
            await self._write_resources(page)
            self._emit("list", type_id)

    async def _write_resources(self, resources: Sequence[Resource]) -> None:
        """Queue the upsert of resources with their entitlements (pages are already bounded)."""
        if not resources:
            return
        entitlements: list[Entitlement] = []
        for resource in resources:
            type_id = resource.id.resource_type
            syncer = self.syncers.get(type_id)
            if syncer is None:
                raise ValueError(
                    f"sync engine: resource {type_id}:{resource.id.resource} has a type no "
                    "syncer declares; add a syncer for it"
                )
            entitlements.extend(syncer.entitlements(resource))
            self.resources_written[type_id] += 1
        await self.writes.submit(partial(self._store, resources, entitlements))

    def _store(self, resources: Sequence[Resource], entitlements: Sequence[Entitlement]) -> None:
        """On the write thread: resources, then their entitlements."""
        self.writer.put_resources(resources)
        if entitlements:
            self.writer.put_entitlements(entitlements)

    # phase 2 ---------------------------------------------------------------------------------

    async def _phase_details(self) -> None:
        conn, sync_id = self.writer.connection, self.writer.sync_id
        # what phase 1 wrote, and nothing that details will add (they are not detailed)
        reads = await self.writes.call(lambda: {
            type_id: _completeness.read_resources(conn, sync_id, type_id, DETAILS_CHUNK)
            for type_id in self.syncers
        })
        async with asyncio.TaskGroup() as tasks:
            for type_id, syncer in self.syncers.items():
                tasks.create_task(self._detail_type(syncer, reads[type_id]))
        await self._flush()
        await self.writes.drain()

    async def _detail_type(
        self, syncer: ResourceSyncer, chunks: Iterator[list[Resource]]
    ) -> None:
        """Feed this type's phase-1 resources, in chunks, to a pool of ``details`` workers."""
        type_id = syncer.resource_type.id
        pool = self.concurrency
        if isinstance(syncer, WideDetails):
            pool = max(pool, syncer.details_concurrency)
        queue: asyncio.Queue[Resource | None] = asyncio.Queue(maxsize=self.concurrency * 2)

        async def work() -> None:
            while (resource := await queue.get()) is not None:
                steps = syncer.details(resource)
                if steps is not None:
                    async for items in steps:
                        await self._take(type_id, items)

        async with asyncio.TaskGroup() as tasks:
            workers = [tasks.create_task(work()) for _ in range(pool)]
            read = tasks.create_task(self.writes.call(partial(next, chunks, [])))
            while chunk := await read:
                # the next chunk is read while this one is fed: it may wait behind writes
                read = tasks.create_task(self.writes.call(partial(next, chunks, [])))
                for resource in chunk:
                    await queue.put(resource)
            for _ in workers:
                await queue.put(None)
        self._emit("details", type_id)

    async def _take(self, type_id: str, items: SyncItems) -> None:
        self.pending_resources.extend(items.resources)
        self.pending_grants.extend(items.grants)
        self.grants_written[type_id] += len(items.grants)
        for warning in items.warnings:
            self.warn(warning)
        if len(self.pending_resources) + len(self.pending_grants) >= BATCH_SIZE:
            await self._flush()
            self._emit("details", type_id)

    async def _flush(self) -> None:
        resources, self.pending_resources = self.pending_resources, []
        grants, self.pending_grants = self.pending_grants, []
        await self._write_resources(resources)
        if grants:
            await self.writes.submit(partial(self.writer.put_grants, grants))

    # the global step ----------------------------------------------------------------------

    def _after_details(self) -> None:
        """On the write thread: every ``AfterDetails`` step, its items written as they come."""
        view = _completeness.View(self.writer.connection, self.writer.sync_id, READ_CHUNK)
        for syncer in self.syncers.values():
            if not isinstance(syncer, AfterDetails):
                continue
            type_id = syncer.resource_type.id
            for items in syncer.after_details(view):
                self._store_now(type_id, items)
            self._emit("details", type_id)

    def _store_now(self, type_id: str, items: SyncItems) -> None:
        resources = list(items.resources)
        entitlements = [e for r in resources
                        for e in self.syncers[r.id.resource_type].entitlements(r)]
        if resources:
            self._store(resources, entitlements)
        if items.grants:
            self.writer.put_grants(items.grants)
        self.grants_written[type_id] += len(items.grants)
        for warning in items.warnings:
            self.warn(warning)

    # completeness, expansion, report ---------------------------------------------------------

    def _complete(self) -> None:
        for warning in _completeness.enforce(self.writer.connection, self.writer.sync_id):
            self.warn(warning)
        self._emit("complete", "")

    def _expand(self) -> None:
        self.report.expansion = expand_grants(self.writer.connection, self.writer.sync_id)
        self._emit("expand", "")

    def _count(self) -> None:
        counts = _completeness.count(self.writer.connection, self.writer.sync_id)
        self.report.resources = {t: counts.resources.get(t, 0) for t in self.syncers}
        self.report.entitlements = counts.entitlements
        self.report.grants = counts.grants
        self.report.grants_by_type = counts.grants_by_type

    def warn(self, message: str) -> None:
        """Log a warning and keep it for the report (the first ``MAX_WARNINGS`` of them)."""
        log.warning("%s", message)
        if len(self.report.warnings) < MAX_WARNINGS:
            self.report.warnings.append(message)
        else:
            self.report.dropped_warnings += 1

    def _emit_totals(self) -> None:
        """The file's final counts per type (grants by their entitlement's resource type), so
        that a display ends on the numbers the summary prints: expanded grants included,
        grants dropped by the completeness pass left out."""
        if self.observer is None:
            return
        for type_id in dict.fromkeys([*self.syncers, *self.report.grants_by_type]):
            self.observer(ProgressEvent("done", type_id, self.report.resources.get(type_id, 0),
                                        self.report.grants_by_type.get(type_id, 0)))

    def _emit(self, phase: str, type_id: str) -> None:
        if self.observer is None:
            return
        if not type_id:
            self.observer(ProgressEvent(phase, ""))
            return
        self.observer(
            ProgressEvent(
                phase, type_id, self.resources_written[type_id], self.grants_written[type_id]
            )
        )


