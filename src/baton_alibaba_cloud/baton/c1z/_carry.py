"""Carry the previous full sync of an existing c1z into a fresh database.

Why not open the old file and add to it: whatever its schema holds would come along and run. A
trigger on ``v1_grants`` fires on our own inserts and can forge grants into the fresh sync; a
view replacing a table answers our reads. So the new sync always starts in a database we create,
and from the old file only rows are copied: of our tables whose definitions are ours (checked in
``_schema_check``), of the syncs we keep, by named columns. Triggers never fire (the old file is
only read), views and foreign objects are left behind and named in a warning.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

from baton_alibaba_cloud.baton.c1z._guard import guarded
from baton_alibaba_cloud.baton.c1z._schema_check import SchemaReport, inspect_schema
from baton_alibaba_cloud.baton.c1z.format import C1zFormatError, decompress_c1z, detect_format

__all__ = ["carry_forward"]

log = logging.getLogger(__name__)
PREVIOUS = "previous"


def carry_forward(con: sqlite3.Connection, c1z: Path, workdir: Path, keep: int) -> list[str]:
    """Copy the ``keep`` newest finished full syncs of ``c1z`` (if it exists) into ``con``;
    returns their sync ids. The decoded old file is deleted afterwards."""
    if detect_format(c1z) == "empty":
        return []
    old_db = workdir / PREVIOUS
    decompress_c1z(c1z, old_db)
    try:
        with guarded(c1z, "the previous file"):
            report = _read_schema(old_db, c1z)
            if report.foreign:
                log.warning("%s: not carried forward, as it is not part of a baton c1z: %s",
                            c1z, "; ".join(report.foreign[:5]))
            return _copy(con, old_db, report, keep)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{old_db}{suffix}").unlink()


def _read_schema(old_db: Path, c1z: Path) -> SchemaReport:
    old = sqlite3.connect(old_db)
    try:
        return inspect_schema(old)
    except sqlite3.DatabaseError as exc:
        raise C1zFormatError(f"{c1z}: not a c1z SQLite database ({exc})") from exc
    finally:
        old.close()


def _copy(con: sqlite3.Connection, old_db: Path, report: SchemaReport, keep: int) -> list[str]:
    if "v1_sync_runs" not in report.tables:
        return []
    con.execute(f"attach database ? as {PREVIOUS}", (str(old_db),))
    try:
        kept = [row[0] for row in con.execute(
            f"select sync_id from {PREVIOUS}.v1_sync_runs where ended_at is not null and "
            "sync_type = 'full' order by ended_at desc, sync_id desc limit ?", (keep,))]
        marks = ", ".join("?" * len(kept))
        con.execute("begin")
        for table, columns in report.tables.items():
            cols = ", ".join(columns)
            con.execute(f"insert into main.{table} ({cols}) select {cols} from "
                        f"{PREVIOUS}.{table} where sync_id in ({marks}) order by id", kept)
        con.execute("commit")
    except BaseException:
        if con.in_transaction:
            con.execute("rollback")
        raise
    finally:
        con.execute(f"detach database {PREVIOUS}")
    return kept
