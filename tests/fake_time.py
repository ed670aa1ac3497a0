"""A monotonic clock that moves only when the code under test sleeps.

Why shared: the rate limiter, the retry policy and the credential report poller all take an
injected ``clock`` and ``sleep`` (time is a dependency); their tests never sleep for real and assert
on what was slept.
"""

from __future__ import annotations

__all__ = ["SleepingClock"]


class SleepingClock:
    """``clock()`` is ``now`` (seconds from 0); ``await sleep(s)`` records ``s`` and adds it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
