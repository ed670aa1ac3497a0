"""The heads every builder shares: its type message from a type id, the sync's ``Context``.

Why bases: every builder answers ``resource_type`` from ``resource_types`` the same way, most
keep the shared ``Context``, and ``service`` and ``access_key`` (whose resources another
builder yields: trust policies, a user's keys) list nothing, offer no entitlements and fetch
no details, yet the engine writes a type only from a syncer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import ClassVar

from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.connector import resource_types
from baton_alibaba_cloud.connector._context import Context

__all__ = ["ContextSyncer", "DeclaredOnlySyncer", "DeclaresType"]


class DeclaresType:
    """A builder of ``type_id``; its trait and display name live in ``resource_types``."""

    type_id: ClassVar[str]

    @property
    def resource_type(self) -> ResourceType:
        """The type's message from ``resource_types``."""
        return resource_types.declaration(self.type_id)


class ContextSyncer(DeclaresType):
    """A builder that calls the API through the context shared by one sync's builders."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx


class DeclaredOnlySyncer(DeclaresType):
    """Declares ``type_id``; lists nothing, offers no entitlements, fetches no details."""

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
