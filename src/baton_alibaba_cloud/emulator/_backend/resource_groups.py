"""Resource Manager: resource groups and policies attached within one of them.

Why apart from RAM's attachments: a policy attached in a resource group grants its permissions
on that group's resources only, and RAM's ListPoliciesFor* / ListEntitiesForPolicy never show it;
only Resource Manager's ListPolicyAttachments does, together with the account-wide attachments
(whose ``ResourceGroupId`` is the account id). Principals are named login-style on this API:
``alice@<alias>.onaliyun.com`` (user), ``dev@group.<alias>.onaliyun.com`` (group),
``admin@role.<alias>.onaliyun.com`` (role).

Error codes, from Alibaba's AttachPolicy / DetachPolicy pages: ``EntityNotExists.ResourceGroup``
(404), ``EntityNotExist.Policy`` (404), ``InvalidParameter.PolicyType`` (400),
``Invalid.ResourceGroup.Status`` (409). The pages list no code for an unknown principal or a
repeated attachment; RAM's own (``EntityNotExist.User``, ``EntityAlreadyExists.User.Policy``…)
are answered, and ``InvalidParameter.PrincipalType`` / ``.PrincipalName`` for malformed values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ..entities import Policy, PolicyKey, PrincipalKind, ResourceGroup, ScopedAttachment
from ..errors import EmulatorError
from .policies import PoliciesMixin
from .state import PrincipalRef, not_found

__all__ = ["PRINCIPAL_TYPES", "AttachmentFilter", "AttachmentRecord", "ResourceGroupsMixin"]

PRINCIPAL_TYPES: dict[str, PrincipalKind] = {
    "IMSUser": "user", "IMSGroup": "group", "ServiceRole": "role"}
_TYPE_OF_KIND = {kind: name for name, kind in PRINCIPAL_TYPES.items()}
_DOMAIN_PREFIX: dict[PrincipalKind, str] = {"user": "", "group": "group.", "role": "role."}
_KIND_WORD: dict[PrincipalKind, str] = {"user": "User", "group": "Group", "role": "Role"}


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    """One row of ListPolicyAttachments: ``scope`` is a resource group id or the account id."""

    scope: str
    policy: PolicyKey
    ref: PrincipalRef
    attached: datetime


@dataclass(frozen=True, slots=True)
class AttachmentFilter:
    """ListPolicyAttachments' optional filters (``None``: any)."""

    scope: str | None = None
    policy_type: str | None = None
    policy_name: str | None = None
    kind: PrincipalKind | None = None
    principal: PrincipalRef | None = None


class ResourceGroupsMixin(PoliciesMixin):
    """Resource groups, scoped attach/detach and the attachment listing."""

    def add_resource_group(self, group: ResourceGroup) -> None:
        self.resource_groups.add(group.group_id, group)

    def resource_group(self, group_id: str) -> ResourceGroup:
        group = self.resource_groups.get(group_id)
        if group is None:
            raise not_found("EntityNotExists.ResourceGroup", "The specified resource group does "
                            "not exist. You must first create a resource group.")
        return group

    def scope_of(self, value: str) -> str:
        """A ResourceGroupId parameter: the account id (account-wide) or an existing group's id."""
        if value == self.account.uid:
            return value
        return self.resource_group(value).group_id

    # ---- principals by login name ----------------------------------------------------------
    def principal_kind(self, principal_type: str) -> PrincipalKind:
        kind = PRINCIPAL_TYPES.get(principal_type)
        if kind is None:
            raise EmulatorError("InvalidParameter.PrincipalType", "The specified principal type "
                                "is invalid. Valid values: IMSUser, IMSGroup, ServiceRole.", 400)
        return kind

    def principal_by_login(self, kind: PrincipalKind, login: str) -> PrincipalRef:
        """``name@[group.|role.]<alias>.onaliyun.com`` to the principal's stable reference."""
        name, _, domain = login.rpartition("@")
        expected = _DOMAIN_PREFIX[kind] + self.account.default_domain
        if not name or domain.lower() != expected.lower():
            raise EmulatorError("InvalidParameter.PrincipalName", f"The principal name must be "
                                f"<name>@{expected}.", 400)
        return self.principal_ref(kind, name)

    def login_name(self, ref: PrincipalRef) -> str | None:
        """The login-style name of a principal, None when it no longer exists."""
        kind, entity_id = ref
        found = {"user": self.users.get, "group": self.groups.get, "role": self.roles.get}[kind]
        entity = found(entity_id)
        if entity is None:
            return None
        return f"{entity.name}@{_DOMAIN_PREFIX[kind]}{self.account.default_domain}"

    @staticmethod
    def principal_type(ref: PrincipalRef) -> str:
        return _TYPE_OF_KIND[ref[0]]

    # ---- attach and detach -----------------------------------------------------------------
    def attach_in(self, scope: str, policy: Policy, ref: PrincipalRef) -> None:
        """AttachPolicy: account-wide when ``scope`` is the account id (as RAM's attach)."""
        if scope == self.account.uid:
            self.attach(policy, ref)
            return
        group = self.resource_group(scope)
        if group.status != "OK":
            raise EmulatorError("Invalid.ResourceGroup.Status", "You cannot perform an "
                                "operation on a resource group that is not in the OK state.", 409)
        key = (scope, policy.key, ref)
        if key in self.scoped:
            word = _KIND_WORD[ref[0]]
            raise EmulatorError(f"EntityAlreadyExists.{word}.Policy",
                                f"The policy is already attached to the {ref[0]}.", 409)
        self.link_scoped(scope, policy.key, ref, self.now())

    def link_scoped(self, scope: str, policy: PolicyKey, ref: PrincipalRef,
                    when: datetime) -> None:
        """Record a resource-group attachment without business checks (loader path)."""
        self.scoped[(scope, policy, ref)] = ScopedAttachment(
            policy=policy, kind=ref[0], principal_id=ref[1], resource_group_id=scope,
            attached=when)

    def detach_in(self, scope: str, policy: Policy, ref: PrincipalRef) -> None:
        """DetachPolicy: the account-wide or the resource-group attachment."""
        if scope == self.account.uid:
            self.detach(policy, ref)
            return
        if self.scoped.pop((scope, policy.key, ref), None) is None:
            raise not_found(f"EntityNotExist.{_KIND_WORD[ref[0]]}.Policy",
                            f"The policy is not attached to the {ref[0]}.")

    # ---- listing ---------------------------------------------------------------------------
    def attachment_records(self, wanted: AttachmentFilter) -> list[AttachmentRecord]:
        """Account-wide attachments first (attach order), then resource-group ones."""
        return [r for r in self._records(wanted.scope) if _matches(r, wanted)]

    def _records(self, scope: str | None) -> Iterator[AttachmentRecord]:
        """Only the side a scope can match is read (a large account has 100,000 attachments)."""
        uid = self.account.uid
        if scope is None or scope == uid:
            for ref, attached in self.attached_to.items():
                for key, attachment in attached.items():
                    yield AttachmentRecord(uid, key, ref, attachment.attached)
        if scope != uid:
            for (group_id, key, ref), scoped in self.scoped.items():
                yield AttachmentRecord(group_id, key, ref, scoped.attached)


def _matches(record: AttachmentRecord, wanted: AttachmentFilter) -> bool:
    return ((wanted.scope is None or record.scope == wanted.scope)
            and (wanted.policy_type is None or record.policy[0] == wanted.policy_type)
            and (wanted.policy_name is None or record.policy[1] == wanted.policy_name)
            and (wanted.kind is None or record.ref[0] == wanted.kind)
            and (wanted.principal is None or record.ref == wanted.principal))
