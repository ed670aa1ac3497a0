"""``inspect diff`` compares two syncs as two id-ordered streams, holding only the changes."""

from __future__ import annotations

from pathlib import Path

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.diff import _side_by_side, diff


def test_two_ordered_streams_pair_up_by_id() -> None:
    old = iter([("a", 1), ("c", 3), ("d", 4), ("f", 6)])
    new = iter([("b", 20), ("c", 30), ("d", 4), ("g", 70)])
    assert list(_side_by_side(old, new)) == [
        (1, None), (None, 20), (3, 30), (4, 4), (6, None), (None, 70)]
    assert list(_side_by_side(iter([]), iter([("x", 1)]))) == [(None, 1)]
    assert list(_side_by_side(iter([("x", 1)]), iter([]))) == [(1, None)]


def _file(tmp_path: Path, name: str, users: list[str], members: list[str]) -> Path:
    path = tmp_path / name
    writer = C1zWriter.open(path)
    group = bt.resource("group", "dev", "dev")
    member = bt.assignment_entitlement(group, "member")
    people = {user: bt.resource("user", user, user.upper()) for user in users}
    writer.put_resource_types([bt.resource_type("group", "Group"),
                               bt.resource_type("user", "User")])
    writer.put_resources([group, *people.values()])
    writer.put_entitlements([member])
    writer.put_grants([bt.grant(member, people[user]) for user in members])
    writer.commit()
    return path


def test_rows_in_id_order_and_only_the_changes(tmp_path: Path) -> None:
    """Rows are written in an order that is not the ids' (zed before amy): the streams are
    sorted by the file, the changes found whatever the row order, with their names."""
    old = _file(tmp_path, "old.c1z", ["zed", "amy", "bob"], ["zed", "bob"])
    new = _file(tmp_path, "new.c1z", ["zed", "amy", "cat"], ["zed", "amy"])
    with C1zReader.open(old) as before, C1zReader.open(new) as after:
        ids = [external_id for external_id, _ in after.in_id_order("v1_resources")]
        assert ids == sorted(ids) and len(ids) == 4
        found = diff(before, after)
    assert [(c.change, c.key) for c in found.resources] == [
        ("removed", ("user", "bob")), ("added", ("user", "cat"))]
    assert sorted((c.change, c.grant.principal[1]) for c in found.grants) == [
        ("added", "amy"), ("removed", "bob")]
    assert found.names[("user", "amy")] == "AMY" and found.names[("user", "bob")] == "BOB"
