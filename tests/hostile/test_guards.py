"""The guards the hostile-server tests rely on, one by one: the page guard's budgets and token
checks, the response-tree check, and the depth-limited document loader."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import answers, limits
from baton_alibaba_cloud.alibaba.documents import (
    DocumentError,
    load_policy_document,
    nesting_depth,
)
from baton_alibaba_cloud.alibaba.paging import PageGuard, PagingError


def test_budgets_come_from_the_documented_limits_with_the_margin() -> None:
    users = limits.LISTINGS["ims:ListUsers"]
    assert users.items == 5000 and "ram/product-overview/limits" in users.source
    assert limits.page_budget("ims:ListUsers", 1000) == 5000 * limits.MARGIN // 1000 + 1
    assert limits.page_budget("ims:ListGroups", 100) == 300 * limits.MARGIN // 100 + 1
    assert limits.page_budget("unknown:ListThings", 100) == limits.DEFAULT_ITEMS // 100 + 1
    assert limits.page_budget("ims:ListSAMLProviders", 100) == 21
    assert limits.page_budget("ims:ListOIDCProviders", None) == 2001


def test_the_guard_stops_at_the_page_budget_naming_the_action() -> None:
    guard = PageGuard("ims", "ListGroups", 100, max_pages=3)
    for _ in range(3):
        guard.page(10)
    with pytest.raises(PagingError) as caught:
        guard.page(10)
    assert caught.value.code == "PageBudgetExceeded"
    assert str(caught.value).startswith("IMS ListGroups failed: PageBudgetExceeded")
    assert not caught.value.retryable


def test_the_guard_stops_at_the_byte_budget() -> None:
    guard = PageGuard("ram", "ListRoles", 1000, max_bytes=2 * 1024 * 1024)
    guard.page(2 * 1024 * 1024)
    with pytest.raises(PagingError) as caught:
        guard.page(1)
    assert caught.value.code == "ByteBudgetExceeded"


@pytest.mark.parametrize(("tokens", "code"), [
    (["a", "b", "a"], "RepeatedMarker"),
    (["a", ""], "InvalidMarker"),
    (["a", None], "InvalidMarker"),
    (["a", 7], "InvalidMarker"),
])
def test_the_guard_refuses_a_token_seen_before_or_missing(tokens: list[Any], code: str) -> None:
    guard = PageGuard("ram", "ListUsers", 100)
    *good, bad = tokens
    for token in good:
        assert guard.token("Marker", token) == token
    with pytest.raises(PagingError) as caught:
        guard.token("Marker", bad)
    assert caught.value.code == code


def page(users: Any, **extra: Any) -> dict[str, Any]:
    return {"RequestId": "r", "IsTruncated": False, "Users": {"User": users}, **extra}


GOOD_USER = {"UserPrincipalName": "a@x.onaliyun.com", "UserId": "1"}


@pytest.mark.parametrize("body", [
    page([GOOD_USER]),
    page(GOOD_USER),  # one object where a list is expected: the XML heritage
    page([]),
    {"RequestId": "r", "IsTruncated": False},  # an empty listing may omit the wrapper
    {"RequestId": "r", "Users": {}},
    page([{**GOOD_USER, "CreateDate": 12}]),  # a number where a string is documented
])
def test_answers_alibaba_may_send_are_accepted(body: dict[str, Any]) -> None:
    answers.validate_response("ims", "ListUsers", body)


@pytest.mark.parametrize(("body", "why"), [
    (page("x"), "Users.User is a string, not a list"),
    (page(["x"]), "Users.User[0] is a string, not an object"),
    (page([None]), "Users.User[0] is null"),
    (page(None), "Users.User is null"),
    ({"RequestId": "r", "Users": None}, "Users is null"),
    ({"RequestId": "r", "Users": []}, "Users is a list, not an object"),
    (page([{**GOOD_USER, "DisplayName": {"a": 1}}]), "Users.User[0].DisplayName is an object"),
    (page([{"UserId": "1"}]), "Users.User[0] has no UserPrincipalName"),
])
def test_answers_that_cannot_be_the_actions_are_refused(body: dict[str, Any], why: str) -> None:
    with pytest.raises(answers.ResponseValidationError) as caught:
        answers.validate_response("ims", "ListUsers", body)
    assert why in str(caught.value)


def test_a_deep_answer_is_checked_only_as_deep_as_the_tree() -> None:
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = {"x": deep}
    answers.validate_response("ims", "ListUsers", page([{**GOOD_USER, "Extra": deep}]))


def test_depth_counts_brackets_outside_strings() -> None:
    assert nesting_depth('{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert nesting_depth('"\\"[["') == 0
    assert nesting_depth("[" * 5000 + "]" * 5000) == 5000


def test_a_document_deeper_than_the_limit_is_refused_in_words() -> None:
    deep = '{"Statement": ' + "[" * 1000 + "]" * 1000 + "}"
    with pytest.raises(DocumentError) as caught:
        load_policy_document(deep)
    assert str(caught.value) == f"nests deeper than {limits.MAX_POLICY_DEPTH} levels (1001)"
    with pytest.raises(DocumentError) as bad:
        load_policy_document("{not json")
    assert str(bad.value).startswith("is not valid JSON")
    real = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ram:Get*"],
                                           "Condition": {"Bool": {"acs:MFAPresent": "true"}}}]}
    assert load_policy_document(json.dumps(real)) == real
