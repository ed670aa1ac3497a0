"""Authorization: the caller's identity policies against the permission an action needs.

Why: a connector run with a read-only or a too-narrow policy must meet ``NoPermission`` in the
emulator exactly where it would in production, so that the ``permissions`` command and the
error messages are tested, not assumed.

Rules (alibaba-api.md §4, §6, §8): RAM and IMS actions need ``ram:<Action>``, STS actions
``sts:<Action>``; ``sts:GetCallerIdentity`` needs nothing; root may do everything. A statement
applies when its ``Action`` (or ``NotAction``) and ``Resource`` (or ``NotResource``) match, with
``*``/``?`` wildcards, without case; an explicit ``Deny`` wins over any ``Allow``. Statements
with a ``Condition`` are skipped: the emulator has no request context to evaluate them against,
and skipping errs on the side of refusing (an unmet Allow) rather than granting.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from .errors import EmulatorError
from .identity import Caller

__all__ = [
    "FREE_ACTIONS",
    "AccessDenied",
    "authorize",
    "decide",
    "no_permission",
    "permission_for",
    "resource_for",
]

FREE_ACTIONS = frozenset({("sts", "GetCallerIdentity")})
_TARGET = re.compile(r"(?:To|From|For)(User|Group|Role)$")
_LIST = re.compile(r"^List(Users|Groups|Roles|Policies)$")
_TYPE_OF_LIST = {"Users": "user", "Groups": "group", "Roles": "role", "Policies": "policy"}
_PARAM_TYPES = (
    ("UserName", "user"),
    ("UserPrincipalName", "user"),
    ("GroupName", "group"),
    ("RoleName", "role"),
    ("PolicyName", "policy"),
)


def permission_for(service: str, action: str) -> str:
    """``ram:<Action>`` for RAM and IMS (IMS is authorised under ``ram:``), ``sts:<Action>``."""
    return f"{'sts' if service == 'sts' else 'ram'}:{action}"


def resource_for(account_id: str, service: str, action: str, params: Mapping[str, str]) -> str:
    """The ARN an action acts on, in identity-policy form (``acs:ram:*:<uid>:user/<name>``).

    The target of ``...To/From/ForUser|Group|Role`` actions comes first, then the first name
    parameter present, then ``<type>/*`` for bare listings; anything else is the account's
    ``*``. ``sts:AssumeRole`` acts on its ``RoleArn``.
    """
    if service == "sts":
        return params.get("RoleArn", "*")
    base = f"acs:ram:*:{account_id}:"
    target = _TARGET.search(action)
    order = list(_PARAM_TYPES)
    if target is not None:
        kind = target.group(1).lower()
        order.sort(key=lambda pair: pair[1] != kind)
    for param, kind in order:
        value = params.get(param)
        if value:
            return f"{base}{kind}/{value.split('@', 1)[0]}"
    listing = _LIST.match(action)
    if listing is not None:
        return f"{base}{_TYPE_OF_LIST[listing.group(1)]}/*"
    return f"{base}*"


@lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _matches(values: Any, subject: str) -> bool:
    items: Iterable[Any] = values if isinstance(values, list) else [values]
    return any(isinstance(v, str) and _pattern(v).fullmatch(subject) for v in items)


def _applies(statement: Mapping[str, Any], permission: str, resource: str) -> bool:
    if "Condition" in statement:
        return False
    if "Action" in statement:
        action_ok = _matches(statement["Action"], permission)
    else:
        action_ok = "NotAction" in statement and not _matches(statement["NotAction"], permission)
    if not action_ok:
        return False
    if "Resource" in statement:
        return _matches(statement["Resource"], resource)
    if "NotResource" in statement:
        return not _matches(statement["NotResource"], resource)
    return False


def decide(documents: Iterable[Mapping[str, Any]], permission: str, resource: str) -> str:
    """``"Allow"``, ``"ExplicitDeny"`` or ``"ImplicitDeny"`` for one permission on one ARN."""
    allowed = False
    for document in documents:
        statements = document.get("Statement", [])
        if isinstance(statements, Mapping):
            statements = [statements]
        for statement in statements:
            if not isinstance(statement, Mapping) or not _applies(statement, permission, resource):
                continue
            effect = str(statement.get("Effect", "")).lower()
            if effect == "deny":
                return "ExplicitDeny"
            allowed = allowed or effect == "allow"
    return "Allow" if allowed else "ImplicitDeny"


def authorize(
    caller: Caller,
    documents: Iterable[Mapping[str, Any]],
    service: str,
    action: str,
    params: Mapping[str, str],
) -> None:
    """Raise ``NoPermission`` (403) unless the caller may perform the action."""
    if caller.kind == "root" or (service, action) in FREE_ACTIONS:
        return
    permission = permission_for(service, action)
    resource = resource_for(caller.account_id, service, action, params)
    verdict = decide(documents, permission, resource)
    if verdict != "Allow":
        raise no_permission(caller, permission, resource, verdict)


class AccessDenied(EmulatorError):
    """``NoPermission`` (403) carrying ``AccessDeniedDetail``; ``extra_body`` joins the answer."""

    def __init__(self, message: str, detail: dict[str, str]) -> None:
        super().__init__("NoPermission", message, 403)
        self.extra_body: dict[str, Any] = {"AccessDeniedDetail": detail}


def no_permission(caller: Caller, permission: str, resource: str, verdict: str) -> AccessDenied:
    """``NoPermission`` with the ``AccessDeniedDetail`` the real gateway adds (§4.1)."""
    diagnostic = json.dumps(
        {"AuthAction": permission, "AuthResource": resource, "Principal": caller.arn},
        sort_keys=True,
    )
    message = (
        f"You are not authorized to do this action. Action: {permission}, "
        f"Resource: {resource}, Principal: {caller.arn}."
    )
    return AccessDenied(
        message,
        {
            "AuthAction": permission,
            "AuthPrincipalDisplayName": caller.name or caller.principal_id,
            "AuthPrincipalOwnerId": caller.account_id,
            "AuthPrincipalType": "SubUser" if caller.kind == "user" else "AssumedRoleUser",
            "EncodedDiagnosticMessage": base64.b64encode(diagnostic.encode()).decode(),
            "NoPermissionType": verdict,
            "PolicyType": "AccountLevelIdentityBasedPolicy",
        },
    )
