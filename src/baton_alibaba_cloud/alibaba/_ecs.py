"""Credentials of the ECS instance RAM role, from the instance metadata service.

Why token mode first: instances may refuse plain metadata reads (IMDSv1 off), so we ask for a
session token with ``PUT /latest/api/token`` and send it; only when that endpoint refuses do we
fall back to plain reads. Unreachable metadata means "not on ECS", which the chain treats as
"not configured" rather than a failure. Timeouts are short (1 s) for the same reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from ._credentials import (
    Credentials,
    CredentialsError,
    CredentialsNotFound,
    RefreshingProvider,
    session_credentials,
    utc_now,
)

__all__ = ["DEFAULT_METADATA_URL", "EcsRamRoleProvider"]

DEFAULT_METADATA_URL = "http://100.100.100.200"
_TOKEN_PATH = "/latest/api/token"
_CREDS_PATH = "/latest/meta-data/ram/security-credentials/"
_TOKEN_TTL_HEADER = "X-aliyun-ecs-metadata-token-ttl-seconds"
_TOKEN_HEADER = "X-aliyun-ecs-metadata-token"


class EcsRamRoleProvider(RefreshingProvider):
    """Temporary keys of the instance's RAM role, refreshed before they expire."""

    def __init__(
        self,
        role_name: str | None = None,
        *,
        metadata_url: str = DEFAULT_METADATA_URL,
        timeout: float = 1.0,
        token_ttl: int = 21600,
        clock: Callable[[], datetime] = utc_now,
        margin: timedelta = timedelta(minutes=15),
    ) -> None:
        super().__init__(clock=clock, margin=margin)
        self.role_name = role_name or None
        self._base = metadata_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout * 3, connect=timeout,
                                              sock_read=timeout)
        self._token_ttl = token_ttl
        self.used_token = False
        self.source = f"ecs-ram-role:{role_name}" if role_name else "ecs-ram-role"

    async def _text(
        self, session: aiohttp.ClientSession, method: str, path: str, headers: dict[str, str]
    ) -> tuple[int, str]:
        try:
            async with session.request(method, self._base + path, headers=headers) as response:
                return response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise CredentialsNotFound(
                f"ECS RAM role: metadata service at {self._base} not reachable "
                f"({'no answer in time' if isinstance(error, TimeoutError) else 'no connection'})"
            ) from None

    async def _token(self, session: aiohttp.ClientSession) -> str | None:
        status, text = await self._text(
            session, "PUT", _TOKEN_PATH, {_TOKEN_TTL_HEADER: str(self._token_ttl)}
        )
        return text.strip() if status == 200 and text.strip() else None

    async def _role(self, session: aiohttp.ClientSession, headers: dict[str, str]) -> str:
        if self.role_name:
            return self.role_name
        status, text = await self._text(session, "GET", _CREDS_PATH, headers)
        names = text.split()
        if status != 200 or not names:
            raise CredentialsNotFound("ECS RAM role: the instance has no RAM role attached")
        self.role_name = names[0]
        self.source = f"ecs-ram-role:{self.role_name}"
        return self.role_name

    async def _fetch(self) -> Credentials:
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            token = await self._token(session)
            self.used_token = token is not None
            headers = {_TOKEN_HEADER: token} if token else {}
            role = await self._role(session, headers)
            status, text = await self._text(session, "GET", _CREDS_PATH + role, headers)
        if status != 200:
            raise CredentialsError(
                f"ECS RAM role {role}: the metadata service answered HTTP {status}; "
                "check that the role is attached to this instance"
            )
        return _parse_credentials(text, role)


def _parse_credentials(text: str, role: str) -> Credentials:
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("Code", "Success") != "Success":
        raise CredentialsError(f"ECS RAM role {role}: the metadata service gave no credentials")
    return session_credentials(
        body, f"ECS RAM role {role}: the metadata answer lacks an AccessKey"
    )
