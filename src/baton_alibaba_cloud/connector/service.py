"""The ``service`` type: an Alibaba Cloud service a role trusts (``ecs.aliyuncs.com``).

Services are not listed by any API; the role builder discovers them in trust policies and yields
them with its grants. This builder only declares the type (display Service, no trait).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.connector import ids, resource_types

__all__ = ["ServiceSyncer", "transform_service"]


class ServiceSyncer:
    """Declares the ``service`` type; its resources come from trust policies."""

    @property
    def resource_type(self) -> ResourceType:
        """``service`` (no trait)."""
        return resource_types.message(ids.SERVICE)

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """No API lists services."""
        empty: tuple[Sequence[Resource], ...] = ()
        for page in empty:
            yield page

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """None."""
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Nothing more to fetch."""
        return None


def transform_service(name: str) -> Resource:
    """A service principal, id the service string as written (``<uid>@x.aliyuncs.com`` too)."""
    return bt.resource(ids.SERVICE, name, name, profile={"service": name})
