"""The ``service`` type: an Alibaba Cloud service a role trusts (``ecs.aliyuncs.com``).

Services are not listed by any API; the role builder discovers them in trust policies and yields
them with its grants. This builder only declares the type (display Service, no trait).
"""

from __future__ import annotations

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._syncer import DeclaredOnlySyncer

__all__ = ["ServiceSyncer", "transform_service"]


class ServiceSyncer(DeclaredOnlySyncer):
    """Declares ``service`` (no trait); no API lists services, the role builder finds them in
    trust policies."""

    type_id = ids.SERVICE


def transform_service(name: str) -> Resource:
    """A service principal, id the service string as written (``<uid>@x.aliyuncs.com`` too)."""
    return bt.resource(ids.SERVICE, name, name, profile={"service": name})
