"""A ``SyncView`` split by a key of each row's id, for a step that runs once per part.

Why: a connector that syncs several tenants into one file (an organization's accounts) runs
its after-phase-2 step once per tenant over that tenant's rows. Narrowing the whole view per
tenant in Python parses every row once per tenant: quadratic (50 tenants x a million grants
is 50 million protobuf parses). Here each table is scanned once per resource type, reading
only the id column (no protobuf), the key computed once per row, and each key keeps its row
ids (8 bytes a row); a part then reads its own rows, by row id, in chunks, fresh from the
table (a row updated since the scan is read as it is now).

Which rows a part sees: a resource by its own id, a grant by its principal's id (the identity
that holds it). The scan of a type happens at the first read of that type and, like
``read_resources``, does not visit rows added after it.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from google.protobuf.message import Message

from baton_alibaba_cloud.baton.builder import SyncView
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.baton.sync._completeness import View

__all__ = ["Partitioned"]

Key = Callable[[str], str]
"""The part a resource id belongs to."""
M = TypeVar("M", bound=Message)
_IDS_PER_QUERY = 500


class Partitioned:
    """``part(*keys)`` is the view of the rows whose id's key is one of ``keys``."""

    def __init__(self, view: SyncView, key: Key) -> None:
        self.view = view
        self.key = key
        self._rows: dict[tuple[str, str], dict[str, array[int]]] = {}

    def part(self, *keys: str) -> SyncView:
        return _Part(self, frozenset(keys))

    def row_ids(self, table: str, resource_type: str, keys: frozenset[str]) -> list[int]:
        """This part's row ids of one type in ``table``, in row order (scanned once)."""
        found = self._rows.get((table, resource_type))
        if found is None:
            found = self._rows[(table, resource_type)] = self._scan(table, resource_type)
        merged: list[int] = []
        for key in keys:
            merged.extend(found.get(key, ()))
        merged.sort()
        return merged

    def _scan(self, table: str, resource_type: str) -> dict[str, array[int]]:
        assert isinstance(self.view, View)
        column, strip = ("external_id", len(resource_type) + 1) if table == "v1_resources" \
            else ("principal_resource_id", 0)
        parts: dict[str, array[int]] = {}
        rows = self.view.conn.execute(
            f"SELECT id, {column} FROM {table} WHERE sync_id = ? AND resource_type_id = ?",
            (self.view.sync_id, resource_type))
        for row_id, text in rows:
            key = self.key(text[strip:])
            bucket = parts.get(key)
            if bucket is None:
                bucket = parts[key] = array("q")
            bucket.append(row_id)
        return parts


class _Part:
    """One part of a :class:`Partitioned` view."""

    def __init__(self, whole: Partitioned, keys: frozenset[str]) -> None:
        self.whole = whole
        self.keys = keys

    def resources(self, resource_type: str) -> Iterator[list[Resource]]:
        view = self.whole.view
        if not isinstance(view, View):  # another SyncView: narrow in Python
            for chunk in view.resources(resource_type):
                yield [r for r in chunk if self.whole.key(r.id.resource) in self.keys]
            return
        ids = self.whole.row_ids("v1_resources", resource_type, self.keys)
        yield from _read(view.conn, "v1_resources", ids, view.chunk, Resource.FromString)

    def grants(self, resource_type: str) -> Iterator[list[Grant]]:
        view = self.whole.view
        if not isinstance(view, View):
            for chunk in view.grants(resource_type):
                yield [g for g in chunk if self.whole.key(g.principal.id.resource) in self.keys]
            return
        ids = self.whole.row_ids("v1_grants", resource_type, self.keys)
        yield from _read(view.conn, "v1_grants", ids, view.chunk, Grant.FromString)


def _read(conn: sqlite3.Connection, table: str, ids: list[int], chunk: int,
          parse: Callable[[bytes], M]) -> Iterator[list[M]]:
    """The rows of ``ids`` (sorted), ``chunk`` at a time, parsed. The last batch is padded
    with its own last id, so every query has the same text (one prepared statement, not one
    per length in the connection's statement cache)."""
    step = max(1, min(chunk, _IDS_PER_QUERY))
    marks = ",".join("?" * step)
    for start in range(0, len(ids), step):
        batch = ids[start:start + step]
        batch += [batch[-1]] * (step - len(batch))
        rows: Iterable[tuple[bytes]] = conn.execute(
            f"SELECT data FROM {table} WHERE id IN ({marks}) ORDER BY id", batch)
        yield [parse(data) for (data,) in rows]
