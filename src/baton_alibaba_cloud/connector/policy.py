"""The ``policy`` type: RAM system and custom policies, and who they are attached to.

get → transform → load: RAM ListPolicies (both types, pages of 1000) → ``transform_policy``;
in phase 2, RAM GetPolicy puts the default document of a custom policy, and of a system policy
that is attached to anything, on its profile, and, when the
per-policy attachment plan is cheaper for this account (``Counts.attachments_by_policy``),
RAM ListEntitiesForPolicy turns each attached policy's principals into ``attached`` grants.
The per-principal plan's grants come from the user, group and role builders through
``attachment_grants``. Grant and revoke live in ``provisioning.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from baton_alibaba_cloud.alibaba import NotFoundError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import RoleTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId
from baton_alibaba_cloud.connector import ids, resource_types
from baton_alibaba_cloud.connector._context import (
    Context,
    expandable_for,
    slim_grant,
    with_profile,
)
from baton_alibaba_cloud.connector._payload import (
    compact,
    items,
    optional,
    parse_time,
    required,
    tags,
)
from baton_alibaba_cloud.connector._syncer import ContextSyncer

__all__ = ["ATTACHED", "PolicySyncer", "attachment_grants", "transform_policy"]

ATTACHED = "attached"


class PolicySyncer(ContextSyncer):
    """Lists policies; details fetch custom documents and, in the per-policy plan, attachments."""

    type_id = ids.POLICY

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """Every policy, counting the attached ones for the attachment plan."""
        async for page in self.ctx.api.pages("ram", "ListPolicies", {}):
            policies = items(page, "Policies", "Policy")
            self.ctx.counts.attached_policies += sum(
                1 for p in policies if int(p.get("AttachmentCount") or 0) > 0
            )
            resources = [transform_policy(p, self.ctx.uid) for p in policies]
            self.ctx.documents.update(r.id.resource for r in resources if _has_details(r))
            yield resources

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """``attached``, grantable to users, groups and roles."""
        name = resource.display_name
        return [
            bt.assignment_entitlement(
                resource,
                ATTACHED,
                f"{name} Policy",
                f"Has the {name} policy attached",
                [resource_types.message(t) for t in (ids.USER, ids.GROUP, ids.ROLE)],
            )
        ]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Custom policies and attached (system) policies have details: their document, which
        ``assume`` grants and ``inspect can`` evaluate; attachments in the per-policy plan."""
        if not _has_details(resource):
            return None
        attached = resource.profile.fields["attachment_count"].number_value > 0
        return self._details(resource, attached and self.ctx.counts.attachments_by_policy)

    async def _details(self, resource: Resource, by_policy: bool) -> AsyncIterator[SyncItems]:
        policy_type, name = ids.policy_ref(resource.id.resource)
        params = {"PolicyName": name, "PolicyType": policy_type}
        try:
            answer = await self.ctx.api.call("ram", "GetPolicy", params)
            yield SyncItems(resources=[with_document(resource, answer)])
            if by_policy:
                answer = await self.ctx.api.call("ram", "ListEntitiesForPolicy", params)
                yield SyncItems(grants=entity_grants(self.ctx.uid, resource.id, answer))
        except NotFoundError as exc:
            yield SyncItems(warnings=[f"policy {resource.id.resource} vanished during the sync: "
                                      f"{exc.code}"])


def _has_details(policy: Resource) -> bool:
    """Custom policies and those attached account-wide: their documents are fetched here (a
    system policy attached only within resource groups is the resource group builder's)."""
    return (policy.profile.fields["policy_type"].string_value == "Custom"
            or policy.profile.fields["attachment_count"].number_value > 0)


def transform_policy(payload: Mapping[str, Any], uid: str) -> Resource:
    """A policy from ListPolicies: system ones have no parent, custom ones are the account's."""
    name = required(payload, "PolicyName", "policy")
    policy_type = required(payload, "PolicyType", "policy")
    description = optional(payload, "Description")
    profile = compact({
        "policy_name": name,
        "policy_type": policy_type,
        "default_version": optional(payload, "DefaultVersion"),
        "attachment_count": int(payload.get("AttachmentCount") or 0),
        "description": description,
        "tags": tags(payload),
        "update_date": optional(payload, "UpdateDate"),
    })
    return bt.resource(
        ids.POLICY,
        ids.policy_id(uid, policy_type, name),
        name,
        parent=None if policy_type == "System" else bt.resource_id(ids.ACCOUNT, uid),
        description=description,
        created_at=parse_time(payload.get("CreateDate"), f"policy {name} CreateDate"),
        annotations=[bt.role_trait(profile=profile)],
    )


def with_document(resource: Resource, answer: Mapping[str, Any]) -> Resource:
    """The policy with GetPolicy's default version document on its profile."""
    version = answer.get("DefaultPolicyVersion")
    document = version.get("PolicyDocument") if isinstance(version, Mapping) else None
    return with_profile(resource, RoleTrait, {"policy_document": document})


def entity_grants(uid: str, policy: ResourceId, answer: Mapping[str, Any]) -> list[Grant]:
    """``attached`` grants from a ListEntitiesForPolicy answer."""
    principals = [
        *(bt.resource_id(ids.USER, ids.user_id(uid, required(u, "UserName", "user")))
          for u in items(answer, "Users", "User")),
        *(bt.resource_id(ids.GROUP, ids.group_id(uid, required(g, "GroupName", "group")))
          for g in items(answer, "Groups", "Group")),
        *(bt.resource_id(ids.ROLE, ids.role_id(uid, required(r, "RoleName", "role")))
          for r in items(answer, "Roles", "Role")),
    ]
    return [_attached(policy.resource, p) for p in principals]


async def attachment_grants(ctx: Context, principal: ResourceId) -> list[Grant]:
    """The per-principal plan: RAM ListPoliciesFor{User,Group,Role} of one principal."""
    kind = {ids.USER: "User", ids.GROUP: "Group", ids.ROLE: "Role"}[principal.resource_type]
    params = {f"{kind}Name": ids.name_of(principal.resource)}
    answer = await ctx.api.call("ram", f"ListPoliciesFor{kind}", params)
    return [
        _attached(
            ids.policy_id(ctx.uid, required(p, "PolicyType", "policy"),
                          required(p, "PolicyName", "policy")),
            principal,
        )
        for p in items(answer, "Policies", "Policy")
    ]


def _attached(policy: str, principal: ResourceId) -> Grant:
    expandable = expandable_for(principal)
    annotations = [] if expandable is None else [expandable]
    return slim_grant(ids.POLICY, policy, ATTACHED, principal, annotations=annotations)
