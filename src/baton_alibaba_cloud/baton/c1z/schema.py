"""The seven ``v1_*`` tables of baton-sdk v0.25.0, in its creation order (``docs/c1z-format.md``
§1.4), plus the migration that brings an older Go-written file up to them.

The index names are copied as the SDK creates them, including its swap on ``v1_resources``:
``idx_resources_external_sync_v1`` indexes the parent columns and
``idx_resources_parent_resource_id_v1`` is the UNIQUE (external_id, sync_id) one. Tools that
look for an index by name expect exactly that.
"""

from __future__ import annotations

import sqlite3

__all__ = ["DATA_TABLES", "TABLES", "create_schema", "migrate_schema"]

# (table, column definitions, index statements). Columns are listed one per item so the
# migration can add any that an older file lacks.
TABLES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "v1_resource_types",
        ("id integer primary key", "external_id text not null", "data blob not null",
         "sync_id text not null", "discovered_at datetime not null"),
        ("create unique index if not exists idx_resource_types_external_sync_v1 "
         "on v1_resource_types (external_id, sync_id)",),
    ),
    (
        "v1_resources",
        ("id integer primary key", "resource_type_id text not null", "external_id text not null",
         "parent_resource_type_id text", "parent_resource_id text", "data blob not null",
         "sync_id text not null", "discovered_at datetime not null"),
        ("create index if not exists idx_resources_resource_type_id_v1 "
         "on v1_resources (resource_type_id)",
         "create index if not exists idx_resources_external_sync_v1 "
         "on v1_resources (parent_resource_type_id, parent_resource_id)",
         "create unique index if not exists idx_resources_parent_resource_id_v1 "
         "on v1_resources (external_id, sync_id)"),
    ),
    (
        "v1_entitlements",
        ("id integer primary key", "resource_type_id text not null", "resource_id text not null",
         "external_id text not null", "data blob not null", "sync_id text not null",
         "discovered_at datetime not null"),
        ("create index if not exists idx_entitlements_resource_id_v1 "
         "on v1_entitlements (resource_type_id, resource_id)",
         "create unique index if not exists idx_entitlements_external_sync_v1 "
         "on v1_entitlements (external_id, sync_id)"),
    ),
    (
        "v1_sync_runs",
        ("id integer primary key", "sync_id text not null", "started_at datetime not null",
         "ended_at datetime", "sync_token text not null",
         "sync_type text not null default 'full'", "parent_sync_id text not null default ''",
         "linked_sync_id text not null default ''", "supports_diff integer not null default 0",
         "grants_backfilled integer not null default 0", "stats text",
         "ingest_invariant_generation text not null default ''",
         "ingest_invariant_coverage text not null default ''",
         "ingest_invariant_mode text not null default ''"),
        ("create unique index if not exists idx_sync_runs_sync_id_v1 on v1_sync_runs (sync_id)",),
    ),
    (
        "v1_grants",
        ("id integer primary key", "resource_type_id text not null", "resource_id text not null",
         "entitlement_id text not null", "principal_resource_type_id text not null",
         "principal_resource_id text not null", "external_id text not null", "expansion blob",
         "needs_expansion integer not null default 0", "data blob not null",
         "sync_id text not null", "discovered_at datetime not null"),
        ("create index if not exists idx_grants_resource_type_id_resource_id_v1 "
         "on v1_grants (resource_type_id, resource_id)",
         "create index if not exists idx_grants_principal_id_v1 "
         "on v1_grants (principal_resource_type_id, principal_resource_id)",
         "create index if not exists idx_grants_entitlement_id_principal_id_v1 "
         "on v1_grants (entitlement_id, principal_resource_type_id, principal_resource_id)",
         "create unique index if not exists idx_grants_external_sync_v1 "
         "on v1_grants (external_id, sync_id)",
         "create index if not exists idx_grants_entitlement_sync_grant_v1 "
         "on v1_grants (entitlement_id, sync_id, id)",
         "create index if not exists idx_grants_sync_expansion_v1 "
         "on v1_grants (sync_id) where expansion is not null",
         "create index if not exists idx_grants_sync_needs_expansion_v1 "
         "on v1_grants (sync_id) where needs_expansion = 1"),
    ),
    (
        "v1_assets",
        ("id integer primary key", "external_id text not null", "content_type text not null",
         "data blob not null", "sync_id text not null", "discovered_at datetime not null"),
        ("create unique index if not exists idx_assets_external_sync_v1 "
         "on v1_assets (external_id, sync_id)",),
    ),
    (
        "v1_connector_sessions",
        ("id integer primary key", "sync_id text NOT NULL", "key TEXT NOT NULL",
         "value BLOB NOT NULL"),
        ("create unique index if not exists idx_session_store_sync_key_v1 "
         "on v1_connector_sessions (sync_id, key)",),
    ),
)

# Tables whose rows belong to a sync (deleted together when a sync is dropped).
DATA_TABLES = (
    "v1_resource_types",
    "v1_resources",
    "v1_entitlements",
    "v1_grants",
    "v1_assets",
    "v1_connector_sessions",
)


def create_schema(con: sqlite3.Connection) -> None:
    """Create every table and index that does not exist yet, in the SDK's order."""
    for table, columns, indexes in TABLES:
        con.execute(f"create table if not exists {table} ({', '.join(columns)})")
        for statement in indexes:
            con.execute(statement)


def migrate_schema(con: sqlite3.Connection) -> None:
    """Bring an older file up to date as the Go SDK does on open: add missing tables, then
    missing columns (``ALTER TABLE ADD COLUMN``; every added column is nullable or has a
    default), then missing indexes."""
    for table, columns, _ in TABLES:
        con.execute(f"create table if not exists {table} ({', '.join(columns)})")
        have = {row[1] for row in con.execute(f"pragma table_info({table})")}
        for column in columns:
            if column.split()[0] not in have:
                con.execute(f"alter table {table} add column {column}")
    create_schema(con)
