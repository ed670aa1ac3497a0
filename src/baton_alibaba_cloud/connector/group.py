"""The ``group`` type: RAM user groups, their ``member`` entitlement and membership grants.

get → transform → load: IMS ListGroups (pages of 100) → ``transform_group``; phase 2: IMS
ListUsersForGroup pages → ``member`` grants (a member's RAM name is its UPN prefix), and, in
the per-principal attachment plan, the group's ``attached`` policy grants. Grant and revoke of
``member`` live in ``provisioning.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from baton_alibaba_cloud.alibaba import NotFoundError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids, policy, resource_types
from baton_alibaba_cloud.connector._context import slim_grant
from baton_alibaba_cloud.connector._payload import (
    compact,
    items,
    optional,
    parse_time,
    required,
)
from baton_alibaba_cloud.connector._syncer import ContextSyncer

__all__ = ["MEMBER", "GroupSyncer", "member_grants", "transform_group"]

MEMBER = "member"


class GroupSyncer(ContextSyncer):
    """Lists groups; details list members (and attachments in the per-principal plan)."""

    type_id = ids.GROUP

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """Every group, a page of up to 100 at a time."""
        async for page in self.ctx.api.pages("ims", "ListGroups", {}):
            groups = [transform_group(g, self.ctx.uid) for g in items(page, "Groups", "Group")]
            self.ctx.counts.groups += len(groups)
            yield groups

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """``member``, grantable to users."""
        name = resource.display_name
        return [
            bt.assignment_entitlement(
                resource,
                MEMBER,
                f"{name} Group Member",
                f"Is a member of the {name} group",
                [resource_types.message(ids.USER)],
            )
        ]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Every group has members to list."""
        return self._details(resource)

    async def _details(self, resource: Resource) -> AsyncIterator[SyncItems]:
        name = ids.name_of(resource.id.resource)
        try:
            async for page in self.ctx.api.pages("ims", "ListUsersForGroup", {"GroupName": name}):
                yield SyncItems(grants=member_grants(self.ctx.uid, resource.id.resource, page))
            if not self.ctx.counts.attachments_by_policy:
                yield SyncItems(grants=await policy.attachment_grants(self.ctx, resource.id))
        except NotFoundError as exc:
            yield SyncItems(warnings=[f"group {name} vanished during the sync: {exc.code}"])


def transform_group(payload: Mapping[str, Any], uid: str) -> Resource:
    """A group from IMS ListGroups."""
    name = required(payload, "GroupName", "group")
    comments = optional(payload, "Comments")
    profile = compact({
        "group_id": required(payload, "GroupId", "group"),
        "group_name": name,
        "display_name": optional(payload, "DisplayName"),
        "comments": comments,
        "update_date": optional(payload, "UpdateDate"),
    })
    return bt.resource(
        ids.GROUP,
        ids.group_id(uid, name),
        optional(payload, "DisplayName") or name,
        parent=bt.resource_id(ids.ACCOUNT, uid),
        description=comments,
        created_at=parse_time(payload.get("CreateDate"), f"group {name} CreateDate"),
        annotations=[bt.group_trait(profile=profile)],
    )


def member_grants(uid: str, group: str, page: Mapping[str, Any]) -> list[Grant]:
    """``member`` grants from one IMS ListUsersForGroup page."""
    return [
        slim_grant(
            ids.GROUP, group, MEMBER,
            bt.resource_id(ids.USER, ids.user_id(uid, ids.user_name(
                required(user, "UserPrincipalName", "group member")))),
        )
        for user in items(page, "Users", "User")
    ]
