"""The builder protocol the sync engine drives: one ``ResourceSyncer`` per resource type.

Why a protocol of three verbs rather than baton-sdk's List/Entitlements/Grants with page tokens:
the engine owns the loops and the concurrency (docs/architecture.md), so a syncer only says how
to list its resources page by page (phase 1), which entitlements a resource offers (pure, no I/O)
and what a resource's details are (phase 2: grants, enriched versions of the resource itself,
principals discovered on the way). ``details`` runs only after *every* ``list`` has finished, so a
syncer may decide how to fetch its details from counts gathered while listing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType

__all__ = ["AfterDetails", "ResourceSyncer", "SyncItems", "SyncView", "WideDetails"]


@dataclass(frozen=True)
class SyncItems:
    """What one step of ``details()`` produced.

    ``resources`` are upserts: a newer version of the resource being detailed replaces the one
    listed in phase 1, and principals discovered on the way (an external account named in a trust
    policy) are added. ``warnings`` are one-line, human-readable problems that did not stop the
    sync (a malformed trust policy, an entity that vanished between list and get); the engine
    collects them into the report.
    """

    resources: Sequence[Resource] = ()
    grants: Sequence[Grant] = ()
    warnings: Sequence[str] = ()


class ResourceSyncer(Protocol):
    """One resource type's builder.

    ``resource_type`` is the ``c1.connector.v2.ResourceType`` message the engine writes first.
    ``list()`` yields pages of resources (one API page each, never the whole set at once).
    ``entitlements(resource)`` must not do I/O: it is called for every listed resource and for
    every resource a ``details()`` step discovers. ``details(resource)`` returns ``None`` when
    the type has nothing more to fetch, else an async iterator of ``SyncItems``.
    """

    @property
    def resource_type(self) -> ResourceType: ...

    def list(self) -> AsyncIterator[Sequence[Resource]]: ...

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]: ...

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None: ...


@runtime_checkable
class WideDetails(Protocol):
    """A syncer that wants more ``details`` workers than the engine's default.

    Requests are paced by the API client, not by the pool, so a worker only matters while it
    waits on something else: a syncer whose details wait on a listing they all share (every
    user's MFA facts wait for the one virtual-MFA listing) says how many resources may wait at
    once, so that the workers left keep its quota-bound action busy meanwhile.
    """

    details_concurrency: int


class SyncView(Protocol):
    """Read access to what phases 1 and 2 wrote, for an ``AfterDetails`` step: chunks, so that
    the caller holds only what it keeps."""

    def resources(self, resource_type: str) -> Iterator[list[Resource]]:
        """This sync's resources of one type, in chunks."""
        ...

    def grants(self, resource_type: str) -> Iterator[list[Grant]]:
        """This sync's grants on entitlements of resources of one type, in chunks."""
        ...


@runtime_checkable
class AfterDetails(Protocol):
    """A syncer with a step that needs the whole picture: it runs once, after every ``details``
    has been written and before completeness and expansion, reads what it needs through the
    ``SyncView`` and yields more ``SyncItems`` (grants derived from all of them, updated
    resources). Why: some facts are global (who may assume a role depends on the role's trust
    *and* on every policy every principal holds, directly or through groups), and phase 2 sees
    one resource at a time. It runs on the sync's database thread, so it must not do network
    I/O; it is consumed as it yields, so it may stream."""

    def after_details(self, view: SyncView) -> Iterator[SyncItems]: ...
