"""Grant expansion on small hand-made graphs, one Go SDK rule per test."""

from __future__ import annotations

import itertools

import pytest

from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.sync._graph import EdgeSpec, EntitlementGraph
from baton_alibaba_cloud.baton.sync.expand import (
    ExpansionError,
    MaxDepthExceeded,
    expand_grants,
)
from tests.baton.test_expand_support import SYNC, C1zDb

IMMUTABLE = "type.googleapis.com/" + GrantImmutable.DESCRIPTOR.full_name


def _groups(db: C1zDb, *names: str) -> dict[str, str]:
    """Groups with a ``member`` entitlement each; returns name -> entitlement id."""
    return {name: db.entitlement(db.resource("group", name), "member").id for name in names}


def _ent(db: C1zDb, ent_id: str) -> Entitlement:
    row = db.conn.execute("SELECT data FROM v1_entitlements WHERE external_id = ?", (ent_id,))
    return Entitlement.FromString(row.fetchone()[0])


def _nest(db: C1zDb, inner: str, outer: str, types_: list[str] | None = None) -> None:
    """Make group ``inner`` a member of group ``outer`` (expandable, as a connector would)."""
    outer_ent = _ent(db, f"group:{outer}:member")
    inner_group = db.resources[f"group:{inner}"]
    db.grant(outer_ent, inner_group, expand=[f"group:{inner}:member"], types_=types_)


def test_group_in_group_chain_is_transitive_with_is_direct_per_hop() -> None:
    db = C1zDb.create()
    g = _groups(db, "g1", "g2", "g3")
    alice = db.resource("user", "alice")
    db.grant(_ent(db, g["g1"]), alice)
    _nest(db, "g1", "g2")
    _nest(db, "g2", "g3")
    stats = expand_grants(db.conn, SYNC)
    grants = db.grants()
    assert db.sources("group:g2:member:user:alice") == {g["g1"]: True}
    assert db.sources("group:g3:member:user:alice") == {g["g2"]: False}
    # the nested group itself also reaches g3 through g2
    assert db.sources("group:g3:member:group:g1") == {g["g2"]: True}
    new = grants["group:g3:member:user:alice"]
    assert [a.type_url for a in new.annotations] == [IMMUTABLE]
    assert new.entitlement == _ent(db, g["g3"])  # the stored entitlement, not a stub
    assert new.principal.id.resource == "alice"
    assert (stats.waves, stats.grants_created) == (2, 3)


def test_role_to_role_chain() -> None:
    db = C1zDb.create()
    roles = {n: db.resource("role", n) for n in ("ops", "admin", "root")}
    assume = {n: db.entitlement(r, "assume") for n, r in roles.items()}
    bob = db.resource("user", "bob")
    db.grant(assume["ops"], bob)
    db.grant(assume["admin"], roles["ops"], expand=[assume["ops"].id])
    db.grant(assume["root"], roles["admin"], expand=[assume["admin"].id])
    expand_grants(db.conn, SYNC)
    assert db.sources("role:admin:assume:user:bob") == {"role:ops:assume": True}
    assert db.sources("role:root:assume:user:bob") == {"role:admin:assume": False}
    assert db.sources("role:root:assume:role:ops") == {"role:admin:assume": True}


def test_cycle_is_collapsed_like_go() -> None:
    """g1 <-> g2 is one node: g0's members reach both, but g1's own members do not get g2
    (Go drops the edges inside a collapsed cycle) and nothing loops forever."""
    db = C1zDb.create()
    g = _groups(db, "g0", "g1", "g2", "g3")
    carol, dave = db.resource("user", "carol"), db.resource("user", "dave")
    db.grant(_ent(db, g["g0"]), carol)
    db.grant(_ent(db, g["g1"]), dave)
    _nest(db, "g0", "g1")
    _nest(db, "g1", "g2")
    _nest(db, "g2", "g1")
    _nest(db, "g2", "g3")
    stats = expand_grants(db.conn, SYNC)
    grants = db.grants()
    assert stats.cycles_collapsed == 1
    assert db.sources("group:g1:member:user:carol") == {g["g0"]: True}
    assert db.sources("group:g2:member:user:carol") == {g["g0"]: True}
    assert "group:g2:member:user:dave" not in grants
    # out of the cycle, every member feeds g3 (only g2 named it)
    assert db.sources("group:g3:member:user:dave") == {g["g1"]: True}
    assert db.sources("group:g3:member:user:carol") == {g["g1"]: False, g["g2"]: False}


def test_shallow_edge_carries_only_direct_grants() -> None:
    db = C1zDb.create()
    g = _groups(db, "g1", "g2")
    policy = db.entitlement(db.resource("policy", "p1"), "attached")
    erin, fred = db.resource("user", "erin"), db.resource("user", "fred")
    db.grant(_ent(db, g["g1"]), erin)
    db.grant(_ent(db, g["g2"]), fred)
    _nest(db, "g1", "g2")
    db.grant(policy, db.resources["group:g2"], expand=[g["g2"]], shallow=True)
    expand_grants(db.conn, SYNC)
    grants = db.grants()
    assert db.sources("policy:p1:attached:user:fred") == {g["g2"]: True}
    assert "group:g2:member:user:erin" in grants
    assert "policy:p1:attached:user:erin" not in grants  # erin holds g2 only indirectly
    # the nested group's own grant on g2 is direct, so it passes the shallow edge
    assert db.sources("policy:p1:attached:group:g1") == {g["g2"]: True}


def test_deep_edge_carries_indirect_grants() -> None:
    db = C1zDb.create()
    g = _groups(db, "g1", "g2")
    policy = db.entitlement(db.resource("policy", "p1"), "attached")
    erin = db.resource("user", "erin")
    db.grant(_ent(db, g["g1"]), erin)
    _nest(db, "g1", "g2")
    db.grant(policy, db.resources["group:g2"], expand=[g["g2"]])
    expand_grants(db.conn, SYNC)
    assert db.sources("policy:p1:attached:user:erin") == {g["g2"]: False}


def test_resource_type_ids_filter_principals() -> None:
    db = C1zDb.create()
    g = _groups(db, "g1", "g2", "g3")
    gina = db.resource("user", "gina")
    db.grant(_ent(db, g["g1"]), gina)
    _nest(db, "g1", "g2")
    _nest(db, "g2", "g3", types_=["user"])
    expand_grants(db.conn, SYNC)
    grants = db.grants()
    assert "group:g3:member:user:gina" in grants
    assert "group:g3:member:group:g1" not in grants


def test_existing_direct_grant_gains_sources_and_stays_mutable() -> None:
    db = C1zDb.create()
    g = _groups(db, "g1", "g2")
    hank = db.resource("user", "hank")
    db.grant(_ent(db, g["g1"]), hank)
    db.grant(_ent(db, g["g2"]), hank)
    _nest(db, "g1", "g2")
    stats = expand_grants(db.conn, SYNC)
    grant = db.grants()["group:g2:member:user:hank"]
    assert db.sources(grant.id) == {g["g2"]: True, g["g1"]: True}
    assert list(grant.annotations) == []
    assert (stats.grants_created, stats.grants_updated) == (0, 1)


def test_direct_source_wins_over_indirect_in_a_diamond() -> None:
    db = C1zDb.create()
    g = _groups(db, "a", "b", "c")
    ivy = db.resource("user", "ivy")
    db.grant(_ent(db, g["a"]), ivy)
    _nest(db, "a", "b")
    _nest(db, "a", "c")
    _nest(db, "b", "c")
    expand_grants(db.conn, SYNC)
    assert db.sources("group:c:member:user:ivy") == {g["a"]: True, g["b"]: False}


def test_max_depth_refuses_before_writing() -> None:
    db = C1zDb.create()
    names = [f"g{i}" for i in range(4)]
    _groups(db, *names)
    db.grant(_ent(db, "group:g0:member"), db.resource("user", "jan"))
    for inner, outer in itertools.pairwise(names):
        _nest(db, inner, outer)
    before = db.grants()
    with pytest.raises(MaxDepthExceeded):
        expand_grants(db.conn, SYNC, max_depth=2)
    assert db.grants() == before
    assert expand_grants(db.conn, SYNC, max_depth=3).waves == 3


def test_missing_source_entitlement_drops_the_edge() -> None:
    db = C1zDb.create()
    g = _groups(db, "g1")
    db.grant(_ent(db, g["g1"]), db.resource("group", "ghost"), expand=["group:ghost:member"])
    stats = expand_grants(db.conn, SYNC)
    assert (stats.edges, stats.edges_dropped, stats.grants_created) == (0, 1, 0)


def test_source_of_another_resource_is_refused() -> None:
    db = C1zDb.create()
    g = _groups(db, "g1", "g2", "g3")
    db.grant(_ent(db, g["g2"]), db.resources["group:g1"], expand=[g["g3"]])
    with pytest.raises(ExpansionError, match="group:g3:member"):
        expand_grants(db.conn, SYNC)


def test_legacy_blob_annotations_are_read() -> None:
    db = C1zDb.create(legacy=True)
    g = _groups(db, "g1", "g2")
    db.grant(_ent(db, g["g1"]), db.resource("user", "kim"))
    _nest(db, "g1", "g2")
    expand_grants(db.conn, SYNC)
    assert db.sources("group:g2:member:user:kim") == {g["g1"]: True}


def test_paging_and_rerun_are_stable_and_columns_are_kept() -> None:
    """Small pages exercise keyset paging; a second run changes nothing; like Go, the
    expansion columns are left as they were."""
    db = C1zDb.create()
    g = _groups(db, "g1", "g2", "g3")
    for i in range(7):
        db.grant(_ent(db, g["g1"]), db.resource("user", f"u{i}"))
    db.grant(_ent(db, g["g3"]), db.resources["user:u3"])
    _nest(db, "g1", "g2")
    _nest(db, "g2", "g3")
    columns = "SELECT external_id, expansion, needs_expansion FROM v1_grants ORDER BY id"
    flags = db.conn.execute(columns).fetchall()
    expand_grants(db.conn, SYNC, page_size=2, commit_every=3)
    first = db.grants()
    assert len([k for k in first if k.startswith("group:g3:member:user:")]) == 7
    assert db.sources("group:g3:member:user:u3") == {g["g3"]: True, g["g2"]: False}
    expand_grants(db.conn, SYNC)
    assert db.grants() == first
    assert db.conn.execute(columns).fetchall()[: len(flags)] == flags


def test_duplicate_and_cycle_edges_fold_widest() -> None:
    graph = EntitlementGraph()
    graph.add_edge("a", "b", EdgeSpec.of(True, ["user"]))
    graph.add_edge("a", "b", EdgeSpec.of(True, ["group"]))
    assert graph.edges[("a", "b")] == EdgeSpec(True, frozenset({"user", "group"}))
    graph.add_edge("a", "b", EdgeSpec.of(False, []))
    assert graph.edges[("a", "b")] == EdgeSpec(False, None)
    cyc = EntitlementGraph()
    cyc.add_edge("x", "b", EdgeSpec.of(True, ["user"]))
    cyc.add_edge("x", "c", EdgeSpec.of(True, []))
    cyc.add_edge("b", "c", EdgeSpec())
    cyc.add_edge("c", "b", EdgeSpec())
    dag = cyc.condense()
    node_x = dag.nodes.index(("x",))
    assert dag.out_edges(node_x) == [("b", EdgeSpec(True, None)), ("c", EdgeSpec(True, None))]
    assert dag.waves() == [[node_x]]


def _fan_out_db() -> tuple[C1zDb, dict[str, str]]:
    """A group of 10 members attached to 6 policies; every member also holds 3 of them
    directly (updates, not only new grants)."""
    db = C1zDb.create()
    g = _groups(db, "dev")
    members = [db.resource("user", f"u{i}") for i in range(10)]
    for user in members:
        db.grant(_ent(db, g["dev"]), user)
    for p in range(6):
        policy = db.entitlement(db.resource("policy", f"p{p}"), "attached")
        db.grant(policy, db.resources["group:dev"], expand=[g["dev"]])
        if p % 2 == 0:
            for user in members:
                db.grant(policy, user)
    return db, g


def test_writer_holds_one_destinations_share_of_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """An updated grant is held as a parsed message until it is written: a source with many
    destinations must not buffer a page's worth per destination (a group attached to dozens of
    policies held tens of megabytes in a large organization)."""
    from baton_alibaba_cloud.baton.sync import _grant_io

    whole, _ = _fan_out_db()
    expand_grants(whole.conn, SYNC)
    expected = whole.grants()
    held: list[int] = []
    flush = _grant_io.GrantWriter.flush

    def counting(self: _grant_io.GrantWriter) -> None:
        held.append(len(self._new) + len(self._changed))
        flush(self)

    monkeypatch.setattr(_grant_io.GrantWriter, "flush", counting)
    paged, g = _fan_out_db()
    stats = expand_grants(paged.conn, SYNC, page_size=4)
    assert max(held) == 4  # one page (4 members) for one policy, never 6 policies' worth
    assert (stats.grants_created, stats.grants_updated) == (30, 30)
    assert paged.grants() == expected
    assert paged.sources("policy:p0:attached:user:u3") == {"policy:p0:attached": True,
                                                         g["dev"]: True}
