"""Starting the emulator: in a test's event loop, in a thread, or as the ``emulator`` command.

Why three starters: async tests and the e2e suite share a loop with the client
(:func:`running_emulator`); blocking clients such as the official SDK's sync calls need the
server on another thread (:class:`EmulatorThread`); the CLI needs a foreground server that says
where it listens and stops cleanly on a signal (:func:`serve`). All bind port 0 by default, so
parallel test runs never collide.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from aiohttp import web

from .accounts.schema import AccountFileError
from .app import STATE, BackendLike, Dispatch, create_app
from .backend import Backend
from .options import EmulatorOptions
from .organization import OrganizationBackend, build_organization, is_organization
from .request_log import RequestLog

__all__ = [
    "AccountSource",
    "EmulatorThread",
    "RunningEmulator",
    "load_account",
    "running_emulator",
    "serve",
    "start_in_thread",
]

AccountSource = Mapping[str, Any] | Path | str | None
"""An account: the parsed JSON, a path to it, or None for the bundled sample account."""


def load_account(account: AccountSource) -> dict[str, Any]:
    """The account JSON (``docs/emulator.md``); None means ``emulator/accounts/sample.json``.

    A file that is not one JSON object raises :class:`AccountFileError`."""
    if account is None:
        text = resources.files(__package__).joinpath("accounts", "sample.json").read_text("utf-8")
        return dict(json.loads(text))
    if isinstance(account, str | Path):
        try:
            data = json.loads(Path(account).read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise AccountFileError([f"{account}: not JSON ({exc})"]) from None
        if not isinstance(data, dict):
            raise AccountFileError([f"{account}: the file must hold one JSON object"])
        return data
    return dict(account)


def _make_backend(account: dict[str, Any], options: EmulatorOptions) -> BackendLike:
    """``Backend.from_account`` (or, for an organization file, one backend per account) on the
    emulator's clock, so STS expiry, the credential report's build time and the date check
    agree."""
    clock = options.clock
    delay = timedelta(seconds=options.report_delay_s)

    def now() -> datetime:
        return datetime.fromtimestamp(clock(), UTC)

    if is_organization(account):
        return build_organization(account, now=now, report_delay=delay,
                                  task_delay=timedelta(seconds=options.cloudsso_task_delay_s))
    return Backend.from_account(account, now=now, report_delay=delay)


def _org_handlers(backend: BackendLike) -> tuple[Dispatch | None, set[tuple[str, str]] | None]:
    """The organization's router and action set when ``backend`` is one, else the defaults."""
    if not isinstance(backend, OrganizationBackend):
        return None, None
    from .responses.directory import organization_actions, organization_dispatch

    return cast(Dispatch, organization_dispatch), organization_actions()


def _admin_key(account: Mapping[str, Any], backend: BackendLike) -> tuple[str, str]:
    """The key the emulator prints: the backend's admin key, else the account's root key."""
    admin = getattr(backend, "admin_credentials", None)
    found = admin() if callable(admin) else None
    if found:
        return str(found[0]), str(found[1])
    keys = account.get("account", {}).get("access_keys", []) or []
    for key in keys:
        if key.get("status", "Active") == "Active":
            return str(key["id"]), str(key["secret"])
    return "", ""


def _quota_overrides(account: Mapping[str, Any], options: EmulatorOptions) -> EmulatorOptions:
    """Merge the account file's ``account.quotas`` (``{"ListUsers": 5}``) under the options'."""
    section = account.get("account")
    if section is None and is_organization(account):  # the management account's quotas
        entries = account.get("organization", {}).get("accounts", [])
        manager = [e for e in entries if isinstance(e, Mapping) and e.get("management")]
        section = manager[0].get("document", {}).get("account") if manager else None
    quotas = section.get("quotas") if isinstance(section, Mapping) else None
    if not isinstance(quotas, Mapping) or not quotas:
        return options
    numbers = {str(k): float(v) for k, v in quotas.items() if isinstance(v, int | float)}
    merged = {**numbers, **options.quota_overrides}
    return EmulatorOptions(**{**options.__dict__, "quota_overrides": merged})


@dataclass
class RunningEmulator:
    """A started emulator: where it listens, the admin key, and its live state."""

    url: str
    host: str
    port: int
    access_key_id: str
    access_key_secret: str
    app: web.Application

    @property
    def backend(self) -> Any:
        """The backend holding the account state (inspect or mutate it between calls)."""
        return self.app[STATE].backend

    @property
    def request_log(self) -> RequestLog:
        """Per-action counts, throttled answers and the calls, as the server saw them."""
        return self.app[STATE].request_log

    @property
    def options(self) -> EmulatorOptions:
        """The options the emulator runs with."""
        return self.app[STATE].options

    def ready_line(self) -> dict[str, str]:
        """The ``emulator`` command's JSON line: url, access_key_id, access_key_secret."""
        return {"url": self.url, "access_key_id": self.access_key_id,
                "access_key_secret": self.access_key_secret}


@contextlib.asynccontextmanager
async def running_emulator(
    account: AccountSource = None,
    options: EmulatorOptions | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    backend: BackendLike | None = None,
    dispatch: Dispatch | None = None,
    implemented: Iterable[tuple[str, str]] | None = None,
) -> AsyncIterator[RunningEmulator]:
    """Serve the emulator on ``host:port`` (0 = a free port) for the ``async with`` body.

    ``backend``/``dispatch``/``implemented`` replace the real backend and handlers (tests of
    the gateway checks); by default ``Backend.from_account(account)`` and
    ``emulator.responses`` serve the account.
    """
    data = load_account(account) if backend is None or account is not None else {}
    opts = _quota_overrides(data, options or EmulatorOptions())
    served = backend if backend is not None else _make_backend(data, opts)
    if dispatch is None and implemented is None:
        dispatch, implemented = _org_handlers(served)
    app = create_app(served, opts, dispatch=dispatch, implemented=implemented)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        key_id, secret = _admin_key(data, served)
        yield RunningEmulator(f"http://{host}:{bound}", host, bound, key_id, secret, app)
    finally:
        await runner.cleanup()


class EmulatorThread:
    """The emulator on a private event loop in a daemon thread, for blocking clients.

    ``with EmulatorThread(account) as emu:`` starts it and waits until it listens;
    ``emu.url``, ``emu.access_key_id`` … are those of :class:`RunningEmulator`.
    """

    def __init__(self, account: AccountSource = None, options: EmulatorOptions | None = None,
                 host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> None:
        self._args = (account, options, host, port)
        self._kwargs = kwargs
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="alibaba-emulator", daemon=True)
        self.emulator: RunningEmulator | None = None

    def start(self, timeout: float = 10.0) -> RunningEmulator:
        """Start serving; returns once the port is bound (raises what startup raised)."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the emulator did not start within the timeout")
        if self._error is not None or self.emulator is None:
            raise RuntimeError("the emulator failed to start") from self._error
        return self.emulator

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def __enter__(self) -> RunningEmulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with running_emulator(*self._args, **self._kwargs) as emu:
            self.emulator = emu
            self._ready.set()
            await self._stop.wait()


def start_in_thread(account: AccountSource = None, options: EmulatorOptions | None = None,
                    **kwargs: Any) -> EmulatorThread:
    """Start an :class:`EmulatorThread` and return it (call ``.stop()`` when done)."""
    thread = EmulatorThread(account, options, **kwargs)
    thread.start()
    return thread


def serve(account: AccountSource, options: EmulatorOptions | None = None, port: int = 0, *,
          host: str = "127.0.0.1", ready: Callable[[dict[str, str]], None]) -> None:
    """Run in the foreground until SIGINT or SIGTERM (the ``emulator`` CLI subcommand).

    ``ready`` receives ``{"url", "access_key_id", "access_key_secret"}`` once the port is bound;
    the command prints it as one JSON line.
    """
    asyncio.run(_serve(account, options, host, port, ready))


async def _serve(account: AccountSource, options: EmulatorOptions | None, host: str, port: int,
                 ready: Callable[[dict[str, str]], None]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with running_emulator(account, options, host, port) as emu:
        ready(emu.ready_line())
        await stop.wait()
