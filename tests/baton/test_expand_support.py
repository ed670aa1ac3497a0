"""Helpers for the expansion and access tests: a tiny v1 c1z database built with plain SQL.

Built by hand (not with ``C1zWriter``) so the expander is tested against the table layout
itself, the way Go's files present it; no tests live here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from baton_alibaba_cloud.baton import types
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource

SYNC = "2aaaaaaaaaaaaaaaaaaaaaaaaaa"
_SCHEMA = (
    "CREATE TABLE v1_sync_runs (id integer primary key, sync_id text not null, "
    "started_at datetime not null, ended_at datetime, sync_token text not null, "
    "sync_type text not null default 'full', grants_backfilled integer not null default 0)",
    "CREATE TABLE v1_resources (id integer primary key, resource_type_id text not null, "
    "external_id text not null, parent_resource_type_id text, parent_resource_id text, "
    "data blob not null, sync_id text not null, discovered_at datetime not null)",
    "CREATE TABLE v1_entitlements (id integer primary key, resource_type_id text not null, "
    "resource_id text not null, external_id text not null, data blob not null, "
    "sync_id text not null, discovered_at datetime not null)",
    "CREATE TABLE v1_grants (id integer primary key, resource_type_id text not null, "
    "resource_id text not null, entitlement_id text not null, "
    "principal_resource_type_id text not null, principal_resource_id text not null, "
    "external_id text not null, expansion blob, needs_expansion integer not null default 0, "
    "data blob not null, sync_id text not null, discovered_at datetime not null)",
    "CREATE UNIQUE INDEX idx_grants_external_sync_v1 ON v1_grants (external_id, sync_id)",
    "CREATE INDEX idx_grants_entitlement_id_principal_id_v1 ON v1_grants "
    "(entitlement_id, principal_resource_type_id, principal_resource_id)",
)
NOW = "2026-11-27 10:00:00"


@dataclass
class C1zDb:
    """A v1 database with one finished sync; ``legacy`` keeps ``GrantExpandable`` in blobs."""

    conn: sqlite3.Connection
    legacy: bool = False
    resources: dict[str, Resource] = field(default_factory=dict)

    @classmethod
    def create(cls, path: Path | str = ":memory:", *, legacy: bool = False) -> C1zDb:
        conn = sqlite3.connect(path)
        for statement in _SCHEMA:
            conn.execute(statement)
        if legacy:  # the oldest writer: no expansion columns at all
            conn.execute("ALTER TABLE v1_grants DROP COLUMN expansion")
            conn.execute("ALTER TABLE v1_grants DROP COLUMN needs_expansion")
        conn.execute(
            "INSERT INTO v1_sync_runs (sync_id, started_at, ended_at, sync_token, "
            "grants_backfilled) VALUES (?, ?, ?, '', 1)",
            (SYNC, NOW, NOW),
        )
        conn.commit()
        return cls(conn, legacy)

    def resource(self, rtype: str, rid: str, name: str | None = None) -> Resource:
        res = types.resource(rtype, rid, name or rid)
        self.resources[f"{rtype}:{rid}"] = res
        self.conn.execute(
            "INSERT INTO v1_resources (resource_type_id, external_id, data, sync_id, "
            "discovered_at) VALUES (?, ?, ?, ?, ?)",
            (rtype, f"{rtype}:{rid}", res.SerializeToString(deterministic=True), SYNC, NOW),
        )
        return res

    def entitlement(self, res: Resource, slug: str) -> Entitlement:
        ent = types.assignment_entitlement(res, slug)
        self.conn.execute(
            "INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, "
            "sync_id, discovered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (res.id.resource_type, res.id.resource, ent.id,
             ent.SerializeToString(deterministic=True), SYNC, NOW),
        )
        return ent

    def grant(
        self,
        ent: Entitlement,
        principal: Resource,
        *,
        expand: list[str] | None = None,
        shallow: bool = False,
        types_: list[str] | None = None,
    ) -> Grant:
        """Store a grant; ``expand`` lists source entitlement ids (``GrantExpandable``)."""
        msg = types.grant(ent, principal)
        expansion: bytes | None = None
        if expand is not None:
            ann = GrantExpandable(
                entitlement_ids=expand, shallow=shallow, resource_type_ids=types_ or []
            )
            if self.legacy:
                msg.annotations.append(types.pack_any(ann))
            else:
                expansion = ann.SerializeToString(deterministic=True)
        columns: list[object] = [
            ent.resource.id.resource_type, ent.resource.id.resource, ent.id,
            principal.id.resource_type, principal.id.resource, msg.id,
            msg.SerializeToString(deterministic=True), SYNC, NOW,
        ]
        names = ("resource_type_id, resource_id, entitlement_id, principal_resource_type_id, "
                 "principal_resource_id, external_id, data, sync_id, discovered_at")
        if not self.legacy:
            names += ", expansion, needs_expansion"
            columns += [expansion, int(expansion is not None)]
        marks = ", ".join("?" * len(columns))
        self.conn.execute(f"INSERT INTO v1_grants ({names}) VALUES ({marks})", columns)
        return msg

    def grants(self) -> dict[str, Grant]:
        rows = self.conn.execute("SELECT external_id, data FROM v1_grants ORDER BY id")
        return {str(gid): Grant.FromString(bytes(data)) for gid, data in rows}

    def sources(self, grant_id: str) -> dict[str, bool]:
        grant = self.grants()[grant_id]
        return {key: value.is_direct for key, value in grant.sources.sources.items()}

    def save_c1z(self, path: Path) -> Path:
        """Write this database as a c1z file (header + one zstd frame)."""
        self.conn.commit()
        raw = path.with_suffix(".db")
        backup = sqlite3.connect(raw)
        self.conn.backup(backup)
        backup.close()
        blob = zstandard.ZstdCompressor(level=3, write_checksum=True).compress(raw.read_bytes())
        path.write_bytes(b"C1ZF\x00" + blob)
        return path


def decompress_fixture(src: Path, dst: Path) -> Path:
    """A Go-written v1 c1z as a plain SQLite file (the 5-byte header, then one zstd frame)."""
    data = src.read_bytes()
    assert data[:5] == b"C1ZF\x00", src
    with zstandard.ZstdDecompressor().stream_reader(data[5:]) as reader:
        dst.write_bytes(reader.read())
    return dst
