"""SQL over one sync of a c1z: read resources back in chunks, enforce completeness, count.

Why SQL rather than the writer's iterators: completeness is a set difference over three tables
("grants whose entitlement, entitlement resource or principal is not in this sync"), which
SQLite answers through the unique ``(external_id, sync_id)`` indexes without Python holding any
of the sets; and chunked keyset reads stay correct while phase 2 upserts rows of the same table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field

from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource

__all__ = ["Counts", "View", "count", "enforce", "read_grants", "read_resources"]


def read_resources(
    conn: sqlite3.Connection, sync_id: str, type_id: str, chunk: int
) -> Iterator[list[Resource]]:
    """This sync's resources of one type as they were at this call, ``chunk`` at a time.

    Rows added later (principals discovered in phase 2) have larger row ids and are not visited;
    upserts keep their row id, so an enriched resource is neither skipped nor visited twice.
    """
    (max_id,) = conn.execute(
        "SELECT coalesce(max(id), 0) FROM v1_resources WHERE sync_id = ? AND resource_type_id = ?",
        (sync_id, type_id),
    ).fetchone()
    return _chunks(conn, sync_id, type_id, chunk, int(max_id))


def _chunks(
    conn: sqlite3.Connection, sync_id: str, type_id: str, chunk: int, max_id: int
) -> Iterator[list[Resource]]:
    after = 0
    while True:
        rows = conn.execute(
            "SELECT id, data FROM v1_resources WHERE sync_id = ? AND resource_type_id = ?"
            " AND id > ? AND id <= ? ORDER BY id LIMIT ?",
            (sync_id, type_id, after, max_id, chunk),
        ).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        yield [Resource.FromString(data) for _, data in rows]


def read_grants(
    conn: sqlite3.Connection, sync_id: str, type_id: str, chunk: int
) -> Iterator[list[Grant]]:
    """This sync's grants on entitlements of ``type_id`` resources as they were at this call,
    ``chunk`` at a time (keyset reads: grants written meanwhile are not visited)."""
    (max_id,) = conn.execute(
        "SELECT coalesce(max(id), 0) FROM v1_grants WHERE sync_id = ? AND resource_type_id = ?",
        (sync_id, type_id),
    ).fetchone()
    after = 0
    while True:
        rows = conn.execute(
            "SELECT id, data FROM v1_grants WHERE sync_id = ? AND resource_type_id = ?"
            " AND id > ? AND id <= ? ORDER BY id LIMIT ?",
            (sync_id, type_id, after, int(max_id), chunk),
        ).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        yield [Grant.FromString(data) for _, data in rows]


@dataclass(frozen=True)
class View:
    """``builder.SyncView`` over one sync of the writer's connection."""

    conn: sqlite3.Connection
    sync_id: str
    chunk: int

    def resources(self, resource_type: str) -> Iterator[list[Resource]]:
        """This sync's resources of one type, in chunks."""
        return read_resources(self.conn, self.sync_id, resource_type, self.chunk)

    def grants(self, resource_type: str) -> Iterator[list[Grant]]:
        """This sync's grants on entitlements of one resource type, in chunks."""
        return read_grants(self.conn, self.sync_id, resource_type, self.chunk)


_ORPHAN_RESOURCES = """
SELECT r.id, r.external_id, r.parent_resource_type_id || ':' || r.parent_resource_id
FROM v1_resources r
WHERE r.sync_id = :s AND r.parent_resource_id IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM v1_resources p WHERE p.sync_id = :s
  AND p.external_id = r.parent_resource_type_id || ':' || r.parent_resource_id)
"""
_ORPHAN_ENTITLEMENTS = """
SELECT e.id, e.external_id, e.resource_type_id || ':' || e.resource_id
FROM v1_entitlements e
WHERE e.sync_id = :s AND NOT EXISTS (
  SELECT 1 FROM v1_resources r WHERE r.sync_id = :s
  AND r.external_id = e.resource_type_id || ':' || e.resource_id)
"""
_ORPHAN_GRANTS = """
SELECT g.id, g.external_id,
  CASE
    WHEN NOT EXISTS (SELECT 1 FROM v1_entitlements e WHERE e.sync_id = :s
                     AND e.external_id = g.entitlement_id)
      THEN 'entitlement ' || g.entitlement_id
    WHEN NOT EXISTS (SELECT 1 FROM v1_resources r WHERE r.sync_id = :s
                     AND r.external_id = g.resource_type_id || ':' || g.resource_id)
      THEN 'resource ' || g.resource_type_id || ':' || g.resource_id
    ELSE 'principal ' || g.principal_resource_type_id || ':' || g.principal_resource_id
  END
FROM v1_grants g
WHERE g.sync_id = :s AND (
  NOT EXISTS (SELECT 1 FROM v1_entitlements e WHERE e.sync_id = :s
              AND e.external_id = g.entitlement_id)
  OR NOT EXISTS (SELECT 1 FROM v1_resources r WHERE r.sync_id = :s
                 AND r.external_id = g.resource_type_id || ':' || g.resource_id)
  OR NOT EXISTS (SELECT 1 FROM v1_resources p WHERE p.sync_id = :s AND p.external_id =
                 g.principal_resource_type_id || ':' || g.principal_resource_id))
"""


def enforce(conn: sqlite3.Connection, sync_id: str) -> Iterator[str]:
    """Delete what cannot be joined in this sync, yielding one warning per deleted row.

    Resources whose parent is missing go first, repeatedly (a removed user orphans its access
    keys), then entitlements whose resource is missing, then grants whose entitlement,
    entitlement resource or principal is missing.
    """
    params = {"s": sync_id}
    while True:
        rows = conn.execute(_ORPHAN_RESOURCES, params).fetchall()
        if not rows:
            break
        for _, name, parent in rows:
            yield f"resource {name} removed: its parent {parent} is not in this sync"
        _delete(conn, "v1_resources", [row[0] for row in rows])
    for table, query, noun in (
        ("v1_entitlements", _ORPHAN_ENTITLEMENTS, "entitlement"),
        ("v1_grants", _ORPHAN_GRANTS, "grant"),
    ):
        rows = conn.execute(query, params).fetchall()
        for _, name, missing in rows:
            if noun == "entitlement":
                missing = f"resource {missing}"
            yield f"{noun} {name} removed: its {missing} is not in this sync"
        _delete(conn, table, [row[0] for row in rows])


def _delete(conn: sqlite3.Connection, table: str, ids: list[int]) -> None:
    conn.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in ids])


@dataclass
class Counts:
    """Row counts of one sync."""

    resources: dict[str, int] = field(default_factory=dict)
    entitlements: int = 0
    grants: int = 0
    grants_by_type: dict[str, int] = field(default_factory=dict)


def count(conn: sqlite3.Connection, sync_id: str) -> Counts:
    """Resources per type, entitlements, grants and grants per entitlement resource type."""
    counts = Counts()
    for type_id, n in conn.execute(
        "SELECT resource_type_id, count(*) FROM v1_resources WHERE sync_id = ? GROUP BY 1",
        (sync_id,),
    ):
        counts.resources[type_id] = n
    (counts.entitlements,) = conn.execute(
        "SELECT count(*) FROM v1_entitlements WHERE sync_id = ?", (sync_id,)
    ).fetchone()
    for type_id, n in conn.execute(
        "SELECT resource_type_id, count(*) FROM v1_grants WHERE sync_id = ? GROUP BY 1",
        (sync_id,),
    ):
        counts.grants_by_type[type_id] = n
        counts.grants += n
    return counts
