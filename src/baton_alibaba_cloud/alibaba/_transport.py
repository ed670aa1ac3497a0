"""One HTTP exchange, read defensively: no redirects, a capped body, an answer checked before use.

Why apart from the client: the client decides what to send and how often; this module decides
what of an answer may be believed. A hostile or wrong endpoint (a proxy, a web server, a
misconfigured URL) must not make the sync follow it elsewhere (the STS token would go along),
read a gigabyte, or take a malformed page for an empty one:

- redirects are never followed (Alibaba Cloud's APIs do not redirect);
- the body is streamed with a cap (``limits.MAX_BODY_BYTES``) counted after decompression, so
  neither a huge body nor a gzip bomb fills memory;
- an answer without a RequestId, or with a foreign body, is named as not Alibaba's API;
- a 2xx answer is checked against the action's response tree (``answers.validate_response``),
  and an error body sent with status 200 is an error.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from . import answers, metadata
from ._errors import (
    AlibabaError,
    NotAlibabaError,
    ThrottlingError,
    TransportError,
    error_class_for,
    error_from_body,
)
from .limits import MAX_BODY_BYTES

__all__ = ["Answer", "SilenceWatch", "decode", "post"]

log = logging.getLogger("baton_alibaba_cloud.alibaba")

NONSENSE_ATTEMPTS = 3
"""Attempts of a request whose answer made no sense or never came (a silent endpoint): enough
for a passing glitch, few enough that a wrong endpoint fails in seconds, not minutes."""

_CHUNK = 64 * 1024
_GATEWAY = frozenset({429, 502, 503, 504})
"""Statuses a load balancer in front of the API answers by itself (no RequestId): transient,
retried as a server error rather than named as a foreign endpoint."""


class SilenceWatch:
    """Requests that have waited past ``after`` seconds with no answer at all.

    Why: an endpoint that accepts the connection and never answers leaves the sync silent for
    the whole request timeout, times the retries; a person must hear about it within seconds.
    One warning per host per ``every`` seconds (not one per waiting request), and the count of
    waiting requests for the live display.
    """

    def __init__(self, timeout: float, *, every: float = 30.0) -> None:
        self.timeout = timeout
        self.after = min(5.0, timeout / 2)
        self.every = every
        self.waiting = 0
        self._warned: dict[str, float] = {}

    def begin(self, host: str, what: str) -> None:
        """A request to ``host`` (``what``: service and action) passed ``after`` seconds."""
        self.waiting += 1
        now = time.monotonic()
        if now - self._warned.get(host, -self.every) < self.every:
            return
        self._warned[host] = now
        log.warning("no answer from %s for %g s (%s); still waiting, up to the request timeout "
                    "of %g s (--request-timeout)", host, self.after, what, self.timeout)

    def end(self) -> None:
        """A request that had been reported as waiting got its answer (or gave up)."""
        self.waiting -= 1


@dataclass(frozen=True)
class Answer:
    """Status, body (decompressed, at most the cap) and headers of one exchange."""

    status: int
    body: bytes
    headers: CIMultiDictProxy[str]


async def post(
    session: aiohttp.ClientSession, url: URL, headers: Mapping[str, str],
    limit: aiohttp.ClientTimeout, *, service: str, action: str, cap: int = MAX_BODY_BYTES,
) -> Answer:
    """POST and read the answer; transport failures become :class:`TransportError`."""
    try:
        async with session.post(url, headers=dict(headers), timeout=limit,
                                allow_redirects=False) as response:
            if 300 <= response.status < 400:
                raise _redirected(response, service, action)
            body = await _read_capped(response, cap, service, action)
            return Answer(response.status, body, response.headers)
    except TimeoutError:
        raise TransportError(
            "Timeout", f"no answer from {_origin(url)} within {limit.total:g} s "
            "(--request-timeout)", action=action, service=service,
            max_attempts=NONSENSE_ATTEMPTS) from None
    except aiohttp.ClientPayloadError:
        raise TransportError("TruncatedResponse", "the answer was cut short", action=action,
                             service=service) from None
    except aiohttp.ClientError as error:
        raise TransportError("ConnectionError", _connection_text(url, error), action=action,
                             service=service) from None


def _origin(url: URL) -> str:
    """``scheme://host:port`` of a URL: where it went, without the query (names, tokens)."""
    return str(url.origin())


def _connection_text(url: URL, error: aiohttp.ClientError) -> str:
    reason = str(error).strip() or "the connection failed"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        reason = "the server closed the connection"
    return f"cannot talk to {_origin(url)}: {' '.join(reason.split())}"


def _redirected(response: aiohttp.ClientResponse, service: str, action: str) -> AlibabaError:
    """A redirect is refused, naming where it pointed; nothing is sent there."""
    location = response.headers.get("Location", "")
    try:
        target = URL(location)
        host = target.host_port_subcomponent or target.host or ""
    except ValueError:
        host = ""
    where = f"to {host}" if host else "elsewhere"
    return TransportError(
        "Redirected", f"{_origin(response.url)} answered HTTP {response.status} redirecting "
        f"{where}; Alibaba Cloud's APIs never redirect, so it was not followed",
        action=action, service=service, http_status=response.status, max_attempts=1)


async def _read_capped(
    response: aiohttp.ClientResponse, cap: int, service: str, action: str
) -> bytes:
    """The body, decompressed, or an error once it passes ``cap`` bytes (a declared length
    over the cap is refused before reading)."""
    declared = response.content_length
    if declared is not None and declared > cap and not response.headers.get("Content-Encoding"):
        raise _too_large(cap, service, action, response.status)
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > cap:
            raise _too_large(cap, service, action, response.status)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(cap: int, service: str, action: str, status: int) -> AlibabaError:
    return TransportError(
        "ResponseTooLarge", f"the answer passed {cap // (1024 * 1024)} MiB (after "
        "decompression), more than any page of this API", action=action, service=service,
        http_status=status, max_attempts=1)


def decode(
    service: metadata.Service, action: str, answer: Answer, origin: str, *,
    access_key_id: str | None,
) -> dict[str, Any]:
    """The JSON answer of a 2xx, else the error it stands for (never an empty page)."""
    status, headers = answer.status, answer.headers
    retry_after = _retry_after(headers)
    request_id = headers.get("x-acs-request-id")
    body = _json(answer.body)
    has_id = bool(request_id) or (isinstance(body, dict) and bool(body.get("RequestId")))
    if isinstance(body, dict) and has_id and 200 <= status < 300:
        return _checked(service, action, body, status)
    if isinstance(body, dict) and has_id:
        return _raise(error_from_body(
            body, service=service, action=action, http_status=status, request_id=request_id,
            access_key_id=access_key_id, retry_after=retry_after))
    if not has_id and _foreign(answer, body) and retry_after is None:
        raise NotAlibabaError(
            "NotAlibabaAPI", f"{origin} answered HTTP {status} with {_describe(answer)} and no "
            "RequestId: that is not Alibaba Cloud's API", action=action, service=service,
            http_status=status, max_attempts=NONSENSE_ATTEMPTS)
    cls = error_class_for("", status) if status >= 300 else TransportError
    if status >= 300 and retry_after is not None:
        cls = ThrottlingError
    raise cls(
        "InvalidResponse" if status < 300 else f"HTTP{status}",
        f"HTTP {status} with a truncated or non-JSON body ({len(answer.body)} bytes)",
        action=action, service=service, http_status=status, request_id=request_id,
        retry_after=retry_after, max_attempts=NONSENSE_ATTEMPTS if status < 300 else None)


def _foreign(answer: Answer, body: Any) -> bool:
    """Whether an answer without a RequestId is some other server's: JSON of another shape, or a
    body that does not claim to be JSON (a web page), unless a gateway's transient status."""
    if body is not None:
        return True
    kind = answer.headers.get("Content-Type", "")
    return answer.status not in _GATEWAY and "json" not in kind.lower()


def _raise(error: AlibabaError) -> dict[str, Any]:
    raise error


def _json(raw: bytes) -> Any:
    """The decoded body, ``None`` when it is not JSON (or nests deeper than the parser goes)."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _describe(answer: Answer) -> str:
    kind = answer.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    if not answer.body:
        return f"an empty body ({kind})"
    what = "a JSON body of another API" if _json(answer.body) is not None else "a body"
    return f"{what} ({kind}, {len(answer.body)} bytes)"


def _checked(
    service: metadata.Service, action: str, body: dict[str, Any], status: int
) -> dict[str, Any]:
    """A 2xx body that is the action's answer, else a retried ``InvalidResponse``."""
    spec = metadata.load(service).actions.get(action)
    request_id = str(body.get("RequestId") or "") or None
    problem = ""
    if "Code" in body and spec is not None and "Code" not in spec.response.fields:
        problem = (f"HTTP {status} carrying the error {body.get('Code')}: "
                   f"{' '.join(str(body.get('Message') or 'no message').split())}")
    else:
        try:
            answers.validate_response(service, action, body)
        except answers.ResponseValidationError as error:
            problem = f"the answer does not fit the API: {error}"
    if not problem:
        return body
    raise TransportError("InvalidResponse", problem, action=action, service=service,
                         http_status=status, request_id=request_id,
                         max_attempts=NONSENSE_ATTEMPTS)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """``x-acs-retry-after`` in milliseconds (what the SDK assumes) as seconds."""
    value = headers.get("x-acs-retry-after")
    try:
        millis = float(value) if value is not None else 0.0
    except ValueError:
        return None
    return millis / 1000.0 if millis > 0 else None
