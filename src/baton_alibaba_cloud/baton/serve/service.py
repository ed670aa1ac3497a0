"""The ``c1.connector.v2`` services, answered from snapshots and a connector ``Backend``.

Generic on purpose: this module knows baton's services and the v1 c1z tables, nothing of the
system behind them. A connector supplies a ``Backend`` (its metadata, how to validate, how to
take a snapshot, how to grant and revoke, how to describe its errors).

Freshness: a snapshot is taken for each sync session. baton-sdk names its sync in every list
request (``active_sync_id``); the first request of a new sync takes a new snapshot, every
later request of that sync is answered from it, and ``Cleanup`` at the end of the sync
releases it. Requests that name no sync (an older caller) share the latest snapshot, taking
one if there is none; ``Cleanup`` without a sync id, a grant or a revoke releases it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message

from baton_alibaba_cloud.baton.pb import annotations_pb2 as a
from baton_alibaba_cloud.baton.pb import connector_pb2 as c
from baton_alibaba_cloud.baton.pb import entitlement_pb2 as e
from baton_alibaba_cloud.baton.pb import grant_pb2 as g
from baton_alibaba_cloud.baton.pb import resource_pb2 as r
from baton_alibaba_cloud.baton.serve.snapshot import (
    TYPE_PAGE_SIZE,
    Page,
    PageTokenError,
    Snapshot,
    page_size,
)

__all__ = ["Backend", "ConnectorServicer", "ServeError", "Snapshots"]

log = logging.getLogger(__name__)

PROTOCOL_VERSION = "0.26.0"
"""The baton-sdk release whose ``c1.connector.v2`` services this server implements, reported
as ``Validate``'s ``sdk_version``: baton-sdk's syncer names its sync in every request
(``active_sync_id``) only to connectors that report 0.4.3 or later."""

KEEP_SNAPSHOTS = 2
"""Snapshots kept at once: the current sync's and one overlapping (service mode may run two
tasks together); older ones are released."""

Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)


class ServeError(Exception):
    """A request that fails with this gRPC status and one-line message."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Backend(Protocol):
    """What a connector provides to be served."""

    def metadata(self) -> c.ConnectorMetadata:
        """The connector's metadata and capabilities (no I/O)."""

    async def validate(self) -> None:
        """Prove the configuration works; raise with an actionable message if not."""

    async def take_snapshot(self, key: str) -> Snapshot:
        """Sync the system once, unexpanded, into a new snapshot."""

    async def grant(
        self, entitlement: e.Entitlement, principal: r.Resource
    ) -> tuple[list[g.Grant], list[Message]]:
        """Grant one entitlement; the grants made and the answer's annotations."""

    async def revoke(self, grant: g.Grant) -> list[Message]:
        """Revoke one grant; the answer's annotations."""

    def status_of(self, exc: Exception) -> tuple[grpc.StatusCode, str]:
        """The gRPC status and one line (no secrets) for a failure of the above."""


class Snapshots:
    """The snapshots of the running syncs, by sync id; one is taken at a time."""

    def __init__(self, take: Callable[[str], Awaitable[Snapshot]]) -> None:
        self._take = take
        self._by_key: OrderedDict[str, Snapshot] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, key: str) -> Snapshot:
        """The snapshot of sync ``key`` (or the latest one for an empty key), taken if needed."""
        found = self._find(key)
        if found is not None:
            return found
        async with self._lock:
            found = self._find(key)
            if found is not None:
                return found
            snapshot = await self._take(key)
            self._by_key[key] = snapshot
            while len(self._by_key) > KEEP_SNAPSHOTS:
                _, old = self._by_key.popitem(last=False)
                old.close()
            return snapshot

    def _find(self, key: str) -> Snapshot | None:
        if key:
            return self._by_key.get(key)
        return next(reversed(self._by_key.values()), None)

    def release(self, key: str) -> None:
        """Close the snapshot of a finished sync (``Cleanup``; an empty key: the snapshot of
        the requests that named no sync)."""
        snapshot = self._by_key.pop(key, None)
        if snapshot is not None:
            snapshot.close()

    def stale(self) -> None:
        """The system changed: the next request without a sync id takes a new snapshot.
        Snapshots of running syncs stay (a sync reads one consistent state)."""
        self.release("")

    def close(self) -> None:
        """Release every snapshot."""
        while self._by_key:
            _, snapshot = self._by_key.popitem()
            snapshot.close()


def _pack(messages: Sequence[Message]) -> list[any_pb2.Any]:
    packed = []
    for message in messages:
        item = any_pb2.Any()
        item.Pack(message)
        packed.append(item)
    return packed


class ConnectorServicer:
    """One async method per served RPC, named as in the ``.proto`` services."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.snapshots = Snapshots(backend.take_snapshot)

    async def call(
        self, method: Callable[[Req], Awaitable[Resp]], request: Req,
        context: grpc.aio.ServicerContext[Req, Resp],
    ) -> Resp:
        """Run one RPC; failures become a gRPC status with the backend's one-line message."""
        try:
            return await method(request)
        except ServeError as exc:
            await context.abort(exc.code, exc.message)
        except PageTokenError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            code, line = self.backend.status_of(exc)
            log.warning("%s failed: %s", type(request).__name__, line)
            await context.abort(code, line)
        raise AssertionError("unreachable: abort raises")  # pragma: no cover

    # --- ConnectorService --------------------------------------------------------------------

    async def GetMetadata(
        self, _: c.ConnectorServiceGetMetadataRequest
    ) -> c.ConnectorServiceGetMetadataResponse:
        return c.ConnectorServiceGetMetadataResponse(metadata=self.backend.metadata())

    async def Validate(
        self, _: c.ConnectorServiceValidateRequest
    ) -> c.ConnectorServiceValidateResponse:
        await self.backend.validate()
        return c.ConnectorServiceValidateResponse(sdk_version=PROTOCOL_VERSION)

    async def Cleanup(
        self, request: c.ConnectorServiceCleanupRequest
    ) -> c.ConnectorServiceCleanupResponse:
        self.snapshots.release(request.active_sync_id)
        return c.ConnectorServiceCleanupResponse()

    # --- listings ----------------------------------------------------------------------------

    async def ListResourceTypes(
        self, request: r.ResourceTypesServiceListResourceTypesRequest
    ) -> r.ResourceTypesServiceListResourceTypesResponse:
        snap = await self.snapshots.get(request.active_sync_id)
        page = snap.resource_types(request.page_token, page_size(request.page_size))
        return r.ResourceTypesServiceListResourceTypesResponse(
            list=page.items, next_page_token=page.next_token)

    async def ListResources(
        self, request: r.ResourcesServiceListResourcesRequest
    ) -> r.ResourcesServiceListResourcesResponse:
        if not request.resource_type_id:
            raise ServeError(grpc.StatusCode.INVALID_ARGUMENT, "resource_type_id is required")
        snap = await self.snapshots.get(request.active_sync_id)
        parent = request.parent_resource_id if request.HasField("parent_resource_id") else None
        started = time.monotonic()
        page = snap.resources(request.resource_type_id, parent, request.page_token,
                              page_size(request.page_size))
        _log_list("ListResources", r.ResourceId(resource_type=request.resource_type_id),
                  True, request, page, started)
        return r.ResourcesServiceListResourcesResponse(
            list=page.items, next_page_token=page.next_token)

    async def ListEntitlements(
        self, request: e.EntitlementsServiceListEntitlementsRequest
    ) -> e.EntitlementsServiceListEntitlementsResponse:
        snap = await self.snapshots.get(request.active_sync_id)
        rid = _resource_id(request.resource)
        started = time.monotonic()
        if whole := _marked(request.annotations, a.TypeScopedEntitlements):
            page = snap.type_entitlements(rid.resource_type, request.page_token,
                                          page_size(request.page_size, TYPE_PAGE_SIZE))
        else:
            page = snap.entitlements(rid, request.page_token, page_size(request.page_size))
        _log_list("ListEntitlements", rid, whole, request, page, started)
        return e.EntitlementsServiceListEntitlementsResponse(
            list=page.items, next_page_token=page.next_token)

    async def ListStaticEntitlements(
        self, _: e.EntitlementsServiceListStaticEntitlementsRequest
    ) -> e.EntitlementsServiceListStaticEntitlementsResponse:
        """None: every entitlement belongs to one resource and is listed with it."""
        return e.EntitlementsServiceListStaticEntitlementsResponse()

    async def ListGrants(
        self, request: g.GrantsServiceListGrantsRequest
    ) -> g.GrantsServiceListGrantsResponse:
        snap = await self.snapshots.get(request.active_sync_id)
        rid = _resource_id(request.resource)
        started = time.monotonic()
        if whole := _marked(request.annotations, a.TypeScopedGrants):
            page = snap.type_grants(rid.resource_type, request.page_token,
                                    page_size(request.page_size, TYPE_PAGE_SIZE))
        else:
            page = snap.grants(rid, request.page_token, page_size(request.page_size))
        _log_list("ListGrants", rid, whole, request, page, started)
        return g.GrantsServiceListGrantsResponse(list=page.items, next_page_token=page.next_token)

    # --- GrantManagerService -----------------------------------------------------------------

    async def Grant(
        self, request: g.GrantManagerServiceGrantRequest
    ) -> g.GrantManagerServiceGrantResponse:
        if not request.entitlement.id or not request.principal.id.resource:
            raise ServeError(grpc.StatusCode.INVALID_ARGUMENT,
                             "a grant needs an entitlement and a principal")
        grants, annotations = await self.backend.grant(request.entitlement, request.principal)
        self.snapshots.stale()
        return g.GrantManagerServiceGrantResponse(grants=grants, annotations=_pack(annotations))

    async def Revoke(
        self, request: g.GrantManagerServiceRevokeRequest
    ) -> g.GrantManagerServiceRevokeResponse:
        if not request.grant.id:
            raise ServeError(grpc.StatusCode.INVALID_ARGUMENT, "a revoke needs a grant")
        annotations = await self.backend.revoke(request.grant)
        self.snapshots.stale()
        return g.GrantManagerServiceRevokeResponse(annotations=_pack(annotations))


class _Listing(Protocol):
    page_size: int
    page_token: str


def _log_list(
    method: str, rid: r.ResourceId, whole: bool, request: _Listing, page: Page[Any],
    started: float,
) -> None:
    """One debug line per list call: how baton-sdk's syncer asks (a whole type or one
    resource, the page size it asked for) and what it got; `scope` is `type` or `resource`."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    log.debug(
        "%s %s %s: %d rows, %.1f ms", method, "type" if whole else "resource",
        rid.resource_type if whole else f"{rid.resource_type}:{rid.resource}", len(page.items),
        (time.monotonic() - started) * 1000,
        extra={"method": method, "scope": "type" if whole else "resource",
               "resource_type_id": rid.resource_type,
               "resource_id": "" if whole else rid.resource, "page_size": request.page_size,
               "page_token": bool(request.page_token), "rows": len(page.items),
               "next_page": bool(page.next_token)})


def _marked(annotations: Sequence[any_pb2.Any], marker: type[Message]) -> bool:
    """Whether a list request carries ``marker``: baton-sdk's syncer asks for a whole type's
    entitlements or grants this way (its resource is then a stub naming only the type) when
    the type declares the same marker."""
    return any(item.TypeName() == marker.DESCRIPTOR.full_name for item in annotations)


def _resource_id(resource: r.Resource) -> r.ResourceId:
    rid = resource.id
    if not rid.resource_type or not rid.resource:
        raise ServeError(grpc.StatusCode.INVALID_ARGUMENT, "resource.id is required")
    return rid
