"""Credentials from STS: AssumeRole (``--role-arn``) and AssumeRoleWithOIDC (RRSA/ACK).

Why through ``AlibabaClient``: STS is just another V3 RPC service (2015-04-01), so it gets the
same signing, retries and errors; a factory builds the client so that this module never imports
``_client`` (which imports the credential types) and tests can point it at a fake STS.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ._credentials import (
    Credentials,
    CredentialsError,
    CredentialsNotFound,
    CredentialsProvider,
    RefreshingProvider,
    StsClientFactory,
    session_credentials,
    utc_now,
)

__all__ = [
    "AnonymousProvider",
    "AssumeRoleProvider",
    "OidcEnvProvider",
    "OidcProvider",
    "credentials_from_sts",
]


class AnonymousProvider:
    """Stands for "no credentials" when a client only makes anonymous calls (AssumeRoleWithOIDC)."""

    source = "anonymous"

    async def get(self) -> Credentials:
        raise CredentialsError("this client makes anonymous calls only", code="Credentials.None")


def credentials_from_sts(answer: Mapping[str, Any], what: str) -> Credentials:
    """The ``Credentials`` object of an STS answer, checked so a bad answer fails clearly."""
    body = answer.get("Credentials")
    if not isinstance(body, Mapping):
        raise CredentialsError(f"{what}: STS answered without Credentials")
    return session_credentials(body, f"{what}: STS answered without an AccessKey pair")


async def _ask_sts(
    factory: StsClientFactory, caller: CredentialsProvider, action: str,
    params: Mapping[str, str | int | bool], what: str, *, anonymous: bool = False,
) -> Credentials:
    """One STS ``action`` through a client of its own, closed whatever happens."""
    client = factory(caller)
    try:
        answer = await client.call("sts", action, params, anonymous=anonymous)
    finally:
        await client.close()
    return credentials_from_sts(answer, what)


def _default_session_name() -> str:
    return f"baton-alibaba-cloud-{int(time.time())}"


class AssumeRoleProvider(RefreshingProvider):
    """STS AssumeRole with the base credentials; cached and refreshed before ``Expiration``."""

    def __init__(
        self,
        base_provider: CredentialsProvider,
        role_arn: str,
        session_name: str | None = None,
        external_id: str | None = None,
        duration: int = 3600,
        *,
        client_factory: StsClientFactory,
        clock: Callable[[], datetime] = utc_now,
        margin: timedelta = timedelta(minutes=5),
    ) -> None:
        super().__init__(clock=clock, margin=margin)
        if not role_arn:
            raise CredentialsError("--role-arn must not be empty", code="Credentials.Incomplete")
        self._base = base_provider
        self.role_arn = role_arn
        self._session_name = session_name or _default_session_name()
        self._external_id = external_id
        self._duration = duration
        self._factory = client_factory

    @property
    def source(self) -> str:  # type: ignore[override]
        """``assume-role:<arn> via <base source>`` (the base is known once it was used)."""
        return f"assume-role:{self.role_arn} via {self._base.source}"

    async def _fetch(self) -> Credentials:
        params: dict[str, str | int | bool] = {
            "RoleArn": self.role_arn,
            "RoleSessionName": self._session_name,
            "DurationSeconds": self._duration,
        }
        if self._external_id:
            params["ExternalId"] = self._external_id
        return await _ask_sts(self._factory, self._base, "AssumeRole", params,
                              f"AssumeRole {self.role_arn}")


class OidcProvider(RefreshingProvider):
    """STS AssumeRoleWithOIDC: an anonymous call that trades the OIDC token file for STS keys.

    The token file is re-read on every refresh (Kubernetes rotates it).
    """

    def __init__(
        self,
        role_arn: str,
        oidc_provider_arn: str,
        token_file: str | Path,
        session_name: str | None = None,
        duration: int = 3600,
        *,
        client_factory: StsClientFactory,
        clock: Callable[[], datetime] = utc_now,
        margin: timedelta = timedelta(minutes=5),
    ) -> None:
        super().__init__(clock=clock, margin=margin)
        self.role_arn = role_arn
        self._provider_arn = oidc_provider_arn
        self._token_file = Path(token_file)
        self._session_name = session_name or _default_session_name()
        self._duration = duration
        self._factory = client_factory
        self.source = f"oidc:{role_arn}"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None, *, client_factory: StsClientFactory,
        clock: Callable[[], datetime] = utc_now,
    ) -> OidcProvider | None:
        """The provider the three ``ALIBABA_CLOUD_*`` OIDC variables describe, or ``None``."""
        env = os.environ if env is None else env
        names = ("ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                 "ALIBABA_CLOUD_OIDC_TOKEN_FILE")
        values = [env.get(n, "") for n in names]
        if not all(values):
            return None
        return cls(
            values[0], values[1], values[2], env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME") or None,
            client_factory=client_factory, clock=clock,
        )

    async def _read_token(self) -> str:
        try:
            token = await asyncio.to_thread(self._token_file.read_text, encoding="utf-8")
        except OSError as error:
            raise CredentialsError(
                f"oidc: cannot read the OIDC token file {self._token_file}: {error.strerror}"
            ) from None
        if not token.strip():
            raise CredentialsError(f"oidc: the OIDC token file {self._token_file} is empty")
        return token.strip()

    async def _fetch(self) -> Credentials:
        params: dict[str, str | int | bool] = {
            "RoleArn": self.role_arn,
            "OIDCProviderArn": self._provider_arn,
            "OIDCToken": await self._read_token(),
            "RoleSessionName": self._session_name,
            "DurationSeconds": self._duration,
        }
        return await _ask_sts(self._factory, AnonymousProvider(), "AssumeRoleWithOIDC", params,
                              f"AssumeRoleWithOIDC {self.role_arn}", anonymous=True)


class OidcEnvProvider:
    """The chain's OIDC step: not configured unless all three variables are set."""

    def __init__(
        self, env: Mapping[str, str] | None, *, client_factory: StsClientFactory,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._inner = OidcProvider.from_env(env, client_factory=client_factory, clock=clock)

    @property
    def source(self) -> str:
        """``oidc:<role arn>`` (the role of ``ALIBABA_CLOUD_ROLE_ARN``)."""
        return self._inner.source if self._inner is not None else "oidc"

    async def get(self) -> Credentials:
        if self._inner is None:
            raise CredentialsNotFound(
                "OIDC: ALIBABA_CLOUD_ROLE_ARN/_OIDC_PROVIDER_ARN/_OIDC_TOKEN_FILE not all set"
            )
        return await self._inner.get()

    async def renew(self, stale: Credentials) -> bool:
        return self._inner is not None and await self._inner.renew(stale)
