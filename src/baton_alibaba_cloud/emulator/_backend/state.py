"""The backend's state, its indexes and the lookups every rule module shares.

Every relation is indexed both ways (group → members, user → groups; principal → policies,
policy → principals) so that each lookup is O(1) and each page is O(page) at 50,000 users.
Lookups raise the real ``EntityNotExist.*`` codes, so rule modules never repeat them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from ..entities import (
    AccessKey,
    Account,
    Attachment,
    CredentialReport,
    Group,
    LoginProfile,
    Membership,
    MFADevice,
    OIDCProvider,
    Policy,
    PolicyKey,
    PrincipalKind,
    ResourceGroup,
    Role,
    SAMLProvider,
    ScopedAttachment,
    StsSession,
    User,
)
from ..errors import EmulatorError
from .paging import MarkerCodec, OrderedTable

__all__ = ["POLICY_TYPES", "PrincipalRef", "State", "not_found"]

POLICY_TYPES = ("System", "Custom")
PrincipalRef = tuple[PrincipalKind, str]
"""``("user", user_id)``, ``("group", group_id)`` or ``("role", role_id)``."""

V = TypeVar("V")


def not_found(code: str, message: str) -> EmulatorError:
    return EmulatorError(code, message, 404)


def _named(table: OrderedTable[V], ids: dict[str, str], name: str, kind: str) -> V:
    """The entity ``name`` maps to through ``ids``, else ``EntityNotExist.<kind>``: users,
    groups and roles are named on the wire but stored by their stable id."""
    entity_id = ids.get(name)
    entity = table.get(entity_id) if entity_id else None
    if entity is None:
        raise not_found(f"EntityNotExist.{kind}", f"The {kind.lower()} does not exist.")
    return entity


def _utcnow() -> datetime:
    return datetime.now(UTC)


class State:
    """All tables of one account; rule mixins add behaviour on top of it."""

    def __init__(
        self, account: Account, *, now: Callable[[], datetime] | None = None, seed: int = 0
    ) -> None:
        self.account = account
        self.now: Callable[[], datetime] = now or _utcnow
        self.rng = random.Random(seed)
        self.markers = MarkerCodec(self.rng.randbytes(32))
        self.users: OrderedTable[User] = OrderedTable()
        self.user_by_name: dict[str, str] = {}
        self.groups: OrderedTable[Group] = OrderedTable()
        self.group_by_name: dict[str, str] = {}
        self.roles: OrderedTable[Role] = OrderedTable()
        self.role_by_name: dict[str, str] = {}
        self.policies: OrderedTable[Policy] = OrderedTable()
        self.members: dict[str, OrderedTable[Membership]] = {}
        self.groups_of_user: dict[str, dict[str, Membership]] = {}
        self.attached_to: dict[PrincipalRef, dict[PolicyKey, Attachment]] = {}
        self.attached_by_policy: dict[PolicyKey, dict[PrincipalRef, Attachment]] = {}
        self.access_keys: dict[str, AccessKey] = {}
        self.keys_of_user: dict[str, dict[str, AccessKey]] = {}
        self.root_key_ids: list[str] = []
        self.login_profiles: dict[str, LoginProfile] = {}
        self.mfa_devices: OrderedTable[MFADevice] = OrderedTable()
        self.mfa_of_user: dict[str, str] = {}
        self.saml_providers: OrderedTable[SAMLProvider] = OrderedTable()
        self.oidc_providers: OrderedTable[OIDCProvider] = OrderedTable()
        self.sessions: dict[str, StsSession] = {}
        self.resource_groups: OrderedTable[ResourceGroup] = OrderedTable()
        self.scoped: dict[tuple[str, PolicyKey, PrincipalRef], ScopedAttachment] = {}
        """Resource-group attachments by (resource group id, policy, principal), in order."""
        self.report: CredentialReport | None = None
        self.previous_report: CredentialReport | None = None

    @property
    def account_id(self) -> str:
        return self.account.uid

    # ---- ids -------------------------------------------------------------------------------
    def new_numeric_id(self, digits: int = 17) -> str:
        """A fresh numeric id (UserId, GroupId, RoleId look like ``20732900249392xxxx``)."""
        return str(self.rng.randrange(10 ** (digits - 1), 10**digits))

    def new_token(self, length: int, alphabet: str = "") -> str:
        chars = alphabet or "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(chars) for _ in range(length))

    # ---- lookups ---------------------------------------------------------------------------
    def quota(self, name: str) -> int:
        return self.account.quotas[name]

    def user(self, name: str) -> User:
        return _named(self.users, self.user_by_name, name, "User")

    def user_by_id(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise not_found("EntityNotExist.User", "The user does not exist.")
        return user

    def upn(self, user: User) -> str:
        return f"{user.name}@{self.account.default_domain}"

    def user_by_upn(self, upn: str) -> User:
        """IMS names users by ``<name>@<domain>``; the domain must be the account's."""
        name, _, domain = upn.rpartition("@")
        if not name or domain.lower() != self.account.default_domain.lower():
            raise not_found("EntityNotExist.User", "The user does not exist.")
        return self.user(name)

    def group(self, name: str) -> Group:
        return _named(self.groups, self.group_by_name, name, "Group")

    def role(self, name: str) -> Role:
        return _named(self.roles, self.role_by_name, name, "Role")

    def role_arn(self, role: Role) -> str:
        return f"acs:ram::{self.account.uid}:role/{role.name}"

    def policy(self, policy_type: str, name: str) -> Policy:
        if policy_type not in POLICY_TYPES:
            raise EmulatorError(
                "InvalidParameter.PolicyType", 'The parameter "PolicyType" is invalid.', 400
            )
        policy = self.policies.get(f"{policy_type}:{name}")
        if policy is None:
            raise not_found("EntityNotExist.Policy", "The policy does not exist.")
        return policy

    def attachment_count(self, key: PolicyKey) -> int:
        return len(self.attached_by_policy.get(key, {}))
