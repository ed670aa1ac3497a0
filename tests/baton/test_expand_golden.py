"""The expander against the Go SDK's own golden pair (baton-sdk pkg/sync/expand/testdata).

The expanded file was written in Dec 2025, before Go added ``is_direct`` (Feb 2026, PR #679),
so every ``is_direct`` in it is false. Grant ids, entitlements, principals and source keys are
compared exactly; ``is_direct`` is compared with what today's rule gives on the same data: a
source is direct when the principal held that entitlement before expansion, and the entry for
the grant's own entitlement (an already-held grant that gained a source) is always direct.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.sync.expand import expand_grants
from tests.baton.test_expand_support import decompress_fixture

SYNC = "36zfOAoWMxQdISbixanQCRBiX7E"
IMMUTABLE = "type.googleapis.com/" + GrantImmutable.DESCRIPTOR.full_name
Row = tuple[str, str, str, str, tuple[tuple[str, bool], ...]]


@pytest.fixture(scope="module")
def golden(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = shared_dir / "fixtures" / "baton-sdk" / f"sync.{SYNC}"
    tmp = tmp_path_factory.mktemp("golden")
    before = decompress_fixture(Path(f"{base}.unexpanded.c1z"), tmp / "unexpanded.db")
    after = decompress_fixture(Path(f"{base}.expanded.c1z"), tmp / "expanded.db")
    return before, after


@pytest.fixture(scope="module")
def expanded(golden: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("work") / "work.db"
    shutil.copy(golden[0], work)
    conn = sqlite3.connect(work)
    started = time.perf_counter()
    stats = expand_grants(conn, SYNC)
    elapsed = time.perf_counter() - started
    conn.close()
    print(f"\nexpander on the Go fixture: {elapsed:.2f}s, {stats}")
    assert elapsed < 30
    return work


def _grants(db: Path) -> dict[str, Grant]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT external_id, data FROM v1_grants").fetchall()
    finally:
        conn.close()
    return {str(gid): Grant.FromString(bytes(data)) for gid, data in rows}


def _row(grant: Grant, direct: dict[tuple[str, str, str], bool] | None = None) -> Row:
    """The comparison tuple; ``direct`` (when given) replaces the stored ``is_direct``."""
    pid = grant.principal.id
    sources = []
    for key, value in grant.sources.sources.items():
        is_direct = value.is_direct
        if direct is not None:
            own = key == grant.entitlement.id
            is_direct = own or direct.get((key, pid.resource_type, pid.resource), False)
        sources.append((key, is_direct))
    return grant.id, grant.entitlement.id, pid.resource_type, pid.resource, tuple(sorted(sources))


def test_same_grants_and_sources_as_go(golden: tuple[Path, Path], expanded: Path) -> None:
    held_before = {
        (g.entitlement.id, g.principal.id.resource_type, g.principal.id.resource): True
        for g in _grants(golden[0]).values()
    }
    ours = {_row(g) for g in _grants(expanded).values()}
    go = {_row(g, held_before) for g in _grants(golden[1]).values()}
    assert len(go) == 14981
    assert ours == go


def test_annotations_match_go(golden: tuple[Path, Path], expanded: Path) -> None:
    before = _grants(golden[0])
    ours, go = _grants(expanded), _grants(golden[1])
    for grant_id, grant in go.items():
        urls = [a.type_url for a in ours[grant_id].annotations]
        assert urls == [a.type_url for a in grant.annotations], grant_id
        if grant_id not in before:
            assert urls == [IMMUTABLE]
            assert ours[grant_id].entitlement == grant.entitlement
            assert ours[grant_id].principal == grant.principal


def test_created_grants_are_stored_as_their_deterministic_serialization(
    golden: tuple[Path, Path], expanded: Path
) -> None:
    """The expander concatenates a new grant's blob from pieces (``_grant_io``); on Go's data
    too, that blob is the message's own deterministic serialization, byte for byte."""
    before = _grants(golden[0])
    conn = sqlite3.connect(expanded)
    try:
        rows = conn.execute("SELECT external_id, data FROM v1_grants").fetchall()
    finally:
        conn.close()
    created = [(gid, bytes(data)) for gid, data in rows if gid not in before]
    assert len(created) > 10000
    for gid, blob in created:
        assert Grant.FromString(blob).SerializeToString(deterministic=True) == blob, gid
