"""``AlibabaClient``: one signed request = one page, over one shared aiohttp session.

Why this shape (httpx/botocore): the client owns transport, signing, retries, rate limits and
error mapping, and nothing else; loops over pages and concurrency belong to the caller. A shared
``aiohttp.ClientSession`` keeps connections pooled (the SDK's async path opens one per call,
docs/alibaba.md §7). Clock, nonce, sleep and session are injectable for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Literal

import aiohttp

from . import _pages, _transport
from ._credentials import (
    Credentials,
    CredentialsProvider,
    StsClientFactory,
    renew_credentials,
    utc_now,
)
from ._errors import AlibabaError, AuthenticationError, PagingError, ThrottlingError
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy
from ._signer import EMPTY_SHA256, SignedRequest, canonical_query, format_date, sign_request
from .endpoints import Endpoint, Endpoints, product_name
from .paging import PageGuard

__all__ = ["VERSIONS", "AlibabaClient", "ClientStats", "redact_headers", "sts_client_factory"]

logger = logging.getLogger("baton_alibaba_cloud.alibaba")

ServiceName = Literal["ram", "ims", "sts", "resourcemanager", "cloudsso"]
VERSIONS: dict[str, str] = {"ram": "2015-05-01", "ims": "2019-08-15", "sts": "2015-04-01",
                            "resourcemanager": "2020-03-31", "cloudsso": "2021-05-15"}
DEFAULT_USER_AGENT = (
    f"baton-alibaba-cloud (Python/{platform.python_version()}; aiohttp/{aiohttp.__version__})"
)
_REDACTED = "<redacted>"
EXPIRED_TOKEN = "InvalidSecurityToken.Expired"
"""The server refused an STS token as expired: renew the credentials and retry once."""

VALIDATE_REQUESTS = False
"""Validate every request against the API metadata snapshot before sending it, in every client
whose ``validate`` is left at ``None``. The test suite turns it on (``tests/conftest.py``);
``--log-level debug`` does the same through the logger level (docs/model.md §5)."""


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy safe to log: the signature and the STS token are hidden, the key id is kept."""
    safe: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower == "authorization":
            head, _, _ = value.partition(",Signature=")
            safe[name] = f"{head},Signature={_REDACTED}" if head != value else _REDACTED
        elif "token" in lower or "secret" in lower:
            safe[name] = _REDACTED
        else:
            safe[name] = value
    return safe


def _wire(params: Mapping[str, str | int | bool] | None) -> dict[str, str]:
    """Flat wire values: booleans as ``true``/``false`` (what the SDK sends), ints as digits."""
    wire: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        wire[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return wire


@dataclass
class ClientStats:
    """Counters for ``stats`` output and tests, keyed ``service:action``."""

    requests: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    renewed: Counter[str] = field(default_factory=Counter)
    """Requests retried with renewed credentials after ``InvalidSecurityToken.Expired``."""
    errors: Counter[str] = field(default_factory=Counter)
    bytes_received: int = 0

    @property
    def waiting(self) -> int:
        """Requests waiting right now past a few seconds for any answer (a silent endpoint)."""
        return self.silence.waiting if self.silence is not None else 0

    silence: _transport.SilenceWatch | None = None

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


class AlibabaClient:
    """Signed RPC calls to RAM, IMS and STS. Use ``async with`` or call ``close()``."""

    def __init__(
        self,
        credentials: CredentialsProvider,
        endpoints: Endpoints | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        rate_limits: RateLimiter | Mapping[str, float] | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        clock: Callable[[], datetime] = utc_now,
        nonce: Callable[[], str] = lambda: uuid.uuid4().hex,
        validate: bool | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self.credentials = credentials
        self.endpoints = endpoints or Endpoints()
        self._parsed: dict[str, Endpoint] = {
            s: self.endpoints.for_service(s)
            for s in ("ram", "ims", "sts", "resourcemanager", "cloudsso")
        }
        self._session = session
        self._owns_session = session is None
        if isinstance(rate_limits, RateLimiter):
            self.limiter = rate_limits
        else:
            self.limiter = RateLimiter(rate_limits)
        self.retry = retry or RetryPolicy()
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._silence = _transport.SilenceWatch(timeout)
        self._clock = clock
        self._nonce = nonce
        self._validate = validate
        self._user_agent = user_agent
        self.stats = ClientStats(silence=self._silence)
        self._ahead: set[asyncio.Task[tuple[dict[str, Any], int]]] = set()

    async def __aenter__(self) -> AlibabaClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client created it (a given session stays the caller's).

        Page requests still running ahead of their readers are cancelled first: a reader
        cancelled while it held a page leaves its ``pages()`` suspended until the event loop
        ends, and its request must not outlive the session (it would open a new one)."""
        for task in self._ahead:
            task.cancel()
        await asyncio.gather(*self._ahead, return_exceptions=True)
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None if self._owns_session else self._session

    def _validates(self) -> bool:
        """``validate`` when given; else on in tests and at debug level (looked up per call)."""
        if self._validate is not None:
            return self._validate
        return VALIDATE_REQUESTS or logger.isEnabledFor(logging.DEBUG)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._owns_session = True
        return self._session

    async def call(
        self,
        service: ServiceName,
        action: str,
        params: Mapping[str, str | int | bool] | None = None,
        *,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """Make ONE request (retried when retryable) and return the decoded JSON answer.

        ``anonymous`` sends no Authorization (STS AssumeRoleWithOIDC). Raises an
        :class:`AlibabaError` subclass chosen by the API's code.
        """
        answer, _ = await self._request(service, action, params, anonymous=anonymous)
        return answer

    async def _request(
        self, service: ServiceName, action: str,
        params: Mapping[str, str | int | bool] | None, *, anonymous: bool = False,
    ) -> tuple[dict[str, Any], int]:
        """``call``, with the size in bytes of the answer (the page guards count it)."""
        if service not in VERSIONS:
            raise ValueError(f"unknown service {service!r}; expected one of {sorted(VERSIONS)}")
        wire = _wire(params)
        if self._validates():
            _pages.validate_request(service, action, wire)
        key = f"{service}:{action}"

        def on_retry(attempt: int, error: AlibabaError, wait: float) -> None:
            self.stats.retries[key] += 1
            logger.debug("%s retry after attempt %d in %.3fs: %s", key, attempt, wait, error.code)

        used: Credentials | None = None

        async def attempt(number: int) -> tuple[dict[str, Any], int]:
            nonlocal used
            async with self.limiter.slot(service, action):
                # after the wait for the action's quota, which may outlast a session
                used = None if anonymous else await self.credentials.get()
                return await self._attempt(service, action, wire, number, used)

        try:
            return await self.retry.run(attempt, on_retry=on_retry)
        except AuthenticationError as error:
            if error.code != EXPIRED_TOKEN or not await self._renewed(key, used):
                raise
        return await self.retry.run(attempt, on_retry=on_retry)

    async def _renewed(self, key: str, stale: Credentials | None) -> bool:
        """Clocks differ: the server found the STS token expired while ours did not. Renew
        the credentials (once for all requests that met this) so the request is retried."""
        if stale is None or not await renew_credentials(self.credentials, stale):
            return False
        self.stats.renewed[key] += 1
        return True

    async def pages(
        self,
        service: ServiceName,
        action: str,
        params: Mapping[str, str | int | bool] | None = None,
        *,
        max_items: int | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield every page of a Marker-paginated action, to the end.

        Asks for the largest ``MaxItems`` the action allows (``max_items`` overrides the page
        size). A truncated page without a new Marker is an error, not an endless loop. The next
        page is requested before this one is yielded, so its round trip overlaps the caller's
        work on this one (a page of 1,000 users takes longer to turn into resources than to
        fetch); a caller that stops early has that one request made for nothing.
        """
        base: dict[str, str | int | bool] = dict(params or {})
        size = max_items if max_items is not None else _pages.max_items(service, action)
        if size is not None and "MaxItems" not in base:
            base["MaxItems"] = size
        async with contextlib.aclosing(self._follow(service, action, base, size,
                                                    "Marker")) as found:
            async for page in found:
                yield page

    async def numbered_pages(
        self,
        service: ServiceName,
        action: str,
        params: Mapping[str, str | int | bool] | None = None,
        *,
        page_size: int | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield every page of a PageNumber/PageSize action (Resource Manager), to the end.

        The sibling of :meth:`pages` for APIs that count pages instead of handing out Markers:
        asks for the largest ``PageSize`` the metadata allows and reads ``TotalCount``; the next
        page is requested before this one is yielded while the count says there is one. An
        answer whose ``TotalCount`` is missing, or a page that is empty before the count is
        reached, ends in an error rather than a silently short (or endless) listing.
        """
        base: dict[str, str | int | bool] = dict(params or {})
        size = page_size or _pages.page_size(service, action)
        base.setdefault("PageSize", size)
        guard = PageGuard(service, action, size)
        number = 1
        ahead = self._page_task(self._request(service, action, {**base, "PageNumber": number}))
        try:
            seen = 0
            while True:
                page, weight = await ahead
                guard.page(weight)
                count, total = _pages.page_count(page, service, action)
                seen += count
                if seen >= total or count == 0:
                    yield page
                    if seen < total:
                        raise PagingError(
                            "InvalidPage", f"page {number} was empty before TotalCount {total} "
                            f"(read {seen})", action=action, service=service,
                            request_id=page.get("RequestId"))
                    return
                number += 1
                ahead = self._page_task(
                    self._request(service, action, {**base, "PageNumber": number}))
                await asyncio.sleep(0)
                yield page
        finally:
            ahead.cancel()

    async def token_pages(
        self,
        service: ServiceName,
        action: str,
        params: Mapping[str, str | int | bool] | None = None,
        *,
        max_results: int | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield every page of a NextToken/MaxResults action (CloudSSO), to the end.

        The third paging style: ``IsTruncated`` says whether another page exists and
        ``NextToken`` leads to it. Asks for the largest ``MaxResults`` the metadata allows
        (``ListAccessAssignments``: 20); the next page is requested before this one is yielded.
        A truncated page without a new token is an error from the guard, never a loop.
        """
        base: dict[str, str | int | bool] = dict(params or {})
        size = max_results if max_results is not None else _pages.max_results(service, action)
        if size is not None:
            base.setdefault("MaxResults", size)
        async with contextlib.aclosing(self._follow(service, action, base, size,
                                                    "NextToken")) as found:
            async for page in found:
                yield page

    async def _follow(
        self, service: ServiceName, action: str, base: dict[str, str | int | bool],
        size: int | None, token_key: str,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """The paging loop of ``pages`` (Marker) and ``token_pages`` (NextToken): follow
        ``token_key`` while ``IsTruncated``, one page requested ahead, the guard judging every
        page and token."""
        guard = PageGuard(service, action, size)
        ahead = self._page_task(self._request(service, action, base))
        try:
            while True:
                page, weight = await ahead
                guard.page(weight)
                if not _pages.is_truncated(page):
                    yield page
                    return
                try:
                    token = guard.token(token_key, page.get(token_key))
                except PagingError as error:
                    error.request_id = str(page.get("RequestId") or "") or None
                    yield page
                    raise
                ahead = self._page_task(
                    self._request(service, action, {**base, token_key: token}))
                await asyncio.sleep(0)  # let it send now, not when the caller next awaits
                yield page
        finally:
            ahead.cancel()

    def _page_task(
        self, call: Coroutine[Any, Any, tuple[dict[str, Any], int]]
    ) -> asyncio.Task[tuple[dict[str, Any], int]]:
        """A page request running ahead of its reader, the client's until it ends (``close``
        cancels it); a failure nobody awaited (the reader stopped early) is not logged as
        never retrieved."""
        task = asyncio.create_task(call)
        self._ahead.add(task)
        task.add_done_callback(self._ahead_done)
        return task

    def _ahead_done(self, task: asyncio.Task[tuple[dict[str, Any], int]]) -> None:
        self._ahead.discard(task)
        if not task.cancelled():
            task.exception()

    def _sign(
        self, endpoint: Endpoint, service: str, action: str, wire: Mapping[str, str],
        creds: Credentials | None,
    ) -> SignedRequest:
        version = VERSIONS[service]
        if creds is not None:
            signed = sign_request(
                "POST", endpoint.host, action, version, wire, credentials=creds,
                date=self._clock(), nonce=self._nonce(),
            )
        else:
            signed = SignedRequest(canonical_query(wire.items()), {
                "host": endpoint.host, "x-acs-action": action, "x-acs-version": version,
                "x-acs-date": format_date(self._clock()), "x-acs-signature-nonce": self._nonce(),
                "x-acs-content-sha256": EMPTY_SHA256, "accept": "application/json",
            })
        signed.headers["user-agent"] = self._user_agent
        return signed

    async def _attempt(
        self, service: ServiceName, action: str, wire: Mapping[str, str], number: int,
        creds: Credentials | None,
    ) -> tuple[dict[str, Any], int]:
        key = f"{service}:{action}"
        endpoint = self._parsed[service]
        signed = self._sign(endpoint, service, action, wire, creds)
        self.stats.requests[key] += 1
        started = time.monotonic()
        status: int | str = "-"
        request_id: str | None = None
        code = ""
        try:
            answer = await self._post(endpoint, signed, service, action)
            status = answer.status
            self.stats.bytes_received += len(answer.body)
            request_id = answer.headers.get("x-acs-request-id")
            result = _transport.decode(
                service, action, answer, str(endpoint.base_url),
                access_key_id=creds.access_key_id if creds else None)
            request_id = str(result.get("RequestId") or request_id or "") or None
        except AlibabaError as error:
            self.stats.errors[error.code] += 1
            code, request_id = error.code, error.request_id or request_id
            if isinstance(error, ThrottlingError):
                self.stats.throttled[key] += 1
                self.limiter.on_throttled(service, action)
            raise
        finally:
            self._log(key, number, status, code, time.monotonic() - started, request_id,
                      signed)
        self.limiter.on_success(service, action)
        return result, len(answer.body)

    async def _post(
        self, endpoint: Endpoint, signed: SignedRequest, service: str, action: str
    ) -> _transport.Answer:
        """One exchange, watched: a silent endpoint is reported while the request waits."""
        silent = False

        def fire() -> None:
            nonlocal silent
            silent = True
            self._silence.begin(endpoint.host, f"{product_name(service)} {action}")

        watch = asyncio.get_running_loop().call_later(self._silence.after, fire)
        try:
            return await _transport.post(
                self._http(), endpoint.url(signed.url_query), signed.headers, self._timeout,
                service=service, action=action)
        finally:
            watch.cancel()
            if silent:
                self._silence.end()

    def _log(
        self, key: str, attempt: int, status: int | str, code: str, duration: float,
        request_id: str | None, signed: SignedRequest,
    ) -> None:
        """One debug record per attempt: the fields a JSON log line carries, headers redacted."""
        if not logger.isEnabledFor(logging.DEBUG):
            return
        service, _, action = key.partition(":")
        fields: dict[str, Any] = {
            "service": service, "action": action, "attempt": attempt, "status": status,
            "request_id": request_id, "duration_ms": round(duration * 1e3, 1)}
        if code:
            fields["code"] = code
        fields["headers"] = redact_headers(signed.headers)
        logger.debug("%s %s", key, code or status, extra=fields)


def sts_client_factory(endpoints: Endpoints | None = None, **options: Any) -> StsClientFactory:
    """A factory the STS credential providers use to build a short-lived STS client."""

    def build(provider: CredentialsProvider) -> AlibabaClient:
        return AlibabaClient(provider, endpoints, **options)

    return build
