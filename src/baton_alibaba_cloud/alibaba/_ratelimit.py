"""Per-action token buckets under the published quotas, adaptive on throttling.

Why per action: Alibaba counts quotas per account *per API* (docs/alibaba.md §5), so a slow
``AddUserToGroup`` must not hold back ``ListUsers``. Why adaptive: other tools share the account's
quota, so a ``Throttling`` answer means our share is smaller than published; we cut that action's
rate multiplicatively and win it back additively on success (AIMD). Why a semaphore too: the
quotas bound requests per second, the semaphore bounds sockets and memory. Why only a burst of
callers may hold reservations at once: a reservation is a place in time at the rate of the
moment it was made, so hundreds of waiting callers would book seconds ahead and a cut on
throttling would not reach them; the others wait for their turn unreserved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from . import metadata

__all__ = ["RateLimiter", "TokenBucket", "published_rate"]

# docs/alibaba.md §5. IMS has no published table: RAM-like values by the same pattern.
_MEMBERSHIP = frozenset({
    "AddUserToGroup", "RemoveUserFromGroup", "AttachPolicyToUser", "AttachPolicyToGroup",
    "AttachPolicyToRole", "DetachPolicyFromUser", "DetachPolicyFromGroup", "DetachPolicyFromRole",
    "TagResources", "UntagResources", "DecodeDiagnosticMessage",
})
_WRITE_PREFIXES = (
    "Create", "Update", "Delete", "Set", "Change", "Bind", "Unbind", "Enable", "Disable", "Add",
    "Remove", "Reset", "Clear", "Generate",
)
READ_RATE = 100.0
WRITE_RATE = 20.0
MEMBERSHIP_RATE = 10.0


def published_rate(service: str, action: str) -> float:
    """The published requests/second of an action: the metadata snapshot's figure where it has
    one (Resource Manager, CloudSSO), else 10 membership, 20 writes, 100 the rest."""
    if service in ("resourcemanager", "cloudsso"):
        quota = metadata.published_quota(
            "cloudsso" if service == "cloudsso" else "resourcemanager", action)
        if quota is not None:
            return float(quota)
    if service == "sts":
        return READ_RATE
    if action in _MEMBERSHIP:
        return MEMBERSHIP_RATE
    if action.startswith(_WRITE_PREFIXES):
        return WRITE_RATE
    return READ_RATE


@dataclass
class TokenBucket:
    """A token bucket that hands out reservations, so waiters never race each other.

    ``reserve()`` takes a token now (the balance may go negative) and returns how long the caller
    must wait for it; asyncio's single thread makes that read-modify-write atomic.
    """

    rate: float
    ceiling: float
    floor: float
    clock: Callable[[], float]
    tokens: float = 1.0
    updated: float | None = None
    last_cut: float | None = None
    turns: asyncio.Semaphore = field(init=False, repr=False)
    """Callers holding a reservation: at most a burst's worth at the ceiling rate."""

    def __post_init__(self) -> None:
        self.turns = asyncio.Semaphore(max(1, int(self.ceiling / 10.0)))

    @property
    def burst(self) -> float:
        """At most a tenth of a second's worth at once, so no second exceeds the quota by >10%."""
        return max(1.0, self.rate / 10.0)

    def _refill(self) -> float:
        now = self.clock()
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return now

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it (0 when available)."""
        self._refill()
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def slow_down(self, factor: float, cooldown: float) -> bool:
        """Cut the rate once per ``cooldown`` (a burst of throttled answers is one signal)."""
        now = self._refill()
        if self.last_cut is not None and now - self.last_cut < cooldown:
            return False
        self.last_cut = now
        self.rate = max(self.floor, self.rate * factor)
        return True

    def speed_up(self, step: float) -> None:
        """Win back ``step`` requests/second, never above the ceiling."""
        self._refill()
        self.rate = min(self.ceiling, self.rate + step)


class RateLimiter:
    """Token buckets per ``service:action`` plus a global bound on requests in flight.

    ``overrides`` maps ``"ims:ListUsers"`` to a requests/second quota; ``factor`` scales every
    quota (0.5 leaves half the account's quota to other tools).
    """

    def __init__(
        self,
        overrides: Mapping[str, float] | None = None,
        *,
        factor: float = 1.0,
        max_in_flight: int = 64,
        cut: float = 0.7,
        recovery: float = 0.005,
        cooldown: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if factor <= 0:
            raise ValueError("the rate factor must be positive")
        self._overrides = dict(overrides or {})
        self._factor = factor
        self._cut = cut
        self._recovery = recovery
        self._cooldown = cooldown
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self.max_in_flight = max_in_flight

    def quota(self, service: str, action: str) -> float:
        """The configured ceiling for an action: override or published, times the factor."""
        key = f"{service}:{action}"
        base = self._overrides.get(key, published_rate(service, action))
        return float(base) * self._factor

    def bucket(self, service: str, action: str) -> TokenBucket:
        """The (lazily created) bucket of an action."""
        key = f"{service}:{action}"
        found = self._buckets.get(key)
        if found is None:
            ceiling = self.quota(service, action)
            found = TokenBucket(
                rate=ceiling, ceiling=ceiling, floor=max(0.2, ceiling * 0.05), clock=self._clock
            )
            found.tokens = found.burst
            self._buckets[key] = found
        return found

    def rate(self, service: str, action: str) -> float:
        """The current (possibly slowed down) rate of an action."""
        return self.bucket(service, action).rate

    async def acquire(self, service: str, action: str) -> None:
        """Wait until the action may send one more request (in turn, see the module doc)."""
        bucket = self.bucket(service, action)
        async with bucket.turns:
            wait = bucket.reserve()
            if wait > 0:
                await self._sleep(wait)

    @asynccontextmanager
    async def slot(self, service: str, action: str) -> AsyncIterator[None]:
        """Take one token of the action, then hold an in-flight slot for the request.

        The token comes first: a request waiting for its own action's quota must not occupy
        one of the shared in-flight slots, or a saturated action (its waiters holding every
        slot) starves the actions whose quota is idle.
        """
        await self.acquire(service, action)
        async with self._in_flight:
            yield

    def on_throttled(self, service: str, action: str) -> None:
        """A ``Throttling`` answer: our share is smaller than we assumed; slow this action down."""
        self.bucket(service, action).slow_down(self._cut, self._cooldown)

    def on_success(self, service: str, action: str) -> None:
        """A good answer: recover a little of the rate lost to throttling."""
        bucket = self.bucket(service, action)
        if bucket.rate < bucket.ceiling:
            bucket.speed_up(bucket.ceiling * self._recovery)
