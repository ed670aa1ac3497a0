"""Bounded retries with exponential backoff and full jitter.

Why a separate policy object: the client re-signs inside each attempt (a fresh date and nonce,
``SignatureNonceUsed`` otherwise), so the policy only decides *whether* and *when*; ``sleep``,
``random`` and ``clock`` are injected so tests run the whole schedule without waiting.
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ._errors import AlibabaError

__all__ = ["RetryPolicy"]

T = TypeVar("T")


@dataclass
class RetryPolicy:
    """Retry retryable :class:`AlibabaError` s (throttling, 5xx, transport) within bounds.

    ``max_attempts`` counts every attempt, the first one included; ``max_total`` bounds the time
    spent sleeping plus working, so a sync never hangs on a sick endpoint.
    """

    max_attempts: int = 8
    base_delay: float = 0.2
    max_delay: float = 10.0
    max_total: float = 120.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    random: Callable[[], float] = field(default=_random.random)
    clock: Callable[[], float] = time.monotonic

    def delay(self, attempt: int, error: AlibabaError) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based).

        The server's ``x-acs-retry-after`` wins when present (capped by ``max_delay``); else
        full jitter: uniform in ``[0, min(max_delay, base_delay * 2**(attempt-1))]``.
        """
        if error.retry_after is not None and error.retry_after > 0:
            return min(error.retry_after, self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** (attempt - 1)))
        return self.random() * ceiling

    async def run(
        self,
        attempt_fn: Callable[[int], Awaitable[T]],
        *,
        on_retry: Callable[[int, AlibabaError, float], None] | None = None,
    ) -> T:
        """Call ``attempt_fn(1)``, ``attempt_fn(2)``, … until it succeeds or must give up.

        A non-retryable error propagates at once; the last retryable one propagates when the
        attempts or the time budget run out.
        """
        started = self.clock()
        attempt = 1
        while True:
            try:
                return await attempt_fn(attempt)
            except AlibabaError as error:
                limit = min(self.max_attempts, error.max_attempts or self.max_attempts)
                if not error.retryable or attempt >= limit:
                    raise
                wait = self.delay(attempt, error)
                if self.clock() - started + wait > self.max_total:
                    raise
                if on_retry is not None:
                    on_retry(attempt, error, wait)
                await self.sleep(wait)
                attempt += 1
