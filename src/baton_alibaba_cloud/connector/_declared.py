"""A builder that only declares its resource type: another builder yields its resources.

Why a base: ``service`` (discovered in trust policies by the role builder) and ``access_key``
(listed per user by the user builder) have no listing API of their own, offer no entitlements and
have no details, yet the engine writes a type only from a syncer. Subclasses name the type.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import ClassVar

from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.connector import resource_types

__all__ = ["DeclaredOnlySyncer"]


class DeclaredOnlySyncer:
    """Declares ``type_id``; lists nothing, offers no entitlements, fetches no details."""

    type_id: ClassVar[str]

    @property
    def resource_type(self) -> ResourceType:
        """The type's message from ``resource_types``."""
        return resource_types.message(self.type_id)

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """No pages: the resources arrive with another builder's details."""
        empty: tuple[Sequence[Resource], ...] = ()
        for page in empty:
            yield page

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """None."""
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Nothing more to fetch."""
        return None
