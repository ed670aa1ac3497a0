"""What every builder shares: the API seam, the account, the options and the phase-1 counts.

Why counts live here: the attachment plan and the user-enrichment plan are decided from what
phase 1 listed (the engine starts ``details`` only after every ``list`` has finished), and
both plans are read by several builders.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId
from baton_alibaba_cloud.connector import ids

__all__ = ["Api", "Context", "Counts", "expandable_for", "slim_grant", "with_profile"]

ServiceName = Literal["ram", "ims", "sts", "resourcemanager"]
Params = Mapping[str, str | int | bool]


class Api(Protocol):
    """The calls the connector makes (``alibaba.AlibabaClient`` satisfies it): one request,
    Marker pages (RAM, IMS) and numbered pages (Resource Manager)."""

    async def call(
        self, service: ServiceName, action: str, params: Params | None = None
    ) -> dict[str, Any]: ...

    def pages(
        self, service: ServiceName, action: str, params: Params | None = None
    ) -> AsyncIterator[dict[str, Any]]: ...

    def numbered_pages(
        self, service: ServiceName, action: str, params: Params | None = None
    ) -> AsyncIterator[dict[str, Any]]: ...


@dataclass
class Counts:
    """Phase-1 counts the plans are decided from."""

    users: int = 0
    groups: int = 0
    roles: int = 0
    attached_policies: int = 0

    @property
    def principals(self) -> int:
        """Users, groups and roles: one ListPoliciesFor* request each in the per-principal plan."""
        return self.users + self.groups + self.roles

    @property
    def attachments_by_policy(self) -> bool:
        """Fewest requests: one ListEntitiesForPolicy per attached policy, or one
        ListPoliciesFor{User,Group,Role} per principal (ties go to the per-policy plan)."""
        return self.attached_policies <= self.principals


@dataclass
class Context:
    """Shared by the builders of one sync."""

    api: Api
    uid: str
    sync_secrets: bool = False
    counts: Counts = field(default_factory=Counts)
    unavailable: dict[str, str] = field(default_factory=dict)
    """What the sync could not read, by profile key (``resource_manager``), with the reason:
    phase 1 records it, the account's details put it on the account resource and warn."""
    documents: set[str] = field(default_factory=set)
    """Policy ids whose default document this sync fetches, so that each is fetched once: the
    policy builder claims custom and account-wide attached policies in phase 1; the resource
    group builder fetches the rest of those it finds bound within a group."""

    @property
    def account_id(self) -> ResourceId:
        """The account resource every user, group, role and custom policy hangs under."""
        return bt.resource_id(ids.ACCOUNT, self.uid)


def slim_grant(
    type_id: str, resource: str, slug: str, principal: ResourceId, *, annotations: Any = ()
) -> Grant:
    """A grant whose embedded entitlement is ``{id, resource{id}}`` and principal ``{id}``.

    Why slim: readers look entitlements and principals up by id, and embedding a full policy
    resource (with its document) in each of thousands of grants would bloat the file.
    """
    ent = Entitlement(id=bt.entitlement_id(type_id, resource, slug))
    ent.resource.id.CopyFrom(bt.resource_id(type_id, resource))
    return bt.grant(ent, Resource(id=principal), annotations=annotations)


def expandable_for(principal: ResourceId) -> GrantExpandable | None:
    """docs/model.md §3: a group principal's holders are its members (shallow), a role principal's
    are whoever may assume it; other principals expand to no one."""
    if principal.resource_type == ids.GROUP:
        return bt.grant_expandable(
            [bt.entitlement_id(ids.GROUP, principal.resource, "member")], shallow=True
        )
    if principal.resource_type == ids.ROLE:
        return bt.grant_expandable([bt.entitlement_id(ids.ROLE, principal.resource, "assume")])
    return None


def with_profile(resource: Resource, trait_type: type[Any], updates: Mapping[str, Any]) -> Resource:
    """A copy of ``resource`` whose profile (and its trait's profile) gain ``updates``.

    Why both: the Go SDK convention writes the trait profile and mirrors it on
    ``Resource.profile``; an enriched resource must keep them equal. ``None`` values are skipped.
    """
    fresh = [(k, v) for k, v in updates.items() if v is not None]
    copy = Resource()
    copy.CopyFrom(resource)
    copy.profile.update(dict(fresh))
    for item in copy.annotations:
        if item.TypeName() == trait_type.DESCRIPTOR.full_name:
            trait = trait_type()
            item.Unpack(trait)
            trait.profile.update(dict(fresh))
            item.Pack(trait, deterministic=True)
    return copy
