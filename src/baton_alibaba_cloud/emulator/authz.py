"""Authorization: the caller's identity policies against the permission an action needs.

Why: a connector run with a read-only or a too-narrow policy must meet ``NoPermission`` in the
emulator exactly where it would in production, so that the ``permissions`` command and the
error messages are tested, not assumed.

Rules: RAM and IMS actions need ``ram:<Action>``, STS actions ``sts:<Action>``, Resource
Manager and CloudSSO ones ``resourcemanager:<Action>`` and ``cloudsso:<Action>``;
``sts:GetCallerIdentity`` needs nothing; root may do everything. The caller's documents are
evaluated by ``alibaba.policy`` (the connector's ``inspect can`` uses the same code), with the
condition keys this module knows about the request (``request_context``); a condition on any
other key does not hold (docs/policy-evaluation.md).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from baton_alibaba_cloud.alibaba.policy import ALLOW, DENY, NamedPolicy, evaluate

from .errors import EmulatorError
from .identity import Caller

__all__ = [
    "FREE_ACTIONS",
    "AccessDenied",
    "authorize",
    "decide",
    "no_permission",
    "permission_for",
    "request_context",
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
    """``ram:<Action>`` for RAM and IMS (IMS is authorised under ``ram:``), ``sts:<Action>``,
    ``resourcemanager:<Action>`` for Resource Manager, ``cloudsso:<Action>`` for CloudSSO."""
    if service in ("sts", "resourcemanager", "cloudsso"):
        return f"{service}:{action}"
    return f"ram:{action}"


def resource_for(account_id: str, service: str, action: str, params: Mapping[str, str]) -> str:
    """The ARN an action acts on, in identity-policy form (``acs:ram:*:<uid>:user/<name>``).

    The target of ``...To/From/ForUser|Group|Role`` actions comes first, then the first name
    parameter present, then ``<type>/*`` for bare listings; anything else is the account's
    ``*``. ``sts:AssumeRole`` acts on its ``RoleArn``.
    """
    if service == "sts":
        return params.get("RoleArn", "*")
    if service == "resourcemanager":
        group = params.get("ResourceGroupId")
        return f"acs:resourcemanager:*:{account_id}:resourcegroup/{group}" if group else "*"
    if service == "cloudsso":
        directory = params.get("DirectoryId")
        return f"acs:cloudsso:*:{account_id}:directory/{directory}" if directory else "*"
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


def decide(
    documents: Iterable[Mapping[str, Any]],
    permission: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> str:
    """``"Allow"``, ``"ExplicitDeny"`` or ``"ImplicitDeny"`` for one permission on one ARN,
    by the one RAM evaluator (``alibaba.policy``), conditions evaluated against ``context``."""
    named = [NamedPolicy(f"policy {n}", document) for n, document in enumerate(documents, 1)]
    verdict = evaluate(named, permission, resource, dict(context or {})).verdict
    return {ALLOW: "Allow", DENY: "ExplicitDeny"}.get(verdict, "ImplicitDeny")


def request_context(
    caller: Caller, params: Mapping[str, str], source_ip: str | None, now: datetime
) -> dict[str, str]:
    """The condition keys the emulator knows about a request (docs/policy-evaluation.md):
    where it came from, when, that no MFA was presented (an AccessKey or STS token request
    never carries one), and the ExternalId an AssumeRole passes."""
    context = {
        "acs:CurrentTime": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "acs:MFAPresent": "false",
    }
    if source_ip:
        context["acs:SourceIp"] = source_ip
    if params.get("ExternalId"):
        context["sts:ExternalId"] = params["ExternalId"]
    return context


def authorize(
    caller: Caller,
    documents: Iterable[Mapping[str, Any]],
    service: str,
    action: str,
    params: Mapping[str, str],
    context: Mapping[str, str] | None = None,
) -> None:
    """Raise ``NoPermission`` (403) unless the caller may perform the action."""
    if caller.kind == "root" or (service, action) in FREE_ACTIONS:
        return
    permission = permission_for(service, action)
    resource = resource_for(caller.account_id, service, action, params)
    verdict = decide(documents, permission, resource, context)
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
