"""The sync's use of the c1z database during listing and details, on one background thread.

Why a thread: every grant upsert updates the seven indexes of Go's ``v1_grants`` schema, about
25 µs of B-tree work per row that SQLite does with the GIL released. On the event loop that
work stalled the requests: a large account writes its 200,000 memberships in the first half
minute of phase 2, the loop spent a third to a half of it inside ``executemany``, and the
quota-bound GetLoginProfile fell to 60-90 requests/s. On a thread it overlaps the requests.

Why one thread, and reads too: the connection is not safe for concurrent use, so every use of
it in phases 1 and 2 goes through this queue and runs in the order it was asked for; a read
sees every write queued before it. Writes are queued without waiting unless ``max_pending``
are already queued (bounded memory, and back-pressure on whoever produces faster than SQLite
stores); a failed write raises in the caller of a later ``submit`` or ``drain``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["WriteQueue"]

T = TypeVar("T")


def _retrieve(done: asyncio.Future[object]) -> None:
    """Mark a write's failure as seen (it is raised where the write is awaited, if it is)."""
    if not done.cancelled():
        done.exception()


class WriteQueue:
    """Database work in submission order on one thread; ``close()`` when done (always)."""

    def __init__(self, max_pending: int = 8) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="c1z-writes")
        self._pending: deque[asyncio.Future[object]] = deque()
        self._max_pending = max_pending

    async def submit(self, work: Callable[[], object]) -> None:
        """Queue ``work``; wait only while ``max_pending`` earlier writes are still queued."""
        while len(self._pending) >= self._max_pending:
            await self._pending.popleft()
        future = asyncio.get_running_loop().run_in_executor(self._executor, work)
        future.add_done_callback(_retrieve)
        self._pending.append(future)

    async def call(self, work: Callable[[], T]) -> T:
        """Run ``work`` after every queued write and return its result."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def drain(self) -> None:
        """Wait for every queued write; raise the first failure."""
        while self._pending:
            await self._pending.popleft()

    def close(self) -> None:
        """Let the write in progress end and drop the queued ones: after ``drain`` there are
        none; after a failure or a cancellation the connection must be idle before the caller
        aborts the file."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()
