"""Ctrl-C and SIGTERM stop a SQLite query that runs for a long time (the c1z guards).

Python runs signal handlers only between bytecodes; without the guards' progress handler a
signal waits for the query to end. Here a query that would never end is stopped by a signal
sent from another thread, in the main thread as the CLI runs it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from baton_alibaba_cloud.baton.c1z._guard import (
    MAX_BLOB,
    GuardedError,
    guard_connection,
    guarded,
    signal_guard,
)

ENDLESS = "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r"


def _signal_soon(signum: int, delay: float = 0.3) -> threading.Timer:
    timer = threading.Timer(delay, os.kill, (os.getpid(), signum))
    timer.start()
    return timer


def test_ctrl_c_stops_an_endless_query_promptly() -> None:
    con = guard_connection(sqlite3.connect(":memory:"))
    started = time.monotonic()
    timer = _signal_soon(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), signal_guard(), guarded(Path("x.c1z"), "t"):
        con.execute(ENDLESS).fetchone()
    timer.join()
    assert time.monotonic() - started < 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_sigterm_turned_into_ctrl_c_stops_it_too() -> None:
    """The CLI's SIGTERM handler raises SIGINT from inside its own frame."""
    def on_term(signum: int, frame: object) -> None:
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, on_term)
    con = guard_connection(sqlite3.connect(":memory:"))
    started = time.monotonic()
    timer = _signal_soon(signal.SIGTERM)
    try:
        with pytest.raises(KeyboardInterrupt), signal_guard(), guarded(Path("x.c1z"), "t"):
            con.execute(ENDLESS).fetchone()
    finally:
        timer.join()
        signal.signal(signal.SIGTERM, previous)
    assert time.monotonic() - started < 2


def test_ctrl_c_outside_a_query_is_the_usual_keyboard_interrupt() -> None:
    timer = _signal_soon(signal.SIGINT, 0.05)
    with pytest.raises(KeyboardInterrupt), signal_guard():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pass
    timer.join()


def test_a_value_over_the_cap_is_refused_without_loading_it(tmp_path: Path) -> None:
    db = tmp_path / "blob.db"
    con = sqlite3.connect(db)
    con.execute("create table t (data blob)")
    con.execute("insert into t values (zeroblob(?))", (MAX_BLOB + 1,))
    con.commit()
    con.close()
    con = guard_connection(sqlite3.connect(db))
    with pytest.raises(GuardedError, match="a value in v1_things is larger than the cap"), \
            guarded(Path("x.c1z"), "v1_things"):
        con.execute("select data from t").fetchone()
