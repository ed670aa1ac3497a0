"""Reading the Go-written fixtures (../shared/fixtures/baton-sdk) and refusing v3."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton_alibaba_cloud.baton.c1z import C1zReader, UnsupportedC1zVersion
from baton_alibaba_cloud.baton.c1z.format import C1zFormatError
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceId, ResourceType
from baton_alibaba_cloud.baton.types import has_annotation

EXPANDED = "sync.36zfOAoWMxQdISbixanQCRBiX7E.expanded.c1z"
UNEXPANDED = "sync.36zfOAoWMxQdISbixanQCRBiX7E.unexpanded.c1z"
IN_PROGRESS = "sync-in-progress.c1z"
PEBBLE = "sync.36zGvJw3uxU1QMJKU2yPVQ1hBOC.unexpanded.pebble.c1z"


@pytest.fixture
def fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "baton-sdk"


@pytest.mark.parametrize(
    ("name", "types", "resources", "entitlements", "grants"),
    [
        (EXPANDED, 4, 1221, 342, 14981),
        (UNEXPANDED, 4, 1221, 342, 2909),
        (IN_PROGRESS, 5, 79, 0, 0),
    ],
)
def test_fixture_counts(
    fixtures: Path, name: str, types: int, resources: int, entitlements: int, grants: int
) -> None:
    with C1zReader.open(fixtures / name) as reader:
        stats = reader.stats()
    assert (stats.resource_types, stats.resources, stats.entitlements, stats.grants) == (
        types, resources, entitlements, grants,
    )


def test_expanded_fixture_rows(fixtures: Path) -> None:
    with C1zReader.open(fixtures / EXPANDED) as reader:
        stats = reader.stats()
        assert stats.resources_by_type == {"group": 21, "project": 100, "role": 100, "user": 1000}
        assert stats.sync is not None and stats.sync.ended_at == "2025-12-17 16:33:36.381422"
        assert reader.sync_id == "36zfOAoWMxQdISbixanQCRBiX7E"
        user_type = reader.get_resource_type("user")
        assert user_type is not None and ResourceType.TRAIT_USER in user_type.traits
        grant_id = "project:project-0000099:owner:user:user-0000099"
        grant = reader.get_grant(grant_id)
        assert grant is not None and grant.entitlement.id == "project:project-0000099:owner"
        assert grant.principal.id == ResourceId(resource_type="user", resource="user-0000099")
        owner = reader.get_entitlement("project:project-0000099:owner")
        assert owner is not None and owner.resource.id.resource == "project-0000099"
        project = reader.get_resource("project", "project-0000099")
        assert project is not None and project.display_name
        by_principal = list(reader.grants(principal=grant.principal.id))
        assert grant_id in {g.id for g in by_principal}
        assert all(g.entitlement.id == owner.id for g in reader.grants(entitlement_id=owner.id))
        # The older writer kept GrantExpandable inside the blob; expanded grants carry sources.
        grants = list(reader.grants())
        assert any(has_annotation(g.annotations, GrantExpandable) for g in grants)
        assert any(g.HasField("sources") and g.sources.sources for g in grants)
        assert len(list(reader.resources("user"))) == 1000


def test_unfinished_sync_is_the_fallback(fixtures: Path) -> None:
    with C1zReader.open(fixtures / IN_PROGRESS) as reader:
        (run,) = reader.sync_runs()
        assert run.ended_at is None
        assert reader.latest_finished_sync_id() == run.sync_id == reader.sync_id


def test_v3_is_refused_with_the_fix(fixtures: Path) -> None:
    with pytest.raises(UnsupportedC1zVersion, match="--storage-engine sqlite"):
        C1zReader.open(fixtures / PEBBLE)


def test_not_a_c1z(tmp_path: Path) -> None:
    bogus = tmp_path / "x.c1z"
    bogus.write_bytes(b"hello world")
    with pytest.raises(C1zFormatError, match="not a c1z"):
        C1zReader.open(bogus)
    with pytest.raises(C1zFormatError, match="no such c1z"):
        C1zReader.open(tmp_path / "missing.c1z")


def test_unknown_sync_id(fixtures: Path) -> None:
    with pytest.raises(C1zFormatError, match="no sync"):
        C1zReader.open(fixtures / EXPANDED, sync_id="nope")
