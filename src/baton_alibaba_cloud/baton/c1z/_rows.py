"""Message -> row mapping for each ``v1_*`` table (``docs/c1z-format.md`` §3), shared by the
writer (upserts) and the reader (the expansion column back to an annotation).

``data`` is always ``SerializeToString(deterministic=True)``, as Go's ``Deterministic: true``.
"""

from __future__ import annotations

import functools

from google.protobuf import any_pb2

from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType

__all__ = [
    "UPSERT_ENTITLEMENT",
    "UPSERT_GRANT",
    "UPSERT_RESOURCE",
    "UPSERT_RESOURCE_TYPE",
    "entitlement_row",
    "expansion_annotation",
    "grant_row",
    "many",
    "resource_row",
    "resource_type_row",
]

Row = tuple[object, ...]

# A later put of the same (external_id, sync_id) replaces the row's content, as Go's
# ``ON CONFLICT ... DO UPDATE`` does; derived columns follow the new blob.
UPSERT_RESOURCE_TYPE = (
    "insert into v1_resource_types (external_id, data, sync_id, discovered_at) "
    "values (?, ?, ?, ?) on conflict (external_id, sync_id) do update set data = excluded.data"
)
UPSERT_RESOURCE = (
    "insert into v1_resources (resource_type_id, external_id, parent_resource_type_id, "
    "parent_resource_id, data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data, "
    "parent_resource_type_id = excluded.parent_resource_type_id, "
    "parent_resource_id = excluded.parent_resource_id"
)
UPSERT_ENTITLEMENT = (
    "insert into v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, "
    "discovered_at) values (?, ?, ?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data"
)
UPSERT_GRANT = (
    "insert into v1_grants (resource_type_id, resource_id, entitlement_id, "
    "principal_resource_type_id, principal_resource_id, external_id, expansion, "
    "needs_expansion, data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data, "
    "expansion = excluded.expansion, needs_expansion = excluded.needs_expansion"
)



@functools.lru_cache(maxsize=64)
def many(sql: str, rows: int) -> str:
    """An ``UPSERT_*`` statement for ``rows`` rows at once: its ``values (?, …)`` repeated.

    SQLite inserts the rows in order and applies ``on conflict`` to each, so a row that repeats
    an earlier one's key in the same statement updates it, as separate statements would."""
    start = sql.index(" values (") + len(" values ")
    end = sql.index(")", start) + 1
    return sql[:start] + ", ".join([sql[start:end]] * rows) + sql[end:]


_EXPANDABLE = GrantExpandable.DESCRIPTOR.full_name
_EXPANDABLE_URL = "type.googleapis.com/" + _EXPANDABLE


def _blob(msg: ResourceType | Resource | Entitlement | Grant) -> bytes:
    return msg.SerializeToString(deterministic=True)


def resource_type_row(item: ResourceType, sync_id: str, now: str) -> Row:
    """Row for ``UPSERT_RESOURCE_TYPE``: external id = the type id."""
    if not item.id:
        raise ValueError("a resource type needs an id")
    return (item.id, _blob(item), sync_id, now)


def resource_row(item: Resource, sync_id: str, now: str) -> Row:
    """Row for ``UPSERT_RESOURCE``: external id ``<type>:<id>``, parent columns NULL if unset."""
    rid = item.id
    if not rid.resource_type or not rid.resource:
        raise ValueError(f"a resource needs a type and an id: {rid.resource_type}:{rid.resource}")
    parent = item.parent_resource_id if item.HasField("parent_resource_id") else None
    return (
        rid.resource_type,
        f"{rid.resource_type}:{rid.resource}",
        parent.resource_type if parent else None,
        parent.resource if parent else None,
        _blob(item),
        sync_id,
        now,
    )


def entitlement_row(item: Entitlement, sync_id: str, now: str) -> Row:
    """Row for ``UPSERT_ENTITLEMENT``: keyed by the entitlement id, indexed by its resource."""
    if not item.id:
        raise ValueError("an entitlement needs an id")
    rid = item.resource.id
    return (rid.resource_type, rid.resource, item.id, _blob(item), sync_id, now)


def grant_row(item: Grant, sync_id: str, now: str) -> Row:
    """Row for ``UPSERT_GRANT``. A ``GrantExpandable`` annotation leaves the blob for the
    ``expansion`` column (``needs_expansion = 1`` when it names at least one entitlement), as
    the SDK's ``grantExtractFields`` does."""
    if not item.id:
        raise ValueError("a grant needs an id")
    expansion: bytes | None = None
    if any(a.type_url.endswith("/" + _EXPANDABLE) for a in item.annotations):
        item, expansion = _split_expandable(item)
    ent, principal = item.entitlement, item.principal.id
    return (
        ent.resource.id.resource_type,
        ent.resource.id.resource,
        ent.id,
        principal.resource_type,
        principal.resource,
        item.id,
        expansion,
        1 if expansion is not None else 0,
        _blob(item),
        sync_id,
        now,
    )


def _split_expandable(item: Grant) -> tuple[Grant, bytes | None]:
    stripped = Grant()
    stripped.CopyFrom(item)
    del stripped.annotations[:]
    expandable = GrantExpandable()
    for annotation in item.annotations:
        if annotation.type_url.endswith("/" + _EXPANDABLE):
            annotation.Unpack(expandable)
        else:
            stripped.annotations.append(annotation)
    if not any(e.strip() for e in expandable.entitlement_ids):
        return stripped, None
    return stripped, expandable.SerializeToString(deterministic=True)


def expansion_annotation(expansion: bytes) -> any_pb2.Any:
    """The ``expansion`` column back as the ``GrantExpandable`` annotation it came from."""
    return any_pb2.Any(type_url=_EXPANDABLE_URL, value=expansion)
