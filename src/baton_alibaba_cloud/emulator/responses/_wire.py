"""Entities to wire dicts with exactly the SDK's JSON keys (vectors/acs3/actions.txt).

Optional fields the entity does not have (no email, never logged in) are left out rather
than sent empty, so a client sees ``None`` for them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..backend import Backend
from ..entities import Group, Policy, Role, User, format_time

__all__ = ["group_wire", "optional", "policy_wire", "role_wire", "tags_wire", "user_wire"]

Wire = dict[str, Any]


def optional(wire: Wire, key: str, value: str | datetime | None) -> Wire:
    """Set ``key`` only when there is something to say."""
    if isinstance(value, datetime):
        wire[key] = format_time(value)
    elif value:
        wire[key] = value
    return wire


def tags_wire(tags: dict[str, str]) -> Wire:
    return {"Tag": [{"TagKey": key, "TagValue": value} for key, value in tags.items()]}


def user_wire(backend: Backend, user: User, *, ims: bool, fields: tuple[str, ...] = ()) -> Wire:
    """A user: RAM keys (UserName) or IMS keys (UserPrincipalName), plus requested extras.

    ``fields`` may name ``Status``, ``LastLoginDate``, ``ProvisionType``, ``Tags``,
    ``UserName``, ``UpdateDate`` (the members that differ between actions).
    """
    wire: Wire = {
        "UserId": user.user_id,
        "DisplayName": user.display_name,
        "CreateDate": format_time(user.created),
    }
    if ims:
        wire["UserPrincipalName"] = backend.upn(user)
    if not ims or "UserName" in fields:
        wire["UserName"] = user.name
    optional(wire, "Comments", user.comments)
    optional(wire, "Email", user.email)
    optional(wire, "MobilePhone", user.mobile_phone)
    if "UpdateDate" in fields:
        wire["UpdateDate"] = format_time(user.updated)
    if "LastLoginDate" in fields:
        optional(wire, "LastLoginDate", user.last_login)
    if "Status" in fields:
        wire["Status"] = user.status
    if "ProvisionType" in fields:
        wire["ProvisionType"] = user.provision_type
    if "Tags" in fields:
        wire["Tags"] = tags_wire(user.tags)
    return wire


def group_wire(group: Group, *, ims: bool) -> Wire:
    wire: Wire = {
        "GroupId": group.group_id,
        "GroupName": group.name,
        "CreateDate": format_time(group.created),
        "UpdateDate": format_time(group.updated),
    }
    if ims:
        wire["DisplayName"] = group.display_name
    return optional(wire, "Comments", group.comments)


def role_wire(backend: Backend, role: Role, *, with_document: bool) -> Wire:
    wire: Wire = {
        "RoleId": role.role_id,
        "RoleName": role.name,
        "Arn": backend.role_arn(role),
        "CreateDate": format_time(role.created),
        "UpdateDate": format_time(role.updated),
        "MaxSessionDuration": role.max_session_duration,
    }
    optional(wire, "Description", role.description)
    if with_document:
        wire["AssumeRolePolicyDocument"] = role.trust_policy
        wire["RolePrincipalName"] = f"{role.name}@role.{backend.account.default_domain}"
        wire["IsServiceLinkedRole"] = False
    else:
        wire["Tags"] = tags_wire(role.tags)
    return wire


def policy_wire(backend: Backend, policy: Policy) -> Wire:
    wire: Wire = {
        "PolicyName": policy.name,
        "PolicyType": policy.policy_type,
        "DefaultVersion": policy.default_version,
        "AttachmentCount": backend.attachment_count(policy.key),
        "CreateDate": format_time(policy.created),
        "UpdateDate": format_time(policy.updated),
    }
    return optional(wire, "Description", policy.description)
