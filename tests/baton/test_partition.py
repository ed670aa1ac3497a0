"""``Partitioned``: each part of a view holds exactly the rows the same key picks in Python,
read from a real c1z's tables; rows updated after the scan are read as they are now."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from baton_alibaba_cloud.baton import types
from baton_alibaba_cloud.baton.builder import SyncView
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.baton.sync._completeness import View
from baton_alibaba_cloud.baton.sync.partition import Partitioned

TENANTS = ("t1", "t2", "t3")


def _key(resource_id: str) -> str:
    """``t2/user/3`` belongs to t2; ``shared/...`` to no tenant (``""``)."""
    head = resource_id.split("/", 1)[0]
    return head if head in TENANTS else ""


def _ids(view: SyncView, kind: str) -> tuple[set[str], set[str]]:
    resources = {r.id.resource for chunk in view.resources(kind) for r in chunk}
    grants = {g.id for chunk in view.grants(kind) for g in chunk}
    return resources, grants


class _PlainView:
    """A SyncView that is not the engine's: the partition narrows it in Python."""

    def __init__(self, view: View) -> None:
        self.inner = view

    def resources(self, resource_type: str) -> Iterator[list[Resource]]:
        return self.inner.resources(resource_type)

    def grants(self, resource_type: str) -> Iterator[list[Grant]]:
        return self.inner.grants(resource_type)


def test_parts_hold_exactly_their_rows(tmp_path: Path) -> None:
    writer = C1zWriter.open(tmp_path / "p.c1z")
    users = [types.resource("user", f"{t}/user/{i}", f"u{i}") for t in TENANTS for i in range(7)]
    groups = [types.resource("group", f"{t}/group/{i}", f"g{i}") for t in TENANTS
              for i in range(3)]
    shared = [types.resource("group", f"shared/group/{i}", f"s{i}") for i in range(2)]
    writer.put_resources([*users, *groups, *shared])
    members = {g.id.resource: types.assignment_entitlement(g, "member")
               for g in [*groups, *shared]}
    writer.put_entitlements(members.values())
    # every user in every group of any tenant: grants cross tenants, keyed by the principal
    writer.put_grants([types.grant(ent, u) for ent in members.values() for u in users[::2]])
    view = View(writer.connection, writer.sync_id, 4)
    whole_resources, whole_grants = _ids(view, "group")
    for narrowed in (Partitioned(view, _key), Partitioned(_PlainView(view), _key)):
        for keys in (("t1",), ("t2", ""), ("",), ("t1", "t2", "t3", "")):
            resources, grants = _ids(narrowed.part(*keys), "group")
            assert resources == {r for r in whole_resources if _key(r) in keys}
            principal_of = {g.id: g.principal.id.resource
                            for chunk in view.grants("group") for g in chunk}
            assert grants == {g for g in whole_grants if _key(principal_of[g]) in keys}
        users_t3, _ = _ids(narrowed.part("t3"), "user")
        assert users_t3 == {u.id.resource for u in users if _key(u.id.resource) == "t3"}
    writer.abort()


def test_a_row_updated_after_the_scan_is_read_fresh(tmp_path: Path) -> None:
    writer = C1zWriter.open(tmp_path / "p.c1z")
    writer.put_resources([types.resource("user", "t1/user/a", "before")])
    part = Partitioned(View(writer.connection, writer.sync_id, 10), _key).part("t1")
    assert [r.display_name for c in part.resources("user") for r in c] == ["before"]
    writer.put_resources([types.resource("user", "t1/user/a", "after")])
    assert [r.display_name for c in part.resources("user") for r in c] == ["after"]
    writer.abort()
