"""Is this SQLite file's schema a baton v1 schema, object by object, before any query runs?

Why: a c1z is SQLite, and SQLite runs what its schema says. A view named ``v1_resources`` (even
a recursive one that never ends), a trigger that forges grants when a row is written, a
generated column computing a gigabyte: all run inside an innocent ``select``. So ``sqlite_master``
is read first (that runs nothing) and every object must be one of ours, with SQL text that
matches one of the definitions the Go SDK or we have ever written, once comments, case and
spacing are normalised. Older files may lack later columns, optional tables and indexes;
``ALTER TABLE ADD COLUMN`` appends to the stored text, which the comparison accepts.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from baton_alibaba_cloud.baton.c1z.format import C1zFormatError
from baton_alibaba_cloud.baton.c1z.schema import TABLES

__all__ = ["SchemaReport", "check_schema", "inspect_schema"]

# Columns an older Go SDK did not write yet (added by ALTER TABLE in later versions).
_LATER_COLUMNS = {
    "v1_sync_runs": {"linked_sync_id", "supports_diff", "grants_backfilled", "stats",
                     "ingest_invariant_generation", "ingest_invariant_coverage",
                     "ingest_invariant_mode"},
    "v1_grants": {"expansion", "needs_expansion"},
}
_OPTIONAL_TABLES = {"v1_assets", "v1_connector_sessions"}
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_CREATE_TABLE = re.compile(r"^create table (\w+) ?\((.*)\)$", re.DOTALL)


def _normal(sql: str) -> str:
    """Lower case, no comments, single spaces, none beside parentheses and commas."""
    text = " ".join(_COMMENT.sub(" ", sql).lower().split())
    text = text.replace("if not exists ", "")
    return re.sub(r" ?([(),]) ?", r"\1", text).replace(",", ", ").replace("(", " (", 1)


_COLUMNS = {table: {_normal(c): c.split()[0] for c in cols} for table, cols, _ in TABLES}
def _index_name(sql: str) -> str:
    words = _normal(sql).split()
    return words[3] if words[1] == "unique" else words[2]


_INDEXES = {_index_name(sql): _normal(sql) for _, _, indexes in TABLES for sql in indexes}


@dataclass
class SchemaReport:
    """What a file's schema holds: our tables with their columns, and everything else."""

    tables: dict[str, list[str]] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)

    def problem(self) -> str | None:
        """The first reason this is not a baton v1 schema, or ``None``."""
        if self.foreign:
            return self.foreign[0]
        missing = [t for t, _, _ in TABLES if t not in self.tables and t not in _OPTIONAL_TABLES]
        if missing:
            return f"table {missing[0]} is missing"
        for table, _, _ in TABLES:
            have = set(self.tables.get(table, ()))
            need = set(_COLUMNS[table].values()) - _LATER_COLUMNS.get(table, set())
            if table in self.tables and need - have:
                return f"table {table} lacks column {sorted(need - have)[0]}"
        return None


def _table_columns(table: str, sql: str) -> tuple[list[str], str | None]:
    """The columns of our table ``table`` if its SQL is one we know, else why not."""
    match = _CREATE_TABLE.match(_normal(sql))
    if not match or match.group(1) != table:
        return [], f"table {table} is defined with unexpected SQL"
    columns: list[str] = []
    for part in match.group(2).split(", "):
        name = _COLUMNS[table].get(part)
        if name is None or name in columns:
            return [], f"table {table} has an unexpected column ({part.split(' ')[0]})"
        columns.append(name)
    return columns, None


def inspect_schema(con: sqlite3.Connection) -> SchemaReport:
    """Sort every ``sqlite_master`` object into ours or foreign (reading it runs nothing)."""
    report = SchemaReport()
    rows = con.execute("select type, name, tbl_name, sql from sqlite_master").fetchall()
    for kind, name, _table, sql in rows:
        if kind == "table" and name in _COLUMNS and isinstance(sql, str):
            columns, problem = _table_columns(name, sql)
            if problem:
                report.foreign.append(problem)
            else:
                report.tables[name] = columns
        elif kind == "index" and isinstance(sql, str) and _INDEXES.get(name) == _normal(sql):
            continue
        else:
            report.foreign.append(f"unexpected {kind} {name!r}")
    return report


def check_schema(con: sqlite3.Connection, path: Path) -> SchemaReport:
    """Refuse, in one line, a file whose schema is not a baton v1 schema."""
    try:
        report = inspect_schema(con)
    except sqlite3.DatabaseError as exc:
        raise C1zFormatError(f"{path}: not a c1z SQLite database ({exc})") from exc
    problem = report.problem()
    if problem:
        raise C1zFormatError(
            f"{path}: not a baton c1z schema ({problem}); the file is damaged or crafted, "
            "refusing to query it"
        )
    return report
