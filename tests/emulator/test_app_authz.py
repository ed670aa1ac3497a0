"""Policy evaluation: wildcards, case, NotAction/NotResource, explicit Deny, resource ARNs."""

from __future__ import annotations

from typing import Any

import pytest

from baton_alibaba_cloud.emulator.authz import decide, permission_for, resource_for

UID = "1234567890123456"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "1", "Statement": list(statements)}


@pytest.mark.parametrize(
    ("service", "action", "params", "resource"),
    [
        ("ram", "GetUser", {"UserName": "alice"}, f"acs:ram:*:{UID}:user/alice"),
        ("ims", "GetUser", {"UserPrincipalName": "alice@acme.onaliyun.com"},
         f"acs:ram:*:{UID}:user/alice"),
        ("ram", "AddUserToGroup", {"UserName": "a", "GroupName": "dev"},
         f"acs:ram:*:{UID}:group/dev"),
        ("ram", "AttachPolicyToRole", {"PolicyName": "p", "RoleName": "r"},
         f"acs:ram:*:{UID}:role/r"),
        ("ram", "ListPoliciesForUser", {"UserName": "a"}, f"acs:ram:*:{UID}:user/a"),
        ("ram", "ListRoles", {}, f"acs:ram:*:{UID}:role/*"),
        ("ram", "GetAccountAlias", {}, f"acs:ram:*:{UID}:*"),
        ("sts", "AssumeRole", {"RoleArn": f"acs:ram::{UID}:role/ops"}, f"acs:ram::{UID}:role/ops"),
    ],
)
def test_resource_for(service: str, action: str, params: dict[str, str], resource: str) -> None:
    assert resource_for(UID, service, action, params) == resource


def test_permission_names() -> None:
    assert permission_for("ims", "ListUsers") == "ram:ListUsers"
    assert permission_for("sts", "AssumeRole") == "sts:AssumeRole"


def test_wildcards_and_case() -> None:
    doc = _doc({"Effect": "Allow", "Action": "RAM:get*", "Resource": "acs:ram:*:*:user/*"})
    assert decide([doc], "ram:GetUser", f"acs:ram:*:{UID}:user/alice") == "Allow"
    assert decide([doc], "ram:GetUser", f"acs:ram:*:{UID}:group/dev") == "ImplicitDeny"
    assert decide([doc], "ram:ListUsers", f"acs:ram:*:{UID}:user/*") == "ImplicitDeny"


def test_role_arn_pattern_with_star_region_matches_empty_region() -> None:
    doc = _doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                "Resource": f"acs:ram:*:{UID}:role/ops"})
    assert decide([doc], "sts:AssumeRole", f"acs:ram::{UID}:role/ops") == "Allow"


def test_explicit_deny_wins_across_documents() -> None:
    allow = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    deny = _doc({"Effect": "Deny", "Action": ["ram:Delete*"], "Resource": "*"})
    assert decide([allow, deny], "ram:DeleteUser", "x") == "ExplicitDeny"
    assert decide([allow, deny], "ram:GetUser", "x") == "Allow"


def test_not_action_and_not_resource() -> None:
    doc = _doc({"Effect": "Allow", "NotAction": "ram:Delete*", "NotResource": "*:user/root*"})
    assert decide([doc], "ram:GetUser", "acs:ram:*:1:user/alice") == "Allow"
    assert decide([doc], "ram:DeleteUser", "acs:ram:*:1:user/alice") == "ImplicitDeny"
    assert decide([doc], "ram:GetUser", "acs:ram:*:1:user/rootish") == "ImplicitDeny"


def test_conditional_statements_are_skipped() -> None:
    doc = _doc({"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"Bool": {"acs:MFAPresent": "true"}}})
    assert decide([doc], "ram:GetUser", "x") == "ImplicitDeny"


def test_single_statement_object_is_accepted() -> None:
    doc = {"Version": "1", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    assert decide([doc], "ram:GetUser", "x") == "Allow"
