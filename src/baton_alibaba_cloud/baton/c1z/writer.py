"""``C1zWriter``: one full sync into a c1z, committed atomically.

Life of a writer: ``open`` claims the target (``_target``: lock, checks), creates a fresh
database and copies into it the rows of the existing file's newest full sync (``_carry``: so
``baton diff`` has a previous full sync, and nothing else of a crafted file comes along), and
inserts the new ``v1_sync_runs`` row; the sync engine ``put_*``s pages of messages (batched
upserts) and reads resources back with ``iter_resources``; ``commit`` ends the sync, keeps the
newest two finished full syncs, VACUUMs, and replaces the target with ``C1ZF\\0`` + zstd via a
temp file beside it, fsync and rename. Until that rename the target is untouched, so ``abort``
(or any exception inside ``with``) leaves it byte-identical.

The working database lives in a private temp directory in rollback-journal mode with
``synchronous=OFF``: it is scratch space, and durability comes from the fsync of the final file.
One caller at a time: the engine serialises its calls (the connection allows other threads so
that it may run them in an executor).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from baton_alibaba_cloud.baton.c1z import _rows
from baton_alibaba_cloud.baton.c1z._carry import carry_forward
from baton_alibaba_cloud.baton.c1z._guard import guard_connection, guarded, signal_guard
from baton_alibaba_cloud.baton.c1z._target import Target, claim_target, temp_prefix
from baton_alibaba_cloud.baton.c1z._tempdb import make_workdir, remove_workdir
from baton_alibaba_cloud.baton.c1z.format import compress_db
from baton_alibaba_cloud.baton.c1z.ids import new_ksuid, sqlite_time
from baton_alibaba_cloud.baton.c1z.schema import DATA_TABLES, create_schema
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType

__all__ = ["KEEP_FULL_SYNCS", "C1zWriter"]

KEEP_FULL_SYNCS = 2
BATCH = 1000
ROWS_PER_STATEMENT = 250
"""Rows per INSERT: one statement binds and steps many rows, where ``executemany`` takes the
GIL back after every row; on the sync's write thread, beside a busy event loop, those waits made
writing 3-5x slower (a backlog of batches, and memory)."""
_COUNTED = ("resource_types", "resources", "entitlements", "grants", "assets")
_BY_TYPE = ("resources", "entitlements", "grants")

T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _statement_parts(batch: list[T], step: int) -> Iterator[list[T]]:
    """``batch`` in statements of ``step`` rows, the rest in powers of two (in order).

    Why powers of two: each row count is its own SQL text, and Python's sqlite3 keeps 128
    prepared statements per connection; with every remainder size its own statement (a 250-row
    upsert is a few hundred KB prepared), batches of varied sizes, as an organization's
    interleaved pages are, kept tens of MB of statements. Now a table needs at most
    ``log2(step) + 2`` sizes.
    """
    full = len(batch) - len(batch) % step
    for start in range(0, full, step):
        yield batch[start:start + step]
    start, rest = full, len(batch) - full
    while rest:
        size = 1 << (rest.bit_length() - 1)
        yield batch[start:start + size]
        start, rest = start + size, rest - size


class C1zWriter:
    """Writes one ``full`` sync; see the module docstring for the life cycle."""

    def __init__(
        self, target: Path, workdir: Path, con: sqlite3.Connection, sync_id: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.target = target
        self.sync_id = sync_id
        self._workdir = workdir
        self._db = workdir / "db"
        self._con: sqlite3.Connection | None = con
        self._clock = clock
        self._variables = con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._claim: Target | None = None

    @classmethod
    def open(cls, path: Path, *, clock: Callable[[], datetime] = datetime.now) -> C1zWriter:
        """Start a sync for ``path``, before any API call: claim the file (symlink resolved,
        non-regular files refused, locked against a second sync, directory writable with
        space: ``_target``), then build a fresh database carrying only the previous file's
        newest full sync (``_carry``). Refuses a v3 file (``UnsupportedC1zVersion``) and any
        unreadable one (``C1zFormatError``) with the file untouched."""
        target = claim_target(Path(path))
        try:
            with signal_guard():  # decoding and copying the previous file stop on Ctrl-C
                workdir = make_workdir()
                try:
                    con, sync_id = cls._start(target.path, workdir, clock)
                except BaseException:
                    remove_workdir(workdir)
                    raise
        except BaseException:
            target.release()
            raise
        writer = cls(target.path, workdir, con, sync_id, clock)
        writer._claim = target
        return writer

    @staticmethod
    def _start(
        previous: Path, workdir: Path, clock: Callable[[], datetime],
    ) -> tuple[sqlite3.Connection, str]:
        con = guard_connection(
            sqlite3.connect(workdir / "db", isolation_level=None, check_same_thread=False))
        try:
            con.execute("pragma trusted_schema = off")
            con.execute("pragma synchronous = off")
            create_schema(con)
            carry_forward(con, previous, workdir, KEEP_FULL_SYNCS - 1)
            sync_id = new_ksuid(clock().timestamp())
            with guarded(previous, "the new sync"):
                con.execute(
                    "insert into v1_sync_runs (sync_id, started_at, ended_at, sync_token, "
                    "sync_type, parent_sync_id, linked_sync_id, supports_diff, "
                    "grants_backfilled) values (?, ?, NULL, '', 'full', '', '', 1, 1)",
                    (sync_id, sqlite_time(clock())),
                )
        except BaseException:
            con.close()
            raise
        return con, sync_id

    # --- context manager ---------------------------------------------------------------------

    def __enter__(self) -> C1zWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Leaving without ``commit()`` (normally or by an exception) aborts."""
        self.abort()

    @property
    def connection(self) -> sqlite3.Connection:
        """The working database (grant expansion and completeness checks query it)."""
        if self._con is None:
            raise RuntimeError("the c1z writer is closed")
        return self._con

    # --- puts --------------------------------------------------------------------------------

    def _put(self, sql: str, rows: Iterable[_rows.Row]) -> None:
        con = self.connection
        for batch in _chunks(rows, BATCH):
            # an older SQLite may allow as few as 999 variables per statement
            step = max(1, min(ROWS_PER_STATEMENT, self._variables // len(batch[0])))
            con.execute("begin")
            try:
                for part in _statement_parts(batch, step):
                    con.execute(_rows.many(sql, len(part)), [v for row in part for v in row])
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")

    def put_resource_types(self, items: Iterable[ResourceType]) -> None:
        """Upsert resource types into this sync."""
        now, sid = sqlite_time(self._clock()), self.sync_id
        self._put(_rows.UPSERT_RESOURCE_TYPE, (_rows.resource_type_row(i, sid, now) for i in items))

    def put_resources(self, items: Iterable[Resource]) -> None:
        """Upsert resources; a later put of the same type and id replaces the earlier one."""
        now, sid = sqlite_time(self._clock()), self.sync_id
        self._put(_rows.UPSERT_RESOURCE, (_rows.resource_row(i, sid, now) for i in items))

    def put_entitlements(self, items: Iterable[Entitlement]) -> None:
        """Upsert entitlements, keyed by entitlement id."""
        now, sid = sqlite_time(self._clock()), self.sync_id
        self._put(_rows.UPSERT_ENTITLEMENT, (_rows.entitlement_row(i, sid, now) for i in items))

    def put_grants(self, items: Iterable[Grant]) -> None:
        """Upsert grants; ``GrantExpandable`` moves to the ``expansion`` column."""
        now, sid = sqlite_time(self._clock()), self.sync_id
        self._put(_rows.UPSERT_GRANT, (_rows.grant_row(i, sid, now) for i in items))

    # --- reads of this sync ------------------------------------------------------------------

    def iter_resources(self, resource_type: str, chunk: int = 1000) -> Iterator[Resource]:
        """This sync's resources of one type in rowid order, fetched ``chunk`` rows at a time
        by keyset (safe against puts between chunks; memory stays bounded)."""
        last = 0
        while True:
            rows = self.connection.execute(
                "select id, data from v1_resources where sync_id = ? and resource_type_id = ? "
                "and id > ? order by id limit ?",
                (self.sync_id, resource_type, last, chunk),
            ).fetchall()
            for _, data in rows:
                yield Resource.FromString(data)
            if len(rows) < chunk:
                return
            last = rows[-1][0]

    def count(self, table: str) -> int:
        """Rows of this sync in ``table`` (``resource_types``, ``resources``, ``entitlements``,
        ``grants`` or ``assets``)."""
        if table not in _COUNTED:
            raise ValueError(f"unknown table {table!r}; one of {', '.join(_COUNTED)}")
        sql = f"select count(*) from v1_{table} where sync_id = ?"
        return int(self.connection.execute(sql, (self.sync_id,)).fetchone()[0])

    def count_by_resource_type(self, table: str) -> dict[str, int]:
        """Rows of this sync in ``resources``, ``entitlements`` or ``grants`` per resource type
        (for grants: the type of the entitlement's resource, as the SDK's stats count)."""
        if table not in _BY_TYPE:
            raise ValueError(f"unknown table {table!r}; one of {', '.join(_BY_TYPE)}")
        sql = (
            f"select resource_type_id, count(*) from v1_{table} where sync_id = ? "
            "group by resource_type_id order by resource_type_id"
        )
        return {rt: int(n) for rt, n in self.connection.execute(sql, (self.sync_id,))}

    def stats(self) -> dict[str, object]:
        """This sync's counts in the SDK's ``SyncStats`` JSON shape (snake_case keys)."""
        return {
            "resource_types": self.count("resource_types"),
            "resources": self.count("resources"),
            "entitlements": self.count("entitlements"),
            "grants": self.count("grants"),
            "resources_by_resource_type": self.count_by_resource_type("resources"),
            "entitlements_by_resource_type": self.count_by_resource_type("entitlements"),
            "grants_by_resource_type": self.count_by_resource_type("grants"),
            "assets": self.count("assets"),
        }

    # --- the end -----------------------------------------------------------------------------

    def commit(self) -> None:
        """End the sync and atomically replace the target; on failure the target is untouched
        and the writer is aborted."""
        con = self.connection
        try:
            with signal_guard(), guarded(self.target, "the new sync"):
                con.execute(
                    "update v1_sync_runs set ended_at = ?, stats = ? "
                    "where sync_id = ? and ended_at is null",
                    (sqlite_time(self._clock()), json.dumps(self.stats()), self.sync_id),
                )
                self._cleanup(con)
                con.execute("vacuum")
                con.close()
                self._con = None
                self._replace_target()
        except BaseException:
            self.abort()
            raise
        self._release()

    def _cleanup(self, con: sqlite3.Connection) -> None:
        """Keep the newest ``KEEP_FULL_SYNCS`` finished full syncs (ours included) and drop
        every other sync: older full ones, and unfinished ones that we never resume."""
        keep = [
            row[0]
            for row in con.execute(
                "select sync_id from v1_sync_runs where ended_at is not null and sync_type = "
                "'full' order by ended_at desc, sync_id desc limit ?",
                (KEEP_FULL_SYNCS,),
            )
        ]
        marks = ", ".join("?" * len(keep))
        con.execute("begin")
        for table in (*DATA_TABLES, "v1_sync_runs"):
            con.execute(f"delete from {table} where sync_id not in ({marks})", keep)
        con.execute("commit")

    def _replace_target(self) -> None:
        parent = self.target.parent
        fd, tmp_name = tempfile.mkstemp(dir=parent, prefix=temp_prefix(self.target), suffix=".tmp")
        tmp = Path(tmp_name)
        try:
            if self.target.exists():  # mkstemp makes 0600; keep a replaced file's mode
                os.chmod(tmp, self.target.stat().st_mode & 0o777)
            with os.fdopen(fd, "wb") as out:
                compress_db(self._db, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        with contextlib.suppress(OSError):  # directory fsync is not possible everywhere
            dir_fd = os.open(parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def abort(self) -> None:
        """Drop the sync: close and delete the working files; the target stays as it was.
        Safe to call more than once and after ``commit``."""
        if self._con is not None:
            with contextlib.suppress(sqlite3.Error):
                self._con.interrupt()  # a query running in another thread stops now
                self._con.close()
            self._con = None
        self._release()

    def _release(self) -> None:
        """Remove the working files, then give up the file's lock."""
        remove_workdir(self._workdir)
        if self._claim is not None:
            self._claim.release()
