"""The message builders: frozen id rules, Go SDK conventions, and fixture compatibility."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from baton_alibaba_cloud.baton import types as t
from baton_alibaba_cloud.baton.pb import annotation_trait_pb2 as traits_pb
from baton_alibaba_cloud.baton.pb import annotations_pb2 as ann_pb
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceType, Status

USER = t.resource_type("user", "User", [ResourceType.TRAIT_USER], description="RAM users")
GROUP = t.resource_type("group", "Group", [ResourceType.TRAIT_GROUP])
ACCOUNT = t.resource_id("account", "123")


def test_id_rules() -> None:
    eid = t.entitlement_id("group", "acs:ram::1:group/g", "member")
    assert eid == "group:acs:ram::1:group/g:member"
    assert t.grant_id("group:g:member", "user", "u") == "group:g:member:user:u"


def test_resource_type_fields() -> None:
    assert list(USER.traits) == [ResourceType.TRAIT_USER]
    assert USER.description == "RAM users"
    assert GROUP.description == ""


def test_user_resource_copies_trait_fields() -> None:
    created = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    trait = t.user_trait(
        login="alice@1.onaliyun.com",
        login_aliases=["alice"],
        emails=["alice@example.com"],
        status=traits_pb.UserTrait.Status.STATUS_DISABLED,
        status_details="frozen",
        profile={"UserId": "2001", "Tags": [{"Key": "k", "Value": "v"}]},
        created_at=created,
    )
    res = t.resource(USER, "acs:ram::1:user/alice", "Alice", parent=ACCOUNT, annotations=[trait])
    assert res.id.resource_type == "user"
    assert res.parent_resource_id == ACCOUNT
    assert res.status.status == Status.RESOURCE_STATUS_DISABLED
    assert res.status.details == "frozen"
    assert res.profile["UserId"] == "2001"
    assert res.created_at.ToDatetime(tzinfo=UTC) == created
    assert res.description == ""
    got = t.unpack_annotation(res.annotations, traits_pb.UserTrait)
    assert got is not None and got.emails[0].is_primary and got.login_aliases == ["alice"]
    assert res.annotations[0].type_url == "type.googleapis.com/c1.connector.v2.UserTrait"
    assert t.unpack_annotation(res.annotations, traits_pb.GroupTrait) is None


def test_user_trait_defaults() -> None:
    trait = t.user_trait()
    assert trait.status.status == traits_pb.UserTrait.Status.STATUS_ENABLED
    assert trait.account_type == traits_pb.UserTrait.ACCOUNT_TYPE_HUMAN
    assert not trait.HasField("profile") and trait.login == ""


def test_explicit_resource_fields_win_over_trait() -> None:
    res = t.resource(
        "group", "g", "G", profile={"a": 1}, annotations=[t.group_trait(profile={"b": 2})]
    )
    assert dict(res.profile) == {"a": 1}


def test_entitlement_and_grant() -> None:
    group = t.resource(GROUP, "g", "G", annotations=[t.group_trait()])
    ent = t.assignment_entitlement(group, "member", "G Member", "Member of G", [USER])
    assert ent.id == "group:g:member" and ent.slug == "member"
    assert ent.purpose == ent.PURPOSE_VALUE_ASSIGNMENT
    assert ent.grantable_to[0].id == "user"
    exp = t.grant_expandable(["group:h:member"], shallow=True)
    g = t.grant(ent, t.resource_id("user", "u"), annotations=[exp])
    assert g.id == "group:g:member:user:u"
    assert g.entitlement.id == ent.id and g.entitlement.display_name == ""
    assert g.principal.id.resource == "u"
    got = t.unpack_annotation(g.annotations, ann_pb.GrantExpandable)
    assert got is not None and got.shallow and list(got.entitlement_ids) == ["group:h:member"]
    assert t.has_annotation(g.annotations, ann_pb.GrantExpandable)


def test_secret_trait() -> None:
    owner = t.resource_id("user", "u")
    trait = t.secret_trait(identity=owner, created_by=owner, credential_detail="alibaba.access_key")
    res = t.resource("access_key", "LTAI1", "LTAI1", parent=owner, annotations=[trait])
    assert trait.credential_type == traits_pb.SecretTrait.CREDENTIAL_TYPE_STATIC_SECRET
    assert not res.HasField("created_at")


def test_fixture_blobs_parse(shared_dir: Path, tmp_path: Path) -> None:
    """Our field numbers decode Go-written rows (full check lives in test_c1z_reader)."""
    import zstandard

    raw = shared_dir / "fixtures/baton-sdk/sync.36zfOAoWMxQdISbixanQCRBiX7E.expanded.c1z"
    db = tmp_path / "db"
    db.write_bytes(zstandard.ZstdDecompressor().decompressobj().decompress(raw.read_bytes()[5:]))
    con = sqlite3.connect(db)
    (blob,) = con.execute("select data from v1_grants limit 1").fetchone()
    con.close()
    g = t.Grant.FromString(blob)
    assert g.id.startswith(g.entitlement.id + ":")
