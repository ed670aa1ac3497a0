"""The RAM policy evaluator on the cases of ``policy_cases`` and on its edges."""

from __future__ import annotations

import json

import pytest

from baton_alibaba_cloud.alibaba.policy import (
    NamedPolicy,
    StatementRef,
    evaluate,
    parse_document,
    relevant,
)
from tests.alibaba.policy_cases import CASES, Case

UID = "1234567890123456"
CONTEXT = {"acs:SourceIp": "127.0.0.1", "acs:MFAPresent": "false",
           "acs:CurrentTime": "2026-12-06T20:00:00Z"}


def _policy(case: Case) -> NamedPolicy:
    document = {"Version": "1", "Statement": case.statements}
    return NamedPolicy("case-policy", json.dumps(document).replace("{uid}", UID))


def test_there_are_at_least_forty_cases_with_distinct_names() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)
    assert all("http" in case.why or "docs/" in case.why for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_without_context(case: Case) -> None:
    decision = evaluate([_policy(case)], case.action, case.resource.replace("{uid}", UID))
    assert decision.answer == case.expected, case.why
    if case.deciding:
        assert [(s.index, s.effect) for s in decision.statements] == case.deciding
    assert all(s.policy == "case-policy" for s in decision.statements)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_with_the_emulators_context(case: Case) -> None:
    decision = evaluate([_policy(case)], case.action, case.resource.replace("{uid}", UID),
                        CONTEXT)
    assert (decision.answer == "yes") is case.allowed_by_emulator, case.why
    assert decision.answer != "conditional"  # a known context decides every condition


def test_deny_in_another_policy_wins_and_is_named() -> None:
    allow = NamedPolicy("admin", {"Statement": [{"Effect": "Allow", "Action": "*",
                                                 "Resource": "*"}]})
    deny = NamedPolicy("no-sts", {"Statement": [
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]})
    decision = evaluate([allow, deny], "sts:AssumeRole", f"acs:ram::{UID}:role/ops")
    assert decision.verdict == "deny"
    assert decision.statements == (StatementRef("no-sts", 2, "Deny"),)


def test_documents_that_do_not_parse_allow_nothing() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for bad in ("{", "[]", '{"Statement": 3}', "null", deep, b"\xff"):
        assert parse_document(bad) == []
        assert evaluate([NamedPolicy("bad", bad)], "ram:GetUser", "*").answer == "no"


def test_statement_without_resource_applies_to_nothing() -> None:
    policy = NamedPolicy("p", {"Statement": [{"Effect": "Allow", "Action": "*"}]})
    assert evaluate([policy], "ram:GetUser", "acs:ram:*:1:user/a").answer == "no"


def test_relevant_keeps_only_statements_of_the_action() -> None:
    policy = NamedPolicy("p", {"Statement": [
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "acs:ram:*:*:role/a*",
         "Condition": {"Bool": {"acs:MFAPresent": "true"}}}]})
    found = relevant([policy], "sts:assumerole")
    assert [ref for ref, _ in found] == [
        StatementRef("p", 2, "Allow", {"Bool": {"acs:MFAPresent": "true"}})]
    assert found[0][0].describe() == 'p#2 Allow if {"Bool":{"acs:MFAPresent":"true"}}'
