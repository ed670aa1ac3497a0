"""Each gateway authentication error with its exact code and HTTP status, over loopback."""

from __future__ import annotations

import pytest

from .gateway_fakes import Creds, Harness, harness

pytestmark = pytest.mark.asyncio

_AUTH = "authorization"


async def _raw(h: Harness, headers: dict[str, str]) -> tuple[int, str]:
    base = {"x-acs-version": "2015-05-01", "x-acs-action": "ListUsers"}
    async with h.session.post(h.emu.url + "/", headers={**base, **headers}) as response:
        body = await response.json()
    return response.status, body["Code"]


async def test_missing_authorization_is_incomplete_signature() -> None:
    async with harness() as h:
        assert await _raw(h, {}) == (400, "IncompleteSignature")


@pytest.mark.parametrize(
    "header",
    [
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 Credential=rootid,Signature=abc",
        "ACS3-HMAC-SHA256 Credential=rootid, SignedHeaders=host,Signature=abc,Extra=1",
    ],
)
async def test_malformed_authorization(header: str) -> None:
    async with harness() as h:
        assert await _raw(h, {_AUTH: header}) == (400, "IncompleteSignature")


async def test_unknown_algorithm() -> None:
    async with harness() as h:
        header = "ACS3-HMAC-SM3 Credential=rootid,SignedHeaders=host,Signature=abc"
        assert await _raw(h, {_AUTH: header}) == (400, "InvalidSignatureMethod")


async def test_unknown_key_is_404() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "ListUsers", creds=Creds("nobody", "x"))
    assert (status, body["Code"]) == (404, "InvalidAccessKeyId.NotFound")


async def test_inactive_key() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "ListUsers", creds=Creds("offid", "offsecret"))
    assert (status, body["Code"]) == (400, "InvalidAccessKeyId.Inactive")


async def test_wrong_secret() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "ListUsers", creds=Creds("rootid", "wrong"))
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    assert "server string to sign is:ACS3-HMAC-SHA256" in body["Message"]


async def test_body_hash_mismatch() -> None:
    async with harness() as h:
        status, body, _ = await h.call(
            "ram", "UpdateUser", {"UserName": "a"}, body=b"NewComments=x",
            content_type="application/x-www-form-urlencoded",
            extra_headers={"x-acs-content-sha256": "0" * 64})
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


async def test_unsigned_acs_header_is_incomplete() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "ListUsers", extra_headers={"x-acs-extra": "1"})
    assert (status, body["Code"]) == (400, "IncompleteSignature")


@pytest.mark.parametrize("skew", [-16 * 60, 16 * 60])
async def test_date_outside_window(skew: int) -> None:
    async with harness() as h:
        h.clock.advance(skew)
        status, body, _ = await h.call("ram", "ListUsers", clock=lambda: h.clock() - skew)
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")


async def test_date_inside_window_passes() -> None:
    async with harness() as h:
        h.clock.advance(14 * 60)
        status, _, _ = await h.call("ram", "ListUsers", clock=lambda: h.clock() - 14 * 60)
    assert status == 200


async def test_malformed_date() -> None:
    async with harness() as h:
        status, body, _ = await h.call(
            "ram", "ListUsers", extra_headers={"x-acs-date": "2026-11-27 12:00:00"})
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Format")


async def test_clock_check_can_be_switched_off() -> None:
    async with harness(check_clock=False) as h:
        h.clock.advance(86400)
        status, _, _ = await h.call("ram", "ListUsers", clock=lambda: h.clock() - 86400)
    assert status == 200


async def test_nonce_reuse() -> None:
    async with harness() as h:
        first, _, _ = await h.call("ram", "ListUsers", nonce="n-1")
        second, body, _ = await h.call("ram", "ListUsers", nonce="n-1")
    assert first == 200
    assert (second, body["Code"]) == (400, "SignatureNonceUsed")


async def test_nonce_check_can_be_switched_off() -> None:
    async with harness(check_nonce=False) as h:
        first, _, _ = await h.call("ram", "ListUsers", nonce="n-1")
        second, _, _ = await h.call("ram", "ListUsers", nonce="n-1")
    assert (first, second) == (200, 200)


async def test_failed_signature_does_not_burn_the_nonce() -> None:
    async with harness() as h:
        bad, _, _ = await h.call("ram", "ListUsers", nonce="n-2", creds=Creds("rootid", "x"))
        good, _, _ = await h.call("ram", "ListUsers", nonce="n-2")
    assert (bad, good) == (400, 200)


async def test_sts_key_with_its_token() -> None:
    async with harness() as h:
        status, body, _ = await h.call(
            "sts", "GetCallerIdentity", creds=Creds("STS.live", "stssecret", "tok-live"))
    assert status == 200 and "assumed-role/ops" in body["Caller"]


@pytest.mark.parametrize(
    ("creds", "code"),
    [
        (Creds("STS.live", "stssecret"), "MissingSecurityToken"),
        (Creds("STS.live", "stssecret", "tok-other"), "InvalidSecurityToken.MismatchWithAccessKey"),
        (Creds("STS.old", "stssecret", "tok-old"), "InvalidSecurityToken.Expired"),
    ],
)
async def test_sts_token_errors(creds: Creds, code: str) -> None:
    async with harness() as h:
        status, body, _ = await h.call("sts", "GetCallerIdentity", creds=creds)
    assert (status, body["Code"]) == (400, code)
