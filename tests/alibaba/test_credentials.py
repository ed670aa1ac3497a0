"""Credential providers: env, CLI profile modes, ECS metadata, AssumeRole/OIDC refresh, chain."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from baton_alibaba_cloud.alibaba import (
    AssumeRoleProvider,
    AuthenticationError,
    Credentials,
    CredentialsError,
    CredentialsNotFound,
    EcsRamRoleProvider,
    Endpoints,
    EnvironmentProvider,
    OidcProvider,
    ProfileProvider,
    RetryPolicy,
    StaticProvider,
    default_chain,
    sts_client_factory,
)
from baton_alibaba_cloud.alibaba._credentials import StsClientFactory

from .conftest import FakeApi, Seen, reply

T0 = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _expiry(hours: float = 1) -> str:
    return (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def sts_server(api: FakeApi, *, delay: float = 0.0) -> None:
    """STS that hands out STS.tmp keys; each answer is numbered in its token."""

    async def handler(seen: Seen) -> web.StreamResponse:
        await asyncio.sleep(delay)
        number = len(api.seen)
        return reply({"RequestId": f"sts-{number}", "Credentials": {
            "AccessKeyId": "STS.tmp", "AccessKeySecret": "tmpsecret",
            "SecurityToken": f"token-{number}", "Expiration": _expiry(1)}})

    api.handler = handler


def factory(api: FakeApi) -> StsClientFactory:
    return sts_client_factory(Endpoints.single(api.url), retry=RetryPolicy(max_attempts=1))


def test_credentials_never_show_secrets() -> None:
    creds = Credentials("LTAI1", "s3cr3t", "t0k3n")
    for text in (repr(creds), str(creds), repr(StaticProvider("LTAI1", "s3cr3t"))):
        assert "s3cr3t" not in text and "t0k3n" not in text and "LTAI1" in text


async def test_environment_provider() -> None:
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sec",
           "ALIBABA_CLOUD_SECURITY_TOKEN": "tok"}
    assert await EnvironmentProvider(env).get() == Credentials("id", "sec", "tok")
    with pytest.raises(CredentialsNotFound):
        await EnvironmentProvider({}).get()
    with pytest.raises(CredentialsError) as caught:
        await EnvironmentProvider({"ALIBABA_CLOUD_ACCESS_KEY_ID": "id"}).get()
    assert not isinstance(caught.value, CredentialsNotFound)
    with pytest.raises(CredentialsError):
        StaticProvider("id", "")


def _write_profiles(tmp_path: Path, current: str, profiles: list[dict[str, object]]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": current, "profiles": profiles}))
    return path


async def test_profile_ak_and_sts_token_modes(tmp_path: Path) -> None:
    path = _write_profiles(tmp_path, "b", [
        {"name": "a", "mode": "AK", "access_key_id": "ida", "access_key_secret": "seca"},
        {"name": "b", "mode": "StsToken", "access_key_id": "idb", "access_key_secret": "secb",
         "sts_token": "tokb"},
    ])
    current = ProfileProvider(path, env={})
    assert await current.get() == Credentials("idb", "secb", "tokb")
    assert current.source == "profile:b"
    by_env = ProfileProvider(path, env={"ALIBABA_CLOUD_PROFILE": "a"})
    assert await by_env.get() == Credentials("ida", "seca")
    by_flag = ProfileProvider(path, "a", env={"ALIBABA_CLOUD_PROFILE": "b"})
    assert (await by_flag.get()).access_key_id == "ida"
    with pytest.raises(CredentialsError, match=r"profile 'zz' is not in .* \(profiles: a, b\)"):
        await ProfileProvider(path, "zz", env={}).get()
    with pytest.raises(CredentialsNotFound):
        await ProfileProvider(tmp_path / "none.json", env={}).get()
    with pytest.raises(CredentialsError, match="mode CloudSSO"):
        await ProfileProvider(
            _write_profiles(tmp_path, "s", [{"name": "s", "mode": "CloudSSO"}]), env={}
        ).get()


async def test_profile_ram_role_arn_assumes_the_role(tmp_path: Path, fake_api: FakeApi) -> None:
    sts_server(fake_api)
    path = _write_profiles(tmp_path, "r", [{
        "name": "r", "mode": "RamRoleArn", "access_key_id": "testid",
        "access_key_secret": "testsecret", "ram_role_arn": "acs:ram::123:role/sync",
        "ram_session_name": "baton", "expired_seconds": 900,
    }])
    provider = ProfileProvider(path, env={}, client_factory=factory(fake_api))
    creds = await provider.get()
    assert creds == Credentials("STS.tmp", "tmpsecret", "token-1",
                                T0 + timedelta(hours=1))
    seen = fake_api.seen[0]
    assert seen.action == "AssumeRole" and seen.version == "2015-04-01" and seen.signature_ok
    assert seen.params == {"RoleArn": "acs:ram::123:role/sync", "RoleSessionName": "baton",
                           "DurationSeconds": "900"}


async def test_assume_role_refreshes_before_expiry(fake_api: FakeApi) -> None:
    sts_server(fake_api)
    clock = FakeClock()
    provider = AssumeRoleProvider(
        StaticProvider("testid", "testsecret"), "acs:ram::123:role/x", "s", "ext-1",
        client_factory=factory(fake_api), clock=clock,
    )
    assert provider.source == "assume-role:acs:ram::123:role/x via static"
    assert (await provider.get()).security_token == "token-1"
    assert fake_api.seen[0].params["ExternalId"] == "ext-1"
    clock.now = T0 + timedelta(minutes=54)
    assert (await provider.get()).security_token == "token-1"  # still fresh
    clock.now = T0 + timedelta(minutes=56)  # within 5 minutes of expiry: refresh
    assert (await provider.get()).security_token == "token-2"
    assert provider.fetches == 2


async def test_single_flight_refresh(fake_api: FakeApi) -> None:
    sts_server(fake_api, delay=0.05)
    provider = AssumeRoleProvider(
        StaticProvider("testid", "testsecret"), "acs:ram::123:role/x",
        client_factory=factory(fake_api), clock=FakeClock(),
    )
    results = await asyncio.gather(*(provider.get() for _ in range(50)))
    assert {r.security_token for r in results} == {"token-1"}
    assert provider.fetches == 1 and len(fake_api.seen) == 1


async def test_assume_role_denied_names_the_permission(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key "
                      "is not found.", "RequestId": "R"}, 404)

    fake_api.handler = handler
    provider = AssumeRoleProvider(StaticProvider("testid", "testsecret"), "acs:ram::1:role/x",
                                  client_factory=factory(fake_api))
    with pytest.raises(AuthenticationError, match="the AccessKey id testid does not exist"):
        await provider.get()


async def test_oidc_is_anonymous_and_rereads_the_token(tmp_path: Path, fake_api: FakeApi) -> None:
    sts_server(fake_api)
    token_file = tmp_path / "token"
    token_file.write_text("jwt-1\n")
    env = {"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/k8s",
           "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/ack",
           "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token_file)}
    clock = FakeClock()
    provider = OidcProvider.from_env(env, client_factory=factory(fake_api), clock=clock)
    assert provider is not None
    assert (await provider.get()).security_token == "token-1"
    token_file.write_text("jwt-2")
    clock.now = T0 + timedelta(hours=2)
    await provider.get()
    assert [s.params["OIDCToken"] for s in fake_api.seen] == ["jwt-1", "jwt-2"]
    assert all(s.signature_ok is None for s in fake_api.seen)
    assert fake_api.seen[0].action == "AssumeRoleWithOIDC"
    assert OidcProvider.from_env({}, client_factory=factory(fake_api)) is None


def metadata_server(api: FakeApi, *, token_mode: bool, role: str = "EcsRole") -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        request = seen.request
        if request.path == "/latest/api/token":
            assert request.method == "PUT"
            assert request.headers["X-aliyun-ecs-metadata-token-ttl-seconds"] == "21600"
            return web.Response(text="mdtoken") if token_mode else web.Response(status=404)
        if token_mode and request.headers.get("X-aliyun-ecs-metadata-token") != "mdtoken":
            return web.Response(status=401)
        if request.path == "/latest/meta-data/ram/security-credentials/":
            return web.Response(text=role)
        if request.path == f"/latest/meta-data/ram/security-credentials/{role}":
            return reply({"Code": "Success", "AccessKeyId": "STS.ecs", "AccessKeySecret": "e",
                          "SecurityToken": "ecs-token", "Expiration": _expiry(6),
                          "LastUpdated": "2026-11-27T12:00:00Z"})
        return web.Response(status=404)

    api.handler = handler


@pytest.mark.parametrize("token_mode", [True, False])
async def test_ecs_ram_role(fake_api: FakeApi, token_mode: bool) -> None:
    metadata_server(fake_api, token_mode=token_mode)
    provider = EcsRamRoleProvider(metadata_url=fake_api.url, clock=FakeClock())
    creds = await provider.get()
    assert creds == Credentials("STS.ecs", "e", "ecs-token", T0 + timedelta(hours=6))
    assert provider.used_token is token_mode
    assert provider.source == "ecs-ram-role:EcsRole"
    paths = [s.request.path for s in fake_api.seen]
    assert paths[0] == "/latest/api/token"
    assert paths[-1] == "/latest/meta-data/ram/security-credentials/EcsRole"


async def test_profile_ecs_ram_role_mode(tmp_path: Path, fake_api: FakeApi) -> None:
    metadata_server(fake_api, token_mode=True, role="Named")
    path = _write_profiles(tmp_path, "e", [{"name": "e", "mode": "EcsRamRole",
                                            "ram_role_name": "Named"}])
    provider = ProfileProvider(path, env={}, metadata_url=fake_api.url)
    assert (await provider.get()).access_key_id == "STS.ecs"
    assert "/latest/meta-data/ram/security-credentials/" not in [
        s.request.path for s in fake_api.seen
    ]


async def test_chain_order_and_error(tmp_path: Path, fake_api: FakeApi) -> None:
    unreachable = "http://127.0.0.1:9"
    path = _write_profiles(tmp_path, "p", [{"name": "p", "mode": "AK", "access_key_id": "pid",
                                            "access_key_secret": "psec"}])
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "eid", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "esec"}
    chain = default_chain(env, path, unreachable, factory(fake_api))
    assert (await chain.get()).access_key_id == "eid" and chain.source == "environment"
    chain = default_chain({}, path, unreachable, factory(fake_api))
    assert (await chain.get()).access_key_id == "pid" and chain.source == "profile:p"
    metadata_server(fake_api, token_mode=True)
    chain = default_chain({}, tmp_path / "none.json", fake_api.url, factory(fake_api))
    assert (await chain.get()).access_key_id == "STS.ecs"
    chain = default_chain({}, tmp_path / "none.json", unreachable, factory(fake_api))
    with pytest.raises(CredentialsNotFound) as caught:
        await chain.get()
    message = str(caught.value)
    for part in ("environment", "OIDC", "CLI profile", "ECS RAM role", "--access-key-id"):
        assert part in message
    assert "\n" not in message


async def test_chain_moves_past_a_cli_file_without_the_default_profile(
    tmp_path: Path, fake_api: FakeApi,
) -> None:
    """An ECS instance whose ~/.aliyun/config.json holds only other profiles still uses its
    instance role; a profile someone named (ALIBABA_CLOUD_PROFILE) must exist."""
    path = _write_profiles(tmp_path, "", [{"name": "other", "mode": "AK",
                                           "access_key_id": "o", "access_key_secret": "s"}])
    metadata_server(fake_api, token_mode=True)
    chain = default_chain({}, path, fake_api.url, factory(fake_api))
    assert (await chain.get()).access_key_id == "STS.ecs"
    assert chain.source == "ecs-ram-role:EcsRole"
    named = default_chain({"ALIBABA_CLOUD_PROFILE": "prod"}, path, fake_api.url,
                          factory(fake_api))
    with pytest.raises(CredentialsError, match="profile 'prod' is not in") as caught:
        await named.get()
    assert not isinstance(caught.value, CredentialsNotFound)
