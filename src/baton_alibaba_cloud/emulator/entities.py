"""The emulated account's state as plain dataclasses (moto's ``models``, minus the rules).

Entities know nothing of HTTP or of the wire: timestamps are aware UTC ``datetime`` values and
the responses format them. Relations (memberships, attachments, keys) live in the backend's
indexes, not inside the entities, so that renames and deletes touch one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

__all__ = [
    "DEFAULT_QUOTAS",
    "AccessKey",
    "Account",
    "Attachment",
    "CredentialReport",
    "Group",
    "LoginProfile",
    "MFADevice",
    "Membership",
    "OIDCProvider",
    "Policy",
    "PolicyKey",
    "PolicyVersion",
    "PrincipalKind",
    "ResourceGroup",
    "Role",
    "SAMLProvider",
    "ScopedAttachment",
    "StsSession",
    "User",
    "format_time",
    "parse_time",
]

PrincipalKind = Literal["user", "group", "role"]
PolicyKey = tuple[str, str]
"""``(PolicyType, PolicyName)``: a policy's identity (``("System", "ReadOnlyAccess")``)."""

DEFAULT_QUOTAS: dict[str, int] = {
    "UsersQuota": 1000,
    "GroupsQuota": 50,
    "GroupsPerUserQuota": 5,
    "RolesQuota": 1000,
    "PoliciesQuota": 1500,
    "PolicySizeQuota": 2048,
    "VersionsPerPolicyQuota": 5,
    "AttachedPoliciesPerUserQuota": 10,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "AttachedSystemPoliciesPerUserQuota": 20,
    "AttachedSystemPoliciesPerGroupQuota": 20,
    "AttachedSystemPoliciesPerRoleQuota": 20,
    "AccessKeysPerUserQuota": 2,
    "VirtualMFADevicesQuota": 1000,
    "ConditionsPerAKPolicyQuota": 10,
    "IPItemsPerAKPolicyQuota": 50,
    "AccountAccessKeysPerAccountQuota": 5,
    "AuthorizedClientPerUserQuota": 10,
    "ServiceCredentialsPerUserPerServiceQuota": 2,
}
"""GetAccountSummary's documented example values (docs/alibaba.md §3.1); an account may override."""


@lru_cache(maxsize=65536)
def parse_time(value: str) -> datetime:
    """``2024-01-02T03:04:05Z`` (or any ISO 8601 with offset) to an aware UTC datetime.

    Cached: large accounts repeat timestamps, and loading 50,000 users parses a million.
    """
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """The wire form of every RAM/IMS timestamp: ``YYYY-MM-DDThh:mm:ssZ`` in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Account:
    """The Alibaba Cloud account itself: uid, alias and its (root) AccessKeys."""

    uid: str
    alias: str
    created: datetime
    quotas: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    password_policy: dict[str, Any] = field(default_factory=dict)
    """IMS GetPasswordPolicy's ``PasswordPolicy`` (wire names); see ``account_settings``."""
    security_preference: dict[str, Any] = field(default_factory=dict)
    """IMS GetSecurityPreference's ``SecurityPreference`` (wire names, nested)."""

    @property
    def default_domain(self) -> str:
        """IMS GetDefaultDomain: ``<alias>.onaliyun.com``; UPNs end with ``@`` this."""
        return f"{self.alias}.onaliyun.com"

    @property
    def root_arn(self) -> str:
        return f"acs:ram::{self.uid}:root"


@dataclass(slots=True)
class User:
    """A RAM user; ``name`` is the UserName, the UPN is derived from the account's domain."""

    user_id: str
    name: str
    display_name: str
    created: datetime
    updated: datetime
    comments: str = ""
    email: str = ""
    mobile_phone: str = ""
    status: str = "active"
    provision_type: str = "Manual"
    last_login: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Group:
    """A RAM user group (IMS adds DisplayName)."""

    group_id: str
    name: str
    display_name: str
    created: datetime
    updated: datetime
    comments: str = ""


@dataclass(slots=True)
class Membership:
    """A user in a group since ``joined`` (ListUsersForGroup's JoinDate)."""

    user_id: str
    group_id: str
    joined: datetime


@dataclass(slots=True)
class Role:
    """A RAM role. ``trust_policy`` is the AssumeRolePolicyDocument string exactly as given."""

    role_id: str
    name: str
    trust_policy: str
    created: datetime
    updated: datetime
    description: str = ""
    max_session_duration: int = 3600
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class PolicyVersion:
    """One version of a policy; ``document`` is the JSON string as stored."""

    version_id: str
    document: str
    created: datetime


@dataclass(slots=True)
class Policy:
    """A System or Custom policy with its versions; AttachmentCount is derived, never stored."""

    name: str
    policy_type: str
    created: datetime
    updated: datetime
    default_version: str
    versions: dict[str, PolicyVersion]
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> PolicyKey:
        return (self.policy_type, self.name)


@dataclass(slots=True)
class Attachment:
    """A policy attached to a user, group or role (keyed by the principal's stable id)."""

    policy: PolicyKey
    kind: PrincipalKind
    principal_id: str
    attached: datetime


@dataclass(slots=True)
class ResourceGroup:
    """A Resource Manager resource group: ``group_id`` is ``rg-...``, ``status`` OK or another
    lifecycle state (Creating, PendingDelete)."""

    group_id: str
    name: str
    display_name: str
    created: datetime
    status: str = "OK"


@dataclass(slots=True)
class ScopedAttachment:
    """A policy attached to a principal within one resource group (Resource Manager
    AttachPolicy). Kept apart from :class:`Attachment`: RAM's ListPoliciesFor* and
    ListEntitiesForPolicy never show these."""

    policy: PolicyKey
    kind: PrincipalKind
    principal_id: str
    resource_group_id: str
    attached: datetime


@dataclass(slots=True)
class AccessKey:
    """A user's (or, with ``user_id`` None, the root account's) AccessKey pair."""

    access_key_id: str
    secret: str
    user_id: str | None
    created: datetime
    updated: datetime
    status: str = "Active"
    last_used: datetime | None = None
    last_used_service: str = ""


@dataclass(slots=True)
class LoginProfile:
    """Console logon for a user: Active/Inactive and the flags GetLoginProfile reports."""

    user_id: str
    created: datetime
    updated: datetime
    status: str = "Active"
    mfa_bind_required: bool = False
    password_reset_required: bool = False
    last_login: datetime | None = None
    password_last_changed: datetime | None = None


@dataclass(slots=True)
class MFADevice:
    """An MFA device bound to a user; ``serial`` is ``acs:ram::<uid>:mfa/<name>``."""

    serial: str
    user_id: str
    device_type: str
    activated: datetime


@dataclass(slots=True)
class SAMLProvider:
    name: str
    created: datetime
    updated: datetime
    description: str = ""


@dataclass(slots=True)
class OIDCProvider:
    """An OIDC IdP: AssumeRoleWithOIDC checks a token's ``iss``/``aud`` against it."""

    name: str
    issuer_url: str
    client_ids: list[str]
    created: datetime
    updated: datetime
    fingerprints: list[str] = field(default_factory=list)
    description: str = ""
    issuance_limit_time: int = 12


@dataclass(slots=True)
class StsSession:
    """Credentials STS issued for a role; valid until ``expires`` and while the role exists."""

    access_key_id: str
    secret: str
    security_token: str
    role_id: str
    session_name: str
    expires: datetime
    session_policy: str | None = None
    source: str = ""


@dataclass(slots=True, frozen=True)
class CredentialReport:
    """One IMS credential report: its rows (``<root>`` first, no header) as of ``started``,
    readable from ``ready_at``, which is also its ``GeneratedTime`` and starts its four hours."""

    started: datetime
    ready_at: datetime
    rows: list[list[str]]
