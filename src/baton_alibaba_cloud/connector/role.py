"""The ``role`` type: RAM roles, their ``assume`` entitlement and the trust grants.

get → transform → load: RAM ListRoles (pages of 1000) → ``transform_role``; phase 2: RAM
GetRole for the AssumeRolePolicyDocument, parsed by ``trust.parse_trust`` into the ``assume``
grants of other accounts, services and identity providers plus the principals discovered on the
way; after phase 2, ``assume.py`` grants ``assume`` to the account's own users and roles that
the trust allows and whose policies allow ``sts:AssumeRole`` on the role; and, in the
per-principal attachment plan, the role's ``attached`` policy grants. ``assume`` is not
provisionable (``provisioning.py`` says why).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from baton_alibaba_cloud.alibaba import NotFoundError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems, SyncView
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import RoleTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids, policy, resource_types
from baton_alibaba_cloud.connector._context import expandable_for, slim_grant, with_profile
from baton_alibaba_cloud.connector._payload import (
    compact,
    items,
    optional,
    parse_time,
    required,
    tags,
)
from baton_alibaba_cloud.connector._syncer import ContextSyncer
from baton_alibaba_cloud.connector.account import transform_external_account
from baton_alibaba_cloud.connector.assume import assume_items, is_own
from baton_alibaba_cloud.connector.service import transform_service
from baton_alibaba_cloud.connector.trust import TrustResult, parse_trust

__all__ = ["ASSUME", "RoleSyncer", "transform_role", "trust_items"]

ASSUME = "assume"
_GRANTABLE = (ids.USER, ids.ROLE, ids.ACCOUNT, ids.SERVICE, ids.IDENTITY_PROVIDER)


class RoleSyncer(ContextSyncer):
    """Lists roles; details read each trust policy (and attachments in the per-principal plan)."""

    type_id = ids.ROLE

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """Every role, a page of up to 1000 at a time."""
        async for page in self.ctx.api.pages("ram", "ListRoles", {}):
            roles = [transform_role(r, self.ctx.uid) for r in items(page, "Roles", "Role")]
            self.ctx.counts.roles += len(roles)
            yield roles

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """``assume``, grantable to every kind of principal a trust policy can name."""
        name = resource.display_name
        return [
            bt.assignment_entitlement(
                resource,
                ASSUME,
                f"{name} Role",
                f"Can assume the {name} role",
                [resource_types.message(t) for t in _GRANTABLE],
            )
        ]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Every role has a trust policy."""
        return self._details(resource)

    async def _details(self, resource: Resource) -> AsyncIterator[SyncItems]:
        name = ids.name_of(resource.id.resource)
        try:
            answer = await self.ctx.api.call("ram", "GetRole", {"RoleName": name})
            document = _role(answer).get("AssumeRolePolicyDocument")
            updated = with_profile(resource, RoleTrait, {"assume_role_policy_document": document})
            result = parse_trust(document, role=name, uid=self.ctx.uid)
            yield trust_items(updated, result, own_account=False)
            if not self.ctx.counts.attachments_by_policy:
                yield SyncItems(grants=await policy.attachment_grants(self.ctx, resource.id))
        except NotFoundError as exc:
            yield SyncItems(warnings=[f"role {name} vanished during the sync: {exc.code}"])


    def after_details(self, view: SyncView) -> Iterator[SyncItems]:
        """The ``assume`` grants to the account's own users and roles (``assume.py``): they
        need every policy and membership, so they come after phase 2."""
        return assume_items(view, self.ctx.uid, ids.ROLE)


def _role(answer: Mapping[str, Any]) -> Mapping[str, Any]:
    role = answer.get("Role")
    return role if isinstance(role, Mapping) else {}


def transform_role(payload: Mapping[str, Any], uid: str) -> Resource:
    """A role from RAM ListRoles (or GetRole)."""
    name = required(payload, "RoleName", "role")
    description = optional(payload, "Description")
    profile = compact({
        "role_id": required(payload, "RoleId", "role"),
        "role_name": name,
        "arn": optional(payload, "Arn"),
        "description": description,
        "max_session_duration": payload.get("MaxSessionDuration"),
        "tags": tags(payload),
        "update_date": optional(payload, "UpdateDate"),
    })
    return bt.resource(
        ids.ROLE,
        ids.role_id(uid, name),
        name,
        parent=bt.resource_id(ids.ACCOUNT, uid),
        description=description,
        created_at=parse_time(payload.get("CreateDate"), f"role {name} CreateDate"),
        annotations=[bt.role_trait(profile=profile)],
    )


def trust_items(role: Resource, result: TrustResult, *, own_account: bool = True) -> SyncItems:
    """The role (with its trust document), its ``assume`` grants, the external accounts and
    services they name, and the parser's warnings. With ``own_account=False`` the grants to
    the account's own users, roles and root are left out: ``assume.py`` decides those."""
    found = [role]
    grants = []
    uid = role_uid(role)
    for trust in result.grants:
        if not own_account and is_own(trust, uid):
            continue
        principal = bt.resource_id(trust.principal_type, trust.principal_id)
        annotations: list[Any] = []
        expandable = expandable_for(principal) if trust.principal_type == ids.ROLE else None
        if expandable is not None:
            annotations.append(expandable)
        metadata = trust.metadata()
        if metadata is not None:
            annotations.append(bt.grant_metadata(metadata))
        grants.append(slim_grant(ids.ROLE, role.id.resource, ASSUME, principal,
                                 annotations=annotations))
        if trust.principal_type == ids.SERVICE:
            found.append(transform_service(trust.principal_id))
        elif trust.principal_type == ids.ACCOUNT and trust.principal_id != uid:
            found.append(transform_external_account(trust.principal_id))
    return SyncItems(resources=found, grants=grants, warnings=result.warnings)


def role_uid(role: Resource) -> str:
    """The account uid of a role resource (from its id ``acs:ram::<uid>:role/<n>``)."""
    arn = ids.parse_arn(role.id.resource)
    return arn.account if arn is not None else ""
