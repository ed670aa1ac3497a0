"""Does a role's trust policy (AssumeRolePolicyDocument) let this principal assume it?

This is Decision B of docs/alibaba.md §6: the caller's own identity policies (Decision A) are
the core's ``authz.py`` job. A document that does not parse trusts nobody; an explicit Deny
wins; a Condition must hold against the request context, judged by the same rules as every
identity policy (``alibaba.policy.condition_holds``, docs/policy-evaluation.md): a key the
context lacks, or an operator we do not know, makes the block not hold, whatever the operator,
so a trust condition nobody can check lets nobody in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from baton_alibaba_cloud.alibaba.policy import condition_holds

__all__ = ["TrustRequest", "trust_allows"]

_ASSUME_ACTIONS = {"sts:assumerole", "sts:*", "*"}


@dataclass(frozen=True)
class TrustRequest:
    """Who asks: a principal type (``RAM``, ``Federated``, ``Service``), the values that name
    the caller (its own ARN, its account's root ARN, the account id…) and condition keys."""

    principal_type: str
    names: frozenset[str]
    context: dict[str, str] = field(default_factory=dict)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def trust_allows(document: str, request: TrustRequest) -> bool:
    """True when an Allow statement names the caller, its conditions hold, and no Deny does."""
    try:
        parsed = json.loads(document)
    except ValueError:
        return False
    if not isinstance(parsed, dict):
        return False
    allowed = False
    for statement in _as_list(parsed.get("Statement")):
        if not isinstance(statement, dict) or not _statement_applies(statement, request):
            continue
        if str(statement.get("Effect", "")).lower() == "deny":
            return False
        if str(statement.get("Effect", "")).lower() == "allow":
            allowed = True
    return allowed


def _statement_applies(statement: dict[str, Any], request: TrustRequest) -> bool:
    actions = {str(action).lower() for action in _as_list(statement.get("Action"))}
    if not actions & _ASSUME_ACTIONS:
        return False
    if not _names_caller(statement.get("Principal"), request):
        return False
    condition = statement.get("Condition")
    return condition is None or condition_holds(condition, request.context)


def _names_caller(principal: Any, request: TrustRequest) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for principal_type, values in principal.items():
        if str(principal_type).lower() != request.principal_type.lower():
            continue
        for value in _as_list(values):
            text = str(value).lower()
            if text == "*" or text in request.names:
                return True
    return False
