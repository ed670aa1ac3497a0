"""C1zWriter: envelope, schema, upserts, atomic commit, sync retention, fixture round trip."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import zstandard

from baton_alibaba_cloud.baton import types as t
from baton_alibaba_cloud.baton.c1z import C1zReader, C1zWriter, UnsupportedC1zVersion
from baton_alibaba_cloud.baton.c1z import writer as writer_mod
from baton_alibaba_cloud.baton.c1z.format import decompress_c1z
from baton_alibaba_cloud.baton.c1z.ids import ksuid_time
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceType

FIXTURES = Path("fixtures") / "baton-sdk"
USER = t.resource_type("user", "User", [ResourceType.TRAIT_USER])
GROUP = t.resource_type("group", "Group", [ResourceType.TRAIT_GROUP])

EXPECTED_OBJECTS = {
    "v1_resource_types", "idx_resource_types_external_sync_v1",
    "v1_resources", "idx_resources_resource_type_id_v1", "idx_resources_external_sync_v1",
    "idx_resources_parent_resource_id_v1",
    "v1_entitlements", "idx_entitlements_resource_id_v1", "idx_entitlements_external_sync_v1",
    "v1_sync_runs", "idx_sync_runs_sync_id_v1",
    "v1_grants", "idx_grants_resource_type_id_resource_id_v1", "idx_grants_principal_id_v1",
    "idx_grants_entitlement_id_principal_id_v1", "idx_grants_external_sync_v1",
    "idx_grants_entitlement_sync_grant_v1", "idx_grants_sync_expansion_v1",
    "idx_grants_sync_needs_expansion_v1",
    "v1_assets", "idx_assets_external_sync_v1",
    "v1_connector_sessions", "idx_session_store_sync_key_v1",
}


def ticking_clock(start: datetime = datetime(2026, 11, 27, 10, 0, 0)) -> Callable[[], datetime]:
    """A clock that advances 1.5 s per call, so every sync ends at a distinct time."""
    state = {"now": start}

    def now() -> datetime:
        state["now"] += timedelta(seconds=1.5)
        return state["now"]

    return now


def write_small(path: Path, clock: Callable[[], datetime] | None = None, group: str = "g") -> str:
    with C1zWriter.open(path, clock=clock or ticking_clock()) as w:
        w.put_resource_types([USER, GROUP])
        g = t.resource(GROUP, group, "G", annotations=[t.group_trait()])
        u = t.resource(USER, "u", "U", annotations=[t.user_trait(login="u")])
        w.put_resources([g, u])
        ent = t.assignment_entitlement(g, "member", "G member", None, [USER])
        w.put_entitlements([ent])
        w.put_grants([t.grant(ent, u.id)])
        w.commit()
        return w.sync_id


def unpack(path: Path, tmp_path: Path) -> sqlite3.Connection:
    db = tmp_path / "check.db"
    decompress_c1z(path, db)
    return sqlite3.connect(db)


def test_envelope_and_schema(tmp_path: Path) -> None:
    out = tmp_path / "sync.c1z"
    sync_id = write_small(out)
    raw = out.read_bytes()
    assert raw[:5] == b"C1ZF\x00" and raw[5:9] == b"\x28\xb5\x2f\xfd"
    assert raw[9] & 0x04  # content checksum flag
    params = zstandard.get_frame_parameters(raw[5:23])
    assert params.has_checksum and params.content_size > 0
    con = unpack(out, tmp_path)
    assert params.content_size == (tmp_path / "check.db").stat().st_size
    query = "select name from sqlite_master where name not like 'sqlite_%'"
    names = {n for (n,) in con.execute(query)}
    assert names == EXPECTED_OBJECTS
    (sql,) = con.execute(
        "select sql from sqlite_master where name = 'idx_resources_parent_resource_id_v1'"
    ).fetchone()
    assert "UNIQUE" in sql.upper() and "(external_id, sync_id)" in sql
    assert con.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert (tmp_path / "check.db").read_bytes()[18:20] == b"\x01\x01"
    row = con.execute(
        "select sync_type, parent_sync_id, linked_sync_id, supports_diff, grants_backfilled, "
        "sync_token, ended_at, stats from v1_sync_runs where sync_id = ?", (sync_id,)
    ).fetchone()
    assert row[:6] == ("full", "", "", 1, 1, "")
    assert row[6] is not None and '"grants": 1' in row[7]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_upsert_replaces(tmp_path: Path) -> None:
    out = tmp_path / "sync.c1z"
    with C1zWriter.open(out) as w:
        w.put_resources([t.resource(USER, "u", "first")])
        w.put_resources([t.resource(USER, "u", "second")])
        assert w.count("resources") == 1
        assert [r.display_name for r in w.iter_resources("user")] == ["second"]
        w.commit()
    with C1zReader.open(out) as r:
        assert [x.display_name for x in r.resources()] == ["second"]


def test_many_rows_per_statement_keep_the_order_of_upserts(tmp_path: Path) -> None:
    with C1zWriter.open(tmp_path / "s.c1z") as w:
        # every id twice in one put, across statements and within one: the later one wins
        w.put_resources(t.resource(USER, f"u{n % 300}", f"v{n}") for n in range(600))
        assert {r.id.resource: r.display_name for r in w.iter_resources("user")} == {
            f"u{n}": f"v{n + 300}" for n in range(300)}
        w._variables = 16  # an older SQLite's variable limit, scaled down: 2 rows a statement
        w.put_resources([t.resource(USER, f"x{n}", "X") for n in range(5)])
        assert w.count("resources") == 305


def test_iter_resources_is_chunked_in_rowid_order(tmp_path: Path) -> None:
    with C1zWriter.open(tmp_path / "s.c1z") as w:
        w.put_resources(t.resource(USER, f"u{n:03}", f"U{n}") for n in range(25))
        w.put_resources([t.resource(GROUP, "g", "G")])
        got = [r.id.resource for r in w.iter_resources("user", chunk=7)]
        assert got == [f"u{n:03}" for n in range(25)]
        assert w.count_by_resource_type("resources") == {"group": 1, "user": 25}


def test_grant_expandable_moves_to_the_expansion_column(tmp_path: Path) -> None:
    out = tmp_path / "sync.c1z"
    g = t.resource(GROUP, "g", "G")
    ent = t.assignment_entitlement(g, "member")
    keep = t.grant_metadata({"k": "v"})
    expandable = t.grant(ent, t.resource_id("group", "h"),
                         annotations=[keep, t.grant_expandable(["group:h:member"], shallow=True)])
    blank = t.grant(ent, t.resource_id("group", "i"), annotations=[t.grant_expandable([" "])])
    with C1zWriter.open(out) as w:
        w.put_grants([expandable, blank])
        rows = w.connection.execute(
            "select external_id, expansion, needs_expansion, data from v1_grants order by id"
        ).fetchall()
        w.commit()
    (id1, exp1, need1, data1), (_, exp2, need2, data2) = rows
    assert need1 == 1 and GrantExpandable.FromString(exp1).entitlement_ids == ["group:h:member"]
    assert [a.type_url.rsplit(".", 1)[1] for a in Grant.FromString(data1).annotations] == [
        "GrantMetadata"
    ]
    assert (exp2, need2, list(Grant.FromString(data2).annotations)) == (None, 0, [])
    with C1zReader.open(out) as r:
        (back,) = [x for x in r.grants(with_expansion=True) if x.id == id1]
        got = t.unpack_annotation(back.annotations, GrantExpandable)
        assert got is not None and got.shallow
        assert not any(t.has_annotation(x.annotations, GrantExpandable) for x in r.grants())


def test_keeps_the_newest_two_full_syncs(tmp_path: Path) -> None:
    out, clock = tmp_path / "sync.c1z", ticking_clock()
    ids = [write_small(out, clock, group=f"g{n}") for n in range(3)]
    with C1zReader.open(out) as r:
        assert [run.sync_id for run in r.sync_runs()] == ids[1:]
        assert r.sync_id == ids[2]
        assert [x.id.resource for x in r.resources("group")] == ["g2"]
    con = unpack(out, tmp_path)
    gone = con.execute("select count(*) from v1_resources where sync_id = ?", (ids[0],))
    assert gone.fetchone() == (0,)


def test_abort_and_failures_leave_the_target_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sync.c1z"
    write_small(out)
    before = out.read_bytes()
    with C1zWriter.open(out) as w:
        w.put_resources([t.resource(USER, "x", "X")])
        w.abort()
    with pytest.raises(RuntimeError), C1zWriter.open(out) as w:
        w.put_resources([t.resource(USER, "y", "Y")])
        raise RuntimeError("sync failed")

    def broken(db: Path, fh: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer_mod, "compress_db", broken)
    w = C1zWriter.open(out)
    with pytest.raises(OSError, match="disk full"):
        w.commit()
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sync.c1z"]


def test_v3_target_is_refused(shared_dir: Path, tmp_path: Path) -> None:
    src = shared_dir / FIXTURES / "sync.36zGvJw3uxU1QMJKU2yPVQ1hBOC.unexpanded.pebble.c1z"
    target = tmp_path / "sync.c1z"
    shutil.copy(src, target)
    with pytest.raises(UnsupportedC1zVersion, match="--storage-engine sqlite"):
        C1zWriter.open(target)
    assert target.read_bytes() == src.read_bytes()


def test_round_trip_of_a_go_fixture(shared_dir: Path, tmp_path: Path) -> None:
    """Every row of the Go-written file, re-written by us, reads back as the same message."""
    src = shared_dir / FIXTURES / "sync.36zfOAoWMxQdISbixanQCRBiX7E.expanded.c1z"
    out = tmp_path / "copy.c1z"
    with C1zReader.open(src) as r, C1zWriter.open(out) as w:
        types, resources = list(r.resource_types()), list(r.resources())
        entitlements, grants = list(r.entitlements()), list(r.grants())
        w.put_resource_types(types)
        w.put_resources(resources)
        w.put_entitlements(entitlements)
        w.put_grants(grants)
        w.commit()
    with C1zReader.open(out) as r:
        assert list(r.resource_types()) == types
        assert list(r.resources()) == resources
        assert list(r.entitlements()) == entitlements
        assert [_sorted(g) for g in r.grants(with_expansion=True)] == [_sorted(g) for g in grants]
        assert r.stats().grants == 14981


def _sorted(grant: Grant) -> bytes:
    """A grant with its annotations in a canonical order (the expansion comes back last)."""
    copy = Grant()
    copy.CopyFrom(grant)
    items = sorted(copy.annotations, key=lambda a: (a.type_url, a.value))
    del copy.annotations[:]
    copy.annotations.extend(items)
    return copy.SerializeToString(deterministic=True)


def test_appending_to_a_go_file_keeps_its_sync(shared_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "sync.c1z"
    shutil.copy(shared_dir / FIXTURES / "sync.36zfOAoWMxQdISbixanQCRBiX7E.expanded.c1z", target)
    ours = write_small(target)
    with C1zReader.open(target) as r:
        assert [run.sync_id for run in r.sync_runs()] == ["36zfOAoWMxQdISbixanQCRBiX7E", ours]
        assert r.sync_id == ours and r.stats().resources == 2
    con = unpack(target, tmp_path)
    assert con.execute("pragma journal_mode").fetchone()[0] == "delete"
    cols = {row[1] for row in con.execute("pragma table_info(v1_grants)")}
    assert {"expansion", "needs_expansion"} <= cols
    assert ksuid_time(ours) >= ksuid_time("36zfOAoWMxQdISbixanQCRBiX7E")
