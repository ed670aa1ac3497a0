"""Limits and interruption for every SQLite connection on a c1z.

Why: a crafted c1z can hold a 500 MB blob in a few hundred KB, or a query plan that runs for
hours. Two guards apply to every connection we open:

* ``SQLITE_LIMIT_LENGTH`` is set to ``MAX_BLOB``: SQLite refuses to load a longer value before
  allocating it ("string or blob too big"), which we report as one line naming the table.
* A progress handler runs every ``_PROGRESS_STEPS`` virtual-machine steps. Python runs signal
  handlers only between bytecodes, so while SQLite is inside one long ``step`` a Ctrl-C or
  SIGTERM would wait for the query to end. The handler gives Python that chance. While a guard
  is installed (main thread only: a reader's life, a writer's open and commit), our SIGINT
  handler sees whether the signal arrived inside a query; if so the query is aborted and the
  signal replayed to the previous handler once SQLite has returned (Python clears exceptions
  raised inside SQLite callbacks); otherwise it is replayed at once. Either way the operation
  then stops with ``KeyboardInterrupt``, also under asyncio, whose handler only cancels the main
  task at its next ``await``. Queries in other threads are stopped with
  ``Connection.interrupt``.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from baton_alibaba_cloud.baton.c1z.format import C1zFormatError

__all__ = ["MAX_BLOB", "GuardedError", "guard_connection", "guarded", "signal_guard"]

MAX_BLOB = 64 * 1024 * 1024
"""The longest value (a message blob, a text) read from a c1z: far above any real message."""
_PROGRESS_STEPS = 10_000

Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

_pending: list[int] = []
_previous: list[Handler] = []
_depth = [0]
_lock = threading.Lock()


class GuardedError(C1zFormatError):
    """A c1z query refused by a guard (a value over ``MAX_BLOB``)."""


def _progress() -> int:
    """SQLite's progress callback: abort once a stopping signal arrived during the query."""
    return 1 if _pending else 0


_PROGRESS_CODE = _progress.__code__


def guard_connection(con: sqlite3.Connection) -> sqlite3.Connection:
    """Apply the blob limit and the progress handler to ``con``; returns it."""
    con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_BLOB)
    con.set_progress_handler(_progress, _PROGRESS_STEPS)
    return con


def _inside_query(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code is _PROGRESS_CODE:
            return True
        frame = frame.f_back
    return False


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _inside_query(frame):
        _pending.append(signum)
        return
    _replay(signum, frame)


def _replay(signum: int, frame: FrameType | None) -> None:
    """Hand the signal to the handler that was installed before ours, then stop the guarded
    operation: a handler that only asks to stop later (asyncio's cancels the main task) would
    let a long synchronous operation run to its end first."""
    previous = _previous[0] if _previous else signal.default_int_handler
    if callable(previous):
        previous(signum, frame)
    raise KeyboardInterrupt


def _loop_handled(handler: Handler) -> bool:
    """``loop.add_signal_handler`` installs a no-op and reads the signal from its wakeup fd: a
    program that does that (the ``serve`` command) stops on its own terms, not ours."""
    return getattr(handler, "__name__", "") == "_sighandler_noop"


@contextlib.contextmanager
def signal_guard() -> Iterator[None]:
    """While inside, a Ctrl-C (or a SIGTERM the CLI turns into one) aborts a running query.
    Nests; does nothing outside the main thread (only it receives signals)."""
    main = threading.current_thread() is threading.main_thread()
    current = signal.getsignal(signal.SIGINT)
    if not main or current in (signal.SIG_IGN, None) or _loop_handled(current):
        yield  # no signals here, Ctrl-C ignored on purpose, or an event loop's own handling
        return
    with _lock:
        if _depth[0] == 0:
            _pending.clear()
            current = signal.getsignal(signal.SIGINT)
            if current is not _on_signal:  # still ours if last left from another thread
                _previous[:] = [current]
            signal.signal(signal.SIGINT, _on_signal)
        _depth[0] += 1
    try:
        yield
    finally:
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0 and signal.getsignal(signal.SIGINT) is _on_signal:
                with contextlib.suppress(ValueError):  # left from another thread
                    signal.signal(signal.SIGINT, _previous[0])


def _raise_pending() -> None:
    """After an aborted query: replay the signal (the previous handler raises, or asyncio
    cancels the run); stop the operation either way."""
    signum = _pending.pop(0)
    _pending.clear()
    _replay(signum, None)


@contextlib.contextmanager
def guarded(path: Path, what: str) -> Iterator[None]:
    """Run queries on the c1z ``path``: an aborted query becomes the signal that aborted it,
    a value over the blob cap one line naming ``what``."""
    try:
        yield
    except sqlite3.OperationalError:
        if _pending:
            _raise_pending()
        raise
    except sqlite3.DataError as exc:
        if "too big" in str(exc):
            raise GuardedError(
                f"{path}: a value in {what} is larger than the cap of {MAX_BLOB} bytes; the "
                "file is damaged or crafted, choose another --file"
            ) from None
        raise
    if _pending:
        _raise_pending()
