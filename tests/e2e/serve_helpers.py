"""``baton-alibaba-cloud serve`` as a user runs it (the console script, a unix socket), and a
plain gRPC client that calls its methods by their ``c1.connector.v2`` names."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.message import Message

from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.baton.serve.server import SERVICES
from baton_alibaba_cloud.emulator.server import RunningEmulator
from tests.e2e.cli_helpers import SCRIPT, clean_env, endpoint_flags

_METHODS = {m.input_type.full_name: (s.full_name, m) for s in SERVICES for m in s.methods}


class Client:
    """Calls a served method with its request message; answers are the generated classes."""

    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)

    def __call__(self, request: Message, timeout: float = 120) -> Any:
        service, method = _METHODS[request.DESCRIPTOR.full_name]
        response = message_factory.GetMessageClass(method.output_type)
        rpc = self.channel.unary_unary(
            f"/{service}/{method.name}", request_serializer=type(request).SerializeToString,
            response_deserializer=response.FromString)
        return rpc(request, timeout=timeout)

    def pages(self, request: Message, size: int = 0) -> list[Any]:
        """Every item of a listing, following ``next_page_token``."""
        items: list[Any] = []
        token = ""
        while True:
            request.page_size = size  # type: ignore[attr-defined]
            request.page_token = token  # type: ignore[attr-defined]
            answer = self(request)
            items.extend(answer.list)
            token = answer.next_page_token
            if not token:
                return items


@contextmanager
def served(
    emu: RunningEmulator, tmp: Path, *extra: str, secret: str | None = None,
) -> Iterator[tuple[Client, subprocess.Popen[str]]]:
    """``serve --socket`` against ``emu`` (its admin key unless ``secret`` replaces the
    secret); its temp files go to ``tmp``; stopped with SIGTERM on the way out."""
    socket = tmp / "serve.sock"
    env = clean_env(tmp, {"BATON_ACCESS_KEY_ID": emu.access_key_id,
                          "BATON_ACCESS_KEY_SECRET": secret or emu.access_key_secret,
                          "BATON_LOG_FORMAT": "json", "TMPDIR": str(tmp)})
    proc = subprocess.Popen(
        [str(SCRIPT), "serve", "--socket", str(socket), *endpoint_flags(emu), *extra],
        cwd=tmp, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        assert ready["address"] == f"unix:{socket}", ready
        client = Client(ready["address"])
        yield client, proc
        client.channel.close()
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.communicate(timeout=30)


def resource_of(rtype: str, rid: str) -> Resource:
    """A request's ``resource`` field: only the id matters to the server."""
    resource = Resource()
    resource.id.resource_type = rtype
    resource.id.resource = rid
    return resource
