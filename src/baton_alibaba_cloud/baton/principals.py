"""Reverse access: every principal holding a resource's entitlements, with the path each holds
it by (``inspect principals``), and finding a resource by its id or its display name.

``inspect access`` answers "what can alice do, and how?"; a reviewer of a policy asks the other
question, "who holds AdministratorAccess, and through what?". The holders are the grants of the
entitlement (indexed by entitlement); each holder's path is traced through its own grants'
``sources`` exactly as ``inspect access`` does (``access.held_paths``), so both views agree.

Public API: ``find_resource(reader, ref, resource_type=None) -> Resource`` (raises
``ResourceNotFound`` with suggestions, or ``AmbiguousResource``), ``holders(reader, resource,
slug=None) -> list[Holder]``, ``holder_rows`` and ``holders_json``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from baton_alibaba_cloud.baton.access import AccessPath, held_paths
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource

__all__ = [
    "AmbiguousResource",
    "Holder",
    "ResourceNotFound",
    "UnknownEntitlement",
    "find_resource",
    "holder_rows",
    "holders",
    "holders_json",
]


class ResourceNotFound(LookupError):
    """No resource has this id or display name."""


class AmbiguousResource(LookupError):
    """Several resources have this display name."""


class UnknownEntitlement(LookupError):
    """The resource offers no entitlement with this slug."""


@dataclass(frozen=True)
class Holder:
    """One principal holding one entitlement, with every path found (direct first)."""

    entitlement_id: str
    slug: str
    principal_type: str
    principal_id: str
    display_name: str
    paths: tuple[AccessPath, ...]

    @property
    def direct(self) -> bool:
        return any(path.direct for path in self.paths)


def find_resource(reader: C1zReader, ref: str, resource_type: str | None = None) -> Resource:
    """The resource whose id is ``ref``, else the one whose display name is ``ref``."""
    by_name: list[Resource] = []
    candidates: set[str] = set()
    for res in reader.resources(resource_type):
        if res.id.resource == ref:
            return res
        if res.display_name == ref:
            by_name.append(res)
        candidates.update((res.id.resource, res.display_name))
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        listed = ", ".join(f"{r.id.resource_type} {r.id.resource}" for r in by_name[:10])
        raise AmbiguousResource(f"{len(by_name)} resources are named {ref!r} ({listed}); "
                                "give the resource id, or its type with -t")
    near = difflib.get_close_matches(ref, sorted(candidates), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else (
        "; list them with `inspect resources`")
    kind = f" of type {resource_type}" if resource_type else ""
    raise ResourceNotFound(f"no resource{kind} has the id or name {ref!r}{hint}")


def holders(reader: C1zReader, resource: Resource, slug: str | None = None) -> list[Holder]:
    """Every holder of the resource's entitlements (only ``slug``'s when given), sorted by
    entitlement, principal type and name."""
    entitlements = list(reader.entitlements(resource=resource.id))
    if slug is not None:
        offered = sorted({e.slug for e in entitlements})
        entitlements = [e for e in entitlements if e.slug == slug]
        if not entitlements:
            listed = ", ".join(offered) or "none"
            raise UnknownEntitlement(f"{resource.id.resource_type} {resource.display_name!r} "
                                     f"has no entitlement {slug!r} (it has: {listed})")
    found: list[Holder] = []
    names: dict[tuple[str, str], str] = {}
    for ent in entitlements:
        for grant in reader.grants(ent.id):
            pid = grant.principal.id
            key = (pid.resource_type, pid.resource)
            if key not in names:
                res = reader.get_resource(*key)
                names[key] = res.display_name if res is not None and res.display_name else key[1]
            paths = held_paths(reader, pid, [ent.id]).get(ent.id) or [AccessPath()]
            found.append(Holder(ent.id, ent.slug, key[0], key[1], names[key], tuple(paths)))
    return sorted(found, key=lambda h: (h.slug, h.entitlement_id, h.principal_type,
                                        h.display_name, h.principal_id))


def holder_rows(found: list[Holder]) -> list[dict[str, object]]:
    """One row per holder and path (a spreadsheet has no tree)."""
    return [
        {"entitlement": h.slug, "principal_type": h.principal_type, "principal": h.display_name,
         "path": path.label(), "principal_id": h.principal_id}
        for h in found for path in h.paths
    ]


def holders_json(resource: Resource, found: list[Holder]) -> dict[str, object]:
    """The resource, then each holder with its paths as lists of hops."""
    return {
        "resource": {"type": resource.id.resource_type, "id": resource.id.resource,
                     "display_name": resource.display_name},
        "principals": [
            {"entitlement_id": h.entitlement_id, "entitlement": h.slug,
             "principal_type": h.principal_type, "principal_id": h.principal_id,
             "display_name": h.display_name, "direct": h.direct,
             "paths": [{"label": p.label(),
                        "via": [{"entitlement_id": hop.entitlement_id,
                                 "resource_type": hop.resource_type,
                                 "resource_id": hop.resource_id,
                                 "display_name": hop.resource_name} for hop in p.hops]}
                       for p in h.paths]}
            for h in found
        ],
    }
