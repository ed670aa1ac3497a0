"""``baton.table``: whole tables in pipes, CSV and JSON for programs, escapes everywhere."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from baton_alibaba_cloud.baton.table import (
    emit_renderable,
    emit_table,
    escape,
    json_text,
    spreadsheet_cell,
)

LONG = "acs:ram::5123456789012345:user/" + "a-very-long-user-name-" * 8
HOSTILE = "evil\x1b[31mred\x00nul\u202eright\x9bcsi\ttab\nline"
COLUMNS = {"id": "ID", "name": "Name", "tags": "Tags"}
ROWS: list[dict[str, object]] = [
    {"id": LONG, "name": "Alice", "tags": ["a", "b"]},
    {"id": "u2", "name": HOSTILE, "tags": []},
    {"id": "u3", "name": "名前, \"quoted\"", "tags": None},
]


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=80, color_system=None), out


def test_escape_makes_every_control_character_visible() -> None:
    assert escape(HOSTILE) == (
        "evil\\x1b[31mred\\x00nul\\u202eright\\x9bcsi\\ttab\\nline")
    assert escape("plain 名前 [bold]x[/]") == "plain 名前 [bold]x[/]"
    assert all(ord(c) >= 0x20 for c in escape("".join(map(chr, range(0x100)))))


def test_piped_table_is_whole_and_escaped() -> None:
    console, out = _console(terminal=False)
    emit_table(console, COLUMNS, ROWS)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["ID", "Name", "Tags"]
    assert lines[2].startswith(LONG + "  Alice")  # not cut at 80 columns, not wrapped
    assert len(lines) == 2 + len(ROWS)
    assert escape(HOSTILE) in lines[3] and "\x1b" not in out.getvalue()
    assert lines[4].rstrip().endswith("-")  # None is shown as "-"
    assert all(line == line.rstrip() for line in lines)


def test_terminal_table_is_escaped() -> None:
    console, out = _console(terminal=True)
    emit_table(console, COLUMNS, ROWS[1:2])
    text = out.getvalue()
    assert "\x00" not in text and "\u202e" not in text and "\\x1b[31mred" in text


def test_csv_parses_back_and_keeps_bytes_when_piped() -> None:
    console, out = _console(terminal=False)
    emit_table(console, COLUMNS, ROWS, "csv")
    parsed = list(csv.reader(io.StringIO(out.getvalue())))
    assert parsed[0] == ["id", "name", "tags"]
    assert parsed[1:] == [[LONG, "Alice", "a, b"], ["u2", HOSTILE, ""],
                          ["u3", "名前, \"quoted\"", ""]]


def test_csv_on_a_terminal_is_escaped() -> None:
    console, out = _console(terminal=True)
    emit_table(console, COLUMNS, ROWS, "csv")
    assert "\x1b" not in out.getvalue() and escape(HOSTILE) in out.getvalue()


def test_csv_of_no_rows_is_the_header() -> None:
    console, out = _console(terminal=False)
    emit_table(console, COLUMNS, [], "csv")
    assert out.getvalue() == "id,name,tags\n"


@pytest.mark.parametrize("terminal", [True, False])
def test_json_is_json_escaped(terminal: bool) -> None:
    console, out = _console(terminal=terminal)
    emit_table(console, COLUMNS, ROWS, "json")
    text = out.getvalue()
    assert json.loads(text) == ROWS
    assert all(c not in text for c in "\x1b\x00\u202e\x9b")
    assert "\\u001b" in text and "\\u202e" in text and "\\u009b" in text
    assert json.loads(json_text({"k": HOSTILE})) == {"k": HOSTILE}


def test_renderable_is_not_wrapped_when_piped() -> None:
    console, out = _console(terminal=False)
    tree = Tree(Text(LONG))
    tree.add(Text(LONG + " " + LONG))
    emit_renderable(console, tree)
    assert out.getvalue().splitlines() == [LONG, f"└── {LONG} {LONG}"]
    assert console.width == 80


def test_unknown_format_is_refused() -> None:
    console, _ = _console(terminal=False)
    with pytest.raises(ValueError, match="unknown output format"):
        emit_table(console, COLUMNS, ROWS, "xml")  # type: ignore[arg-type]


def test_spreadsheet_cell_quotes_what_a_spreadsheet_would_run() -> None:
    for lead in ("=", "+", "-", "@", "\t", "\r"):
        assert spreadsheet_cell(lead + "1+1") == "'" + lead + "1+1"
    assert spreadsheet_cell("alice") == "alice"
    assert spreadsheet_cell("") == ""
