"""``C1zReader``: typed, read-only access to one sync of a v1 c1z file.

It reads our files and the Go SDK's, including older schemas (fewer ``v1_sync_runs`` and
``v1_grants`` columns, ``GrantExpandable`` still inside grant blobs) and WAL-mode databases: the
file is decompressed into a private temp directory and queried by named columns only.

Which sync: the one given, else the latest finished ``full`` sync, else the latest finished sync
of any type, else the latest unfinished one (``docs/c1z-format.md`` §4; unlike the Go SDK we
do not limit that fallback to syncs started in the last 7 days, so old fixtures stay readable).
A file with no sync runs at all is read without a sync filter, as the SDK does.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from google.protobuf.message import Message

from baton_alibaba_cloud.baton.c1z._guard import guard_connection, guarded, signal_guard
from baton_alibaba_cloud.baton.c1z._rows import expansion_annotation
from baton_alibaba_cloud.baton.c1z._schema_check import check_schema
from baton_alibaba_cloud.baton.c1z._tempdb import make_workdir, remove_workdir, unpack_into
from baton_alibaba_cloud.baton.c1z.format import C1zFormatError
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, ResourceType

__all__ = ["C1zReader", "C1zStats", "SyncRun"]

M = TypeVar("M", bound=Message)
_RUN_COLUMNS = ("sync_id", "started_at", "ended_at", "sync_type", "parent_sync_id", "sync_token")


@dataclass(frozen=True)
class SyncRun:
    """One ``v1_sync_runs`` row; ``ended_at`` is ``None`` for an unfinished sync."""

    sync_id: str
    started_at: str
    ended_at: str | None
    sync_type: str
    parent_sync_id: str
    sync_token: str


@dataclass(frozen=True)
class C1zStats:
    """Counts of one sync (the ``stats`` inspect table)."""

    sync: SyncRun | None
    resource_types: int
    resources: int
    entitlements: int
    grants: int
    resources_by_type: dict[str, int] = field(default_factory=dict)


class C1zReader:
    """Open with ``C1zReader.open(path)`` (a context manager); iterators stream rows lazily."""

    def __init__(self, workdir: Path, con: sqlite3.Connection, sync_id: str | None,
                 path: Path | None = None) -> None:
        self._workdir = workdir
        self._con = con
        self._path = path or workdir
        self._guard = contextlib.ExitStack()
        self.sync_id = sync_id
        grant_columns = {row[1] for row in con.execute("pragma table_info(v1_grants)")}
        self._has_expansion = "expansion" in grant_columns

    @classmethod
    def open(cls, path: Path, *, sync_id: str | None = None) -> C1zReader:
        """Decompress and open ``path``; ``UnsupportedC1zVersion`` for v3, ``C1zFormatError``
        for anything else unreadable (a missing file, a schema that is not baton's, a value
        over the blob cap, an unknown ``sync_id``). The schema is checked before any query."""
        workdir = make_workdir()
        guard = contextlib.ExitStack()
        try:
            guard.enter_context(signal_guard())
            db, existed = unpack_into(workdir, Path(path))
            if not existed:
                raise C1zFormatError(f"{path}: no such c1z file (or it is empty)")
            con = guard_connection(sqlite3.connect(db, check_same_thread=False))
            try:
                con.execute("pragma trusted_schema = off")
                check_schema(con, Path(path))
                con.execute("pragma query_only = on")
                reader = cls(workdir, con, None, Path(path))
                with guarded(Path(path), "v1_sync_runs"):
                    reader.sync_id = reader._choose_sync(sync_id, path)
            except BaseException:
                con.close()
                raise
        except sqlite3.DatabaseError as exc:
            guard.close()
            remove_workdir(workdir)
            raise C1zFormatError(f"{path}: not a c1z SQLite database ({exc})") from exc
        except BaseException:
            guard.close()
            remove_workdir(workdir)
            raise
        reader._guard = guard
        return reader

    def _choose_sync(self, wanted: str | None, path: Path) -> str | None:
        if wanted is None:
            return self._latest(True, "full") or self.latest_finished_sync_id(None)
        if not any(run.sync_id == wanted for run in self.sync_runs()):
            raise C1zFormatError(f"{path}: no sync {wanted!r} in this file")
        return wanted

    def close(self) -> None:
        """Close the database and delete the temp copy."""
        self._con.close()
        remove_workdir(self._workdir)
        self._guard.close()

    def __enter__(self) -> C1zReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- syncs -------------------------------------------------------------------------------

    def sync_runs(self) -> list[SyncRun]:
        """Every sync in the file, oldest first."""
        have = {row[1] for row in self._con.execute("pragma table_info(v1_sync_runs)")}
        cols = ", ".join(c if c in have else f"'' as {c}" for c in _RUN_COLUMNS)
        with guarded(self._path, "v1_sync_runs"):
            rows = self._con.execute(f"select {cols} from v1_sync_runs order by id")
            return [SyncRun(*row) for row in rows]

    def _latest(self, finished: bool, sync_type: str | None) -> str | None:
        sql = "select sync_id from v1_sync_runs where ended_at is " + (
            "not null" if finished else "null"
        )
        params: tuple[str, ...] = ()
        if sync_type is not None:
            sql, params = sql + " and sync_type = ?", (sync_type,)
        order = "ended_at desc, sync_id desc" if finished else "started_at desc, sync_id desc"
        with guarded(self._path, "v1_sync_runs"):
            row = self._con.execute(f"{sql} order by {order} limit 1", params).fetchone()
        return str(row[0]) if row else None

    def latest_finished_sync_id(self, sync_type: str | None = "full") -> str | None:
        """The latest finished sync of ``sync_type`` (``None``: any type), by ``ended_at`` then
        ``sync_id``; if none is finished, the latest unfinished sync; ``None`` if no syncs."""
        return self._latest(True, sync_type) or self._latest(False, None)

    # --- iterators ---------------------------------------------------------------------------

    def _rows(self, table: str, filters: dict[str, str], extra: str = "") -> sqlite3.Cursor:
        where = dict(filters)
        if self.sync_id is not None:
            where["sync_id"] = self.sync_id
        clause = " and ".join(f"{col} = ?" for col in where) or "1"
        sql = f"select data{extra} from {table} where {clause} order by id"
        with guarded(self._path, table):
            return self._con.execute(sql, tuple(where.values()))

    def _stream(self, cursor: sqlite3.Cursor, table: str) -> Iterator[tuple[Any, ...]]:
        """The cursor's rows, each step under the guards (a value over the cap, a signal)."""
        with guarded(self._path, table):
            yield from cursor

    def resource_types(self) -> Iterator[ResourceType]:
        """The sync's resource types in the order they were written."""
        for (data,) in self._stream(self._rows("v1_resource_types", {}), "v1_resource_types"):
            yield ResourceType.FromString(data)

    def resources(self, resource_type: str | None = None) -> Iterator[Resource]:
        """The sync's resources, optionally of one type."""
        filters = {"resource_type_id": resource_type} if resource_type else {}
        for (data,) in self._stream(self._rows("v1_resources", filters), "v1_resources"):
            yield Resource.FromString(data)

    def entitlements(
        self, resource_type: str | None = None, resource: ResourceId | None = None
    ) -> Iterator[Entitlement]:
        """The sync's entitlements, optionally of one resource type or one resource."""
        filters: dict[str, str] = {}
        if resource_type:
            filters["resource_type_id"] = resource_type
        if resource is not None:
            filters.update(resource_type_id=resource.resource_type, resource_id=resource.resource)
        for (data,) in self._stream(self._rows("v1_entitlements", filters), "v1_entitlements"):
            yield Entitlement.FromString(data)

    def grant_edges(
        self, resource_type: str, principal_type: str
    ) -> Iterator[tuple[str, str, bytes]]:
        """``(resource id, principal id, grant blob)`` of the grants on resources of one type
        held by principals of one type, from the indexed columns: a view that only needs who
        holds what (a 50,000-user hygiene table) parses a blob only when it must."""
        where = {"resource_type_id": resource_type, "principal_resource_type_id": principal_type}
        if self.sync_id is not None:
            where["sync_id"] = self.sync_id
        clause = " and ".join(f"{col} = ?" for col in where)
        sql = f"select resource_id, principal_resource_id, data from v1_grants where {clause}"
        with guarded(self._path, "v1_grants"):
            cursor = self._con.execute(sql, tuple(where.values()))
        for resource_id, principal_id, data in self._stream(cursor, "v1_grants"):
            yield str(resource_id), str(principal_id), data

    def grants(
        self,
        entitlement_id: str | None = None,
        principal: ResourceId | None = None,
        *,
        resource: ResourceId | None = None,
        resource_type: str | None = None,
        with_expansion: bool = False,
    ) -> Iterator[Grant]:
        """The sync's grants, filtered by entitlement, principal, the entitlement's resource or
        its type. ``with_expansion`` re-attaches the ``expansion`` column as the
        ``GrantExpandable`` annotation the connector gave (older files keep it in the blob)."""
        filters: dict[str, str] = {}
        if entitlement_id is not None:
            filters["entitlement_id"] = entitlement_id
        if principal is not None:
            filters["principal_resource_type_id"] = principal.resource_type
            filters["principal_resource_id"] = principal.resource
        if resource_type:
            filters["resource_type_id"] = resource_type
        if resource is not None:
            filters.update(resource_type_id=resource.resource_type, resource_id=resource.resource)
        extra = ", expansion" if with_expansion and self._has_expansion else ", null"
        for data, expansion in self._stream(self._rows("v1_grants", filters, extra), "v1_grants"):
            grant = Grant.FromString(data)
            if expansion is not None:
                grant.annotations.append(expansion_annotation(expansion))
            yield grant

    def in_id_order(self, table: str) -> Iterator[tuple[str, Any]]:
        """``(external id, blob)`` of the sync's resources or grants (``table``), in id order:
        two syncs are compared side by side by merging two such streams, without holding either
        (``inspect diff`` of two organization files of 1.7 million grants each)."""
        if table not in ("v1_resources", "v1_grants"):
            raise ValueError(f"no ordered stream of {table}")
        where, params = ("where sync_id = ?", (self.sync_id,)) if self.sync_id else ("", ())
        with guarded(self._path, table):
            cursor = self._con.execute(
                f"select external_id, data from {table} {where} order by external_id", params)
        for external_id, data in self._stream(cursor, table):
            yield str(external_id), data

    # --- getters -----------------------------------------------------------------------------

    def _get(self, table: str, msg_type: type[M], external_id: str) -> M | None:
        with guarded(self._path, table):
            row = self._rows(table, {"external_id": external_id}).fetchone()
        return msg_type.FromString(row[0]) if row else None

    def get_resource_type(self, resource_type: str) -> ResourceType | None:
        """One resource type of the sync, or ``None``."""
        return self._get("v1_resource_types", ResourceType, resource_type)

    def get_resource(self, resource_type: str, resource_id: str) -> Resource | None:
        """One resource of the sync, or ``None``."""
        return self._get("v1_resources", Resource, f"{resource_type}:{resource_id}")

    def get_entitlement(self, entitlement_id: str) -> Entitlement | None:
        """One entitlement of the sync, or ``None``."""
        return self._get("v1_entitlements", Entitlement, entitlement_id)

    def get_grant(self, grant_id: str) -> Grant | None:
        """One grant of the sync (as stored, without re-attached expansion), or ``None``."""
        return self._get("v1_grants", Grant, grant_id)

    # --- stats -------------------------------------------------------------------------------

    def _count(self, table: str) -> int:
        where, params = ("where sync_id = ?", (self.sync_id,)) if self.sync_id else ("", ())
        with guarded(self._path, table):
            sql = f"select count(*) from {table} {where}"
            return int(self._con.execute(sql, params).fetchone()[0])

    def stats(self) -> C1zStats:
        """Counts of the selected sync: resource types, resources per type, entitlements,
        grants."""
        where, params = ("where sync_id = ?", (self.sync_id,)) if self.sync_id else ("", ())
        with guarded(self._path, "v1_resources"):
            by_type = {
                str(rt): int(n)
                for rt, n in self._con.execute(
                    f"select resource_type_id, count(*) from v1_resources {where} "
                    "group by resource_type_id order by resource_type_id",
                    params,
                )
            }
        run = next((r for r in self.sync_runs() if r.sync_id == self.sync_id), None)
        return C1zStats(
            sync=run,
            resource_types=self._count("v1_resource_types"),
            resources=sum(by_type.values()),
            entitlements=self._count("v1_entitlements"),
            grants=self._count("v1_grants"),
            resources_by_type=by_type,
        )
