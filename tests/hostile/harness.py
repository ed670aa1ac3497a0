"""A hostile server for the console script: a proxy in front of the real emulator that rewrites
the answers of one action, a recorder that says whether anyone came, and a sync run measured
from outside (exit status, error lines, wall time, peak RSS of the child).

Why a proxy and not a fake: every other answer is the emulator's, so the sync gets exactly as
far as it would against a real account and meets the bad answer where a real one would.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.e2e.cli_helpers import SCRIPT
from tests.measure import start_measured

Rewrite = Callable[["Exchange"], Awaitable[web.StreamResponse | None]]
"""Given one exchange whose upstream answer is known, an answer to send instead (``None``:
pass the emulator's answer through)."""


@dataclass
class Exchange:
    """One request through the proxy and the emulator's answer to it."""

    request: web.Request
    action: str
    status: int
    body: bytes
    request_id: str

    def json_response(self, body: Any, status: int = 200) -> web.Response:
        """An answer shaped like the emulator's (JSON, with the request id header)."""
        return web.json_response(body, status=status,
                                 headers={"x-acs-request-id": self.request_id})


@dataclass
class Server:
    """An aiohttp app on a loopback port, on its own thread and event loop."""

    app: web.Application
    port: int = 0
    hits: list[str] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            self._runner = web.AppRunner(self.app, handle_signals=False)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            server = site._server
            assert isinstance(server, asyncio.base_events.Server)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()

        def run() -> None:
            assert self._loop is not None
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        assert ready.wait(10)

    def stop(self) -> None:
        loop, runner = self._loop, self._runner
        if loop is None or runner is None:
            return
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)


@contextmanager
def serving(app: web.Application) -> Iterator[Server]:
    """Serve ``app`` for the duration of the block."""
    server = Server(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def proxy_app(upstream: str, rewrites: dict[str, Rewrite]) -> web.Application:
    """Forward every request to ``upstream`` as is; the answer of an action in ``rewrites`` is
    replaced by what its rewrite returns."""
    session: list[aiohttp.ClientSession] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        if not session:
            session.append(aiohttp.ClientSession())
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("content-length", "transfer-encoding", "connection")}
        async with session[0].post(upstream + request.path_qs, headers=headers,
                                   data=await request.read()) as answer:
            body = await answer.read()
            exchange = Exchange(request, request.headers.get("x-acs-action", ""),
                                answer.status, body,
                                answer.headers.get("x-acs-request-id", ""))
            content_type = answer.headers.get("Content-Type", "application/json")
        rewrite = rewrites.get(exchange.action)
        replaced = await rewrite(exchange) if rewrite is not None else None
        if replaced is not None:
            return replaced
        return web.Response(status=exchange.status, body=body, headers={
            "Content-Type": content_type, "x-acs-request-id": exchange.request_id})

    async def close(_: web.Application) -> None:
        for s in session:
            await s.close()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    app.on_cleanup.append(close)
    return app


def recorder_app(hits: list[str]) -> web.Application:
    """Answers anything with a fine-looking page, and notes every request it got."""

    async def handle(request: web.Request) -> web.Response:
        hits.append(f"{request.method} {request.path_qs} {dict(request.headers)}")
        return web.json_response({"RequestId": "recorded", "Users": {"User": []},
                                  "IsTruncated": False})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@contextmanager
def silent_listener() -> Iterator[str]:
    """A port that accepts connections and never answers (nor closes them)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()


@dataclass
class Run:
    """What one run of the console script left."""

    code: int
    stderr: str
    stdout: str
    seconds: float
    peak_rss_mb: float

    @property
    def error_lines(self) -> list[str]:
        """stderr lines that are not JSON log records, and the ``msg`` of a JSON run's final
        failure record (the one with an ``exit_code``)."""
        records = (json.loads(ln) if ln.startswith("{") else ln
                   for ln in self.stderr.splitlines() if ln)
        return [r if isinstance(r, str) else r["msg"] for r in records
                if isinstance(r, str) or "exit_code" in r]

    @property
    def warnings(self) -> list[str]:
        """The JSON log records at level warn."""
        return [ln for ln in self.stderr.splitlines()
                if ln.startswith("{") and '"level":"warn' in ln.replace(" ", "")]


def run_measured(args: list[str], cwd: Path, env: dict[str, str], limit: float = 60) -> Run:
    """Run the console script with output in files and return its status, output, wall time
    and its own peak RSS (measured by ``tests/measure.py``'s launcher, not pytest's)."""
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    started = time.monotonic()
    with out.open("wb") as o, err.open("wb") as e:
        run = start_measured([str(SCRIPT), *args], cwd, env, o, e, cwd / "usage.json")
        try:
            code = run.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            run.kill()
            code = run.proc.wait()
    usage = run.usage()
    peak = usage.peak_mb if usage is not None else float("inf")
    return Run(code, err.read_text(), out.read_text(), time.monotonic() - started, peak)
