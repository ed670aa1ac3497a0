"""Effective access with paths, on a c1z written by our writer and on Go's expanded fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from baton_alibaba_cloud.baton import types
from baton_alibaba_cloud.baton.access import (
    EffectiveAccess,
    access_json,
    effective_access,
    render_access,
)
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.sync.expand import expand_grants


@pytest.fixture(scope="module")
def account_c1z(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alice: in group dev-team (attached to ReadOnly), may assume role ops, which may assume
    admin (attached to Admin); also attached to ReadOnly herself. bob: nothing via paths."""
    path = tmp_path_factory.mktemp("access") / "sync.c1z"
    w = C1zWriter.open(path)
    user = {n: types.resource("user", n, n.title()) for n in ("alice", "bob")}
    dev = types.resource("group", "dev", "dev-team")
    roles = {n: types.resource("role", n, n) for n in ("ops", "admin")}
    pols = {n: types.resource("policy", n, n) for n in ("ReadOnly", "Admin")}
    w.put_resources([*user.values(), dev, *roles.values(), *pols.values()])
    member = types.assignment_entitlement(dev, "member")
    assume = {n: types.assignment_entitlement(r, "assume") for n, r in roles.items()}
    attached = {n: types.assignment_entitlement(p, "attached") for n, p in pols.items()}
    w.put_entitlements([member, *assume.values(), *attached.values()])
    expandable = types.grant_expandable
    w.put_grants([
        types.grant(member, user["alice"]),
        types.grant(assume["ops"], user["alice"]),
        types.grant(attached["ReadOnly"], user["alice"]),
        types.grant(attached["ReadOnly"], dev, annotations=[expandable([member.id], shallow=True)]),
        types.grant(assume["admin"], roles["ops"], annotations=[expandable([assume["ops"].id])]),
        types.grant(attached["Admin"], roles["admin"],
                    annotations=[expandable([assume["admin"].id])]),
    ])
    stats = expand_grants(w.connection, w.sync_id)  # autocommit connection, as the engine has
    assert stats.grants_created == 3
    w.commit()
    return path


def _labels(access: EffectiveAccess) -> dict[str, list[str]]:
    return {
        held.entitlement_id: [path.label() for path in held.paths]
        for res in access.resources
        for held in res.entitlements
    }


def test_paths_direct_via_group_and_role_chain(account_c1z: Path) -> None:
    with C1zReader.open(account_c1z) as reader:
        access = effective_access(reader, "user", "alice")
    assert access.display_name == "Alice"
    assert [(r.resource_type, r.display_name) for r in access.resources] == [
        ("group", "dev-team"), ("policy", "Admin"), ("policy", "ReadOnly"),
        ("role", "admin"), ("role", "ops"),
    ]
    assert _labels(access) == {
        "group:dev:member": ["direct"],
        "policy:Admin:attached": ["via role ops → role admin"],
        "policy:ReadOnly:attached": ["direct", "via group dev-team"],
        "role:admin:assume": ["via role ops"],
        "role:ops:assume": ["direct"],
    }


def test_json_and_tree_output(account_c1z: Path) -> None:
    console = Console(record=True, width=120, color_system=None)
    with C1zReader.open(account_c1z) as reader:
        render_access(reader, console, "user", "alice")
        tree = console.export_text()
        render_access(reader, console, "user", "alice", output_format="json")
        data = json.loads(console.export_text())
        assert effective_access(reader, "user", "bob").resources == []
    assert "Effective access for Alice (user)" in tree
    assert "attached  via role ops → role admin" in tree
    assert "dev-team (group)" in tree
    admin = data["resources"][1]["entitlements"][0]
    assert admin["direct"] is False
    assert [hop["display_name"] for hop in admin["paths"][0]["via"]] == ["ops", "admin"]


def test_go_fixture_principal(shared_dir: Path) -> None:
    """On Go's expanded file every path starts at an entitlement the user holds directly and
    every hop is one the user holds."""
    path = shared_dir / "fixtures/baton-sdk/sync.36zfOAoWMxQdISbixanQCRBiX7E.expanded.c1z"
    with C1zReader.open(path) as reader:
        access = effective_access(reader, "user", "user-0000000")
        rendered = access_json(access)
    held = {h.entitlement_id: h for r in access.resources for h in r.entitlements}
    assert "project:project-0000032:access" in held
    project = held["project:project-0000032:access"]
    assert not any(p.direct for p in project.paths)
    assert any(p.label().startswith("via group") for p in project.paths)
    for item in held.values():
        assert item.paths
        for p in item.paths:
            assert all(hop.entitlement_id in held for hop in p.hops)
            if p.hops:
                assert any(q.direct for q in held[p.hops[0].entitlement_id].paths)
    assert json.dumps(rendered)
