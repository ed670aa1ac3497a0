"""Two c1z files compared row by row: every resource type, resource, entitlement and grant of
their latest syncs, with their key columns and their data as parsed messages.

Timestamps aside (``discovered_at``, the sync runs), the rows must be equal. Messages are
compared as protojson dicts with ``Any`` values unpacked, because two correct writers may
serialize the same message differently (a ``Struct``'s map entries come in any order)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb import annotation_trait_pb2, annotations_pb2
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType

TABLES: dict[str, tuple[type[Message], tuple[str, ...]]] = {
    "v1_resource_types": (ResourceType, ()),
    "v1_resources": (Resource, ("resource_type_id", "parent_resource_type_id",
                                "parent_resource_id")),
    "v1_entitlements": (Entitlement, ("resource_type_id", "resource_id")),
    "v1_grants": (Grant, ("resource_type_id", "resource_id", "entitlement_id",
                          "principal_resource_type_id", "principal_resource_id", "expansion",
                          "needs_expansion")),
}

Rows = dict[str, dict[str, Any]]
KNOWN_ANNOTATIONS = (annotation_trait_pb2, annotations_pb2)
"""Imported so that ``MessageToDict`` can unpack every annotation type we write."""


def _row(columns: tuple[str, ...], values: tuple[Any, ...], message: Message) -> dict[str, Any]:
    row = dict(zip(columns, values, strict=True))
    if row.get("expansion") is not None:
        row["expansion"] = MessageToDict(GrantExpandable.FromString(row["expansion"]))
    row["data"] = MessageToDict(message)
    return row


def rows(path: Path) -> dict[str, Rows]:
    """Every row of the file's latest finished sync, by table and ``external_id``."""
    found: dict[str, Rows] = {}
    with C1zReader.open(path) as reader:
        con = reader._con
        for table, (kind, columns) in TABLES.items():
            sql = (f"select external_id, {', '.join((*columns, 'data'))} from {table} "
                   "where sync_id = ? order by external_id")
            found[table] = {
                str(r[0]): _row(columns, tuple(r[1:-1]), kind.FromString(r[-1]))
                for r in con.execute(sql, (reader.sync_id,))
            }
    return found


def differences(expected: Path, actual: Path) -> list[str]:
    """What differs between the two files, one line per row, in table then id order."""
    want, have = rows(expected), rows(actual)
    out = []
    for table in TABLES:
        for key in sorted(set(want[table]) | set(have[table])):
            a, b = want[table].get(key), have[table].get(key)
            if a == b:
                continue
            if a is None or b is None:
                out.append(f"{table} {key}: only in {'the second' if a is None else 'the first'}")
                continue
            fields = sorted(f for f in set(a) | set(b) if a.get(f) != b.get(f))
            first = fields[0]
            out.append(f"{table} {key}: {first} differs: {a.get(first)!r} != {b.get(first)!r}")
    return out


def counts(path: Path) -> dict[str, int]:
    """Rows per table (to show the comparison was not of two empty files)."""
    return {table: len(found) for table, found in rows(path).items()}
