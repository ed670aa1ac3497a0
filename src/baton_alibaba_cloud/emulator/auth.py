"""V3 (``ACS3-HMAC-SHA256``) request authentication: who is calling, or which gateway error.

Why rebuild from the received bytes: clients encode the same query differently (the SDK's sync
client sends ``+`` for a space, its async client leaves ``/`` and ``*`` raw), and the real
gateway accepts them all because it decodes and re-canonicalises. We do the same with the
client's own primitives (``alibaba._signer``), so the signer and the verifier cannot drift.
Checks and codes follow docs/alibaba.md §1 and §4.2; docs/alibaba.md §7 lists what the official
client needs.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from ..alibaba._signer import (
    ALGORITHM,
    canonical_headers,
    canonical_query,
    canonical_request,
    parse_authorization,
    payload_hash,
    string_to_sign,
)
from ..alibaba._signer import signature as compute_signature
from .errors import EmulatorError
from .identity import Caller, ResolvedKey
from .options import EmulatorOptions

__all__ = [
    "ANONYMOUS_ACTIONS",
    "IncomingRequest",
    "KeyResolver",
    "NonceCache",
    "Verifier",
    "anonymous_caller",
    "server_canonical_request",
]

ANONYMOUS_ACTIONS = frozenset({("sts", "AssumeRoleWithOIDC"), ("sts", "AssumeRoleWithSAML")})
"""Called without credentials: the official STS client uses ``auth_type='Anonymous'`` for them
(``alibabacloud_sts20150401`` ``assume_role_with_oidc``/``_saml``); the token is the proof."""

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _err(code: str, message: str, status: int = 400) -> EmulatorError:
    return EmulatorError(code, message, status)


@dataclass(frozen=True)
class IncomingRequest:
    """The parts of a received request that the signature covers, exactly as received.

    ``query`` holds the decoded pairs of the URL query (``alibaba._signer.parse_query``);
    ``headers`` every header with its original name, duplicates kept.
    """

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header, names compared without case."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


class KeyResolver(Protocol):
    """The one thing authentication needs from the backend."""

    def resolve_access_key(self, access_key_id: str) -> ResolvedKey | None: ...


class NonceCache:
    """Nonces seen within the date window; older ones are forgotten (they fail the date check).

    The retention window of the real service is UNCONFIRMED (docs/alibaba.md §1.12); we keep a
    nonce as long as a request carrying it could still pass the ±15 minute date check.
    """

    def __init__(self, window_s: float) -> None:
        self._window_s = window_s
        self._seen: dict[str, float] = {}
        self._next_prune = 0.0

    def use(self, nonce: str, now: float) -> bool:
        """Record the nonce; False when it was already used within the window."""
        if now >= self._next_prune:
            horizon = now - 2 * self._window_s
            self._seen = {n: t for n, t in self._seen.items() if t >= horizon}
            self._next_prune = now + self._window_s / 10
        previous = self._seen.get(nonce)
        if previous is not None and now - previous <= 2 * self._window_s:
            return False
        self._seen[nonce] = now
        return True


def anonymous_caller(account_id: str) -> Caller:
    """The caller of an anonymous action: no key, no ARN; handlers must not rely on it."""
    return Caller(account_id, "user", "anonymous", "", "anonymous", "")


class Verifier:
    """Turns a signed request into a :class:`Caller` or raises the gateway's error."""

    def __init__(self, resolver: KeyResolver, options: EmulatorOptions) -> None:
        self._resolver = resolver
        self._options = options
        self._clock: Callable[[], float] = options.clock
        self._nonces = NonceCache(options.clock_window_s)

    def authenticate(self, request: IncomingRequest) -> Caller:
        """Check, in order: Authorization shape, date, key, signature, nonce, STS token."""
        header = request.header("authorization")
        if not header:
            raise _err("IncompleteSignature", "The request signature does not conform to Aliyun "
                       "standards. The Authorization header is missing.")
        key_id, signed, claimed = _parse_authorization(header)
        now = self._clock()
        if self._options.check_clock:
            _check_date(request.header("x-acs-date"), now, self._options.clock_window_s)
        nonce = request.header("x-acs-signature-nonce")
        if not nonce:
            raise _err("MissingSignatureNonce", "SignatureNonce is mandatory for this action.")
        resolved = self._resolver.resolve_access_key(key_id)
        if resolved is None:
            raise _err("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        if resolved.status.lower() != "active":
            raise _err("InvalidAccessKeyId.Inactive", "Specified access key is disabled.")
        _check_signed_names(request, signed)
        if self._options.check_signature:
            _check_signature(request, signed, claimed, resolved.secret)
        if self._options.check_nonce and not self._nonces.use(nonce, now):
            raise _err("SignatureNonceUsed", "Specified signature nonce was used already.")
        _check_token(resolved, request.header("x-acs-security-token"), now)
        return resolved.caller


def _parse_authorization(header: str) -> tuple[str, list[str], str]:
    try:
        algorithm, key_id, signed, claimed = parse_authorization(header)
    except ValueError as exc:
        raise _err("IncompleteSignature", "The request signature does not conform to Aliyun "
                   f"standards. {exc}.") from None
    if algorithm != ALGORITHM:
        raise _err("InvalidSignatureMethod", f"Specified signature method is not valid: "
                   f"{algorithm!r}; the emulator verifies {ALGORITHM} only.")
    return key_id, signed, claimed


def _check_date(value: str | None, now: float, window_s: float) -> None:
    try:
        when = datetime.strptime(value or "", _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _err("InvalidTimeStamp.Format", "Specified time stamp or date value is not well "
                   f"formatted: x-acs-date={value!r}, expected yyyy-MM-ddTHH:mm:ssZ.") from None
    if abs(when.timestamp() - now) > window_s:
        raise _err("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired. "
                   f"x-acs-date={value} is more than 15 minutes from the server time.")


def _check_signed_names(request: IncomingRequest, signed: list[str]) -> None:
    """``host`` and every ``x-acs-*`` header sent must be signed, or they could be swapped."""
    names = {n.lower() for n in signed}
    sent = {k.lower() for k, _ in request.headers}
    required = {n for n in sent if n.startswith("x-acs-")} | {"host"}
    missing = sorted(required - names)
    if missing:
        raise _err("IncompleteSignature", "The request signature does not conform to Aliyun "
                   f"standards. Headers not signed: {', '.join(missing)}.")


def server_canonical_request(request: IncomingRequest, signed: list[str]) -> str:
    """The canonical request as the server rebuilds it from what it received."""
    claimed_hash = request.header("x-acs-content-sha256") or payload_hash(request.body)
    headers, signed_names = canonical_headers(request.headers, signed)
    return canonical_request(request.method, request.path or "/", canonical_query(request.query),
                             headers, signed_names, claimed_hash)


def _check_signature(request: IncomingRequest, signed: list[str], claimed: str,
                     secret: str) -> None:
    claimed_hash = request.header("x-acs-content-sha256")
    if claimed_hash is not None and claimed_hash.lower() != payload_hash(request.body):
        raise _err("SignatureDoesNotMatch", "Specified signature is not matched with our "
                   "calculation. x-acs-content-sha256 is not the SHA-256 of the body.")
    to_sign = string_to_sign(server_canonical_request(request, signed))
    expected = compute_signature(secret, to_sign)
    if not hmac.compare_digest(expected.encode(), claimed.lower().encode()):
        server = to_sign.replace("\n", "\\n")
        raise _err("SignatureDoesNotMatch", "Specified signature is not matched with our "
                   f"calculation. server string to sign is:{server}")


def _check_token(resolved: ResolvedKey, token: str | None, now: float) -> None:
    if resolved.security_token is None:
        return
    if not token:
        raise _err("MissingSecurityToken", "SecurityToken is mandatory for this action: "
                   f"{resolved.access_key_id} is an STS AccessKey.")
    if not hmac.compare_digest(token.encode(), resolved.security_token.encode()):
        raise _err("InvalidSecurityToken.MismatchWithAccessKey",
                   "Specified SecurityToken mismatch with the AccessKey.")
    if resolved.expires_at is not None and resolved.expires_at.timestamp() <= now:
        raise _err("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
