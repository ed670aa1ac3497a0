"""The live display renders engine events and request counters, and only on a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from baton_alibaba_cloud.baton.sync.engine import ProgressEvent
from baton_alibaba_cloud.cli._progress import LiveProgress, RequestStats, summary_table


def test_live_display_shows_types_counts_requests_and_throttling() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with LiveProgress(console, stats=lambda: RequestStats(1234, 7)) as progress:
        progress(ProgressEvent("list", "user", resources=5000))
        progress(ProgressEvent("details", "group", resources=40, grants=12345))
    text = out.getvalue()
    for expected in ("Syncing Alibaba Cloud", "user", "5,000", "group", "12,345", "details",
                     "requests 1,234", "throttled 7", "elapsed"):
        assert expected in text


def test_nothing_is_drawn_when_not_a_terminal() -> None:
    out = io.StringIO()
    with LiveProgress(Console(file=out, force_terminal=False)) as progress:
        progress(ProgressEvent("list", "user", resources=1))
    assert out.getvalue() == ""


def test_summary_table_counts() -> None:
    out = io.StringIO()
    Console(file=out, width=80).print(summary_table({"user": 3, "group": 1}, 4, 9))
    text = out.getvalue()
    assert "user" in text and "entitlements" in text and "9" in text


def test_phases_of_the_whole_sync_go_in_the_title_not_in_a_row() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with LiveProgress(console) as progress:
        progress(ProgressEvent("details", "user", resources=3))
        progress(ProgressEvent("expand", ""))
    text = out.getvalue()
    assert "Syncing Alibaba Cloud: expand" in text
    assert not [line for line in text.splitlines() if "│" in line and "expand" in line]
