"""Rows out as a table, JSON or CSV for the review views (``users``, ``keys``, ``principals``,
``diff``, ``export``, ``findings``), through ``baton.table`` (whole when piped, escaped).

Why a layer on top: the review rows carry booleans and lists that read better as ``yes``/``no``
and ``a, b`` in a table or a spreadsheet, while JSON keeps them typed; and every review flag
reads its ``BATON_*`` variable like all the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import click
from rich.console import Console

from baton_alibaba_cloud.baton.table import FORMATS, OutputFormat, emit_table
from baton_alibaba_cloud.cli._fields import envvar

__all__ = ["Row", "cell_text", "emit", "format_option", "option"]

Row = dict[str, object]
F = TypeVar("F", bound=Callable[..., Any])


def option(*names: str, **kwargs: Any) -> Callable[[F], F]:
    """A ``click.option`` that also reads ``BATON_<LONG_NAME>``, as every flag does."""
    long = next(n for n in names if n.startswith("--"))
    return click.option(*names, envvar=envvar(long[2:]), show_envvar=True, **kwargs)


def format_option(fn: F) -> F:
    """``-o console|csv|json``."""
    return option("-o", "--output-format", type=click.Choice(FORMATS), default="console",
                  show_default=True,
                  help="A table for people (whole when piped), csv or json for programs.")(fn)


def cell_text(value: object) -> object:
    """Booleans as yes/no and lists joined; everything else as it is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(cell_text(v)) for v in value)
    return value


def _header(column: str) -> str:
    words = column.replace("_", " ").title().split()
    return " ".join({"Mfa": "MFA", "Id": "ID"}.get(w, w) for w in words)


def emit(rows: Sequence[Row], output_format: str, *, columns: Sequence[str] | None = None,
         title: str | None = None, data: object = None) -> None:
    """Print ``rows`` on stdout; ``data`` replaces them in JSON when the view says more."""
    keys = list(columns or (rows[0].keys() if rows else []))
    fmt = cast(OutputFormat, output_format)
    shown = rows if fmt == "json" else [{k: cell_text(r.get(k)) for k in keys} for r in rows]
    emit_table(Console(), {k: _header(k) for k in keys}, shown, fmt, title=title,
               data=None if data is None else data)
