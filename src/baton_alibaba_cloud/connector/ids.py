"""The frozen resource ids of docs/model.md §2 and the parsing of RAM ARNs.

Why here and nowhere else: ids are external contracts (C1 keys access history on them), so the
ARN shapes are built in one place and every builder, the trust parser and provisioning use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ACCESS_ASSIGNMENT",
    "ACCESS_CONFIGURATION",
    "ACCESS_KEY",
    "ACCOUNT",
    "GROUP",
    "IDENTITY_PROVIDER",
    "POLICY",
    "POLICY_BINDING",
    "RESOURCE_GROUP",
    "ROLE",
    "SERVICE",
    "SSO_DIRECTORY",
    "SSO_GROUP",
    "SSO_USER",
    "USER",
    "RamArn",
    "SsoArn",
    "binding_id",
    "group_id",
    "name_of",
    "parse_arn",
    "parse_sso_arn",
    "policy_id",
    "policy_ref",
    "resource_group_id",
    "role_id",
    "sso_directory_id",
    "sso_id",
    "user_id",
    "user_name",
]

ACCOUNT = "account"
USER = "user"
GROUP = "group"
ROLE = "role"
POLICY = "policy"
ACCESS_KEY = "access_key"
SERVICE = "service"
IDENTITY_PROVIDER = "identity_provider"
RESOURCE_GROUP = "resource_group"
POLICY_BINDING = "policy_binding"
SSO_DIRECTORY = "cloudsso_directory"
SSO_USER = "sso_user"
SSO_GROUP = "sso_group"
ACCESS_CONFIGURATION = "access_configuration"
ACCESS_ASSIGNMENT = "access_assignment"
_SSO_KINDS = {SSO_USER: "user", SSO_GROUP: "group",
              ACCESS_CONFIGURATION: "access-configuration"}


def user_id(uid: str, name: str) -> str:
    """``acs:ram::<uid>:user/<UserName>``."""
    return f"acs:ram::{uid}:user/{name}"


def group_id(uid: str, name: str) -> str:
    """``acs:ram::<uid>:group/<GroupName>``."""
    return f"acs:ram::{uid}:group/{name}"


def role_id(uid: str, name: str) -> str:
    """``acs:ram::<uid>:role/<RoleName>``."""
    return f"acs:ram::{uid}:role/{name}"


def policy_id(uid: str, policy_type: str, name: str) -> str:
    """System policies are shared by every account (``acs:ram::system:policy/<n>``)."""
    owner = "system" if policy_type == "System" else uid
    return f"acs:ram::{owner}:policy/{name}"


def resource_group_id(uid: str, group_id: str) -> str:
    """``acs:resourcemanager::<uid>:resourcegroup/<rg-id>``: the resource group's ARN."""
    return f"acs:resourcemanager::{uid}:resourcegroup/{group_id}"


def binding_id(role: str, scope: str) -> str:
    """A role bound to a scope: ``<policy id>@<resource group id>`` (both ARNs), so the id says
    what is granted where and no two bindings of one account collide."""
    return f"{role}@{scope}"


def sso_directory_id(region: str, uid: str, directory_id: str) -> str:
    """``acs:cloudsso:<region>:<management uid>:directory/<d-id>``: CloudSSO's directory ARN."""
    return f"acs:cloudsso:{region}:{uid}:directory/{directory_id}"


def sso_id(directory: str, type_id: str, item_id: str) -> str:
    """A CloudSSO user, group or access configuration under its directory's ARN:
    ``<directory>/user/<u-id>``, ``/group/<g-id>``, ``/access-configuration/<ac-id>``."""
    return f"{directory}/{_SSO_KINDS[type_id]}/{item_id}"


@dataclass(frozen=True)
class SsoArn:
    """A parsed CloudSSO id: the directory's ARN, its region and id, the item's kind and id
    (``kind`` and ``item`` are empty for the directory itself)."""

    directory: str
    region: str
    directory_id: str
    kind: str
    item: str


_SSO_ARN = re.compile(
    r"^(?P<directory>acs:cloudsso:(?P<region>[^:]+):(?P<account>\d+):directory/(?P<d>[^/]+))"
    r"(?:/(?P<kind>user|group|access-configuration)/(?P<item>[^/@]+))?$")


def parse_sso_arn(resource_id: str) -> SsoArn | None:
    """The parts of a CloudSSO id, or ``None`` for anything else."""
    match = _SSO_ARN.match(resource_id)
    if match is None:
        return None
    return SsoArn(match["directory"], match["region"], match["d"], match["kind"] or "",
                  match["item"] or "")


def policy_ref(resource_id: str) -> tuple[str, str]:
    """``(PolicyType, PolicyName)`` of a policy resource id, for GetPolicy and the attach calls."""
    arn = parse_arn(resource_id)
    if arn is None or arn.kind != "policy":
        raise ValueError(f"{resource_id!r} is not a policy id")
    return ("System" if arn.account == "system" else "Custom"), arn.name


def user_name(upn: str) -> str:
    """A RAM user name is the part of its IMS UserPrincipalName before ``@``."""
    return upn.split("@", 1)[0]


def name_of(resource_id: str) -> str:
    """The name at the end of a user, group, role or policy id (after the last ``/``)."""
    return resource_id.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class RamArn:
    """A parsed ``acs:ram::<account>:<kind>[/<name>]``; ``kind`` is lower case."""

    account: str
    kind: str
    name: str


_ARN = re.compile(
    r"^acs:ram::(?P<account>[^:]+):(?P<kind>root|user|role|group|policy|saml-provider|oidc-provider)"
    r"(?:/(?P<name>[^/]+))?$",
    re.IGNORECASE,
)


def parse_arn(arn: str) -> RamArn | None:
    """The parts of a RAM ARN, or ``None`` for anything else (root has no name, others must)."""
    match = _ARN.match(arn.strip())
    if match is None:
        return None
    kind = match["kind"].lower()
    name = match["name"] or ""
    if (kind == "root") != (name == ""):
        return None
    return RamArn(account=match["account"], kind=kind, name=name)
