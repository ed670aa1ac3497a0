"""Our c1z as the Go ``baton`` CLI reads it (docs/c1z-format.md §3, §6), without our reader:
the envelope with ``zstandard``, the database with plain ``sqlite3``, and every lookup the CLI
makes as an SQL join (a grant's entitlement, principal, entitlement resource and resource type;
a resource's type and parent), for the latest and the previous full sync of the file."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import zstandard

from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from tests.e2e.cli_helpers import SCRIPT, clean_env, run_cli

TABLES = {
    "v1_resource_types": {"idx_resource_types_external_sync_v1"},
    "v1_resources": {"idx_resources_resource_type_id_v1", "idx_resources_external_sync_v1",
                     "idx_resources_parent_resource_id_v1"},
    "v1_entitlements": {"idx_entitlements_resource_id_v1", "idx_entitlements_external_sync_v1"},
    "v1_sync_runs": {"idx_sync_runs_sync_id_v1"},
    "v1_grants": {"idx_grants_resource_type_id_resource_id_v1", "idx_grants_principal_id_v1",
                  "idx_grants_entitlement_id_principal_id_v1", "idx_grants_external_sync_v1",
                  "idx_grants_entitlement_sync_grant_v1", "idx_grants_sync_expansion_v1",
                  "idx_grants_sync_needs_expansion_v1"},
    "v1_assets": {"idx_assets_external_sync_v1"},
    "v1_connector_sessions": {"idx_session_store_sync_key_v1"},
}
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{0,5}[1-9])?$")
KSUID = re.compile(r"^[0-9A-Za-z]{27}$")
TRAITS = {ResourceType.TRAIT_USER: "UserTrait", ResourceType.TRAIT_GROUP: "GroupTrait",
          ResourceType.TRAIT_ROLE: "RoleTrait", ResourceType.TRAIT_APP: "AppTrait",
          ResourceType.TRAIT_SECRET: "SecretTrait",
          ResourceType.TRAIT_SCOPE_BINDING: "ScopeBindingTrait"}

# Each query lists the rows of one sync whose lookup fails, as the CLI's would.
MISSING = {
    "resource without its type": """
        select r.external_id from v1_resources r left join v1_resource_types t
          on t.external_id = r.resource_type_id and t.sync_id = r.sync_id
        where r.sync_id = :sync and t.id is null""",
    "resource without its parent": """
        select r.external_id from v1_resources r left join v1_resources p
          on p.external_id = r.parent_resource_type_id || ':' || r.parent_resource_id
         and p.sync_id = r.sync_id
        where r.sync_id = :sync and r.parent_resource_id is not null and p.id is null""",
    "entitlement without its resource": """
        select e.external_id from v1_entitlements e left join v1_resources r
          on r.external_id = e.resource_type_id || ':' || e.resource_id and r.sync_id = e.sync_id
        where e.sync_id = :sync and r.id is null""",
    "grant without its entitlement": """
        select g.external_id from v1_grants g left join v1_entitlements e
          on e.external_id = g.entitlement_id and e.sync_id = g.sync_id
        where g.sync_id = :sync and e.id is null""",
    "grant without its principal": """
        select g.external_id from v1_grants g left join v1_resources r
          on r.external_id = g.principal_resource_type_id || ':' || g.principal_resource_id
         and r.sync_id = g.sync_id
        where g.sync_id = :sync and r.id is null""",
    "grant without its entitlement's resource": """
        select g.external_id from v1_grants g
          join v1_entitlements e on e.external_id = g.entitlement_id and e.sync_id = g.sync_id
          left join v1_resources r
          on r.external_id = e.resource_type_id || ':' || e.resource_id and r.sync_id = g.sync_id
        where g.sync_id = :sync and r.id is null""",
    "grant without its resource type": """
        select g.external_id from v1_grants g left join v1_resource_types t
          on t.external_id = g.resource_type_id and t.sync_id = g.sync_id
        where g.sync_id = :sync and t.id is null""",
    "grant without its principal's type": """
        select g.external_id from v1_grants g left join v1_resource_types t
          on t.external_id = g.principal_resource_type_id and t.sync_id = g.sync_id
        where g.sync_id = :sync and t.id is null""",
}


def open_plain(path: Path, tmp_path: Path) -> sqlite3.Connection:
    """Check the envelope (one zstd frame, content size and checksum) and open the database."""
    raw = path.read_bytes()
    assert raw[:5] == b"C1ZF\x00"
    params = zstandard.get_frame_parameters(raw[5:23])
    assert params.has_checksum and params.content_size > 0
    obj = zstandard.ZstdDecompressor().decompressobj()
    db = obj.decompress(raw[5:])
    assert obj.eof and obj.unused_data == b""  # exactly one frame, nothing after it
    assert len(db) == params.content_size
    assert db[18:20] == b"\x01\x01"  # rollback journal, not WAL
    out = tmp_path / "plain.db"
    out.write_bytes(db)
    return sqlite3.connect(out)


def check_schema(con: sqlite3.Connection) -> None:
    rows = con.execute("select type, name, tbl_name from sqlite_master "
                       "where name not like 'sqlite_%'").fetchall()
    assert {name for kind, name, _ in rows if kind == "table"} == set(TABLES)
    for table, indexes in TABLES.items():
        assert {name for kind, name, tbl in rows if kind == "index" and tbl == table} == indexes


def check_sync_runs(con: sqlite3.Connection) -> list[str]:
    """Two finished full syncs, newest first, with the SDK's values and local time stamps (and
    the rows' ``discovered_at`` in the same format)."""
    runs = con.execute(
        "select sync_id, started_at, ended_at, sync_type, parent_sync_id, linked_sync_id, "
        "supports_diff, grants_backfilled from v1_sync_runs "
        "order by ended_at desc, sync_id desc").fetchall()
    assert len(runs) == 2
    now = datetime.now()
    for sync_id, started, ended, kind, parent, linked, diff, backfilled in runs:
        assert KSUID.match(sync_id) and (kind, parent, linked, diff, backfilled) == (
            "full", "", "", 1, 1)
        assert TIME.match(started) and TIME.match(ended) and started <= ended
        assert abs(datetime.fromisoformat(ended) - now) < timedelta(minutes=5)
    for table in ("v1_resource_types", "v1_resources", "v1_entitlements", "v1_grants"):
        stamps = {at for (at,) in con.execute(f"select distinct discovered_at from {table}")}
        assert stamps and all(TIME.match(at) for at in stamps), table
    return [run[0] for run in runs]


def check_complete(con: sqlite3.Connection, sync_id: str) -> None:
    missing = {what: con.execute(sql, {"sync": sync_id}).fetchall()
               for what, sql in MISSING.items()}
    assert missing == {what: [] for what in MISSING}
    check_blobs(con, sync_id)


def check_blobs(con: sqlite3.Connection, sync_id: str) -> None:
    """The ``data`` blobs say what the key columns say (the CLI reads ids from the blobs), and
    every resource of a type with a trait carries that trait's annotation."""
    types = {t.id: t for t in (ResourceType.FromString(d) for (d,) in con.execute(
        "select data from v1_resource_types where sync_id = ?", (sync_id,)))}
    for ext, data in con.execute(
            "select external_id, data from v1_resources where sync_id = ?", (sync_id,)):
        res = Resource.FromString(data)
        assert ext == f"{res.id.resource_type}:{res.id.resource}"
        wanted = {TRAITS[t] for t in types[res.id.resource_type].traits}
        names = {a.type_url.rsplit(".", 1)[-1] for a in res.annotations}
        assert wanted <= names, ext
    for ext, rtype, rid, data in con.execute(
            "select external_id, resource_type_id, resource_id, data from v1_entitlements "
            "where sync_id = ?", (sync_id,)):
        ent = Entitlement.FromString(data)
        assert (ext, rtype, rid) == (ent.id, ent.resource.id.resource_type,
                                     ent.resource.id.resource)
    for row in con.execute(
            "select external_id, entitlement_id, principal_resource_type_id, "
            "principal_resource_id, data from v1_grants where sync_id = ?", (sync_id,)):
        grant = Grant.FromString(row[4])
        assert row[:4] == (grant.id, grant.entitlement.id, grant.principal.id.resource_type,
                           grant.principal.id.resource)


@pytest.mark.parametrize("sync_secrets", [False, True], ids=["sample", "sync-secrets"])
def test_the_baton_cli_joins_find_every_object(tmp_path: Path, sync_secrets: bool) -> None:
    env = clean_env(tmp_path)
    flags = ["--sync-secrets"] if sync_secrets else []
    first = run_cli(["demo", *flags], tmp_path, env)
    assert first.code == 0, first.stderr
    # The second sync through ``python -m``: the module entry point behaves as the script.
    second = subprocess.run([sys.executable, "-m", "baton_alibaba_cloud", "demo", *flags],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert second.returncode == 0, second.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "c1z" in p.name) == ["demo.c1z"]
    con = open_plain(tmp_path / "demo.c1z", tmp_path)
    check_schema(con)
    latest, previous = check_sync_runs(con)
    for sync_id in (latest, previous):
        check_complete(con, sync_id)
    secrets = con.execute("select count(*) from v1_resources where resource_type_id = "
                          "'access_key' and sync_id = ?", (latest,)).fetchone()[0]
    assert (secrets > 0) == sync_secrets
    grants = con.execute("select count(*), sum(needs_expansion) from v1_grants "
                         "where sync_id = ?", (latest,)).fetchone()
    assert grants[0] > 0 and grants[1] > 0


def test_python_dash_m_exit_statuses(tmp_path: Path) -> None:
    env = clean_env(tmp_path)

    def status(*args: str) -> int:
        return subprocess.run([sys.executable, "-m", "baton_alibaba_cloud", *args],
                              cwd=tmp_path, env=env, capture_output=True, timeout=60,
                              check=False).returncode

    assert status("--version") == 0
    assert status("--no-such-flag") == 2
    assert status("inspect", "stats", "-f", str(tmp_path / "missing.c1z")) == 1
    assert SCRIPT.exists()
