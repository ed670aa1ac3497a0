"""Round trip of every Go-written v1 fixture (the expanded one is in test_c1z_writer.py): read
it, write its rows into a new file, read that back and compare the parsed messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton_alibaba_cloud.baton.c1z import C1zReader, C1zWriter
from tests.baton.test_c1z_reader import IN_PROGRESS, UNEXPANDED
from tests.baton.test_c1z_writer import FIXTURES, _sorted


@pytest.mark.parametrize(("name", "count"), [(UNEXPANDED, 2909), (IN_PROGRESS, 0)])
def test_round_trip(shared_dir: Path, tmp_path: Path, name: str, count: int) -> None:
    out = tmp_path / "copy.c1z"
    with C1zReader.open(shared_dir / FIXTURES / name) as r, C1zWriter.open(out) as w:
        types, resources = list(r.resource_types()), list(r.resources())
        entitlements = list(r.entitlements())
        grants = list(r.grants(with_expansion=True))
        w.put_resource_types(types)
        w.put_resources(resources)
        w.put_entitlements(entitlements)
        w.put_grants(grants)
        w.commit()
    assert types and resources and len(grants) == count
    with C1zReader.open(out) as r:
        assert r.sync_id == w.sync_id
        assert list(r.resource_types()) == types
        assert list(r.resources()) == resources
        assert list(r.entitlements()) == entitlements
        assert [_sorted(g) for g in r.grants(with_expansion=True)] == [_sorted(g) for g in grants]
