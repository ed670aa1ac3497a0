"""What a c1z being written already holds from earlier syncs: read or forgotten.

Why beside the writer and not in it: the writer keeps earlier syncs so that ``baton diff``
has a previous full sync; whether those syncs belong with the new one (the same system, the
same account) is the connector's question. These two functions answer it on the writer's
working database (``C1zWriter.connection``), so the file is decompressed once and the target
stays untouched until ``commit``.
"""

from __future__ import annotations

import sqlite3

from baton_alibaba_cloud.baton.c1z.schema import DATA_TABLES
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource

__all__ = ["forget_other_syncs", "previous_sync", "previous_sync_resources"]


def previous_sync(con: sqlite3.Connection, current_sync_id: str) -> str | None:
    """The latest finished full sync other than ``current_sync_id``, else the latest finished
    sync of any type, else ``None`` (the order the readers use to pick "the" sync)."""
    for type_filter in ("and sync_type = 'full'", ""):
        row = con.execute(
            "select sync_id from v1_sync_runs where ended_at is not null and sync_id != ? "
            f"{type_filter} order by ended_at desc, sync_id desc limit 1",
            (current_sync_id,)).fetchone()
        if row:
            return str(row[0])
    return None


def previous_sync_resources(con: sqlite3.Connection, sync_id: str,
                            resource_type: str) -> list[Resource]:
    """The resources of one type in the sync ``sync_id``."""
    rows = con.execute(
        "select data from v1_resources where sync_id = ? and resource_type_id = ?",
        (sync_id, resource_type))
    return [Resource.FromString(data) for (data,) in rows]


def forget_other_syncs(con: sqlite3.Connection, keep_sync_id: str) -> int:
    """Delete every sync but ``keep_sync_id`` and its rows (start the file afresh); returns
    how many syncs were dropped."""
    dropped = con.execute("delete from v1_sync_runs where sync_id != ?", (keep_sync_id,))
    for table in DATA_TABLES:
        con.execute(f"delete from {table} where sync_id != ?", (keep_sync_id,))
    return dropped.rowcount
