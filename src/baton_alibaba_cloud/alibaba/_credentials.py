"""Credentials, the provider protocol, simple providers, single-flight refresh and the chain.

Why async providers with one in-flight refresh: the official SDK refreshes under a thread lock
that stalls the event loop for seconds (docs/alibaba.md §7). Here every waiter awaits the same
task, so 50 concurrent requests on a cold or stale cache cause exactly one STS call.
Secrets never appear in ``repr``/``str`` or in any error message.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from ._errors import AlibabaError

__all__ = [
    "ChainProvider",
    "Credentials",
    "CredentialsError",
    "CredentialsNotFound",
    "CredentialsProvider",
    "EnvironmentProvider",
    "RefreshingProvider",
    "StaticProvider",
    "StsCaller",
    "StsClientFactory",
    "parse_expiration",
    "renew_credentials",
    "session_credentials",
    "stale_time",
    "utc_now",
]

logger = logging.getLogger("baton_alibaba_cloud.alibaba")


def utc_now() -> datetime:
    """The default clock of the refreshing providers (aware UTC)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Credentials:
    """An AccessKey pair, optionally with an STS token and its expiry; ``repr`` hides secrets."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    expiration: datetime | None = None

    def __str__(self) -> str:
        kind = "sts" if self.security_token else "access key"
        return f"Credentials({kind} {self.access_key_id})"


class CredentialsError(AlibabaError):
    """Credentials could not be obtained; ``str`` is one line saying what to do."""

    def __init__(self, message: str, *, code: str = "Credentials.Failed") -> None:
        super().__init__(code, message, service="credentials")

    def __str__(self) -> str:
        return self.message


class CredentialsNotFound(CredentialsError):
    """This source is not configured at all; a chain moves on to the next source."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="Credentials.NotFound")


@runtime_checkable
class CredentialsProvider(Protocol):
    """Anything that can hand out current credentials; ``source`` names it for logs and errors."""

    @property
    def source(self) -> str: ...

    async def get(self) -> Credentials: ...


class StsCaller(Protocol):
    """The slice of ``AlibabaClient`` the STS providers use (kept structural: no import cycle)."""

    async def call(
        self,
        service: Any,
        action: str,
        params: Mapping[str, str | int | bool] | None = None,
        *,
        anonymous: bool = False,
    ) -> dict[str, Any]: ...

    async def close(self) -> None: ...


StsClientFactory = Callable[[CredentialsProvider], StsCaller]


class StaticProvider:
    """A fixed AccessKey pair (``--access-key-id``/``--access-key-secret``/``--security-token``)."""

    def __init__(
        self, access_key_id: str, access_key_secret: str, security_token: str | None = None,
        *, source: str = "static",
    ) -> None:
        if not access_key_id or not access_key_secret:
            raise CredentialsError(
                "an AccessKey needs both an id and a secret; pass both or neither",
                code="Credentials.Incomplete",
            )
        self._credentials = Credentials(access_key_id, access_key_secret, security_token or None)
        self.source = source

    async def get(self) -> Credentials:
        return self._credentials

    def __repr__(self) -> str:
        return f"StaticProvider({self._credentials.access_key_id!r})"


class EnvironmentProvider:
    """``ALIBABA_CLOUD_ACCESS_KEY_ID``/``_SECRET``/``_SECURITY_TOKEN``, read at ``get()`` time."""

    source = "environment"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = env

    async def get(self) -> Credentials:
        env = os.environ if self._env is None else self._env
        key_id = env.get("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
        secret = env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")
        if not key_id and not secret:
            raise CredentialsNotFound(
                "environment: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET not set"
            )
        if not key_id or not secret:
            raise CredentialsError(
                "environment: set both ALIBABA_CLOUD_ACCESS_KEY_ID and "
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or neither",
                code="Credentials.Incomplete",
            )
        token = env.get("ALIBABA_CLOUD_SECURITY_TOKEN") or None
        return Credentials(key_id, secret, token)


def parse_expiration(value: object) -> datetime | None:
    """STS/ECS ``Expiration`` (``2015-04-09T11:52:19Z``) as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def session_credentials(body: Mapping[str, Any], lacking: str) -> Credentials:
    """Temporary keys from ``AccessKeyId``, ``AccessKeySecret``, ``SecurityToken`` and
    ``Expiration``; ``CredentialsError(lacking)`` when the pair is missing or empty.

    Why shared: STS's ``Credentials`` object and the ECS metadata service's answer carry the
    same four fields, and a bad answer must fail as clearly from either; an empty token is none.
    """
    key_id, secret = body.get("AccessKeyId"), body.get("AccessKeySecret")
    if not isinstance(key_id, str) or not isinstance(secret, str) or not key_id or not secret:
        raise CredentialsError(lacking)
    token = body.get("SecurityToken")
    return Credentials(
        key_id, secret, token if isinstance(token, str) and token else None,
        parse_expiration(body.get("Expiration")),
    )


def stale_time(expiration: datetime | None, fetched_at: datetime,
               margin: timedelta) -> datetime | None:
    """When credentials fetched at ``fetched_at`` should be replaced: ``margin`` before they
    expire, or halfway through their life when that is shorter.

    Why the half-life cap: the expiry is in the server's clock, and the local one may differ
    by up to the 15 minutes the signature window allows. A 900-second session seen from a
    clock that is 12 minutes ahead looks 3 minutes long; a fixed 5-minute margin would then
    fetch anew on every request, the cap renews it every 90 seconds.
    """
    if expiration is None:
        return None
    lifetime = max((expiration - fetched_at).total_seconds(), 0.0)
    return expiration - min(margin, timedelta(seconds=lifetime / 2))


async def renew_credentials(provider: CredentialsProvider, stale: Credentials) -> bool:
    """Ask ``provider`` to replace ``stale``, which the server refused as expired; False when
    the provider cannot renew anything (a fixed AccessKey or STS token)."""
    renew = getattr(provider, "renew", None)
    if renew is None:
        return False
    return bool(await renew(stale))


class RefreshingProvider:
    """Caches expiring credentials and refreshes them single-flight before they expire.

    Subclasses implement ``_fetch()``. Every caller that finds the cache stale awaits the same
    task, so one refresh serves them all; a failed refresh keeps serving a still-valid value.
    ``renew`` replaces credentials the server refused as expired although the local clock
    still thought them fresh (clocks differ), again once for every request that met the
    refusal.
    """

    source = "refreshing"

    def __init__(
        self, *, clock: Callable[[], datetime] = utc_now, margin: timedelta = timedelta(minutes=5)
    ) -> None:
        self._clock = clock
        self._margin = margin
        self._cached: Credentials | None = None
        self._stale_at: datetime | None = None
        self._inflight: asyncio.Task[Credentials] | None = None
        self.fetches = 0

    def _fresh(self, creds: Credentials | None) -> bool:
        if creds is None:
            return False
        return self._stale_at is None or self._clock() < self._stale_at

    async def _fetch(self) -> Credentials:
        raise NotImplementedError

    async def _run_fetch(self) -> Credentials:
        self.fetches += 1
        asked = self._clock()
        creds = await self._fetch()
        self._cached = creds
        self._stale_at = stale_time(creds.expiration, asked, self._margin)
        logger.debug(
            "credentials from %s: %s, valid until %s, renewed from %s", self.source,
            creds.access_key_id, creds.expiration.isoformat() if creds.expiration else "-",
            self._stale_at.isoformat() if self._stale_at else "-",
            extra={"credentials_source": self.source, "fetches": self.fetches},
        )
        return creds

    def _start_fetch(self) -> asyncio.Task[Credentials]:
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.ensure_future(self._run_fetch())
        return self._inflight

    async def get(self) -> Credentials:
        cached = self._cached
        if self._fresh(cached):
            assert cached is not None
            return cached
        try:
            return await asyncio.shield(self._start_fetch())
        except CredentialsError:
            raise
        except AlibabaError:
            if cached is not None and cached.expiration and self._clock() < cached.expiration:
                return cached
            raise

    async def renew(self, stale: Credentials) -> bool:
        """Replace ``stale`` (refused by the server as expired); True once new ones are cached.

        Requests that met the refusal with the same credentials share one fetch; a request
        that comes after another one already renewed them fetches nothing.
        """
        if self._cached is not None and self._cached != stale:
            return True
        if self._inflight is None or self._inflight.done():
            logger.info(
                "the server says the credentials from %s expired before their stated "
                "expiration (the local clock may be behind); renewing them", self.source,
                extra={"credentials_source": self.source},
            )
        await asyncio.shield(self._start_fetch())
        return True


class ChainProvider:
    """The first provider that has credentials wins, and is kept for the rest of the run.

    When none has any, the error lists what was tried and how to configure credentials.
    """

    def __init__(self, providers: Sequence[CredentialsProvider]) -> None:
        self._providers = list(providers)
        self._chosen: CredentialsProvider | None = None
        self._lock = asyncio.Lock()

    @property
    def source(self) -> str:
        return self._chosen.source if self._chosen else "default-chain"

    async def get(self) -> Credentials:
        if self._chosen is not None:
            return await self._chosen.get()
        async with self._lock:
            if self._chosen is not None:
                return await self._chosen.get()
            tried: list[str] = []
            for provider in self._providers:
                try:
                    creds = await provider.get()
                except CredentialsNotFound as missing:
                    tried.append(str(missing))
                    continue
                self._chosen = provider
                return creds
        raise CredentialsNotFound(
            "no Alibaba Cloud credentials found (tried " + "; ".join(tried) + "); pass "
            "--access-key-id/--access-key-secret, --profile, or set ALIBABA_CLOUD_ACCESS_KEY_ID "
            "and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
        )

    async def renew(self, stale: Credentials) -> bool:
        """The chosen provider renews (nothing to renew before one was chosen)."""
        if self._chosen is None:
            return False
        return await renew_credentials(self._chosen, stale)
