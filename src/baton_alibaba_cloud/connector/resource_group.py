"""The ``resource_group`` and ``policy_binding`` types: policies attached within a resource group.

Alibaba Cloud attaches a policy either account-wide (RAM's AttachPolicyTo*, the ``policy``
type's ``attached`` grants) or within one Resource Manager resource group, where it grants its
permissions on that group's resources only. RAM's listings never show the second kind, so it is
read from Resource Manager: ListResourceGroups (phase 1), then per group ListPolicyAttachments
with ``ResourceGroupId`` = the group (phase 2; account-wide rows never come back that way).

The model is baton-sdk's for a role bound to a scope (baton-aws' permission set assignment): each
(policy, resource group) pair is a ``policy_binding`` resource with the SCOPE_BINDING trait,
``ScopeBindingTrait{role_id: the policy, scope_resource_id: the resource group}``, child of the
group, displayed "AdministratorAccess on resource group Production". Its ``attached``
entitlement is granted to each user, group and role the policy is attached to there, with the
expansion rules of account-wide grants (group → members, role → whoever may assume it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from baton_alibaba_cloud.alibaba import NotFoundError, PermissionDeniedError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import ScopeBindingTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId
from baton_alibaba_cloud.connector import ids, resource_types
from baton_alibaba_cloud.connector._context import expandable_for, slim_grant
from baton_alibaba_cloud.connector._payload import compact, items, optional, parse_time, required
from baton_alibaba_cloud.connector._syncer import ContextSyncer
from baton_alibaba_cloud.connector.policy import transform_policy, with_document

__all__ = [
    "ATTACHED",
    "UNAVAILABLE",
    "PolicyBindingSyncer",
    "ResourceGroupSyncer",
    "binding_resource",
    "principal_of",
    "transform_resource_group",
]

ATTACHED = "attached"
UNAVAILABLE = "resource_manager"
"""The account profile key that says Resource Manager could not be read (and why)."""
_KINDS = {"IMSUser": (ids.USER, ""), "IMSGroup": (ids.GROUP, "group."),
          "ServiceRole": (ids.ROLE, "role.")}


class ResourceGroupSyncer(ContextSyncer):
    """Lists resource groups; each group's details are its bindings and their grants."""

    type_id = ids.RESOURCE_GROUP

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """Every resource group; a refusal is recorded for the account, never a silent none."""
        try:
            async for page in self.ctx.api.numbered_pages(
                    "resourcemanager", "ListResourceGroups", {}):
                groups = items(page, "ResourceGroups", "ResourceGroup")
                yield [transform_resource_group(g, self.ctx.uid) for g in groups]
        except PermissionDeniedError as exc:
            self.ctx.unavailable[UNAVAILABLE] = _unavailable(exc)

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """None: access to a group is held through its bindings."""
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """The policies attached within this group."""
        return self._details(resource)

    async def _details(self, group: Resource) -> AsyncIterator[SyncItems]:
        group_id = group.profile.fields["id"].string_value
        seen: set[str] = set()
        params = {"ResourceGroupId": group_id}
        try:
            async for page in self.ctx.api.numbered_pages(
                    "resourcemanager", "ListPolicyAttachments", params):
                rows = [r for r in items(page, "PolicyAttachments", "PolicyAttachment")
                        if optional(r, "ResourceGroupId") == group_id]
                yield self._page(group, rows, seen)
                yield await self._documents(rows)
        except PermissionDeniedError as exc:
            reason = _unavailable(exc)
            marked = Resource()
            marked.CopyFrom(group)
            marked.profile.update({"scoped_attachments": reason})
            yield SyncItems(resources=[marked], warnings=[
                f"resource group {group.display_name} ({group_id}): its policy attachments "
                f"are unknown, {reason}"])

    async def _documents(self, rows: Sequence[Mapping[str, Any]]) -> SyncItems:
        """The bound policies whose document no other builder fetches (a system policy attached
        only within resource groups: ListPolicies counts no attachment for it), by RAM
        GetPolicy once per sync, so that ``assume`` and ``inspect can`` can evaluate them."""
        policies: list[Resource] = []
        warnings: list[str] = []
        for row in rows:
            policy_type = required(row, "PolicyType", "policy attachment")
            name = required(row, "PolicyName", "policy attachment")
            policy = ids.policy_id(self.ctx.uid, policy_type, name)
            if policy in self.ctx.documents:
                continue
            self.ctx.documents.add(policy)
            try:
                answer = await self.ctx.api.call(
                    "ram", "GetPolicy", {"PolicyName": name, "PolicyType": policy_type})
            except NotFoundError as exc:
                warnings.append(f"policy {policy} vanished during the sync: {exc.code}")
                continue
            listed = answer.get("Policy")
            if isinstance(listed, Mapping):
                policies.append(with_document(transform_policy(listed, self.ctx.uid), answer))
        return SyncItems(resources=policies, warnings=warnings)

    def _page(self, group: Resource, rows: Sequence[Mapping[str, Any]],
              seen: set[str]) -> SyncItems:
        """The new bindings of one page, its grants, and a warning per unknown principal."""
        bindings: list[Resource] = []
        grants: list[Grant] = []
        warnings: list[str] = []
        for row in rows:
            policy_name = required(row, "PolicyName", "policy attachment")
            policy = ids.policy_id(self.ctx.uid, required(row, "PolicyType", "policy attachment"),
                                   policy_name)
            binding = ids.binding_id(policy, group.id.resource)
            if binding not in seen:
                seen.add(binding)
                bindings.append(binding_resource(
                    bt.resource_id(ids.POLICY, policy), policy_name, group, "resource group"))
            principal = principal_of(self.ctx.uid, row)
            if principal is None:
                warnings.append(
                    f"resource group {group.display_name}: {policy_name} is attached to "
                    f"{optional(row, 'PrincipalType')} {optional(row, 'PrincipalName')!r}, "
                    "which is not a RAM user, group or role name of this account; skipped")
                continue
            grants.append(_attached(binding, principal))
        return SyncItems(resources=bindings, grants=grants, warnings=warnings)


class PolicyBindingSyncer(ContextSyncer):
    """Declares ``policy_binding``: the resource group builder yields the resources."""

    type_id = ids.POLICY_BINDING

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """No pages of its own."""
        empty: tuple[Sequence[Resource], ...] = ()
        for page in empty:
            yield page

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """``attached``, grantable to users, groups and roles."""
        name = resource.display_name
        return [bt.assignment_entitlement(
            resource, ATTACHED, name, f"Has {name}",
            [resource_types.message(t) for t in (ids.USER, ids.GROUP, ids.ROLE)])]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Nothing more to fetch."""
        return None


def transform_resource_group(payload: Mapping[str, Any], uid: str) -> Resource:
    """A resource group from ListResourceGroups: id its ARN, named by its display name."""
    group_id = required(payload, "Id", "resource group")
    name = optional(payload, "Name") or group_id
    profile = compact({"id": group_id, "name": name, "status": optional(payload, "Status"),
                       "account_id": optional(payload, "AccountId")})
    return bt.resource(
        ids.RESOURCE_GROUP, ids.resource_group_id(uid, group_id),
        optional(payload, "DisplayName") or name, parent=bt.resource_id(ids.ACCOUNT, uid),
        description=f"Resource group {name} ({group_id})",
        created_at=parse_time(payload.get("CreateDate")), profile=profile)


def binding_resource(role: ResourceId, role_name: str, scope: Resource, scope_kind: str
                     ) -> Resource:
    """``<role> on <scope kind> <scope>``: a SCOPE_BINDING resource, child of the scope.

    Generic on purpose: any role-like resource bound to any scope resource (a policy on a
    resource group today; an access configuration on a member account later)."""
    trait = ScopeBindingTrait(role_id=role, scope_resource_id=scope.id)
    name = f"{role_name} on {scope_kind} {scope.display_name}"
    return bt.resource(
        ids.POLICY_BINDING, ids.binding_id(role.resource, scope.id.resource), name,
        parent=scope.id, description=f"{role_name} attached within {scope_kind} "
        f"{scope.display_name} only", profile={"role": role.resource, "scope": scope.id.resource,
                                               "role_name": role_name},
        annotations=[trait])


def principal_of(uid: str, row: Mapping[str, Any]) -> ResourceId | None:
    """A ListPolicyAttachments principal (``dev@group.<alias>.onaliyun.com``) as our id, or None
    when the type is unknown or the name is not ``<name>@<prefix><domain>``."""
    kind = _KINDS.get(str(row.get("PrincipalType")))
    name, _, domain = str(row.get("PrincipalName") or "").rpartition("@")
    if kind is None or not name or not domain.startswith(kind[1]) or "." not in domain:
        return None
    make = {ids.USER: ids.user_id, ids.GROUP: ids.group_id, ids.ROLE: ids.role_id}[kind[0]]
    return bt.resource_id(kind[0], make(uid, name))


def _attached(binding: str, principal: ResourceId) -> Grant:
    expandable = expandable_for(principal)
    return slim_grant(ids.POLICY_BINDING, binding, ATTACHED, principal,
                      annotations=[] if expandable is None else [expandable])


def _unavailable(exc: PermissionDeniedError) -> str:
    return f"not readable: {exc.code} (grant {exc.permission})"
