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

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb import annotation_trait_pb2, annotations_pb2
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
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


Row = tuple[str, Any]


def _side_by_side(old: Iterator[Row], new: Iterator[Row]) -> Iterator[tuple[Any, Any]]:
    """Two id-ordered streams merged: ``(old blob, new blob)`` per id, None on the side that
    lacks it. Why streams: two organization files hold 1.7 million grants each, and holding
    both sides in dictionaries took 4.8 GB; only what changed is kept."""
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            yield a[1], None
            a = next(old, None)
        elif a is None or b[0] < a[0]:
            yield None, b[1]
            b = next(new, None)
        else:
            yield a[1], b[1]
            a, b = next(old, None), next(new, None)


def _key(res: Resource) -> Key:
    return res.id.resource_type, res.id.resource


def _resource_changes(old: C1zReader, new: C1zReader) -> list[ResourceChange]:
    """Resources added, removed, or changed (compared as messages: two writers may encode the
    same resource differently), in key order."""
    changes: list[ResourceChange] = []
    for was, now in _side_by_side(old.in_id_order("v1_resources"),
                                  new.in_id_order("v1_resources")):
        if was == now:
            continue
        if was is None:
            after = Resource.FromString(now)
            changes.append(ResourceChange("added", _key(after), after.display_name))
            continue
        before = Resource.FromString(was)
        if now is None:
            changes.append(ResourceChange("removed", _key(before), before.display_name))
            continue
        after = Resource.FromString(now)
        if before.SerializeToString(deterministic=True) == after.SerializeToString(
                deterministic=True):
            continue
        a, b = _fields(before), _fields(after)
        moved = {p: (a.get(p), b.get(p)) for p in sorted(a.keys() | b.keys())
                 if a.get(p) != b.get(p)}
        if moved:
            changes.append(ResourceChange("changed", _key(after), after.display_name, moved))
    changes.sort(key=lambda change: change.key)
    return changes


def _grant(blob: Any) -> _Grant:
    g = Grant.FromString(blob)
    owner = g.entitlement.resource.id
    return _Grant(g.id, g.entitlement.id, (owner.resource_type, owner.resource),
                  (g.principal.id.resource_type, g.principal.id.resource),
                  tuple(sorted(g.sources.sources)))


def _grant_changes(old: C1zReader, new: C1zReader) -> tuple[dict[str, _Grant], dict[str, _Grant]]:
    """Grants whose id only the new sync has (added), and only the old one (removed)."""
    added: dict[str, _Grant] = {}
    removed: dict[str, _Grant] = {}
    for was, now in _side_by_side(old.in_id_order("v1_grants"), new.in_id_order("v1_grants")):
        if was is None:
            grant = _grant(now)
            added[grant.grant_id] = grant
        elif now is None:
            grant = _grant(was)
            removed[grant.grant_id] = grant
    return added, removed


class _Causes:
    """Finds the direct change behind an inherited one, among the changes of the same kind;
    the owner of a source entitlement is looked up in that change's sync, once."""

    def __init__(self, changed: dict[str, _Grant], reader: C1zReader) -> None:
        self._by_edge = {(g.entitlement_id, g.principal): g for g in changed.values()}
        self._reader = reader
        self._owners: dict[str, Key | None] = {}

    def _owner(self, entitlement_id: str) -> Key | None:
        if entitlement_id not in self._owners:
            found = self._reader.get_entitlement(entitlement_id)
            owner = found.resource.id if found is not None and found.resource.id.resource \
                else None
            if owner is None:  # not stored: a grant on it still names its resource
                grant = next(self._reader.grants(entitlement_id=entitlement_id), None)
                owner = grant.entitlement.resource.id if grant is not None else None
            self._owners[entitlement_id] = (
                (owner.resource_type, owner.resource) if owner is not None else None)
        return self._owners[entitlement_id]

    def cause(self, grant: _Grant, depth: int = 0) -> str | None:
        if grant.direct or depth > MAX_CAUSE_DEPTH:
            return grant.grant_id if grant.direct else None
        for source in grant.sources:
            owner = self._owner(source)
            candidates = [self._by_edge.get((source, grant.principal))]
            if owner is not None:  # the attachment to the group first, then the membership
                candidates.insert(0, self._by_edge.get((grant.entitlement_id, owner)))
            for found in candidates:
                if found is not None and found.grant_id != grant.grant_id:
                    return self.cause(found, depth + 1)
        return None


def _names(keys: set[Key], old: C1zReader, new: C1zReader) -> dict[Key, str]:
    """The display names of the resources a change names (the new sync's name first)."""
    names: dict[Key, str] = {}
    for key in keys:
        found = new.get_resource(*key) or old.get_resource(*key)
        names[key] = (found.display_name if found is not None else "") or key[1]
    return names


def diff(old: C1zReader, new: C1zReader) -> Diff:
    """Compare the sync ``old`` reads with the one ``new`` reads, holding only the changes."""
    changes = _resource_changes(old, new)
    added, removed = _grant_changes(old, new)
    gained, lost = _Causes(added, new), _Causes(removed, old)
    grant_changes = [GrantChange("added", g, gained.cause(g)) for g in added.values()]
    grant_changes += [GrantChange("removed", g, lost.cause(g)) for g in removed.values()]
    grant_changes.sort(key=lambda c: (not c.grant.direct, c.change, c.grant.grant_id))
    keys = {rc.key for rc in changes}
    keys |= {k for gc in grant_changes for k in (gc.grant.owner, gc.grant.principal)}
    return Diff(old.sync_id, new.sync_id, changes, grant_changes, _names(keys, old, new))


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
