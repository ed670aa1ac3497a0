"""The IMS credential report: ask for it, wait until it is built, read every page, parse it.

Why a wait: GenerateCredentialReport only starts a report. It answers ``STARTED`` when it
begins one, ``INPROGRESS`` while it is being built and ``COMPLETED`` once the latest report is
ready (asking again within four hours returns that one); GetCredentialReport before a report
is ready is refused. So the report is polled with a bounded, doubling backoff (0.5 s, 1, 2, 4,
4 … s, at most about a minute in all) and read only after ``COMPLETED``. Each poll is a new
question about a changing state, not a page fetched twice. Anything else (a refusal, an
unknown state, the minute running out) is ``None``: the caller falls back to per-user calls.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass

from baton_alibaba_cloud.alibaba import AlibabaError
from baton_alibaba_cloud.alibaba.paging import PageGuard
from baton_alibaba_cloud.connector._context import Api

__all__ = ["ReportError", "ReportPoller", "fetch_report", "parse_report"]

log = logging.getLogger(__name__)

Rows = dict[str, Mapping[str, str]]
"""Report rows by UPN, each a mapping of column name to cell."""

_WAITING = frozenset({"STARTED", "INPROGRESS"})
_PAGE = "3501"  # the largest page (3,500 users and <root>): one request for most accounts


@dataclass(frozen=True)
class ReportPoller:
    """How long and how often to ask whether the report is ready.

    ``sleep`` and ``clock`` are injected so that tests run the whole schedule without waiting.
    """

    first_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 4.0
    budget: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic

    def delays(self) -> list[float]:
        """The waits between polls, in order, summing to at most ``budget``."""
        found: list[float] = []
        delay, total = self.first_delay, 0.0
        while delay > 0 and total + delay <= self.budget:
            found.append(delay)
            total += delay
            delay = min(delay * self.factor, self.max_delay)
        return found


async def fetch_report(api: Api, poller: ReportPoller,
                       keep: frozenset[str] | None = None) -> Rows | None:
    """Every user's report row (only the ``keep`` columns when given), or ``None`` (with one
    warning) when it cannot be had."""
    try:
        state = await _wait_until_ready(api, poller)
        if state != "COMPLETED":
            if state in _WAITING:
                log.warning("credential report not ready after %.0f s (still %s); using "
                            "per-user calls", poller.budget, state)
            else:
                log.warning("credential report answered the unknown state %r; using per-user "
                            "calls", state)
            return None
        contents = await _read_pages(api)
    except AlibabaError as exc:
        log.warning("credential report unavailable (%s); using per-user calls", exc.code)
        return None
    try:
        return parse_report(contents, keep)
    except ReportError as exc:
        log.warning("credential report unreadable (%s); using per-user calls", exc)
        return None


async def _wait_until_ready(api: Api, poller: ReportPoller) -> str:
    """The last ``State`` GenerateCredentialReport gave: ``COMPLETED`` unless time ran out."""
    started = poller.clock()
    delays = iter(poller.delays())
    while True:
        answer = await api.call("ims", "GenerateCredentialReport", {})
        state = str(answer.get("State") or "").strip().upper()
        if state not in _WAITING:
            return state
        delay = next(delays, None)
        if delay is None or poller.clock() - started + delay > poller.budget:
            return state
        log.debug("credential report %s; asking again in %.1f s", state, delay)
        await poller.sleep(delay)


async def _read_pages(api: Api) -> list[str]:
    """Each page's Base64 ``Content``, following ``NextToken`` while ``IsTruncated``; a token
    seen before, or more pages or bytes than the largest account's report, stops the loop."""
    guard = PageGuard("ims", "GetCredentialReport", int(_PAGE))
    contents: list[str] = []
    params: dict[str, str] = {"MaxItems": _PAGE}
    while True:
        page = await api.call("ims", "GetCredentialReport", params)
        content = str(page.get("Content") or "")
        guard.page(len(content))
        contents.append(content)
        if str(page.get("IsTruncated", "false")).lower() != "true":
            return contents
        token = guard.token("NextToken", page.get("NextToken"))
        params = {"MaxItems": _PAGE, "NextToken": token}


def parse_report(pages: list[str], keep: frozenset[str] | None = None) -> Rows:
    """Rows of a credential report by UPN, from each page's Base64 ``Content``.

    Columns are read by header name (unknown ones are kept, missing ones are absent). Whether
    the real service repeats the header on every page is not documented (the emulator does), so
    either works: a row with a ``user`` cell is a header, read again as the columns of the rows
    after it (their order may even change), and never a user. The ``<root>`` row (the account)
    is left out. With ``keep``, a row holds only those columns: an organization holds every
    member's report at once (50 accounts of 1,000 users: about 60 MB with every column).
    """
    layout: _Layout | None = None
    cells: dict[str, str] = {}
    rows: Rows = {}
    for number, content in enumerate(pages, 1):
        for record in _records(content, number):
            if not any(cell.strip() for cell in record):
                continue
            if layout is None or _is_header(record):
                layout = _Layout.of([cell.strip().lstrip("\ufeff") for cell in record], keep)
                continue
            user = record[layout.user].strip() if 0 <= layout.user < len(record) else ""
            if user and user != "<root>":
                # the same flag text ("TRUE", "N/A") is one string for every row
                rows[user] = _Row(layout, tuple(cells.setdefault(record[i], record[i])
                                                for i in layout.indexes if i < len(record)))
    if layout is None:
        raise ReportError("no header row with a user column")
    return rows


@dataclass(frozen=True)
class _Layout:
    """Where a header's kept columns sit: ``names`` gives each its position in a row's cells,
    ``indexes`` the record index of each position (in record order, so a short record keeps a
    prefix). A name repeated in the header is read from its last column."""

    names: dict[str, int]
    indexes: tuple[int, ...]
    user: int

    @staticmethod
    def of(header: list[str], keep: frozenset[str] | None) -> _Layout:
        last = {name: index for index, name in enumerate(header)}
        chosen = sorted(i for name, i in last.items() if keep is None or name in keep)
        return _Layout({header[i]: position for position, i in enumerate(chosen)},
                       tuple(chosen), last.get("user", -1))


class _Row(Mapping[str, str]):
    """One report row's kept cells, as compact as a tuple: an organization holds every member's
    report until its users are enriched (50 accounts of 1,000 users), and a dict per row with
    its own copy of each flag was about 600 bytes a user."""

    __slots__ = ("_cells", "_layout")

    def __init__(self, layout: _Layout, cells: tuple[str, ...]) -> None:
        self._layout = layout
        self._cells = cells

    def __getitem__(self, name: str) -> str:
        position = self._layout.names.get(name, len(self._cells))
        if position >= len(self._cells):
            raise KeyError(name)
        return self._cells[position]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._layout.names)[:len(self._cells)])

    def __len__(self) -> int:
        return len(self._cells)


class ReportError(ValueError):
    """A credential report that cannot be read: the caller falls back to per-user calls."""


def _records(content: str, number: int) -> list[list[str]]:
    """The CSV records of one page's Base64 ``Content`` (strictly Base64, UTF-8 and CSV)."""
    try:
        text = base64.b64decode(content, validate=True).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportError(f"page {number} is not UTF-8 text") from None
    except ValueError:
        raise ReportError(f"page {number} is not Base64") from None
    if "\x00" in text:
        raise ReportError(f"page {number} holds NUL bytes")
    try:
        return list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error as error:
        raise ReportError(f"page {number} is not CSV ({error})") from None


def _is_header(record: list[str]) -> bool:
    """Whether ``record`` is a header row: one of its cells is the column name ``user`` (a
    data row's cells are UPNs, ``<root>``, times and flags, never that word)."""
    return any(cell.strip().lstrip("\ufeff") == "user" for cell in record)
