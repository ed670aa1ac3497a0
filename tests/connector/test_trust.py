"""Trust policy parsing (docs/model.md §3) on canned documents: every principal form, Condition,
Deny, and malformed input that must warn rather than fail."""

from __future__ import annotations

import json
from typing import Any

from baton_alibaba_cloud.connector.trust import TrustResult, parse_trust

UID = "1234567890123456"
OTHER = "9999999999999999"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)})


def _allow(principal: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra}


def _tuples(result: TrustResult) -> set[tuple[str, str, str | None]]:
    return {
        (g.principal_type, g.principal_id, json.dumps(g.metadata(), sort_keys=True)
         if g.metadata() else None)
        for g in result.grants
    }


def test_every_principal_form() -> None:
    doc = _doc(_allow({
        "RAM": [
            f"acs:ram::{UID}:root",
            f"acs:ram::{UID}:user/alice",
            f"acs:ram::{UID}:role/deployer",
            f"acs:ram::{OTHER}:root",
        ],
        "Service": ["ecs.aliyuncs.com", f"{OTHER}@actiontrail.aliyuncs.com"],
        "Federated": [
            f"acs:ram::{UID}:saml-provider/okta",
            f"acs:ram::{UID}:oidc-provider/ack",
        ],
    }))
    result = parse_trust(doc, role="r", uid=UID)
    assert result.warnings == []
    assert _tuples(result) == {
        ("account", UID, None),
        ("user", f"acs:ram::{UID}:user/alice", None),
        ("role", f"acs:ram::{UID}:role/deployer", None),
        ("account", OTHER, None),
        ("service", "ecs.aliyuncs.com", None),
        ("service", f"{OTHER}@actiontrail.aliyuncs.com", None),
        ("identity_provider", f"acs:ram::{UID}:saml-provider/okta", None),
        ("identity_provider", f"acs:ram::{UID}:oidc-provider/ack", None),
    }


def test_foreign_user_or_role_becomes_its_account_with_the_arn() -> None:
    user = f"acs:ram::{OTHER}:user/bob"
    role = f"acs:ram::{OTHER}:role/ci"
    result = parse_trust(_doc(_allow({"RAM": [user, role]})), role="r", uid=UID)
    assert [(g.principal_type, g.principal_id, g.metadata()) for g in result.grants] == [
        ("account", OTHER, {"principal_arns": [user, role]})
    ]


def test_foreign_root_wins_over_its_users() -> None:
    user = f"acs:ram::{OTHER}:user/bob"
    doc = _doc(_allow({"RAM": user}), _allow({"RAM": f"acs:ram::{OTHER}:root"}))
    result = parse_trust(doc, role="r", uid=UID)
    assert [(g.principal_id, g.metadata()) for g in result.grants] == [(OTHER, None)]


def test_string_values_and_action_forms_case_insensitive() -> None:
    for action in ("sts:AssumeRole", "STS:ASSUMEROLE", "sts:*", "*", ["oss:Get", "sts:assumerole"]):
        doc = _doc({"Effect": "allow", "Action": action,
                    "Principal": {"RAM": f"acs:ram::{UID}:user/alice"}})
        result = parse_trust(doc, role="r", uid=UID)
        assert _tuples(result) == {("user", f"acs:ram::{UID}:user/alice", None)}, action


def test_other_actions_are_ignored() -> None:
    doc = _doc({"Effect": "Allow", "Action": "sts:GetCallerIdentity",
                "Principal": {"RAM": f"acs:ram::{UID}:root"}})
    result = parse_trust(doc, role="r", uid=UID)
    assert result.grants == [] and result.warnings == []


def test_condition_goes_on_the_grant_metadata() -> None:
    condition = {"StringEquals": {"saml:recipient": "https://signin.alibabacloud.com/saml-role/sso"}}
    doc = _doc(_allow({"Federated": f"acs:ram::{UID}:saml-provider/okta"}, Condition=condition))
    result = parse_trust(doc, role="r", uid=UID)
    assert [g.metadata() for g in result.grants] == [{"condition": condition}]


def test_unconditional_statement_drops_the_condition() -> None:
    alice = f"acs:ram::{UID}:user/alice"
    doc = _doc(_allow({"RAM": alice}, Condition={"Bool": {"acs:MFAPresent": "true"}}),
               _allow({"RAM": alice}))
    result = parse_trust(doc, role="r", uid=UID)
    assert [g.metadata() for g in result.grants] == [None]


def test_denied_principals_get_no_grant() -> None:
    alice = f"acs:ram::{UID}:user/alice"
    doc = _doc(
        _allow({"RAM": [alice, f"acs:ram::{UID}:user/bob"], "Service": "ecs.aliyuncs.com"}),
        {"Effect": "Deny", "Action": "sts:AssumeRole",
         "Principal": {"RAM": alice.upper().replace("ACS:RAM", "acs:ram"),
                       "Service": ["ecs.aliyuncs.com"]}},
    )
    result = parse_trust(doc, role="r", uid=UID)
    assert _tuples(result) == {("user", f"acs:ram::{UID}:user/bob", None)}


def test_single_statement_object_is_accepted() -> None:
    doc = json.dumps({"Statement": _allow({"RAM": f"acs:ram::{UID}:root"})})
    assert _tuples(parse_trust(doc, role="r", uid=UID)) == {("account", UID, None)}


def test_malformed_documents_warn_and_name_the_role() -> None:
    for doc in ("{not json", "[]", json.dumps({"Statement": 3}), "", None):
        result = parse_trust(doc, role="broken", uid=UID)
        assert result.grants == []
        assert len(result.warnings) == 1 and "broken" in result.warnings[0], doc


def test_unknown_principal_forms_warn_and_keep_the_rest() -> None:
    doc = _doc(
        _allow({"RAM": ["arn:aws:iam::1:root", f"acs:ram::{UID}:user/alice"],
                "AWS": "x", "Service": "not a service!"}),
        _allow("*"),  # type: ignore[arg-type]
        "not a statement",  # type: ignore[arg-type]
        {"Effect": "Maybe", "Action": "sts:AssumeRole", "Principal": {"RAM": "x"}},
    )
    result = parse_trust(doc, role="odd", uid=UID)
    assert _tuples(result) == {("user", f"acs:ram::{UID}:user/alice", None)}
    assert len(result.warnings) == 6
    assert all("odd" in w for w in result.warnings)


def _deny(principal: dict[str, Any]) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": principal}


def test_deny_matches_the_principal_whatever_its_spelling() -> None:
    """The account as ``<uid>`` or as its root ARN is one principal; so is a service or an
    identity provider in another case. A Deny in one spelling removes the Allow in another."""
    saml = f"acs:ram::{UID}:saml-provider/okta"
    doc = _doc(
        _allow({"RAM": [UID, f"acs:ram::{OTHER}:root", f"acs:ram::{UID}:user/alice"],
                "Service": "ECS.aliyuncs.com", "Federated": saml}),
        _deny({"RAM": [f"acs:ram::{UID}:root", OTHER], "Service": "ecs.aliyuncs.com",
               "Federated": saml.upper().replace("ACS:RAM", "acs:ram")}),
    )
    result = parse_trust(doc, role="r", uid=UID)
    assert result.warnings == []
    assert _tuples(result) == {("user", f"acs:ram::{UID}:user/alice", None)}


def test_deny_of_one_foreign_user_keeps_the_rest_of_its_account() -> None:
    bob, carol = f"acs:ram::{OTHER}:user/bob", f"acs:ram::{OTHER}:role/carol"
    doc = _doc(_allow({"RAM": [bob, carol]}), _deny({"RAM": bob}))
    result = parse_trust(doc, role="r", uid=UID)
    assert [(g.principal_id, g.metadata()) for g in result.grants] == [
        (OTHER, {"principal_arns": [carol]})
    ]
    whole = parse_trust(_doc(_allow({"RAM": [bob]}), _deny({"RAM": OTHER})), role="r", uid=UID)
    assert whole.grants == []


def test_unknown_denied_principal_warns_naming_the_role() -> None:
    doc = _doc(_allow({"RAM": UID}), _deny({"RAM": "arn:aws:iam::1:root"}))
    result = parse_trust(doc, role="odd", uid=UID)
    assert _tuples(result) == {("account", UID, None)}
    assert len(result.warnings) == 1 and "role odd" in result.warnings[0]
