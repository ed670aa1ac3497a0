"""The aiohttp application: RAM, IMS and STS on one port, checked like the real gateway.

Why one port: the API version header (``x-acs-version``) names the product, so one URL serves
all three endpoints and a test or a demo starts one server. Why this order of checks (route,
signature, parameters, permission, quota, faults, action): it is the order in which the real
gateway refuses requests, so a request with two faults gets the same error as in production.

Error answers are Alibaba's JSON body (docs/alibaba.md §4.1)::

    {"RequestId", "HostId", "Code", "Message", "Recommend"}   (+ "AccessDeniedDetail")

Actions that the API metadata knows but the backend does not implement are refused with
``UnsupportedOperation`` (HTTP 400, never retried by clients) and a message naming the action,
rather than answered with an invented success.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast
from urllib.parse import quote

from aiohttp import web

from ..alibaba import metadata
from ..alibaba._signer import parse_query
from .auth import IncomingRequest, Verifier, anonymous_caller
from .authz import authorize, request_context
from .errors import EmulatorError
from .faults import (
    NO_FAULT,
    FaultInjector,
    FaultPlan,
    drop_connection,
    write_slowly,
    write_truncated,
)
from .identity import Caller, ResolvedKey
from .options import EmulatorOptions
from .quotas import QuotaBook
from .request_log import LoggedCall, RequestLog

__all__ = ["STATE", "BackendLike", "Dispatch", "EmulatorState", "create_app", "error_body"]

_LOG = logging.getLogger(__name__)

PRODUCTS = {"ram": ("Ram", "ram.aliyuncs.com"), "ims": ("Ims", "ims.aliyuncs.com"),
            "sts": ("Sts", "sts.aliyuncs.com"),
            "resourcemanager": ("ResourceManager", "resourcemanager.aliyuncs.com"),
            "cloudsso": ("cloudsso", "cloudsso.cn-shanghai.aliyuncs.com")}
_FORM = "application/x-www-form-urlencoded"
_V2_COMMON = frozenset({"Action", "Version", "Format", "Timestamp", "SignatureNonce",
                        "SignatureMethod", "SignatureVersion", "AccessKeyId", "Signature",
                        "SecurityToken", "RegionId"})
_NOT_FOUND = "Specified api is not found, please check your url and method."


class BackendLike(Protocol):
    """What the app needs of ``emulator.backend.Backend`` (the seam with the backend)."""

    @property
    def account_id(self) -> str: ...

    def resolve_access_key(self, access_key_id: str) -> ResolvedKey | None: ...

    def identity_policy_documents(self, caller: Caller) -> list[dict[str, Any]]: ...


Dispatch = Callable[[Any, str, str, dict[str, str], Caller], dict[str, Any]]
"""``responses.dispatch(backend, service, action, params, caller) -> body without RequestId``."""


def _default_handlers() -> tuple[Dispatch, Iterable[tuple[str, str]]]:
    """``emulator.responses``' dispatcher and the actions it implements."""
    from .responses import dispatch, implemented_actions

    return cast(Dispatch, dispatch), implemented_actions()


class EmulatorState:
    """Everything one running emulator shares between requests."""

    def __init__(self, backend: BackendLike, options: EmulatorOptions,
                 dispatch: Dispatch | None = None,
                 implemented: Iterable[tuple[str, str]] | None = None) -> None:
        if dispatch is None or implemented is None:
            default_dispatch, default_implemented = _default_handlers()
            dispatch = dispatch or default_dispatch
            implemented = default_implemented if implemented is None else implemented
        self.backend = backend
        self.options = options
        self.dispatch = dispatch
        self.implemented = frozenset(implemented)
        self.verifier = Verifier(backend, options)
        self.quotas = QuotaBook(options.clock, options.quota_overrides)
        self.faults = FaultInjector(options.faults, options.seed)
        self.request_log = RequestLog()


STATE = web.AppKey("emulator_state", EmulatorState)


@dataclass
class _Exchange:
    """One request on its way through the checks (what the log and the error body need)."""

    request_id: str
    service: str = ""
    action: str = ""
    params: dict[str, str] | None = None
    caller: Caller | None = None
    plan: FaultPlan = NO_FAULT


def create_app(
    backend: BackendLike,
    options: EmulatorOptions | None = None,
    *,
    dispatch: Dispatch | None = None,
    implemented: Iterable[tuple[str, str]] | None = None,
) -> web.Application:
    """The application for one backend; ``app[STATE]`` exposes the backend, log and options.

    ``dispatch`` and ``implemented`` default to ``emulator.responses``; tests of the gateway
    checks pass small fakes instead.
    """
    app = web.Application()
    app[STATE] = EmulatorState(backend, options or EmulatorOptions(), dispatch, implemented)
    app.router.add_route("*", "/{tail:.*}", _handle)
    return app


async def _handle(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    exchange = _Exchange(request_id=str(uuid.uuid4()).upper())
    try:
        body = await _answer(state, request, exchange)
        response = _json(200, {**body, "RequestId": exchange.request_id}, exchange.request_id)
        code = ""
    except EmulatorError as error:
        response = _json(error.http_status, error_body(error, exchange.request_id,
                                                       exchange.service, request.host),
                         exchange.request_id)
        if error.code.startswith("Throttling") and state.options.retry_after_header:
            response.headers["x-acs-retry-after"] = "1000"
        code = error.code
    except _Dropped:
        _log(state, exchange, 0, "", dropped=True)
        drop_connection(request)
        return web.Response(status=499)
    _log(state, exchange, response.status, code)
    if exchange.plan.truncate:
        return await write_truncated(request, response)
    if exchange.plan.slow:
        faults = state.options.faults
        return await write_slowly(request, response, faults.slow_chunk_bytes,
                                  faults.slow_chunk_delay_ms / 1000.0)
    return response


class _Dropped(Exception):
    """The fault plan says: close the connection without an answer."""


async def _answer(state: EmulatorState, request: web.Request, ex: _Exchange) -> dict[str, Any]:
    """Run the checks in the gateway's order and the action; return the body without RequestId."""
    raw = await request.read()
    incoming = _incoming(request, raw)
    ex.service, ex.action, anonymous = _route(request, incoming)
    ex.params = _params(incoming, request.content_type, anonymous)
    if anonymous:
        ex.caller = anonymous_caller(state.backend.account_id)
    else:
        ex.caller = state.verifier.authenticate(incoming)
    _validate(ex.service, ex.action, ex.params)
    if state.options.authorize and not anonymous:
        documents = state.backend.identity_policy_documents(ex.caller)
        now = datetime.fromtimestamp(state.options.clock(), UTC)
        context = request_context(ex.caller, ex.params, request.remote, now)
        authorize(ex.caller, documents, ex.service, ex.action, ex.params, context)
    if (ex.service, ex.action) not in state.implemented:
        raise EmulatorError("UnsupportedOperation", f"The emulator does not implement "
                            f"{PRODUCTS[ex.service][0]} {ex.action} (the API has it); see "
                            "docs/emulator.md for the actions it serves.", 400)
    if state.options.quotas:
        state.quotas.check(ex.caller.account_id, ex.service, ex.action)
    ex.plan = state.faults.plan(ex.service, ex.action)
    if ex.plan.latency_s:
        await asyncio.sleep(ex.plan.latency_s)
    if ex.plan.drop:
        raise _Dropped
    if ex.plan.error is not None:
        raise ex.plan.error.exception()
    return _dispatch(state, ex)


def _incoming(request: web.Request, raw: bytes) -> IncomingRequest:
    path, _, query = request.raw_path.partition("?")
    try:
        pairs = parse_query(query)
    except (UnicodeDecodeError, ValueError):
        raise EmulatorError("InvalidParameter", "The query string is not valid percent-encoded "
                            "UTF-8.") from None
    return IncomingRequest(request.method, path, pairs, list(request.headers.items()), raw)


def _route(request: web.Request, incoming: IncomingRequest) -> tuple[str, str, bool]:
    """``(service, action, anonymous)`` from the headers (or, for anonymous V2 calls, the query).

    The STS credential providers call AssumeRoleWithOIDC/SAML with ``Action`` and ``Version`` in
    the query and no ``x-acs-*`` headers; that form is accepted for anonymous actions only.
    """
    if request.method not in ("GET", "POST"):
        raise EmulatorError("UnsupportedHTTPMethod", f"The HTTP method {request.method} is not "
                            "supported; use GET or POST.", 400)
    query = dict(incoming.query)
    version = incoming.header("x-acs-version") or query.get("Version", "")
    action = incoming.header("x-acs-action") or query.get("Action", "")
    service = metadata.service_for_version(version) if version else None
    spec = metadata.load(service).actions.get(action) if service else None
    if service is None or spec is None or incoming.path not in ("", "/"):
        raise EmulatorError("InvalidAction.NotFound", f"{_NOT_FOUND} (x-acs-version={version!r}"
                            f", x-acs-action={action!r}, path={incoming.path!r})", 404)
    anonymous = spec.auth_type.lower() == "anonymous"
    if not anonymous and incoming.header("x-acs-action") is None:
        raise EmulatorError("InvalidAction.NotFound", f"{_NOT_FOUND} (signature V3 carries the "
                            "action in x-acs-action and the version in x-acs-version)", 404)
    return service, action, anonymous


def _params(incoming: IncomingRequest, content_type: str, anonymous: bool) -> dict[str, str]:
    """Query parameters, then form-body ones (docs/alibaba.md §7 point 4)."""
    params = dict(incoming.query)
    if content_type == _FORM and incoming.body:
        try:
            params.update(parse_query(incoming.body.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            raise EmulatorError("InvalidParameter", "The form body is not valid percent-encoded "
                                "UTF-8.") from None
    if anonymous:
        params = {k: v for k, v in params.items() if k not in _V2_COMMON}
    return params


def _validate(service: str, action: str, params: dict[str, str]) -> None:
    try:
        metadata.validate_request(service, action, params)  # type: ignore[arg-type]
    except metadata.RequestValidationError as exc:
        raise EmulatorError(exc.code, exc.message, exc.http_status) from None


def _dispatch(state: EmulatorState, ex: _Exchange) -> dict[str, Any]:
    assert ex.caller is not None and ex.params is not None
    try:
        return state.dispatch(state.backend, ex.service, ex.action, ex.params, ex.caller)
    except EmulatorError:
        raise
    except Exception:
        _LOG.exception("emulator: %s %s failed", ex.service, ex.action)
        raise EmulatorError("InternalError", "An internal error occurred.", 500) from None


def error_body(error: EmulatorError, request_id: str, service: str, host: str) -> dict[str, Any]:
    """Alibaba's JSON error body, with ``Recommend`` and any extra fields of the error."""
    product, host_id = PRODUCTS.get(service, ("", host))
    recommend = f"https://api.aliyun.com/troubleshoot?q={quote(error.code, safe='')}"
    if product:
        recommend += f"&product={product}"
    recommend += f"&requestId={request_id}"
    body: dict[str, Any] = {"RequestId": request_id, "HostId": host_id, "Code": error.code,
                            "Message": error.message, "Recommend": recommend}
    body.update(getattr(error, "extra_body", None) or {})
    return body


def _json(status: int, body: dict[str, Any], request_id: str) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        content_type="application/json", charset="utf-8",
        headers={"x-acs-request-id": request_id},
    )


def _log(state: EmulatorState, ex: _Exchange, status: int, code: str, *,
         dropped: bool = False) -> None:
    params = tuple(sorted((ex.params or {}).items()))
    arn = ex.caller.arn if ex.caller is not None else ""
    call = LoggedCall(ex.service, ex.action, params, status, code, arn, state.options.clock())
    state.request_log.record(call, dropped=dropped)
