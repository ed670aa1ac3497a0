"""ACS3-HMAC-SHA256 (Alibaba Cloud signature V3), as small pure functions.

Why pure functions: the client signs with them and the emulator verifies with the very same
primitives, so a request the client builds and a request the emulator accepts cannot drift apart.
Nothing here does I/O or reads a clock; the caller passes the date and nonce, which makes the
official worked example and the captured SDK requests reproducible byte for byte.

Reference: ``docs/alibaba.md`` §1.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import parse_qsl, quote

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "SignedRequest",
    "SigningCredentials",
    "authorization_header",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "format_date",
    "parse_authorization",
    "parse_query",
    "payload_hash",
    "percent_encode",
    "sign",
    "sign_request",
    "signature",
    "string_to_sign",
]

ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class SigningCredentials(Protocol):
    """What signing needs from a credential: structural, so the signer imports no provider."""

    @property
    def access_key_id(self) -> str: ...

    @property
    def access_key_secret(self) -> str: ...

    @property
    def security_token(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """The parts of a signed request that go on the wire.

    ``url_query`` is the canonical query string; sending it verbatim (no re-quoting) means the
    server decodes exactly what was signed. ``headers`` are lowercase and include
    ``authorization``.
    """

    url_query: str
    headers: dict[str, str]


def percent_encode(value: str) -> str:
    """RFC 3986 encoding of UTF-8: only ``A-Za-z0-9-_.~`` stay literal (space→%20, ``*``→%2A)."""
    return quote(value, safe="~", encoding="utf-8")


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Decode a received query string into pairs, as a server must before re-canonicalising.

    ``+`` means a space (the SDK's sync client form-encodes the query), and blank values are kept
    because ``name=`` takes part in the signature.
    """
    return parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """Sorted ``name=value`` pairs, both percent-encoded, joined with ``&`` (empty → ``""``)."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]], signed: Iterable[str]
) -> tuple[str, str]:
    """Return ``(canonical headers, signed headers)`` for the names in ``signed``.

    Names compare without case. Several headers with one name are merged as the Python SDK does
    (values trimmed, sorted, joined with ``,``); a signed name that is absent counts as empty,
    which simply fails verification rather than raising.
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name.lower(), []).append(value.strip())
    names = sorted({n.strip().lower() for n in signed if n.strip()})
    lines = "".join(f"{n}:{','.join(sorted(values.get(n, [''])))}\n" for n in names)
    return lines, ";".join(names)


def canonical_request(
    method: str,
    path: str,
    canonical_query: str,
    canonical_headers: str,
    signed_headers: str,
    payload_hash: str,
) -> str:
    """Join the six parts; ``canonical_headers`` already ends with a newline (blank line)."""
    return "\n".join(
        [method.upper(), path or "/", canonical_query, canonical_headers, signed_headers,
         payload_hash]
    )


def string_to_sign(canonical_request: str) -> str:
    """``ACS3-HMAC-SHA256\\n`` + lowercase hex SHA-256 of the canonical request."""
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{digest}"


def signature(secret: str, string_to_sign: str) -> str:
    """Lowercase hex HMAC-SHA256 keyed by the secret as-is (no ``&`` suffix, unlike V2)."""
    mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()


def sign(secret: str, canonical_request: str) -> str:
    """Signature of a canonical request: ``signature(secret, string_to_sign(cr))``."""
    return signature(secret, string_to_sign(canonical_request))


def payload_hash(body: bytes) -> str:
    """Lowercase hex SHA-256 of the body; the value of ``x-acs-content-sha256``."""
    return hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256


def authorization_header(access_key_id: str, signed_headers: str, signature: str) -> str:
    """The exact wire form: one space after the algorithm, no spaces around the commas."""
    return (
        f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},"
        f"Signature={signature}"
    )


def parse_authorization(header: str) -> tuple[str, str, list[str], str]:
    """Split an Authorization header into ``(algorithm, access key id, signed headers, sig)``.

    Raises ``ValueError`` with a short reason on anything malformed, so a verifier can answer
    ``IncompleteSignature`` without guessing.
    """
    algorithm, sep, rest = header.strip().partition(" ")
    if not sep or not algorithm or not rest.strip():
        raise ValueError("Authorization header has no credential part")
    parts: dict[str, str] = {}
    for item in rest.strip().split(","):
        key, eq, value = item.strip().partition("=")
        if not eq or key not in ("Credential", "SignedHeaders", "Signature") or key in parts:
            raise ValueError(f"Authorization header has an unexpected part {key!r}")
        parts[key] = value
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not parts.get(k)]
    if missing:
        raise ValueError(f"Authorization header lacks {', '.join(missing)}")
    signed = [n for n in parts["SignedHeaders"].split(";")]
    if any(not n for n in signed):
        raise ValueError("Authorization header has an empty signed header name")
    return algorithm, parts["Credential"], signed, parts["Signature"]


def format_date(when: datetime) -> str:
    """``x-acs-date`` form: UTC ``yyyy-MM-ddTHH:mm:ssZ`` (naive datetimes are taken as UTC)."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime(_DATE_FORMAT)


def sign_request(
    method: str,
    host: str,
    action: str,
    version: str,
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    credentials: SigningCredentials,
    date: datetime | str,
    nonce: str,
    body: bytes = b"",
    content_type: str | None = None,
) -> SignedRequest:
    """Sign one RPC request: ``host``, every ``x-acs-*`` header and ``content-type`` if any.

    ``host`` includes the port when it is not the scheme's default (the server sees it so).
    ``accept: application/json`` is added unsigned: it is not a header V3 requires to be signed.
    """
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    query = canonical_query(pairs)
    body_hash = payload_hash(body)
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date if isinstance(date, str) else format_date(date),
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": body_hash,
    }
    if credentials.security_token:
        headers["x-acs-security-token"] = credentials.security_token
    if content_type:
        headers["content-type"] = content_type
    canon, signed = canonical_headers(headers, headers.keys())
    request = canonical_request(method, "/", query, canon, signed, body_hash)
    sig = sign(credentials.access_key_secret, request)
    headers["authorization"] = authorization_header(credentials.access_key_id, signed, sig)
    headers["accept"] = "application/json"
    return SignedRequest(url_query=query, headers=headers)
