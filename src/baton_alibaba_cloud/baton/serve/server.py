"""The gRPC server: baton's services, by their ``.proto`` names, on loopback or a unix socket.

The handlers are built from the service descriptors of our generated ``_pb2`` modules, so the
package, service and method names on the wire are exactly the ``.proto``'s (those of
baton-sdk's ``c1.connector.v2``), and the request and response classes are the generated ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from baton_alibaba_cloud.baton.pb import connector_pb2, entitlement_pb2, grant_pb2, resource_pb2
from baton_alibaba_cloud.baton.serve.service import Backend, ConnectorServicer

__all__ = ["LOOPBACK", "SERVICES", "Listen", "serve"]

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
MAX_MESSAGE = 64 * 1024 * 1024
"""Requests and answers up to 64 MiB (pages are far smaller; a grant request carries two
messages)."""

SERVICES: tuple[ServiceDescriptor, ...] = (
    connector_pb2.DESCRIPTOR.services_by_name["ConnectorService"],
    resource_pb2.DESCRIPTOR.services_by_name["ResourceTypesService"],
    resource_pb2.DESCRIPTOR.services_by_name["ResourcesService"],
    entitlement_pb2.DESCRIPTOR.services_by_name["EntitlementsService"],
    grant_pb2.DESCRIPTOR.services_by_name["GrantsService"],
    grant_pb2.DESCRIPTOR.services_by_name["GrantManagerService"],
)


@dataclass(frozen=True)
class Listen:
    """Where to listen: a unix socket path, else ``host:port`` (port 0 picks a free one)."""

    host: str = LOOPBACK
    port: int = 0
    socket: str | None = None


def _handler(
    servicer: ConnectorServicer, method: MethodDescriptor
) -> grpc.RpcMethodHandler[Any, Any]:
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    fn = getattr(servicer, method.name)

    async def handle(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        return await servicer.call(fn, request, context)

    return grpc.unary_unary_rpc_method_handler(
        handle, request_deserializer=request_class.FromString,
        response_serializer=response_class.SerializeToString)


def handlers(servicer: ConnectorServicer) -> list[grpc.GenericRpcHandler]:
    """One generic handler per service, one method handler per RPC of the descriptor."""
    return [
        grpc.method_handlers_generic_handler(
            service.full_name, {m.name: _handler(servicer, m) for m in service.methods})
        for service in SERVICES
    ]


def _bind(server: grpc.aio.Server, where: Listen) -> str:
    """Bind and return the address a client dials (``host:port`` or ``unix:PATH``)."""
    if where.socket:
        path = os.path.abspath(where.socket)
        if os.path.lexists(path):
            raise FileExistsError(f"{path} already exists; remove it or choose another --socket")
        old = os.umask(0o077)  # the socket is the caller's alone
        try:
            server.add_insecure_port(f"unix:{path}")
        finally:
            os.umask(old)
        return f"unix:{path}"
    port = server.add_insecure_port(f"{where.host}:{where.port}")
    if port == 0:
        raise OSError(f"cannot listen on {where.host}:{where.port}; choose another --port")
    host = f"[{where.host}]" if ":" in where.host else where.host
    return f"{host}:{port}"


async def serve(
    backend: Backend, where: Listen, *, ready: Callable[[dict[str, Any]], None],
    stop: Awaitable[Any] | None = None,
) -> None:
    """Serve until ``stop`` completes (or forever); ``ready`` gets the address once listening.

    On the way out the server stops taking requests, lets running ones end (5 s) and releases
    every snapshot."""
    servicer = ConnectorServicer(backend)
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", MAX_MESSAGE),
                                      ("grpc.max_send_message_length", MAX_MESSAGE)])
    server.add_generic_rpc_handlers(handlers(servicer))
    address = _bind(server, where)
    await server.start()
    try:
        log.info("serving baton's connector services on %s", address,
                 extra={"address": address})
        ready({"address": address, "pid": os.getpid()})
        if stop is None:
            await server.wait_for_termination()
        else:
            await stop
    finally:
        await asyncio.shield(server.stop(5))
        servicer.snapshots.close()
        if where.socket:
            _remove_socket(where.socket)


def _remove_socket(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(os.path.abspath(path))
