"""What changed between two syncs: resources added, removed or changed (which fields), grants
added or removed, each grant marked direct or inherited and, when inherited, the direct change
that caused it (``inspect diff``).

Why the cause: one membership or attachment changes many effective grants (a policy attached to
a group reaches each member); a reviewer approves the one direct change, and needs to see the
inherited ones as its consequences, not as a hundred unexplained changes.

An inherited grant of entitlement E to principal P lists in its ``sources`` the entitlements it
came through (P is a member of group G: source ``G:member``). Its cause is a changed grant on
that path: E given to the source's resource (the attachment to G), or the source given to P
(the membership); when that one is itself inherited, its own cause is followed (role chains).

Public API: ``diff(old, new) -> Diff``, ``diff_rows(d)``, ``diff_json(d)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb import annotation_trait_pb2, annotations_pb2
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource

_DESCRIPTORS = (annotation_trait_pb2, annotations_pb2)  # MessageToDict resolves Any by them

__all__ = ["Diff", "GrantChange", "ResourceChange", "diff", "diff_json", "diff_rows"]

MAX_CAUSE_DEPTH = 20
Key = tuple[str, str]


@dataclass(frozen=True)
class _Grant:
    grant_id: str
    entitlement_id: str
    owner: Key  # the entitlement's resource
    principal: Key
    sources: tuple[str, ...]

    @property
    def direct(self) -> bool:
        return not self.sources or self.entitlement_id in self.sources


@dataclass
class ResourceChange:
    """A resource added, removed, or changed (``fields``: path -> (before, after))."""

    change: str
    key: Key
    display_name: str
    fields: dict[str, tuple[object, object]] = field(default_factory=dict)


@dataclass
class GrantChange:
    """A grant added or removed; ``cause`` is the direct change's grant id (inherited only)."""

    change: str
    grant: _Grant
    cause: str | None = None


@dataclass
class Diff:
    """Both syncs' ids and what changed, with display names for the labels."""

    old_sync: str | None
    new_sync: str | None
    resources: list[ResourceChange]
    grants: list[GrantChange]
    names: dict[Key, str]

    @property
    def changed(self) -> bool:
        return bool(self.resources or self.grants)


def _flat(value: object, prefix: str, out: dict[str, object]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flat(v, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value


def _fields(res: Resource) -> dict[str, object]:
    """The resource as flat ``path: value`` pairs; a trait's copy of the profile is left out
    (the profile itself is compared)."""
    data = MessageToDict(res)
    for ann in data.get("annotations", []):
        ann.pop("profile", None)
    out: dict[str, object] = {}
    _flat(data, "", out)
    return out


def _resources(reader: C1zReader) -> dict[Key, Resource]:
    return {(r.id.resource_type, r.id.resource): r for r in reader.resources()}


def _grants(reader: C1zReader) -> dict[str, _Grant]:
    found = {}
    for g in reader.grants():
        owner = g.entitlement.resource.id
        found[g.id] = _Grant(g.id, g.entitlement.id, (owner.resource_type, owner.resource),
                             (g.principal.id.resource_type, g.principal.id.resource),
                             tuple(sorted(g.sources.sources)))
    return found


class _Causes:
    """Finds the direct change behind an inherited one, among the changes of the same kind."""

    def __init__(self, changed: dict[str, _Grant], everything: dict[str, _Grant]) -> None:
        self._by_edge = {(g.entitlement_id, g.principal): g for g in changed.values()}
        self._owners: dict[str, Key] = {}
        for g in everything.values():
            self._owners.setdefault(g.entitlement_id, g.owner)

    def cause(self, grant: _Grant, depth: int = 0) -> str | None:
        if grant.direct or depth > MAX_CAUSE_DEPTH:
            return grant.grant_id if grant.direct else None
        for source in grant.sources:
            owner = self._owners.get(source)
            candidates = [self._by_edge.get((source, grant.principal))]
            if owner is not None:  # the attachment to the group first, then the membership
                candidates.insert(0, self._by_edge.get((grant.entitlement_id, owner)))
            for found in candidates:
                if found is not None and found.grant_id != grant.grant_id:
                    return self.cause(found, depth + 1)
        return None


def diff(old: C1zReader, new: C1zReader) -> Diff:
    """Compare the sync ``old`` reads with the one ``new`` reads."""
    before, after = _resources(old), _resources(new)
    changes: list[ResourceChange] = []
    for key in sorted(before.keys() | after.keys()):
        if key not in before:
            changes.append(ResourceChange("added", key, after[key].display_name))
        elif key not in after:
            changes.append(ResourceChange("removed", key, before[key].display_name))
        elif before[key].SerializeToString(deterministic=True) != after[key].SerializeToString(
                deterministic=True):
            a, b = _fields(before[key]), _fields(after[key])
            moved = {p: (a.get(p), b.get(p)) for p in sorted(a.keys() | b.keys())
                     if a.get(p) != b.get(p)}
            if moved:
                changes.append(ResourceChange("changed", key, after[key].display_name, moved))
    old_grants, new_grants = _grants(old), _grants(new)
    added = {i: g for i, g in new_grants.items() if i not in old_grants}
    removed = {i: g for i, g in old_grants.items() if i not in new_grants}
    gained, lost = _Causes(added, new_grants), _Causes(removed, old_grants)
    grant_changes = [GrantChange("added", g, gained.cause(g)) for g in added.values()]
    grant_changes += [GrantChange("removed", g, lost.cause(g)) for g in removed.values()]
    grant_changes.sort(key=lambda c: (not c.grant.direct, c.change, c.grant.grant_id))
    names = {k: r.display_name or k[1] for k, r in {**before, **after}.items()}
    return Diff(old.sync_id, new.sync_id, changes, grant_changes, names)


# --- output ------------------------------------------------------------------------------------


def _label(d: Diff, key: Key) -> str:
    return f"{key[0]} {d.names.get(key, key[1])}"


def _grant_label(d: Diff, g: _Grant) -> str:
    slug = g.entitlement_id.rsplit(":", 1)[-1]
    return f"{_label(d, g.principal)} → {slug} on {_label(d, g.owner)}"


def _short(value: object) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def diff_rows(d: Diff) -> list[dict[str, object]]:
    """One row per change: resources first, then direct grants, then inherited ones."""
    rows: list[dict[str, object]] = []
    for rc in d.resources:
        detail = "; ".join(f"{p}: {_short(a)} → {_short(b)}" for p, (a, b) in rc.fields.items())
        rows.append({"change": rc.change, "kind": "resource", "object": _label(d, rc.key),
                     "how": "-", "detail": detail or "-", "id": rc.key[1]})
    by_id = {gc.grant.grant_id: gc.grant for gc in d.grants}
    for gc in d.grants:
        cause = by_id.get(gc.cause) if gc.cause else None
        inherited = not gc.grant.direct
        rows.append({
            "change": gc.change, "kind": "grant", "object": _grant_label(d, gc.grant),
            "how": "inherited" if inherited else "direct",
            "detail": ("caused by " + (_grant_label(d, cause) if cause else "a change not found")
                       if inherited else "-"),
            "id": gc.grant.grant_id,
        })
    return rows


def diff_json(d: Diff) -> dict[str, object]:
    """The syncs compared, then each resource change and grant change with its cause."""
    return {
        "old_sync": d.old_sync, "new_sync": d.new_sync, "changed": d.changed,
        "resources": [{"change": rc.change, "resource_type": rc.key[0], "resource_id": rc.key[1],
                       "display_name": rc.display_name,
                       "fields": {p: {"before": a, "after": b}
                                  for p, (a, b) in rc.fields.items()}}
                      for rc in d.resources],
        "grants": [{"change": gc.change, "grant_id": gc.grant.grant_id,
                    "entitlement_id": gc.grant.entitlement_id,
                    "principal_type": gc.grant.principal[0],
                    "principal_id": gc.grant.principal[1],
                    "direct": gc.grant.direct, "sources": list(gc.grant.sources),
                    "caused_by": None if gc.grant.direct else gc.cause}
                   for gc in d.grants],
    }
