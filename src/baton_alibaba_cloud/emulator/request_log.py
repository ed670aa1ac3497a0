"""What the emulator answered: per-action counts, throttled answers, error codes, the calls.

Why: the benchmark reads how hard each action's quota was pushed, and the "no call made twice"
tests read which parameters each action was called with; both need the server's view, not the
client's, because retries and dropped connections happen between the two.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["LoggedCall", "RequestLog"]


@dataclass(frozen=True)
class LoggedCall:
    """One answered request (``code`` is empty for a success; ``service`` may be ``""``)."""

    service: str
    action: str
    params: tuple[tuple[str, str], ...]
    status: int
    code: str
    caller_arn: str
    at: float


@dataclass
class RequestLog:
    """Counters keyed by ``(service, action)``, plus every call in arrival order.

    ``requests`` counts every answer, ``succeeded`` the 2xx ones, ``throttled`` the
    ``Throttling*`` answers (quota or fault), ``errors`` ``(service, action, code)`` triples;
    ``dropped`` counts connections closed without an answer. ``keep_calls=False`` keeps only the
    counters (long benchmarks).
    """

    keep_calls: bool = True
    calls: list[LoggedCall] = field(default_factory=list)
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    succeeded: Counter[tuple[str, str]] = field(default_factory=Counter)
    throttled: Counter[tuple[str, str]] = field(default_factory=Counter)
    dropped: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def record(self, call: LoggedCall, *, dropped: bool = False) -> None:
        """Count one answer (or one dropped connection)."""
        key = (call.service, call.action)
        if self.keep_calls:
            self.calls.append(call)
        self.requests[key] += 1
        if dropped:
            self.dropped[key] += 1
        elif call.code:
            self.errors[(call.service, call.action, call.code)] += 1
            if call.code.startswith("Throttling"):
                self.throttled[key] += 1
        else:
            self.succeeded[key] += 1

    def count(self, action: str, service: str | None = None) -> int:
        """Requests answered for ``action`` (in every service unless one is named)."""
        return sum(n for (s, a), n in self.requests.items()
                   if a == action and (service is None or s == service))

    def calls_to(self, action: str, service: str | None = None) -> list[LoggedCall]:
        """The logged calls to one action, in arrival order."""
        return [c for c in self.calls
                if c.action == action and (service is None or c.service == service)]

    @property
    def total(self) -> int:
        """Every request answered or dropped."""
        return sum(self.requests.values())

    def reset(self) -> None:
        """Forget everything (between phases of a test)."""
        self.calls.clear()
        for counter in (self.requests, self.succeeded, self.throttled, self.dropped):
            counter.clear()
        self.errors.clear()
