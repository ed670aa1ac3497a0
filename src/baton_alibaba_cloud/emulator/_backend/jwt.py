"""The OIDC token checks of AssumeRoleWithOIDC, with STS's ``AuthenticationFail.*`` codes.

The emulator reads the JWT's claims but does NOT verify its signature: it has no way to fetch
the IdP's keys offline, and a test can then mint tokens with any signature. ``iss`` must equal
the provider's IssuerUrl, ``aud`` must name one of its ClientIds, ``exp`` must be in the future.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..entities import OIDCProvider
from ..errors import EmulatorError

__all__ = ["OIDCClaims", "check_oidc_token"]


@dataclass(frozen=True)
class OIDCClaims:
    issuer: str
    subject: str
    audiences: list[str]
    issued_at: datetime | None
    expires_at: datetime | None


def _fail(code: str, message: str) -> EmulatorError:
    return EmulatorError(f"AuthenticationFail.OIDCToken.{code}", message, 401)


def _payload(token: str) -> dict[str, Any]:
    if not token:
        raise _fail("Invalid", "The OIDCToken can not empty.")
    parts = token.split(".")
    if len(parts) != 3:
        raise _fail("Invalid", "The number of Jwt field should be divided into 3 parts with '.' .")
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        payload = json.loads(raw)
    except ValueError:
        raise _fail("Invalid", "The Jwt content is invalid that cannot be recognized.") from None
    if not isinstance(payload, dict):
        raise _fail("Invalid", "The Jwt content is invalid that cannot be recognized.")
    return payload


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return None


def check_oidc_token(token: str, provider: OIDCProvider, now: datetime) -> OIDCClaims:
    payload = _payload(token)
    issuer = str(payload.get("iss", ""))
    if issuer.rstrip("/") != provider.issuer_url.rstrip("/"):
        raise _fail("IssuerNotMatch", "Invalid issuer.")
    audience = payload.get("aud", [])
    audiences = [str(a) for a in (audience if isinstance(audience, list) else [audience])]
    if not set(audiences) & set(provider.client_ids):
        raise _fail("AudienceNotMatch", "Invalid audience.")
    expires = _time(payload.get("exp"))
    if expires is None or expires <= now:
        raise _fail("Expired", "This JsonWebToken is expired.")
    return OIDCClaims(
        issuer=issuer, subject=str(payload.get("sub", "")), audiences=audiences,
        issued_at=_time(payload.get("iat")), expires_at=expires,
    )
