"""Every switch of the emulator in one frozen value.

Why one dataclass: tests, the benchmark and the ``emulator`` CLI subcommand all start the same
server with different behaviour (replay recorded requests, hammer quotas, inject faults), and a
single value passed to ``running_emulator`` keeps those knobs discoverable and reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["Clock", "EmulatorOptions", "FaultOptions"]

Clock = Callable[[], float]
"""Seconds since the epoch (``time.time``); injected so that tests never sleep."""


@dataclass(frozen=True)
class FaultOptions:
    """Fault injection, each switch a probability in ``[0, 1]`` per request (0 = off).

    Decisions are drawn from a random generator seeded from ``EmulatorOptions.seed`` and the
    action, so the same sequence of calls to an action meets the same faults on every run.

    - ``latency_rate`` with ``latency_ms`` ``(low, high)``: sleep before answering, fixed when
      ``low == high``, uniform in the range otherwise.
    - ``throttle_rate``: answer ``Throttling.User`` as a real quota would.
    - ``server_error_rate``: answer ``ServiceUnavailable`` (503) or ``InternalError`` (500).
    - ``drop_rate``: close the connection without an answer.
    - ``slow_body_rate``: send the body in ``slow_chunk_bytes`` pieces, ``slow_chunk_delay_ms``
      apart.
    - ``truncate_rate``: declare the full ``Content-Length``, send half of the body, then close.
    """

    latency_rate: float = 0.0
    latency_ms: tuple[int, int] = (0, 0)
    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    drop_rate: float = 0.0
    slow_body_rate: float = 0.0
    slow_chunk_bytes: int = 64
    slow_chunk_delay_ms: int = 5
    truncate_rate: float = 0.0

    @property
    def any(self) -> bool:
        """True when at least one fault can fire (the app skips the draw otherwise)."""
        return any(
            rate > 0
            for rate in (
                self.latency_rate,
                self.throttle_rate,
                self.server_error_rate,
                self.drop_rate,
                self.slow_body_rate,
                self.truncate_rate,
            )
        )


@dataclass(frozen=True)
class EmulatorOptions:
    """How the emulator checks and misbehaves.

    - ``check_clock``: refuse ``x-acs-date`` more than ``clock_window_s`` away from ``clock()``
      (``InvalidTimeStamp.Expired``). Off to replay recorded requests.
    - ``check_nonce``: refuse a ``x-acs-signature-nonce`` seen within the window
      (``SignatureNonceUsed``). Off to replay recorded requests.
    - ``check_signature``: verify V3 signatures at all (off only for quick manual poking).
    - ``authorize``: evaluate the caller's RAM policies (``NoPermission``).
    - ``quotas``: per-account, per-action token buckets (``Throttling.User``);
      ``quota_overrides`` maps ``"ram:ListUsers"`` (service:Action, any case for the service) or
      ``"ListUsers"`` (every service) to requests per second.
    - ``retry_after_header``: add ``x-acs-retry-after`` (ms) to throttled answers; the SDK then
      raises its ``ThrottlingException``. Off by default because the real service is not known
      to send it (docs/alibaba.md §4.1, UNCONFIRMED).
    - ``faults`` and ``seed``: see :class:`FaultOptions`.
    - ``report_delay_s``: how long GenerateCredentialReport takes to build a report on
      ``clock`` (``STARTED``, then ``INPROGRESS`` until it is ready, then ``COMPLETED``); 0
      makes it ready at once, as the emulator did before it modelled the wait.
    - ``cloudsso_task_delay_s``: how long a CloudSSO Create/DeleteAccessAssignment task stays
      ``InProgress`` on ``clock`` before its change (and the member's reserved role) appears.
    - ``clock``: wall clock in epoch seconds, used by the date window, the nonce cache, the
      quotas, STS expiry and the credential report.
    """

    check_clock: bool = True
    check_nonce: bool = True
    check_signature: bool = True
    clock_window_s: float = 15 * 60
    authorize: bool = True
    quotas: bool = True
    quota_overrides: Mapping[str, float] = field(default_factory=dict)
    retry_after_header: bool = False
    faults: FaultOptions = field(default_factory=FaultOptions)
    seed: int = 0
    report_delay_s: float = 1.0
    cloudsso_task_delay_s: float = 1.0
    clock: Clock = time.time

    @classmethod
    def replay(cls) -> EmulatorOptions:
        """Options for replaying recorded requests: no clock or nonce checks, no quotas."""
        return cls(check_clock=False, check_nonce=False, quotas=False)
