"""Expansion writes a new grant's blob by concatenating serialized pieces (``_grant_io``).

The bytes must be exactly ``SerializeToString(deterministic=True)`` of the message Go's
``newExpandedGrant`` builds (id, the stored entitlement, the source grant's principal,
``[GrantImmutable]``, ``sources = {src: {is_direct}}``), which is what the expander wrote before
it concatenated. Rich messages (traits, profiles, non-ASCII text) and ids long enough for
two- and three-byte length prefixes are the cases a hand-made encoding would get wrong.
"""

from __future__ import annotations

import pytest

from baton_alibaba_cloud.baton import types
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.baton.sync.expand import expand_grants
from tests.baton.test_expand_support import NOW, SYNC, C1zDb

LONG = "x" * 200  # a 2-byte length prefix
HUGE = "y" * 20000  # a 3-byte length prefix


def _slow(grant_id: str, entitlement: Entitlement, principal: Resource, src: str,
          direct: bool) -> Grant:
    """Go's ``newExpandedGrant`` as a message (the expander's former path)."""
    grant = Grant(id=grant_id)
    grant.entitlement.CopyFrom(entitlement)
    grant.principal.CopyFrom(principal)
    grant.annotations.add().Pack(GrantImmutable())
    grant.sources.sources[src].is_direct = direct
    return grant


def _user(db: C1zDb, rid: str, name: str) -> Resource:
    trait = types.user_trait(login=f"{rid}@example.com", emails=[f"{rid}@example.com"],
                             profile={"display_name": name, "tags": {"team": "数据"}, "n": 3})
    res = types.resource("user", rid, name, description="人" * 70, annotations=[trait])
    db.resources[f"user:{rid}"] = res
    db.conn.execute(
        "INSERT INTO v1_resources (resource_type_id, external_id, data, sync_id, "
        "discovered_at) VALUES (?, ?, ?, ?, ?)",
        ("user", f"user:{rid}", res.SerializeToString(deterministic=True), SYNC, NOW),
    )
    return res


def _entitlement(db: C1zDb, res: Resource, slug: str) -> Entitlement:
    ent = types.assignment_entitlement(
        res, slug, f"{res.display_name} {slug}", f"Has {slug} on {res.display_name} ✓",
        [types.resource_type("user", "User", [types.Trait.TRAIT_USER])],
    )
    db.conn.execute(
        "INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, "
        "sync_id, discovered_at) VALUES (?, ?, ?, ?, ?, ?)",
        (res.id.resource_type, res.id.resource, ent.id,
         ent.SerializeToString(deterministic=True), SYNC, NOW),
    )
    return ent


def _extra_grant(db: C1zDb, ent: Entitlement, principal: Resource, grant_id: str,
                 sources: dict[str, bool]) -> None:
    """A second grant of one principal on one entitlement (another id), with ``sources``."""
    grant = types.grant(ent, principal)
    grant.id = grant_id
    for key, direct in sources.items():
        grant.sources.sources[key].is_direct = direct
    db.conn.execute(
        "INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, "
        "principal_resource_type_id, principal_resource_id, external_id, data, sync_id, "
        "discovered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ent.resource.id.resource_type, ent.resource.id.resource, ent.id,
         principal.id.resource_type, principal.id.resource, grant_id,
         grant.SerializeToString(deterministic=True), SYNC, NOW),
    )


def _expand(db: C1zDb) -> list[tuple[str, str, str, bytes]]:
    """Expand; the grants it created (``external_id``, principal type and id, ``data``)."""
    before = set(db.grants())
    expand_grants(db.conn, SYNC)
    rows = db.conn.execute(
        "SELECT external_id, principal_resource_type_id, principal_resource_id, data "
        "FROM v1_grants ORDER BY id"
    ).fetchall()
    return [row for row in rows if row[0] not in before]


@pytest.mark.parametrize("members", [3, 700])  # one page of source grants, and several
def test_new_grants_are_the_slow_path_bytes(members: int) -> None:
    db = C1zDb.create()
    team = db.resource("group", f"team-{LONG}", "Team 团队")
    inner = db.resource("group", "inner")
    policy = db.resource("policy", f"acs:ram::1:policy/{HUGE}", "Huge ✓")
    team_member = _entitlement(db, team, "member")
    inner_member = _entitlement(db, inner, "member")
    attached = _entitlement(db, policy, "attached")
    users = [_user(db, f"u{n:04d}-{'é' * (n % 90)}", f"User {n} 用户") for n in range(members)]
    # users[1] holds team twice: first indirectly (another id), then directly; in one page
    # of source grants its new grant starts indirect and becomes direct
    _extra_grant(db, team_member, users[1], "indirect-first", {inner_member.id: False})
    for user in users:
        db.grant(team_member, user)
    db.grant(inner_member, users[0])
    db.grant(attached, team, expand=[team_member.id])
    db.grant(team_member, inner, expand=[inner_member.id])

    created = _expand(db)

    assert len(created) == members + 1  # every user (and inner) gets the policy
    for grant_id, ptype, pid, blob in created:
        principal = db.resources[f"{ptype}:{pid}"]
        expected = _slow(grant_id, attached, principal, team_member.id, direct=True)
        assert Grant.FromString(blob) == expected, grant_id
        assert bytes(blob) == expected.SerializeToString(deterministic=True), grant_id


def test_an_indirect_source_stays_indirect_in_the_bytes() -> None:
    db = C1zDb.create()
    outer, inner = db.resource("group", "outer"), db.resource("group", "inner")
    outer_member = _entitlement(db, outer, "member")
    inner_member = _entitlement(db, inner, "member")
    policy = db.resource("policy", "p")
    attached = _entitlement(db, policy, "attached")
    alice = _user(db, "alice", "Alice")
    _extra_grant(db, outer_member, alice, "via-inner", {inner_member.id: False})
    db.grant(attached, outer, expand=[outer_member.id])

    ((_, _, _, blob),) = _expand(db)
    expected = _slow(f"{attached.id}:user:alice", attached, alice, outer_member.id, direct=False)
    assert bytes(blob) == expected.SerializeToString(deterministic=True)
