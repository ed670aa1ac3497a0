"""Backend rules that are not one action: keys to callers, policies of callers, trust logic."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baton_alibaba_cloud.emulator._backend.paging import MarkerCodec, OrderedTable
from baton_alibaba_cloud.emulator._backend.trust import TrustRequest, trust_allows
from baton_alibaba_cloud.emulator.backend import Backend
from baton_alibaba_cloud.emulator.errors import EmulatorError

from .test_responses_ram import sample_backend

UID = "5123456789012345"


@pytest.fixture
def backend() -> Backend:
    return sample_backend()


def test_resolve_access_keys(backend: Backend) -> None:
    root = backend.resolve_access_key("LTAI5tDemoRootKey0000001")
    assert root is not None and root.caller.kind == "root"
    assert root.caller.arn == f"acs:ram::{UID}:root" and root.security_token is None
    erin = backend.resolve_access_key("LTAI5tDemoErinKey0000001")
    assert erin is not None and erin.status == "Inactive" and erin.caller.name == "erin"
    assert backend.resolve_access_key("LTAI-unknown") is None
    assert backend.admin_credentials() == ("LTAI5tDemoAdminKey000001",
                                           "demo-admin-secret-do-not-use-0001")


def test_identity_policy_documents(backend: Backend) -> None:
    def actions(key: str) -> list[object]:
        resolved = backend.resolve_access_key(key)
        assert resolved is not None
        docs = backend.identity_policy_documents(resolved.caller)
        return [s["Action"] for d in docs for s in d["Statement"]]

    assert actions("LTAI5tDemoAdminKey000001") == ["*"]
    alice = actions("LTAI5tDemoAliceKey000001")
    assert "sts:AssumeRole" in alice and ["ecs:*"] in alice
    assert actions("LTAI5tDemoRootKey0000001") == []


def test_rename_keeps_relations(backend: Backend) -> None:
    from baton_alibaba_cloud.emulator._backend.users import UserChanges

    alice = backend.user("alice")
    backend.update_user(alice, UserChanges(name="alicia"))
    assert [m.group_id for m in backend.memberships_of_user(backend.user("alicia"))]
    resolved = backend.resolve_access_key("LTAI5tDemoAliceKey000001")
    assert resolved is not None and resolved.caller.name == "alicia"
    with pytest.raises(EmulatorError):
        backend.user("alice")


def test_malformed_trust_is_kept_verbatim(backend: Backend) -> None:
    role = backend.role("broken-trust-role")
    with pytest.raises(ValueError):
        json.loads(role.trust_policy)


def _doc(*statements: Any) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)})


def _request(names: set[str], **context: str) -> TrustRequest:
    return TrustRequest("RAM", frozenset(names), context)


def test_trust_logic() -> None:
    allow_root: dict[str, Any] = {"Effect": "Allow", "Action": ["sts:AssumeRole"],
                  "Principal": {"RAM": f"acs:ram::{UID}:root"}}
    me = {f"acs:ram::{UID}:root", f"acs:ram::{UID}:user/bob"}
    assert trust_allows(_doc(allow_root), _request(me))
    assert not trust_allows(_doc(allow_root), _request({"acs:ram::1:root"}))
    deny = {"Effect": "Deny", "Action": "sts:*", "Principal": {"RAM": [f"acs:ram::{UID}:user/bob"]}}
    assert not trust_allows(_doc(allow_root, deny), _request(me))
    other_action = {**allow_root, "Action": "ecs:*"}
    assert not trust_allows(_doc(other_action), _request(me))
    conditioned = {**allow_root, "Condition": {"StringEquals": {"sts:ExternalId": ["a", "b"]}}}
    assert trust_allows(_doc(conditioned), _request(me, **{"sts:ExternalId": "b"}))
    assert not trust_allows(_doc(conditioned), _request(me))
    negative = {**allow_root, "Condition": {"StringNotEquals": {"sts:ExternalId": "x"}}}
    assert trust_allows(_doc(negative), _request(me, **{"sts:ExternalId": "y"}))
    assert not trust_allows(_doc(negative), _request(me, **{"sts:ExternalId": "x"}))
    # a key the request lacks: the block does not hold, whatever the operator (as for
    # identity policies, docs/policy-evaluation.md)
    assert not trust_allows(_doc(negative), _request(me))
    unknown = {**allow_root, "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}}
    assert not trust_allows(_doc(unknown), _request(me))
    assert not trust_allows("{broken", _request(me))
    assert not trust_allows("[]", _request(me))


def test_ordered_table_pages_are_stable() -> None:
    table: OrderedTable[int] = OrderedTable()
    for number in range(10):
        table.add(str(number), number)
    page = table.page(0, 4)
    assert page.items == [0, 1, 2, 3] and page.resume_after is not None
    table.remove("4")
    table.add("3", 33)
    rest = table.page(page.resume_after, 100)
    assert rest.items == [5, 6, 7, 8, 9] and rest.resume_after is None
    evens = table.page(0, 2, lambda n: n % 2 == 0)
    assert evens.items == [0, 2]
    assert table.page(0, 100, lambda n: n > 100).items == []


def test_marker_codec_refuses_forgery() -> None:
    codec = MarkerCodec(b"k" * 32)
    marker = codec.encode("scope", 42)
    assert codec.decode("scope", marker) == 42
    assert codec.decode("scope", None) == 0
    for bad in ("", "@@@", marker + "A", MarkerCodec(b"x" * 32).encode("scope", 42)):
        if not bad:
            continue
        with pytest.raises(EmulatorError) as caught:
            codec.decode("scope", bad)
        assert caught.value.code == "InvalidParameter.Marker"
