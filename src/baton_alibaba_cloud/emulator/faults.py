"""Injected misbehaviour: latency, throttling, 5xx, dropped connections, slow and cut bodies.

Why: the client's retry, timeout and rate-limit code only earns trust against the failures it
will meet, and only reproducible failures make a failing test debuggable. Every decision comes
from a generator seeded by ``(seed, service, action)``, so the n-th call to an action meets the
same fate on every run, however calls to other actions interleave.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from aiohttp import web

from .errors import EmulatorError
from .options import FaultOptions
from .quotas import THROTTLING_MESSAGE

__all__ = [
    "NO_FAULT",
    "FaultError",
    "FaultInjector",
    "FaultPlan",
    "drop_connection",
    "write_slowly",
    "write_truncated",
]


@dataclass(frozen=True)
class FaultError:
    """An injected error answer (a value, so that plans compare equal across runs)."""

    code: str
    message: str
    http_status: int

    def exception(self) -> EmulatorError:
        """The error to raise in the request pipeline."""
        return EmulatorError(self.code, self.message, self.http_status)


@dataclass(frozen=True)
class FaultPlan:
    """What happens to one request; the default is nothing at all."""

    latency_s: float = 0.0
    error: FaultError | None = None
    drop: bool = False
    slow: bool = False
    truncate: bool = False


NO_FAULT = FaultPlan()


_THROTTLED = FaultError("Throttling.User", THROTTLING_MESSAGE, 400)
_UNAVAILABLE = FaultError(
    "ServiceUnavailable", "The request has failed due to a temporary failure of the server.", 503
)
_INTERNAL = FaultError("InternalError", "An internal error occurred.", 500)


class FaultInjector:
    """Draws a :class:`FaultPlan` per request from per-action seeded generators."""

    def __init__(self, options: FaultOptions, seed: int) -> None:
        self._options = options
        self._seed = seed
        self._rngs: dict[tuple[str, str], random.Random] = {}

    def plan(self, service: str, action: str) -> FaultPlan:
        """The fate of the next call to ``service``/``action``.

        The generator always advances by the same number of draws, so changing one rate does not
        reshuffle the other faults. Precedence: drop, then an error answer, then a truncated
        body, then a slow body; latency adds to any of them.
        """
        o = self._options
        if not o.any:
            return NO_FAULT
        key = (service, action)
        rng = self._rngs.get(key)
        if rng is None:
            rng = self._rngs[key] = random.Random(f"{self._seed}:{service}:{action}")
        draws = [rng.random() for _ in range(6)]
        low, high = o.latency_ms
        latency_ms = rng.uniform(low, high) if high > low else float(low)
        server_error = _UNAVAILABLE if rng.random() < 0.5 else _INTERNAL
        error: FaultError | None = None
        if draws[1] < o.throttle_rate:
            error = _THROTTLED
        elif draws[2] < o.server_error_rate:
            error = server_error
        return FaultPlan(
            latency_s=latency_ms / 1000.0 if draws[0] < o.latency_rate else 0.0,
            error=error,
            drop=draws[3] < o.drop_rate,
            truncate=draws[4] < o.truncate_rate,
            slow=draws[5] < o.slow_body_rate,
        )


def drop_connection(request: web.Request) -> None:
    """Close the TCP connection without a byte of answer (a reset load balancer)."""
    transport = request.transport
    if transport is not None:
        transport.close()


async def write_slowly(
    request: web.Request, response: web.Response, chunk: int, delay_s: float
) -> web.StreamResponse:
    """Send ``response`` in ``chunk``-byte pieces with a pause between them."""
    body = _body_bytes(response)
    stream = _stream_like(response, len(body))
    await stream.prepare(request)
    for start in range(0, len(body), max(1, chunk)):
        await stream.write(body[start : start + chunk])
        await asyncio.sleep(delay_s)
    await stream.write_eof()
    return stream


async def write_truncated(request: web.Request, response: web.Response) -> web.StreamResponse:
    """Declare the full ``Content-Length``, send half of the body, then close the connection."""
    body = _body_bytes(response)
    stream = _stream_like(response, len(body))
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    drop_connection(request)
    return stream


def _body_bytes(response: web.Response) -> bytes:
    body = response.body
    return bytes(body) if isinstance(body, bytes | bytearray) else b""


def _stream_like(response: web.Response, length: int) -> web.StreamResponse:
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = length
    return stream
