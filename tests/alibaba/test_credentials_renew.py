"""When credentials are renewed: before the stated expiry (capped at half their life, since
the server's clock is not ours), and at once when the server refuses them as expired."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AssumeRoleProvider,
    AuthenticationError,
    Credentials,
    CredentialsProvider,
    Endpoints,
    ProfileProvider,
    RateLimiter,
    RetryPolicy,
    StaticProvider,
    default_chain,
)
from baton_alibaba_cloud.alibaba._credentials import (
    ChainProvider,
    renew_credentials,
    stale_time,
)

from .conftest import FakeApi, Seen, reply
from .test_credentials import T0, FakeClock, factory


def _sts(api: FakeApi, lifetime: timedelta, *, delay: float = 0.0) -> None:
    """STS whose sessions expire ``lifetime`` after T0; each answer numbers its token."""

    async def handler(seen: Seen) -> web.StreamResponse:
        await asyncio.sleep(delay)
        number = len(api.seen)
        expiry = (T0 + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ")
        return reply({"RequestId": f"sts-{number}", "Credentials": {
            "AccessKeyId": f"STS.{number}", "AccessKeySecret": "tmpsecret",
            "SecurityToken": f"token-{number}", "Expiration": expiry}})

    api.handler = handler


def _provider(api: FakeApi, clock: FakeClock) -> AssumeRoleProvider:
    return AssumeRoleProvider(StaticProvider("testid", "testsecret"), "acs:ram::1:role/x",
                              client_factory=factory(api), clock=clock)


def test_stale_time_is_the_margin_or_half_the_life_when_shorter() -> None:
    margin = timedelta(minutes=5)
    assert stale_time(None, T0, margin) is None
    assert stale_time(T0 + timedelta(hours=1), T0, margin) == T0 + timedelta(minutes=55)
    assert stale_time(T0 + timedelta(minutes=3), T0, margin) == T0 + timedelta(seconds=90)
    assert stale_time(T0 - timedelta(minutes=1), T0, margin) == T0 - timedelta(minutes=1)


async def test_a_session_that_looks_short_is_renewed_halfway_not_on_every_call(
    fake_api: FakeApi,
) -> None:
    """A 900 s session seen from a clock 12 minutes ahead looks 3 minutes long."""
    _sts(fake_api, timedelta(minutes=3))
    clock = FakeClock()
    provider = _provider(fake_api, clock)
    first = await provider.get()
    clock.now = T0 + timedelta(seconds=60)
    assert await provider.get() == first and provider.fetches == 1
    clock.now = T0 + timedelta(seconds=91)
    assert (await provider.get()).security_token == "token-2"
    assert provider.fetches == 2


async def test_renew_after_a_server_refusal_is_single_flight(fake_api: FakeApi) -> None:
    _sts(fake_api, timedelta(hours=1), delay=0.05)
    provider = _provider(fake_api, FakeClock())
    stale = await provider.get()
    assert await asyncio.gather(*(provider.renew(stale) for _ in range(20))) == [True] * 20
    assert provider.fetches == 2 and len(fake_api.seen) == 2
    fresh = await provider.get()
    assert fresh != stale and fresh.security_token == "token-2"
    # a request that still carried the old session after the renewal fetches nothing
    assert await provider.renew(stale) is True
    assert provider.fetches == 2


async def test_renew_goes_through_the_chain_and_the_profile(
    tmp_path: Path, fake_api: FakeApi,
) -> None:
    _sts(fake_api, timedelta(hours=1))
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": "r", "profiles": [{
        "name": "r", "mode": "RamRoleArn", "access_key_id": "testid",
        "access_key_secret": "testsecret", "ram_role_arn": "acs:ram::1:role/x"}]}))
    profile = ProfileProvider(path, env={}, client_factory=factory(fake_api), clock=FakeClock())
    chain = ChainProvider([profile])
    assert await chain.renew(await StaticProvider("a", "b").get()) is False  # nothing chosen
    stale = await chain.get()
    assert await chain.renew(stale) is True
    assert (await chain.get()).security_token == "token-2"
    assert chain.source == "assume-role:acs:ram::1:role/x via profile:r"


async def test_a_fixed_key_cannot_be_renewed() -> None:
    static = StaticProvider("id", "secret", "token")
    assert await renew_credentials(static, await static.get()) is False


def _expiring_api(api: FakeApi, *, refuse_all: bool = False) -> None:
    """STS sessions numbered in their token; RAM refuses token-1 (or every token) as expired."""

    async def handler(seen: Seen) -> web.StreamResponse:
        if seen.action == "AssumeRole":
            number = sum(s.action == "AssumeRole" for s in api.seen)
            expiry = (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return reply({"RequestId": "sts", "Credentials": {
                "AccessKeyId": "STS.tmp", "AccessKeySecret": "tmpsecret",
                "SecurityToken": f"token-{number}", "Expiration": expiry}})
        await asyncio.sleep(0.02)
        if refuse_all or seen.headers.get("x-acs-security-token") == "token-1":
            return reply({"Code": "InvalidSecurityToken.Expired", "RequestId": "E",
                          "Message": "Specified SecurityToken is expired."}, 400)
        return reply({"RequestId": "ok", "AccountAlias": "acme"})

    api.handler = handler


def _client(api: FakeApi, provider: CredentialsProvider) -> AlibabaClient:
    return AlibabaClient(provider, Endpoints.single(api.url),
                         retry=RetryPolicy(max_attempts=1), validate=False)


async def test_a_token_the_server_calls_expired_is_renewed_once_and_the_requests_retried(
    fake_api: FakeApi,
) -> None:
    _expiring_api(fake_api)
    provider = _provider(fake_api, FakeClock())
    async with _client(fake_api, provider) as client:
        answers = await asyncio.gather(*(client.call("ram", "GetAccountAlias")
                                         for _ in range(10)))
    assert [a["AccountAlias"] for a in answers] == ["acme"] * 10
    assert provider.fetches == 2  # one renewal for the ten refused requests
    assert [s.action for s in fake_api.seen].count("AssumeRole") == 2
    assert client.stats.renewed["ram:GetAccountAlias"] == 10
    assert client.stats.errors["InvalidSecurityToken.Expired"] == 10


async def test_a_renewed_token_refused_again_fails_after_one_retry(fake_api: FakeApi) -> None:
    _expiring_api(fake_api, refuse_all=True)
    provider = _provider(fake_api, FakeClock())
    async with _client(fake_api, provider) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.call("ram", "GetAccountAlias")
    assert caught.value.code == "InvalidSecurityToken.Expired"
    assert [s.action for s in fake_api.seen] == [
        "AssumeRole", "GetAccountAlias", "AssumeRole", "GetAccountAlias"]


async def test_a_fixed_sts_token_the_server_calls_expired_fails_at_once(fake_api: FakeApi) -> None:
    _expiring_api(fake_api)
    async with _client(fake_api, StaticProvider("STS.tmp", "tmpsecret", "token-1")) as client:
        with pytest.raises(AuthenticationError, match="expired"):
            await client.call("ram", "GetAccountAlias")
    assert len(fake_api.seen) == 1


async def test_a_cold_chain_fetches_once_for_many_waiters_and_never_blocks_the_loop(
    tmp_path: Path, fake_api: FakeApi,
) -> None:
    """50 requests start at once on a cold default chain that resolves to OIDC (token file
    read, STS answering in 0.2 s): one AssumeRoleWithOIDC, and the loop keeps ticking."""
    _sts(fake_api, timedelta(hours=1), delay=0.2)
    token = tmp_path / "token"
    token.write_text("jwt")
    env = {"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/k8s",
           "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/ack",
           "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token)}
    chain = default_chain(env, tmp_path / "none.json", "http://127.0.0.1:9", factory(fake_api),
                          clock=FakeClock())
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    results = await asyncio.gather(*(chain.get() for _ in range(50)))
    ticking.cancel()
    assert {r.security_token for r in results} == {"token-1"}
    assert [s.action for s in fake_api.seen] == ["AssumeRoleWithOIDC"]
    assert chain.source == "oidc:acs:ram::1:role/k8s"
    assert len(gaps) > 10 and max(gaps) < 0.15  # the loop ran all along


async def test_credentials_are_taken_after_the_wait_for_the_quota(fake_api: FakeApi) -> None:
    """A request queued behind its action's quota signs with the credentials of the moment it
    is sent, not of the moment it was queued (the session may have been renewed meanwhile)."""

    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"RequestId": "ok"})

    fake_api.handler = handler
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    class Recording:
        source = "recording"

        def __init__(self) -> None:
            self.waited: list[int] = []

        async def get(self) -> Credentials:
            self.waited.append(len(waits))
            return Credentials("testid", "testsecret")

    provider = Recording()
    limiter = RateLimiter({"ram:GetAccountAlias": 1.0}, sleep=sleep)
    async with AlibabaClient(provider, Endpoints.single(fake_api.url), rate_limits=limiter,
                             validate=False) as client:
        for _ in range(3):
            await client.call("ram", "GetAccountAlias")
    assert waits and provider.waited[-1] == len(waits)  # fetched after the last wait
