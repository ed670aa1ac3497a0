"""Printing tables, trees and JSON for people and for programs, safely.

Every ``inspect`` view goes through here, so that three promises hold for all of them:

* **Nothing is cut when the output is not a terminal.** ``rich`` lays a table out for a
  screen (80 columns when it cannot ask), truncating ``acs:ram::5123456…`` so that a
  ``grep`` of ``inspect grants > review.txt`` finds nothing. A table that goes to a pipe or a
  file is printed whole instead: one line per row, columns padded with two spaces, never
  truncated or wrapped. On a terminal the ``rich`` table is kept.
* **Programs get machine formats**: ``json`` (the rows as objects with snake_case keys) and
  ``csv`` (a header row of the same keys, then one record per row, for the ``csv`` module and
  spreadsheets).
* **API data cannot drive the terminal.** Names and descriptions come from the cloud account,
  and anyone who can create a RAM user can put an escape sequence or a NUL byte in its display
  name. Every cell of a table and every label of a tree has its control characters (C0, DEL,
  C1) and the invisible bidirectional overrides written as visible escapes (``\\x1b``,
  ``\\x00``, ``\\u202e``), on a terminal and in a pipe alike; CSV cells are escaped when the
  CSV reaches a terminal and kept byte-exact otherwise; JSON escapes them as JSON does
  (``\\u001b``), including the C1 and bidirectional characters ``json`` leaves raw.

Public API: ``OutputFormat``, ``FORMATS``, ``escape(text)``, ``json_text(data)``,
``json_safe(json_text)``,
``emit_table(console, columns, rows, output_format, *, title=None, data=None)``,
``emit_json(console, data)`` and ``emit_renderable(console, renderable)`` (a tree, printed
without wrapping when not on a terminal). ``console`` is a ``rich`` console: its
``is_terminal`` decides between the screen layout and the whole one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

__all__ = [
    "FORMATS",
    "OutputFormat",
    "Row",
    "emit_json",
    "emit_renderable",
    "emit_table",
    "escape",
    "json_safe",
    "json_text",
    "spreadsheet_cell",
]

OutputFormat = Literal["console", "json", "csv"]
FORMATS: tuple[str, ...] = ("console", "csv", "json")
Row = Mapping[str, object]

_BIDI = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}]")  # json.dumps already escapes \x00-\x1f
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_WIDE = 10**6  # "no width limit" for rich renderables printed to a pipe


_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it, never runs it: a cell that starts like a formula
    (``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'``. Why: names come
    from the API, and a display name such as ``=HYPERLINK(...)`` would otherwise be a live
    formula in the reviewer's spreadsheet (OWASP "CSV injection")."""
    return "'" + value if value.startswith(_FORMULA_LEADS) else value


def escape(text: str) -> str:
    """``text`` with each control or bidirectional-override character made visible.

    ``\\t``, ``\\n`` and ``\\r`` keep their usual names; other characters below U+0100 become
    ``\\xNN`` and the rest ``\\uNNNN``. Printable text, including CJK names, is unchanged."""
    return _UNSAFE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_text(data: object) -> str:
    """Indented JSON in which no character can act on a terminal (still valid JSON)."""
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the C1 controls and the
    bidirectional overrides also written as ``\\uNNNN``: ``json`` escapes only U+0000-U+001F.
    Outside strings JSON holds none of these characters, so the result is the same JSON."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def emit_json(console: Console, data: object) -> None:
    """Print ``data`` as JSON, as is (no markup, no highlighting, no wrapping)."""
    console.out(json_text(data), highlight=False)


def emit_table(
    console: Console,
    columns: Mapping[str, str],
    rows: Sequence[Row],
    output_format: OutputFormat = "console",
    *,
    title: str | None = None,
    data: object | None = None,
) -> None:
    """Print ``rows`` (dicts) as a table, CSV or JSON.

    ``columns`` maps each row key shown to its console title (``{"id": "ID"}``), in order.
    CSV and JSON are for programs and carry every key of the rows (CSV's header is the keys,
    the JSON's names; ``columns`` first, then the others). JSON prints ``data`` when given (a
    view whose JSON is richer than its table), else the rows."""
    if output_format == "json":
        emit_json(console, [dict(row) for row in rows] if data is None else data)
    elif output_format == "csv":
        # straight to the file: rich would expand a tab inside a cell
        keys = list(dict.fromkeys([*columns, *(rows[0] if rows else ())]))
        console.file.write(_csv(keys, rows, escaped=console.is_terminal))
        console.file.flush()
    elif output_format == "console":
        headers = list(columns.values())
        cells = [[escape(_cell(row.get(key))) for key in columns] for row in rows]
        if console.is_terminal:
            console.print(_rich_table(headers, cells, title))
        else:
            console.out(_whole(headers, cells, title), highlight=False)
    else:
        raise ValueError(f"unknown output format {output_format!r}; use one of {FORMATS}")


def emit_renderable(console: Console, renderable: RenderableType) -> None:
    """Print a ``rich`` renderable (a tree): on a terminal as laid out for the screen, else
    at a width no line reaches, so that nothing is wrapped or cut. Labels must already be
    escaped (``escape``)."""
    if console.is_terminal:
        console.print(renderable)
        return
    saved = console.width  # print(width=) is capped at the console's width: widen it
    console.width = _WIDE
    try:
        console.print(renderable, crop=False)
    finally:
        console.width = saved


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _rich_table(headers: Sequence[str], cells: list[list[str]], title: str | None) -> Table:
    """Cells are plain ``Text``: ids such as ``acs:ram::…`` hold ``:ram:``, which markup
    would turn into an emoji, and names may contain ``[...]``."""
    table = Table(*headers, title=title)
    for row in cells:
        table.add_row(*(Text(c) for c in row))
    return table


def _whole(headers: Sequence[str], cells: list[list[str]], title: str | None) -> str:
    """Aligned columns, two spaces apart, no trailing blanks: for pipes, files and grep."""
    grid = [list(headers), ["-" * cell_len(h) for h in headers], *cells]
    widths = [max(cell_len(line[i]) for line in grid) for i in range(len(headers))]
    lines = [] if title is None else [title]
    for line in grid:
        padded = [c + " " * (w - cell_len(c)) for c, w in zip(line, widths, strict=True)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def _csv(keys: list[str], rows: Sequence[Row], *, escaped: bool) -> str:
    """RFC 4180 CSV: a header of the keys, then one record per row (``None`` is empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        values = ["" if row.get(k) is None else _cell(row.get(k)) for k in keys]
        writer.writerow([escape(v) for v in values] if escaped else values)
    return buffer.getvalue()
