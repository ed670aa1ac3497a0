"""The tables the ``baton`` CLI prints for a c1z, without Go.

Each ``*_rows`` function returns the data as JSON-ready dicts (snake_case keys), and each
``render_*`` prints it through ``baton.table`` (a table on a terminal, the whole table in a
pipe, ``csv`` or ``json``), so the CLI stays a thin skin:

* ``render_resource_types(reader, console, output_format="console")``: ID, Display Name, Traits
* ``render_resources(reader, console, resource_type=None, output_format="console")``:
  ID, Display Name, Resource Type, Parent Resource (``"<display> (<type>)"`` or ``-``)
* ``render_entitlements(reader, console, resource_type=None, output_format="console")``:
  ID, Display Name, Resource Type, Resource, Permission (the slug)
* ``render_grants(reader, console, resource_type=None, resource_id=None, entitlement_id=None,
  output_format="console")``: Resource Type, Resource, Entitlement (slug), Principal Type,
  Principal ID, Principal (name), Held (``direct`` or ``via group Developers``), Grant ID
* ``render_stats(reader, console, output_format="console")``: the sync, then counts per
  resource type, entitlements and grants
* ``show(path, what, output_format="console", *, console=None, **filters)``: open the file and
  render one of ``resource-types``, ``resources``, ``entitlements``, ``grants``, ``stats``,
  ``access`` (what the CLI's ``inspect`` subcommands call); ``access`` is
  ``baton.access.render_access``, the effective access tree with the path of each entitlement

Unlike the Go CLI, a dangling reference (a grant whose principal is not in the sync) does not
abort the listing: the raw id is shown instead of the display name, so an incomplete file can
still be inspected.
"""

from __future__ import annotations

from pathlib import Path

from google.protobuf.json_format import MessageToDict
from rich.console import Console

from baton_alibaba_cloud.baton.access import render_access
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.lookup import (
    check_entitlement,
    check_resource,
    check_resource_type,
    resolve_principal,
)
from baton_alibaba_cloud.baton.pb import annotation_trait_pb2, annotations_pb2
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, ResourceType
from baton_alibaba_cloud.baton.table import OutputFormat, emit_table

_DESCRIPTORS = (annotation_trait_pb2, annotations_pb2)  # MessageToDict resolves Any by them

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

Row = dict[str, object]


class _Names:
    """Display names looked up once per id: a grants listing touches the same few entitlements
    and principals thousands of times."""

    def __init__(self, reader: C1zReader) -> None:
        self._reader = reader
        self._resources: dict[tuple[str, str], str] = {}
        self._entitlements: dict[str, Entitlement | None] = {}

    def resource_name(self, rid: ResourceId) -> str:
        key = (rid.resource_type, rid.resource)
        if key not in self._resources:
            found = self._reader.get_resource(*key)
            self._resources[key] = found.display_name if found and found.display_name else key[1]
        return self._resources[key]

    def entitlement_owner(self, entitlement_id: str) -> str:
        """``group Developers``: the type and name of the resource an entitlement is on."""
        ent = self.entitlement(entitlement_id)
        if ent is None:
            return entitlement_id
        return f"{ent.resource.id.resource_type} {self.resource_name(ent.resource.id)}"

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


def resource_rows(
    reader: C1zReader, resource_type: str | None = None, *, detail: bool = False
) -> list[Row]:
    """One row per resource: id, display_name, resource_type, parent_resource; with
    ``detail`` (JSON) also everything else the connector wrote: description, status,
    created_at, profile and each trait annotation, so no fact in the file needs a script."""
    names = _Names(reader)
    rows: list[Row] = []
    for res in reader.resources(resource_type):
        row: Row = {
            "id": res.id.resource,
            "display_name": res.display_name,
            "resource_type": res.id.resource_type,
            "parent_resource": _parent_label(names, res),
        }
        if detail:
            row.update(_resource_detail(res))
        rows.append(row)
    return rows


def _resource_detail(res: Resource) -> Row:
    """The message as protojson (camelCase keys, as ``baton`` prints it), minus what the row
    already says; each annotation keeps its ``@type``."""
    full = MessageToDict(res)
    for key in ("id", "displayName"):
        full.pop(key, None)
    return {"detail": full}


def entitlement_rows(reader: C1zReader, resource_type: str | None = None) -> list[Row]:
    """One row per entitlement: id, display_name, resource_type, resource, permission (slug)."""
    names = _Names(reader)
    return [
        {
            "id": ent.id,
            "display_name": ent.display_name,
            "resource_type": ent.resource.id.resource_type,
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
    """One row per grant: the resource (type id, id, name), the entitlement (slug, id), the
    principal (type id, id, name), and how it is held: ``direct``, or ``via`` the entitlements
    it was expanded from (``via group Developers``). A ``resource_id`` without
    ``resource_type`` matches that id in any type."""
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
        sources = [src for src in sorted(g.sources.sources) if src != g.entitlement.id]
        direct = not sources or g.entitlement.id in g.sources.sources
        rows.append({
            "resource_type": ent_resource.resource_type,
            "resource_id": ent_resource.resource,
            "resource": names.resource_name(ent_resource),
            "entitlement": (ent or g.entitlement).slug or g.entitlement.id.rsplit(":", 1)[-1],
            "entitlement_id": g.entitlement.id,
            "principal_type": g.principal.id.resource_type,
            "principal_id": g.principal.id.resource,
            "principal": names.resource_name(g.principal.id),
            "held": _held_label(names, direct, sources),
            "via": sources,
            "id": g.id,
        })
    return rows


def _held_label(names: _Names, direct: bool, sources: list[str]) -> str:
    """``direct``, ``via group Developers``, or both (``direct; via ...``)."""
    via = [names.entitlement_owner(src) for src in sources]
    parts = (["direct"] if direct else []) + ([f"via {', '.join(via)}"] if via else [])
    return "; ".join(parts)


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


def render_resource_types(
    reader: C1zReader, console: Console, output_format: OutputFormat = "console"
) -> None:
    """Print the resource types."""
    columns = {"id": "ID", "display_name": "Display Name", "traits": "Traits"}
    emit_table(console, columns, resource_type_rows(reader), output_format)


def render_resources(
    reader: C1zReader,
    console: Console,
    resource_type: str | None = None,
    output_format: OutputFormat = "console",
) -> None:
    """Print the resources, optionally of one type."""
    columns = {"id": "ID", "display_name": "Display Name", "resource_type": "Resource Type",
               "parent_resource": "Parent Resource"}
    rows = resource_rows(reader, resource_type, detail=output_format == "json")
    emit_table(console, columns, rows, output_format)


def render_entitlements(
    reader: C1zReader,
    console: Console,
    resource_type: str | None = None,
    output_format: OutputFormat = "console",
) -> None:
    """Print the entitlements, optionally of one resource type."""
    columns = {"id": "ID", "display_name": "Display Name", "resource_type": "Resource Type",
               "resource": "Resource", "permission": "Permission"}
    emit_table(console, columns, entitlement_rows(reader, resource_type), output_format)


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
    columns = {"resource_type": "Resource Type", "resource": "Resource",
               "entitlement": "Entitlement", "principal_type": "Principal Type",
               "principal_id": "Principal ID", "principal": "Principal", "held": "Held",
               "id": "Grant ID"}
    emit_table(console, columns, rows, output_format)


def render_stats(
    reader: C1zReader, console: Console, output_format: OutputFormat = "console"
) -> None:
    """Print the sync and its counts: two tables (sync, counts); one JSON object; CSV of the
    counts (type, count)."""
    data = stats_rows(reader)
    counts = _count_rows(data)
    if output_format != "console":
        emit_table(console, {"type": "Type", "count": "Count"}, counts, output_format,
                   data=data)
        return
    sync = data["sync"]
    if isinstance(sync, dict):
        emit_table(console, {"id": "Sync ID", "type": "Type", "started_at": "Started At",
                             "ended_at": "Ended At"}, [sync], title="Sync")
        console.out("")
    emit_table(console, {"type": "Type", "count": "Count"}, counts, title="Counts")


def _count_rows(data: Row) -> list[Row]:
    by_type = data["resources_by_type"]
    rows: list[Row] = [{"type": type_id, "count": count}
                       for type_id, count in (by_type.items() if isinstance(by_type, dict)
                                              else ())]
    rows.append({"type": "entitlements", "count": data["entitlements"]})
    rows.append({"type": "grants", "count": data["grants"]})
    return rows


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
    """Open ``path`` and render the view ``what`` with the filters it takes (the CLI's entry).

    Every filter is checked first: an unknown type, id or entitlement raises
    ``lookup.UnknownName`` (with the closest valid names) instead of printing an empty table."""
    out = console or Console()
    with C1zReader.open(path) as reader:
        if resource_type is not None:
            check_resource_type(reader, resource_type)
        if what == "resource-types":
            render_resource_types(reader, out, output_format)
        elif what == "resources":
            render_resources(reader, out, resource_type, output_format)
        elif what == "entitlements":
            render_entitlements(reader, out, resource_type, output_format)
        elif what == "grants":
            if resource is not None:
                check_resource(reader, resource_type, resource)
            if entitlement is not None:
                check_entitlement(reader, entitlement)
            render_grants(reader, out, resource_type, resource, entitlement, output_format)
        elif what == "stats":
            render_stats(reader, out, output_format)
        elif what == "access" and principal_type and principal:
            principal_id = resolve_principal(reader, principal_type, principal)
            render_access(reader, out, principal_type, principal_id, output_format)
        else:
            raise ValueError(f"unknown inspect view {what!r} (or missing principal)")
