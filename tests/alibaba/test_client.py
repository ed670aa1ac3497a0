"""AlibabaClient through real HTTP on loopback: pages, retries, errors, logs, stats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AlibabaError,
    AuthenticationError,
    ClockSkewError,
    Endpoints,
    PermissionDeniedError,
    RateLimiter,
    RetryPolicy,
    ServerError,
    StaticProvider,
    TransportError,
    _client,
    redact_headers,
)

from .conftest import FakeApi, Seen, reply

DATE = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(api: FakeApi, *, token: str | None = None, attempts: int = 4,
                timeout: float = 5.0, validate: bool = False) -> tuple[AlibabaClient, Sleeps]:
    sleeps = Sleeps()
    key = ("STS.tmp", "tmpsecret") if token else ("testid", "testsecret")
    client = AlibabaClient(
        StaticProvider(key[0], key[1], token), Endpoints.single(api.url),
        retry=RetryPolicy(max_attempts=attempts, sleep=sleeps, random=lambda: 0.5),
        rate_limits=RateLimiter(sleep=Sleeps()), timeout=timeout, clock=lambda: DATE,
        validate=validate,
    )
    return client, sleeps


async def test_pages_follow_markers_with_largest_max_items(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        marker = seen.params.get("Marker")
        if marker is None:
            return reply({"RequestId": "1", "IsTruncated": True, "Marker": "m1",
                          "Users": {"User": [{"UserPrincipalName": "a@x", "UserId": "1"}]}})
        if marker == "m1":
            return reply({"RequestId": "2", "IsTruncated": "true", "Marker": "m/2 *",
                          "Users": {"User": [{"UserPrincipalName": "b@x", "UserId": "2"}]}})
        return reply({"RequestId": "3", "IsTruncated": False, "Users": {"User": []}})

    fake_api.handler = handler
    client, _ = make_client(fake_api)
    async with client:
        pages = [p async for p in client.pages("ims", "ListUsers", {"Status": "active,freeze"})]
    assert [p["RequestId"] for p in pages] == ["1", "2", "3"]
    assert [s.params.get("Marker") for s in fake_api.seen] == [None, "m1", "m/2 *"]
    assert {s.params["MaxItems"] for s in fake_api.seen} == {"1000"}
    assert {s.params["Status"] for s in fake_api.seen} == {"active,freeze"}
    assert all(s.signature_ok for s in fake_api.seen)
    assert {(s.version, s.headers["host"]) for s in fake_api.seen} == {
        ("2019-08-15", fake_api.url.removeprefix("http://"))
    }
    assert fake_api.seen[0].request.method == "POST"
    assert fake_api.seen[0].headers["accept"] == "application/json"
    assert client.stats.requests["ims:ListUsers"] == 3


async def _three_pages(seen: Seen) -> web.StreamResponse:
    marker = seen.params.get("Marker")
    if marker is None:
        return reply({"RequestId": "1", "IsTruncated": True, "Marker": "m1"})
    if marker == "m1":
        return reply({"RequestId": "2", "IsTruncated": True, "Marker": "m2"})
    return reply({"RequestId": "3", "IsTruncated": False})


async def test_pages_asks_for_the_next_page_while_the_caller_works_on_this_one(
    fake_api: FakeApi,
) -> None:
    second = asyncio.Event()

    async def handler(seen: Seen) -> web.StreamResponse:
        if seen.params.get("Marker") == "m1":
            second.set()
        return await _three_pages(seen)

    fake_api.handler = handler
    client, _ = make_client(fake_api)
    async with client:
        pages = client.pages("ims", "ListUsers")
        first = await anext(pages)
        # the caller is still busy with the first page: the second is asked for meanwhile
        await asyncio.wait_for(second.wait(), 5)
        rest = [page async for page in pages]
    assert [p["RequestId"] for p in [first, *rest]] == ["1", "2", "3"]
    assert len(fake_api.seen) == 3  # nothing asked for after the last page


async def test_pages_a_caller_that_stops_early_cancels_the_request_ahead(
    fake_api: FakeApi,
) -> None:
    asked, answered = asyncio.Event(), asyncio.Event()

    async def slow_second(seen: Seen) -> web.StreamResponse:
        if seen.params.get("Marker") is None:
            return await _three_pages(seen)
        asked.set()
        await asyncio.sleep(5)
        answered.set()
        return reply({"RequestId": "late", "IsTruncated": False})

    fake_api.handler = slow_second
    client, _ = make_client(fake_api)
    async with client:
        pages = client.pages("ims", "ListUsers")
        await anext(pages)
        await asyncio.wait_for(asked.wait(), 5)
        await pages.aclose()
    assert not answered.is_set()  # the request ahead was dropped, not waited for


async def test_closing_the_client_cancels_a_page_request_its_cancelled_reader_left(
    fake_api: FakeApi,
) -> None:
    holding = asyncio.Event()

    async def reader(pages: AsyncIterator[dict[str, Any]]) -> None:
        async for _ in pages:
            holding.set()
            await asyncio.sleep(10)  # cancelled here, holding the first page

    fake_api.handler = _three_pages
    client = AlibabaClient(  # 2 requests/s: the request ahead waits half a second for its turn
        StaticProvider("testid", "testsecret"), Endpoints.single(fake_api.url),
        rate_limits=RateLimiter({"ims:ListUsers": 2.0}), clock=lambda: DATE,
    )
    # still referenced elsewhere (as by the tasks of a sync being cancelled), so not finalized
    pages = client.pages("ims", "ListUsers")
    task = asyncio.create_task(reader(pages))
    await asyncio.wait_for(holding.wait(), 5)
    task.cancel()
    await client.close()
    await asyncio.sleep(1)
    # the request ahead was cancelled with the client, not sent on a session opened after it
    assert len(fake_api.seen) == 1
    assert client._session is None


async def test_pages_refuses_a_truncated_page_without_marker(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"RequestId": "1", "IsTruncated": True})

    fake_api.handler = handler
    client, _ = make_client(fake_api)
    async with client:
        with pytest.raises(TransportError) as caught:
            _ = [p async for p in client.pages("ram", "ListRoles")]
    assert caught.value.code == "InvalidMarker"
    assert fake_api.seen[0].params["MaxItems"] == "1000"


async def test_retries_are_resigned_with_fresh_nonces(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        if len(fake_api.seen) == 1:
            return reply({"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "a"}, 503)
        if len(fake_api.seen) == 2:
            return reply({"Code": "Throttling.User", "Message": "flow", "RequestId": "b"}, 400,
                         {"x-acs-retry-after": "1500"})
        return reply({"RequestId": "c", "AccountAlias": "acme"})

    fake_api.handler = handler
    client, sleeps = make_client(fake_api, token="tok")
    async with client:
        answer = await client.call("ram", "GetAccountAlias")
    assert answer["AccountAlias"] == "acme"
    nonces = [s.headers["x-acs-signature-nonce"] for s in fake_api.seen]
    assert len(nonces) == 3 and len(set(nonces)) == 3
    assert all(s.signature_ok for s in fake_api.seen)
    assert {s.headers["x-acs-security-token"] for s in fake_api.seen} == {"tok"}
    assert sleeps.calls == [pytest.approx(0.1), pytest.approx(1.5)]  # jitter 0.5 × 0.2; retry-after
    assert client.stats.retries["ram:GetAccountAlias"] == 2
    assert client.stats.throttled["ram:GetAccountAlias"] == 1


async def test_no_retry_on_no_permission_and_one_line_message(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"Code": "NoPermission",
                      "Message": "You are not authorized to do this action.",
                      "RequestId": "R-1", "HostId": "ims.aliyuncs.com"}, 403)

    fake_api.handler = handler
    client, _ = make_client(fake_api)
    async with client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.call("ims", "ListUsers", {"MaxItems": 10})
    assert len(fake_api.seen) == 1
    assert caught.value.permission == "ram:ListUsers"
    assert str(caught.value) == (
        "IMS ListUsers failed: NoPermission: You are not authorized to do this action. "
        "(HTTP 403, request id R-1) — grant the RAM permission ram:ListUsers to the identity in use"
    )


@pytest.mark.parametrize(
    ("code", "status", "cls", "expected"),
    [
        ("InvalidAccessKeyId.NotFound", 404, AuthenticationError,
         "RAM ListUsers failed: InvalidAccessKeyId.NotFound: Specified access key is not found. "
         "(HTTP 404, request id R) — the AccessKey id testid does not exist; check the AccessKey "
         "id you configured"),
        ("SignatureDoesNotMatch", 400, AuthenticationError,
         "RAM ListUsers failed: SignatureDoesNotMatch: Specified access key is not found. "
         "(HTTP 400, request id R) — the AccessKey secret is wrong for AccessKey id testid; check "
         "the secret (or a proxy altered the request)"),
        ("InvalidTimeStamp.Expired", 400, ClockSkewError,
         "RAM ListUsers failed: InvalidTimeStamp.Expired: Specified access key is not found. "
         "(HTTP 400, request id R) — the local clock differs from Alibaba Cloud's by more than "
         "15 minutes; sync it (NTP) and retry"),
        ("InvalidSecurityToken.Expired", 400, AuthenticationError,
         "RAM ListUsers failed: InvalidSecurityToken.Expired: Specified access key is not found. "
         "(HTTP 400, request id R) — the STS security token expired; a fixed --security-token "
         "must be replaced (--role-arn, a RamRoleArn profile, OIDC and the ECS role renew "
         "themselves)"),
        ("AuthenticationFail.OIDCToken.Expired", 401, AuthenticationError,
         "RAM ListUsers failed: AuthenticationFail.OIDCToken.Expired: Specified access key is not "
         "found. (HTTP 401, request id R) — the OIDC token was refused (expired, or its issuer or "
         "audience is not the OIDC provider's); check ALIBABA_CLOUD_OIDC_TOKEN_FILE and the "
         "provider"),
    ],
)
async def test_error_answers_map_to_classes(
    fake_api: FakeApi, code: str, status: int, cls: type[AlibabaError], expected: str
) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"Code": code, "Message": "Specified access key is not found.",
                      "RequestId": "R"}, status)

    fake_api.handler = handler
    client, _ = make_client(fake_api)
    async with client:
        with pytest.raises(cls) as caught:
            await client.call("ram", "ListUsers")
    assert caught.value.code == code
    assert str(caught.value) == expected
    assert "testsecret" not in str(caught.value)
    assert len(fake_api.seen) == 1


async def test_dropped_connection_is_retried_then_fails(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        transport = seen.request.transport
        assert transport is not None
        transport.close()
        return web.Response()

    fake_api.handler = handler
    client, sleeps = make_client(fake_api, attempts=3)
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.call("ram", "ListUsers")
    assert len(fake_api.seen) == 3 and len(sleeps.calls) == 2
    assert caught.value.code == "ConnectionError"


async def test_5xx_without_json_is_a_server_error(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return web.Response(status=502, text="<html>bad gateway</html>")

    fake_api.handler = handler
    client, _ = make_client(fake_api, attempts=2)
    async with client:
        with pytest.raises(ServerError) as caught:
            await client.call("ram", "ListUsers")
    assert caught.value.code == "HTTP502" and len(fake_api.seen) == 2


async def test_slow_answer_times_out(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        await asyncio.sleep(1.0)
        return reply({"RequestId": "late"})

    fake_api.handler = handler
    client, _ = make_client(fake_api, attempts=1, timeout=0.2)
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.call("ram", "ListUsers")
    assert caught.value.code == "Timeout"


@pytest.mark.parametrize("mode", ["json", "length"])
async def test_truncated_answer_is_a_transport_error(fake_api: FakeApi, mode: str) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        if mode == "json":
            return web.Response(text='{"Users": {"User": [', content_type="application/json")
        response = web.StreamResponse(headers={"Content-Length": "100"})
        await response.prepare(seen.request)
        await response.write(b'{"Users": ')
        transport = seen.request.transport
        assert transport is not None
        transport.close()
        return response

    fake_api.handler = handler
    client, _ = make_client(fake_api, attempts=2)
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.call("ram", "ListUsers")
    assert caught.value.code in {"InvalidResponse", "TruncatedResponse", "ConnectionError"}
    assert len(fake_api.seen) == 2


async def test_debug_log_redacts_secrets(
    fake_api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"RequestId": "RID-9"})

    fake_api.handler = handler
    client, _ = make_client(fake_api, token="super-secret-token")
    with caplog.at_level(logging.DEBUG, logger="baton_alibaba_cloud.alibaba"):
        async with client:
            await client.call("ram", "GetAccountAlias")
    [record] = [r for r in caplog.records if r.name == "baton_alibaba_cloud.alibaba"]
    assert record.getMessage() == "ram:GetAccountAlias 200"
    fields = vars(record)
    assert (fields["service"], fields["action"], fields["attempt"], fields["status"],
            fields["request_id"]) == ("ram", "GetAccountAlias", 1, 200, "RID-9")
    assert isinstance(fields["duration_ms"], float) and "code" not in fields
    text = repr(fields)
    assert "super-secret-token" not in text and "tmpsecret" not in text
    signature = fake_api.seen[0].headers["authorization"].rpartition("=")[2]
    assert signature not in text
    assert "Credential=STS.tmp" in fields["headers"]["authorization"]


def test_redact_headers() -> None:
    safe = redact_headers({
        "authorization": "ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature=abc",
        "x-acs-security-token": "t", "host": "h",
    })
    assert safe == {
        "authorization": "ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature=<redacted>",
        "x-acs-security-token": "<redacted>", "host": "h",
    }


async def test_validate_refuses_before_sending(fake_api: FakeApi) -> None:
    client, _ = make_client(fake_api, validate=True)
    async with client:
        with pytest.raises(AlibabaError) as caught:
            await client.call("ims", "ListUsers", {"MaxItems": 5000})
    assert fake_api.seen == []
    assert caught.value.code.startswith("InvalidParameter")


async def test_validation_is_on_in_tests_and_with_debug_logging(
    fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/model.md §5: the client validates every request in tests and at --log-level debug."""
    assert _client.VALIDATE_REQUESTS, "tests/conftest.py turns request validation on"
    monkeypatch.setattr(_client, "VALIDATE_REQUESTS", False)
    client = AlibabaClient(StaticProvider("testid", "testsecret", None),
                           Endpoints.single(fake_api.url), clock=lambda: DATE)
    library = logging.getLogger("baton_alibaba_cloud.alibaba")
    previous = library.level
    try:
        library.setLevel(logging.INFO)
        assert not client._validates()
        library.setLevel(logging.DEBUG)
        async with client:
            with pytest.raises(AlibabaError) as caught:
                await client.call("ims", "ListUsers", {"MaxItems": 5000})
    finally:
        library.setLevel(previous)
    assert fake_api.seen == [] and caught.value.code == "InvalidParameter.MaxItems"
    monkeypatch.setattr(_client, "VALIDATE_REQUESTS", True)
    assert client._validates()
    explicit = AlibabaClient(StaticProvider("testid", "testsecret", None),
                             Endpoints.single(fake_api.url), validate=False)
    assert not explicit._validates()


async def test_anonymous_call_is_unsigned(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"RequestId": "x"})

    fake_api.handler = handler
    client, _ = make_client(fake_api)
    async with client:
        await client.call("sts", "AssumeRoleWithOIDC", {"RoleArn": "r", "Flag": True},
                          anonymous=True)
    seen = fake_api.seen[0]
    assert seen.signature_ok is None and seen.version == "2015-04-01"
    assert seen.params == {"RoleArn": "r", "Flag": "true"}


async def test_throttled_answers_slow_the_action_down(fake_api: FakeApi) -> None:
    async def handler(seen: Seen) -> web.StreamResponse:
        if len(fake_api.seen) == 1:
            return reply({"Code": "Throttling.User", "Message": "flow", "RequestId": "t"}, 400)
        return reply({"RequestId": "ok"})

    fake_api.handler = handler
    client, _ = make_client(fake_api)
    async with client:
        await client.call("ram", "ListUsers")
    assert client.limiter.rate("ram", "ListUsers") == pytest.approx(70.0 + 0.5)
    assert client.limiter.rate("ram", "GetUser") == 100.0


async def test_session_given_is_not_closed(fake_api: FakeApi) -> None:
    import aiohttp

    async def handler(seen: Seen) -> web.StreamResponse:
        return reply({"RequestId": "ok"})

    fake_api.handler = handler
    async with aiohttp.ClientSession() as session:
        client = AlibabaClient(StaticProvider("testid", "testsecret"),
                               Endpoints.single(fake_api.url), session=session)
        await client.call("ram", "GetAccountAlias")
        await client.close()
        assert not session.closed
