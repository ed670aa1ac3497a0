"""A tiny scriptable RPC server on loopback that verifies V3 signatures like the real service."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from baton_alibaba_cloud.alibaba._signer import (
    canonical_headers,
    canonical_query,
    canonical_request,
    parse_authorization,
    parse_query,
    signature,
    string_to_sign,
)

SECRETS = {"testid": "testsecret", "STS.tmp": "tmpsecret"}

Handler = Callable[["Seen"], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    """One request as the server saw it."""

    action: str
    version: str
    params: dict[str, str]
    headers: dict[str, str]
    signature_ok: bool | None
    request: web.Request


def _verify(request: web.Request) -> bool | None:
    auth = request.headers.get("Authorization")
    if auth is None:
        return None
    _, key_id, names, sig = parse_authorization(auth)
    secret = SECRETS.get(key_id)
    if secret is None:
        return False
    canon, signed = canonical_headers(list(request.headers.items()), names)
    query = canonical_query(parse_query(request.query_string))
    cr = canonical_request(request.method, request.path, query, canon, signed,
                           request.headers.get("x-acs-content-sha256", ""))
    return signature(secret, string_to_sign(cr)) == sig


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json",
                        headers=headers)


@dataclass
class FakeApi:
    """Requests are recorded in ``seen``; ``handler`` decides each answer."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    handler: Handler | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        seen = Seen(
            action=request.headers.get("x-acs-action", ""),
            version=request.headers.get("x-acs-version", ""),
            params=dict(parse_query(request.query_string)),
            headers={k.lower(): v for k, v in request.headers.items()},
            signature_ok=_verify(request),
            request=request,
        )
        self.seen.append(seen)
        if seen.signature_ok is False:
            return reply({"Code": "SignatureDoesNotMatch", "Message": "bad", "RequestId": "S"},
                         400)
        assert self.handler is not None
        return await self.handler(seen)

    def of(self, action: str) -> list[Seen]:
        return [s for s in self.seen if s.action == action]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeApi]:
    api = FakeApi()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", api._handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    port = server.sockets[0].getsockname()[1]
    api.url = f"http://127.0.0.1:{port}"
    try:
        yield api
    finally:
        await runner.cleanup()
