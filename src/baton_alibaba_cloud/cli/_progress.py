"""The live progress display of a sync on a terminal, and the summary table after it.

Why only on a terminal: a sync run by cron or CI logs JSON lines to a file, and a redrawn
display would litter that file with escape codes; a person at a terminal wants to see that a
100 000-user sync is moving, how fast, and whether Alibaba is throttling it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

__all__ = ["LiveProgress", "RequestStats", "summary_table"]


@dataclass(frozen=True)
class RequestStats:
    """Requests sent so far, how many were answered with ``Throttling.*``, and how many are
    waiting right now past a few seconds for any answer (a silent endpoint)."""

    requests: int = 0
    throttled: int = 0
    waiting: int = 0


StatsSource = Callable[[], RequestStats]


class _Event(Protocol):
    @property
    def phase(self) -> str: ...
    @property
    def resource_type(self) -> str: ...
    @property
    def resources(self) -> int: ...
    @property
    def grants(self) -> int: ...


class LiveProgress:
    """An engine observer that redraws a table on stderr while the sync runs.

    Use as a context manager; when ``console`` is not a terminal it records nothing and draws
    nothing, so callers need not branch.
    """

    def __init__(self, console: Console, stats: StatsSource | None = None,
                 title: str = "Syncing Alibaba Cloud") -> None:
        self.enabled = console.is_terminal
        self._console = console
        self._stats = stats
        self._title = title
        self._rows: dict[str, tuple[str, int, int]] = {}
        self._phase = ""
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._live: Live | None = None

    def set_stats(self, stats: StatsSource) -> None:
        """Attach the client's counters once the client exists."""
        self._stats = stats

    def __call__(self, event: _Event) -> None:
        if not self.enabled:
            return
        with self._lock:
            if event.resource_type:
                self._rows[event.resource_type] = (event.phase, event.resources, event.grants)
            else:  # a phase of the whole sync (complete, expand, done): the title says it
                self._phase = event.phase
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Group:
        title = f"{self._title}: {self._phase}" if self._phase else self._title
        table = Table(title=title, title_justify="left", expand=False)
        for name, justify in (("Resource type", "left"), ("Phase", "left"),
                              ("Resources", "right"), ("Grants", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        with self._lock:
            rows = sorted(self._rows.items())
        for rtype, (phase, resources, grants) in rows:
            table.add_row(rtype, phase, f"{resources:,}", f"{grants:,}")
        if rows:  # at the end these are the file's counts: the summary's totals
            table.add_section()
            table.add_row("total", "", f"{sum(r[1] for _, r in rows):,}",
                          f"{sum(r[2] for _, r in rows):,}")
        elapsed = time.monotonic() - self._started
        text = f"elapsed {elapsed:,.1f}s"
        if self._stats is not None:
            stats = self._stats()
            text = f"requests {stats.requests:,}  throttled {stats.throttled:,}  {text}"
            if stats.waiting:
                text += f"  no answer yet to {stats.waiting:,} (endpoint silent)"
        footer = Text(text, style="dim")
        return Group(table, footer)

    def __enter__(self) -> LiveProgress:
        if self.enabled:
            self._live = Live(self._render(), console=self._console, refresh_per_second=8,
                              transient=False, get_renderable=self._render)
            self._live.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._live is not None:
            self._live.update(self._render())
            self._live.__exit__(exc_type, exc, tb)
            self._live = None


def summary_table(resources: Mapping[str, int], entitlements: int, grants: int,
                  extra: Mapping[str, Any] | None = None, title: str | None = None) -> Table:
    """Counts per resource type, then entitlements and grants: what ``demo`` prints."""
    table = Table(title=title, title_justify="left")
    table.add_column("Type")
    table.add_column("Count", justify="right")
    for rtype, count in sorted(resources.items()):
        table.add_row(rtype, f"{count:,}")
    table.add_section()
    table.add_row("entitlements", f"{entitlements:,}")
    table.add_row("grants", f"{grants:,}")
    for key, value in (extra or {}).items():
        table.add_row(key, str(value))
    return table
