"""``serve``: baton's connector gRPC services for baton-sdk's syncer and runner.

Thin: resolve the connector's flags, then hand an ``AlibabaBackend`` to the generic server.
SIGINT and SIGTERM stop it cleanly (exit 0), as does the end of stdin with the hidden
``--stop-on-stdin-eof`` (a parent process that dies closes the pipe: no orphaned server).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from typing import Any

import click

from baton_alibaba_cloud.baton.serve.server import LOOPBACK, Listen, serve
from baton_alibaba_cloud.cli._options import GROUPS, field_options
from baton_alibaba_cloud.cli._run import connector_config, start
from baton_alibaba_cloud.connector.serve import AlibabaBackend

__all__ = ["serve_command"]


@click.command("serve")
@field_options(GROUPS["connector"])
@click.option("--host", default=LOOPBACK, show_default=True, envvar="BATON_HOST",
              show_envvar=True,
              help="The address to listen on. The service has no authentication of its own: "
                   "keep it on loopback (or use --socket) unless a network policy guards it.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              envvar="BATON_PORT", show_envvar=True,
              help="The TCP port (0: a free one, printed in the ready line).")
@click.option("--socket", "socket_path", metavar="PATH", envvar="BATON_SOCKET",
              show_envvar=True, help="Listen on this unix socket (mode 0600) instead of TCP.")
@click.option("--stop-on-stdin-eof", is_flag=True, hidden=True, envvar="BATON_STOP_ON_STDIN_EOF",
              help="Stop when standard input ends (the parent process is gone).")
@click.pass_context
def serve_command(
    ctx: click.Context, /, host: str, port: int, socket_path: str | None,
    stop_on_stdin_eof: bool, **_: Any,
) -> None:
    """Serve baton's connector gRPC services (c1.connector.v2) for baton-sdk.

    baton-sdk's syncer and runner (the Go binary in cmd/baton-alibaba-cloud, or any baton
    connector runner) call them: metadata, validate, resource types, resources, entitlements,
    grants, and with -p grant and revoke. The account is synced once per sync session into
    a snapshot that answers every list call; grants are served unexpanded, for baton-sdk to
    expand. Prints one JSON line on stdout when listening: {"address", "pid"}.
    """
    values = start(ctx, GROUPS["connector"])
    backend = AlibabaBackend(connector_config(values))
    where = Listen(host=host, port=port, socket=socket_path)
    asyncio.run(_serve(backend, where, stop_on_stdin_eof))


async def _serve(backend: AlibabaBackend, where: Listen, stop_on_stdin_eof: bool) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if stop_on_stdin_eof:
        threading.Thread(target=_wait_for_eof, args=(loop, stop), daemon=True).start()
    await serve(backend, where, ready=_ready, stop=stop.wait())


def _ready(line: dict[str, Any]) -> None:
    click.echo(json.dumps(line), nl=True)
    sys.stdout.flush()


def _wait_for_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    fd = sys.stdin.fileno()
    while os.read(fd, 4096):
        pass
    loop.call_soon_threadsafe(stop.set)
