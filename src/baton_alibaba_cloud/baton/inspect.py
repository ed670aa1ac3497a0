"""The tables the ``baton`` CLI prints for a c1z (``reference/baton.md`` §6), with ``rich``.

Each ``*_rows`` function returns the data as JSON-ready dicts (snake_case keys, the same columns
as the table), and each ``render_*`` prints it to a ``rich`` console as a table
(``output_format="console"``) or as JSON (``"json"``), so the CLI stays a thin skin:

* ``render_resource_types(reader, console, output_format="console")``: ID, Display Name, Traits
* ``render_resources(reader, console, resource_type=None, output_format="console")``:
  ID, Display Name, Resource Type, Parent Resource (``"<display> (<type>)"`` or ``-``)
* ``render_entitlements(reader, console, resource_type=None, output_format="console")``:
  ID, Display Name, Resource Type, Resource, Permission (the slug)
* ``render_grants(reader, console, resource_type=None, resource_id=None, entitlement_id=None,
  output_format="console")``: ID, Resource Type, Resource, Entitlement, Principal (display names)
* ``render_stats(reader, console, output_format="console")``: the sync, then counts per
  resource type, entitlements and grants
* ``show(path, what, output_format="console", *, console=None, **filters)``: open the file and
  render one of ``resource-types``, ``resources``, ``entitlements``, ``grants``, ``stats``,
  ``access`` (what the CLI's ``inspect`` subcommands call); ``access`` is
  ``baton.access.render_access``, the effective access tree with the path of each entitlement

Cells are plain ``rich`` ``Text``: ids such as ``acs:ram::<uid>:user/x`` contain ``:ram:``, which
rich would otherwise render as an emoji, and names may contain ``[...]`` markup.

Unlike the Go CLI, a dangling reference (a grant whose principal is not in the sync) does not
abort the listing: the raw id is shown instead of the display name, so an incomplete file can
still be inspected.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from baton_alibaba_cloud.baton.access import render_access
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, ResourceType

__all__ = [
    "OutputFormat",
    "entitlement_rows",
    "grant_rows",
    "render_entitlements",
    "render_grants",
    "render_resource_types",
    "render_resources",
    "render_stats",
    "resource_rows",
    "resource_type_rows",
    "show",
    "stats_rows",
]

OutputFormat = Literal["console", "json"]
Row = dict[str, object]


class _Names:
    """Display names looked up once per id: a grants listing touches the same few entitlements
    and principals thousands of times."""

    def __init__(self, reader: C1zReader) -> None:
        self._reader = reader
        self._types: dict[str, str] = {}
        self._resources: dict[tuple[str, str], str] = {}
        self._entitlements: dict[str, Entitlement | None] = {}

    def type_name(self, type_id: str) -> str:
        if type_id not in self._types:
            found = self._reader.get_resource_type(type_id)
            self._types[type_id] = found.display_name if found and found.display_name else type_id
        return self._types[type_id]

    def resource_name(self, rid: ResourceId) -> str:
        key = (rid.resource_type, rid.resource)
        if key not in self._resources:
            found = self._reader.get_resource(*key)
            self._resources[key] = found.display_name if found and found.display_name else key[1]
        return self._resources[key]

    def entitlement(self, entitlement_id: str) -> Entitlement | None:
        if entitlement_id not in self._entitlements:
            self._entitlements[entitlement_id] = self._reader.get_entitlement(entitlement_id)
        return self._entitlements[entitlement_id]


def _parent_label(names: _Names, res: Resource) -> str:
    if not res.HasField("parent_resource_id"):
        return "-"
    parent = res.parent_resource_id
    return f"{names.resource_name(parent)} ({parent.resource_type})"


# --- rows --------------------------------------------------------------------------------------


def resource_type_rows(reader: C1zReader) -> list[Row]:
    """One row per resource type: id, display_name, traits (enum names)."""
    return [
        {
            "id": rt.id,
            "display_name": rt.display_name,
            "traits": [ResourceType.Trait.Name(t) for t in rt.traits],
        }
        for rt in reader.resource_types()
    ]


def resource_rows(reader: C1zReader, resource_type: str | None = None) -> list[Row]:
    """One row per resource: id, display_name, resource_type, parent_resource."""
    names = _Names(reader)
    return [
        {
            "id": res.id.resource,
            "display_name": res.display_name,
            "resource_type": res.id.resource_type,
            "parent_resource": _parent_label(names, res),
        }
        for res in reader.resources(resource_type)
    ]


def entitlement_rows(reader: C1zReader, resource_type: str | None = None) -> list[Row]:
    """One row per entitlement: id, display_name, resource_type, resource, permission (slug)."""
    names = _Names(reader)
    return [
        {
            "id": ent.id,
            "display_name": ent.display_name,
            "resource_type": names.type_name(ent.resource.id.resource_type),
            "resource": names.resource_name(ent.resource.id),
            "permission": ent.slug,
        }
        for ent in reader.entitlements(resource_type)
    ]


def grant_rows(
    reader: C1zReader,
    resource_type: str | None = None,
    resource_id: str | None = None,
    entitlement_id: str | None = None,
) -> list[Row]:
    """One row per grant with display names: id, resource_type, resource, entitlement,
    principal. A ``resource_id`` without ``resource_type`` matches that id in any type."""
    names = _Names(reader)
    resource = (
        ResourceId(resource_type=resource_type, resource=resource_id)
        if resource_type is not None and resource_id is not None
        else None
    )
    rows: list[Row] = []
    for g in reader.grants(entitlement_id, resource=resource, resource_type=resource_type):
        ent = names.entitlement(g.entitlement.id)
        ent_resource = (ent or g.entitlement).resource.id
        if resource_id is not None and ent_resource.resource != resource_id:
            continue
        rows.append({
            "id": g.id,
            "resource_type": names.type_name(ent_resource.resource_type),
            "resource": names.resource_name(ent_resource),
            "entitlement": ent.display_name if ent and ent.display_name else g.entitlement.id,
            "principal": names.resource_name(g.principal.id),
        })
    return rows


def stats_rows(reader: C1zReader) -> Row:
    """The sync (id, type, started_at, ended_at) and its counts."""
    stats = reader.stats()
    run = stats.sync
    return {
        "sync": None if run is None else {
            "id": run.sync_id,
            "type": run.sync_type,
            "started_at": run.started_at,
            "ended_at": run.ended_at,
        },
        "resource_types": stats.resource_types,
        "resources": stats.resources,
        "resources_by_type": stats.resources_by_type,
        "entitlements": stats.entitlements,
        "grants": stats.grants,
    }


# --- rendering ---------------------------------------------------------------------------------


def _emit(
    console: Console, output_format: OutputFormat, data: object, table: Callable[[], object]
) -> None:
    if output_format == "json":
        console.out(json.dumps(data, indent=2, ensure_ascii=False), highlight=False)
    elif output_format == "console":
        console.print(table())
    else:
        raise ValueError(f"unknown output format {output_format!r}; use console or json")


def _table(headers: Sequence[str], rows: list[Row], title: str | None = None) -> Table:
    table = Table(*headers, title=title)
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    return table


def _cell(value: object) -> Text:
    """A literal cell: no markup, no emoji codes (``acs:ram::`` holds ``:ram:``)."""
    return Text(", ".join(value) if isinstance(value, list) else str(value))


def render_resource_types(
    reader: C1zReader, console: Console, output_format: OutputFormat = "console"
) -> None:
    """Print the resource types."""
    rows = resource_type_rows(reader)
    _emit(console, output_format, rows, lambda: _table(["ID", "Display Name", "Traits"], rows))


def render_resources(
    reader: C1zReader,
    console: Console,
    resource_type: str | None = None,
    output_format: OutputFormat = "console",
) -> None:
    """Print the resources, optionally of one type."""
    rows = resource_rows(reader, resource_type)
    headers = ["ID", "Display Name", "Resource Type", "Parent Resource"]
    _emit(console, output_format, rows, lambda: _table(headers, rows))


def render_entitlements(
    reader: C1zReader,
    console: Console,
    resource_type: str | None = None,
    output_format: OutputFormat = "console",
) -> None:
    """Print the entitlements, optionally of one resource type."""
    rows = entitlement_rows(reader, resource_type)
    headers = ["ID", "Display Name", "Resource Type", "Resource", "Permission"]
    _emit(console, output_format, rows, lambda: _table(headers, rows))


def render_grants(
    reader: C1zReader,
    console: Console,
    resource_type: str | None = None,
    resource_id: str | None = None,
    entitlement_id: str | None = None,
    output_format: OutputFormat = "console",
) -> None:
    """Print the grants, optionally of one resource type, resource or entitlement."""
    rows = grant_rows(reader, resource_type, resource_id, entitlement_id)
    headers = ["ID", "Resource Type", "Resource", "Entitlement", "Principal"]
    _emit(console, output_format, rows, lambda: _table(headers, rows))


def render_stats(
    reader: C1zReader, console: Console, output_format: OutputFormat = "console"
) -> None:
    """Print the sync and its counts."""
    data = stats_rows(reader)
    _emit(console, output_format, data, lambda: _stats_tables(data))


def _stats_tables(data: Row) -> Table:
    outer = Table.grid(padding=(1, 0))
    sync = data["sync"]
    if isinstance(sync, dict):
        info = Table("Sync ID", "Type", "Started At", "Ended At", title="Sync")
        info.add_row(*(_cell(sync[k] if sync[k] is not None else "-") for k in sync))
        outer.add_row(info)
    counts = Table("Type", "Count", title="Counts")
    by_type = data["resources_by_type"]
    for type_id, count in by_type.items() if isinstance(by_type, dict) else ():
        counts.add_row(_cell(type_id), _cell(count))
    counts.add_row("entitlements", str(data["entitlements"]))
    counts.add_row("grants", str(data["grants"]))
    outer.add_row(counts)
    return outer


def show(
    path: Path,
    what: str,
    output_format: OutputFormat = "console",
    *,
    console: Console | None = None,
    resource_type: str | None = None,
    resource: str | None = None,
    entitlement: str | None = None,
    principal_type: str | None = None,
    principal: str | None = None,
) -> None:
    """Open ``path`` and render the view ``what`` with the filters it takes (the CLI's entry)."""
    out = console or Console()
    with C1zReader.open(path) as reader:
        if what == "resource-types":
            render_resource_types(reader, out, output_format)
        elif what == "resources":
            render_resources(reader, out, resource_type, output_format)
        elif what == "entitlements":
            render_entitlements(reader, out, resource_type, output_format)
        elif what == "grants":
            render_grants(reader, out, resource_type, resource, entitlement, output_format)
        elif what == "stats":
            render_stats(reader, out, output_format)
        elif what == "access" and principal_type and principal:
            render_access(reader, out, principal_type, principal, output_format)
        else:
            raise ValueError(f"unknown inspect view {what!r} (or missing principal)")
