"""A principal's effective access, and the path by which each entitlement is held.

After expansion a c1z says *that* a user holds a policy, and each expanded grant's ``sources``
names the entitlements it came through. Following those sources back, grant by grant, turns
"alice holds policy:ReadOnly:attached" into "via group dev-team" or "via role ops -> role
admin": the answer an auditor wants from ``inspect access``. Only the principal's own grants are
read (indexed by principal), so this stays cheap on a large file.

Public API:

* ``effective_access(reader, principal_type, principal_id) -> EffectiveAccess``
* ``held_paths(reader, principal, entitlement_ids) -> {entitlement id: [AccessPath]}``
* ``access_json(access) -> dict`` (JSON-ready; paths as lists of hops)
* ``access_rows(access) -> list[dict]`` (one row per entitlement and path, for CSV)
* ``access_tree(access) -> rich.tree.Tree`` and ``render_access(reader, console,
  principal_type, principal_id, output_format="console"|"json"|"csv")``
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceId
from baton_alibaba_cloud.baton.table import OutputFormat, emit_renderable, emit_table, escape

__all__ = [
    "AccessPath",
    "EffectiveAccess",
    "HeldEntitlement",
    "Hop",
    "ResourceAccess",
    "access_json",
    "access_rows",
    "access_tree",
    "effective_access",
    "held_paths",
    "render_access",
]

MAX_HOPS = 20  # Go's default expansion depth: no real path is longer
MAX_PATHS = 8  # per entitlement; diamonds multiply paths and a tree of hundreds helps no one


@dataclass(frozen=True)
class Hop:
    """One entitlement a path goes through, e.g. the ``member`` entitlement of group dev-team."""

    entitlement_id: str
    resource_type: str
    resource_id: str
    resource_name: str

    def label(self) -> str:
        return f"{self.resource_type} {self.resource_name}"


@dataclass(frozen=True)
class AccessPath:
    """How an entitlement is held: ``hops`` from the one held directly outwards; empty means
    the principal holds the entitlement directly."""

    hops: tuple[Hop, ...] = ()

    @property
    def direct(self) -> bool:
        return not self.hops

    def label(self) -> str:
        if not self.hops:
            return "direct"
        return "via " + " → ".join(hop.label() for hop in self.hops)


@dataclass
class HeldEntitlement:
    """One entitlement the principal holds, with every path found (direct first)."""

    entitlement_id: str
    slug: str
    display_name: str
    grant_id: str
    paths: list[AccessPath]


@dataclass
class ResourceAccess:
    """Everything held on one resource."""

    resource_type: str
    resource_id: str
    display_name: str
    entitlements: list[HeldEntitlement] = field(default_factory=list)


@dataclass
class EffectiveAccess:
    """The answer to ``inspect access``: the principal and what it holds, by resource."""

    principal_type: str
    principal_id: str
    display_name: str
    resources: list[ResourceAccess]


def effective_access(
    reader: C1zReader, principal_type: str, principal_id: str
) -> EffectiveAccess:
    """Every grant whose principal is the given one, grouped by resource, with its paths."""
    principal = ResourceId(resource_type=principal_type, resource=principal_id)
    held = {g.entitlement.id: g for g in reader.grants(principal=principal)}
    names = _Names(reader)
    tracer = _PathTracer(held, names)
    by_resource: dict[tuple[str, str], ResourceAccess] = {}
    for ent_id in sorted(held):
        grant = held[ent_id]
        ent = reader.get_entitlement(ent_id) or grant.entitlement
        rid = ent.resource.id
        key = (rid.resource_type, rid.resource)
        if key not in by_resource:
            by_resource[key] = ResourceAccess(key[0], key[1], names.resource(key))
        slug = ent.slug or ent_id.rsplit(":", 1)[-1]
        by_resource[key].entitlements.append(
            HeldEntitlement(ent_id, slug, ent.display_name or slug, grant.id, tracer.paths(ent_id))
        )
    return EffectiveAccess(
        principal_type=principal_type,
        principal_id=principal_id,
        display_name=names.resource((principal_type, principal_id)),
        resources=[by_resource[key] for key in sorted(by_resource)],
    )


def held_paths(
    reader: C1zReader, principal: ResourceId, entitlement_ids: list[str]
) -> dict[str, list[AccessPath]]:
    """The paths by which ``principal`` holds each of ``entitlement_ids`` (the reverse views,
    ``inspect principals`` and the findings, ask this once per holder)."""
    held = {g.entitlement.id: g for g in reader.grants(principal=principal)}
    tracer = _PathTracer(held, _Names(reader))
    return {ent_id: tracer.paths(ent_id) for ent_id in entitlement_ids if ent_id in held}


class _Names:
    """Display names, each looked up once."""

    def __init__(self, reader: C1zReader) -> None:
        self._reader = reader
        self._resources: dict[tuple[str, str], str] = {}
        self._owners: dict[str, tuple[str, str]] = {}

    def resource(self, key: tuple[str, str]) -> str:
        if key not in self._resources:
            res = self._reader.get_resource(*key)
            self._resources[key] = res.display_name if res and res.display_name else key[1]
        return self._resources[key]

    def hop(self, entitlement_id: str, grant: Grant | None) -> Hop:
        if entitlement_id not in self._owners:
            ent = self._reader.get_entitlement(entitlement_id)
            if ent is None and grant is not None:
                ent = grant.entitlement
            rid = ent.resource.id if ent is not None else None
            if rid is not None and rid.resource_type:
                self._owners[entitlement_id] = (rid.resource_type, rid.resource)
            else:  # not stored: fall back to the id's own "<type>:<id>:<slug>" shape
                parts = entitlement_id.split(":")
                self._owners[entitlement_id] = (parts[0], ":".join(parts[1:-1]) or parts[0])
        owner = self._owners[entitlement_id]
        return Hop(entitlement_id, owner[0], owner[1], self.resource(owner))


class _PathTracer:
    """Follows ``sources`` back through the principal's own grants."""

    def __init__(self, held: dict[str, Grant], names: _Names) -> None:
        self._held = held
        self._names = names
        self._memo: dict[str, list[AccessPath]] = {}

    def paths(self, ent_id: str) -> list[AccessPath]:
        return self._paths(ent_id, frozenset())

    def _paths(self, ent_id: str, seen: frozenset[str]) -> list[AccessPath]:
        if ent_id in self._memo:
            return self._memo[ent_id]
        grant = self._held.get(ent_id)
        sources = dict(grant.sources.sources) if grant is not None else {}
        found: list[AccessPath] = []
        if not sources or ent_id in sources:
            found.append(AccessPath())  # no sources, or itself listed: held directly
        for src in sorted(sources):
            if src == ent_id or src in seen or len(seen) >= MAX_HOPS:
                continue
            hop = self._names.hop(src, self._held.get(src))
            for inner in self._paths(src, seen | {ent_id}):
                found.append(AccessPath((*inner.hops, hop)))
        found = sorted(set(found), key=lambda p: (len(p.hops), p.label()))[:MAX_PATHS]
        if not seen:
            self._memo[ent_id] = found
        return found


# --- output ------------------------------------------------------------------------------------


def access_json(access: EffectiveAccess) -> dict[str, object]:
    """JSON-ready form: resources, entitlements, and each path as its list of hops."""
    return {
        "principal": {
            "type": access.principal_type,
            "id": access.principal_id,
            "display_name": access.display_name,
        },
        "resources": [
            {
                "resource_type": res.resource_type,
                "resource_id": res.resource_id,
                "display_name": res.display_name,
                "entitlements": [_held_json(held) for held in res.entitlements],
            }
            for res in access.resources
        ],
    }


def _held_json(held: HeldEntitlement) -> dict[str, object]:
    return {
        "entitlement_id": held.entitlement_id,
        "slug": held.slug,
        "grant_id": held.grant_id,
        "direct": any(path.direct for path in held.paths),
        "paths": [
            {
                "label": path.label(),
                "via": [
                    {
                        "entitlement_id": hop.entitlement_id,
                        "resource_type": hop.resource_type,
                        "resource_id": hop.resource_id,
                        "display_name": hop.resource_name,
                    }
                    for hop in path.hops
                ],
            }
            for path in held.paths
        ],
    }


def access_tree(access: EffectiveAccess) -> Tree:
    """The ``rich`` tree: principal -> resource (type) -> slug, annotated with its paths.

    Labels are ``Text``, never markup: names and ids are shown literally (a fallback id
    ``acs:ram::…`` holds ``:ram:``, which markup would turn into an emoji), with their control
    characters escaped (``baton.table.escape``)."""
    root = Tree(Text.assemble(
        "Effective access for ", (escape(access.display_name), "bold"),
        f" ({escape(access.principal_type)})"
    ))
    if not access.resources:
        root.add(Text("no grants", style="dim"))
    for res in access.resources:
        branch = root.add(Text.assemble(escape(res.display_name),
                                        (f" ({escape(res.resource_type)})", "dim")))
        for held in res.entitlements:
            # two entitlements of one resource (a group's member and admin) read the same
            labels = list(dict.fromkeys(escape(p.label()) for p in held.paths)) or ["direct"]
            if len(labels) == 1:  # the common case stays on one line
                branch.add(Text.assemble(escape(held.slug), "  ", (labels[0], "dim")))
                continue
            leaf = branch.add(Text(escape(held.slug)))
            for label in labels:
                leaf.add(Text(label, style="dim"))
    return root


def access_rows(access: EffectiveAccess) -> list[dict[str, object]]:
    """One flat row per (entitlement, path), for CSV: a spreadsheet has no tree."""
    return [
        {"resource_type": res.resource_type, "resource_id": res.resource_id,
         "resource": res.display_name, "entitlement": held.slug,
         "entitlement_id": held.entitlement_id, "path": path.label()}
        for res in access.resources
        for held in res.entitlements
        for path in held.paths or [AccessPath()]
    ]


def render_access(
    reader: C1zReader,
    console: Console,
    principal_type: str,
    principal_id: str,
    output_format: OutputFormat = "console",
) -> None:
    """Print one principal's effective access as a tree, JSON, or CSV rows."""
    access = effective_access(reader, principal_type, principal_id)
    if output_format == "console":
        emit_renderable(console, access_tree(access))
        return
    columns = {key: key for key in ("resource_type", "resource_id", "resource", "entitlement",
                                    "entitlement_id", "path")}
    emit_table(console, columns, access_rows(access), output_format, data=access_json(access))
