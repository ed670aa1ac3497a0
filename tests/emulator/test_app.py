"""The gateway: routing on the version header, the JSON bodies, parameter checks, permissions."""

from __future__ import annotations

import base64
import json

import pytest
from yarl import URL

from .gateway_fakes import ALICE, UID, harness

pytestmark = pytest.mark.asyncio


async def test_success_body_has_request_id_and_header() -> None:
    async with harness() as h:
        status, body, response = await h.call("ram", "ListUsers", {"MaxItems": "10"})
    assert status == 200
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    assert body["Service"] == "ram" and body["Params"] == {"MaxItems": "10"}
    assert body["Caller"] == f"acs:ram::{UID}:root"


@pytest.mark.parametrize(("service", "expected"), [("ram", "ram"), ("ims", "ims")])
async def test_one_port_routes_on_version(service: str, expected: str) -> None:
    async with harness() as h:
        status, body, _ = await h.call(service, "ListUsers")
    assert status == 200 and body["Service"] == expected


async def test_error_body_shape() -> None:
    async with harness() as h:
        status, body, response = await h.call("ram", "GetUser", {"UserName": "ghost"})
    assert status == 404
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert body["Code"] == "EntityNotExist.User"
    assert body["HostId"] == "ram.aliyuncs.com"
    assert body["Recommend"] == (
        "https://api.aliyun.com/troubleshoot?q=EntityNotExist.User&product=Ram"
        f"&requestId={body['RequestId']}"
    )
    assert response.headers["x-acs-request-id"] == body["RequestId"]
    assert response.content_type == "application/json"


async def test_unknown_action_is_404() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "ListUnicorns")
    assert (status, body["Code"]) == (404, "InvalidAction.NotFound")


async def test_unknown_or_missing_version_is_404() -> None:
    async with harness() as h:
        for headers in ({"x-acs-version": "1999-01-01"}, {"x-acs-action": "ListUsers"}):
            async with h.session.post(h.emu.url + "/", headers=headers) as response:
                body = await response.json()
            assert (response.status, body["Code"]) == (404, "InvalidAction.NotFound")


async def test_unsupported_method() -> None:
    async with harness() as h:
        headers = {"x-acs-version": "2015-05-01", "x-acs-action": "ListUsers"}
        async with h.session.put(h.emu.url + "/", headers=headers) as response:
            body = await response.json()
    assert (response.status, body["Code"]) == (400, "UnsupportedHTTPMethod")


async def test_known_but_unimplemented_action_is_explicit() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "GetPasswordPolicy")
    assert (status, body["Code"]) == (400, "UnsupportedOperation")
    assert "GetPasswordPolicy" in body["Message"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"Bogus": "1"}, "InvalidParameter"),
        ({"MaxItems": "0"}, "InvalidParameter.MaxItems"),
        ({"MaxItems": "1001"}, "InvalidParameter.MaxItems"),
    ],
)
async def test_metadata_validation(params: dict[str, str], code: str) -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "ListUsers", params)
    assert (status, body["Code"]) == (400, code)


async def test_missing_required_parameter() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "GetUser")
    assert (status, body["Code"]) == (400, "MissingUserName")


async def test_form_body_parameters_are_merged() -> None:
    async with harness() as h:
        status, body, _ = await h.call(
            "ram", "UpdateUser", {"UserName": "alice"},
            body=b"NewComments=x+y&NewDisplayName=A%2BB",
            content_type="application/x-www-form-urlencoded")
    assert status == 200
    assert body["Params"] == {"UserName": "alice", "NewComments": "x y", "NewDisplayName": "A+B"}


async def test_get_is_accepted() -> None:
    async with harness() as h:
        status, body, _ = await h.call("ram", "ListUsers", {"MaxItems": "5"}, method="GET")
    assert status == 200 and body["Params"] == {"MaxItems": "5"}


async def test_no_permission_with_limited_policy() -> None:
    async with harness() as h:
        ok, _, _ = await h.call("ram", "ListUsers", creds=ALICE)
        denied, body, _ = await h.call("ram", "ListGroups", creds=ALICE)
        implicit, body2, _ = await h.call("ram", "UpdateUser", {"UserName": "bob"}, creds=ALICE)
    assert ok == 200
    assert (denied, body["Code"]) == (403, "NoPermission")
    assert "ram:ListGroups" in body["Message"]
    detail = body["AccessDeniedDetail"]
    assert detail["AuthAction"] == "ram:ListGroups"
    assert detail["NoPermissionType"] == "ExplicitDeny"
    assert detail["AuthPrincipalType"] == "SubUser"
    decoded = json.loads(base64.b64decode(detail["EncodedDiagnosticMessage"]))
    assert decoded["AuthAction"] == "ram:ListGroups"
    assert (implicit, body2["AccessDeniedDetail"]["NoPermissionType"]) == (403, "ImplicitDeny")


async def test_resource_scoped_permission() -> None:
    async with harness() as h:
        ok, _, _ = await h.call("ram", "AddUserToGroup", {"GroupName": "dev-team",
                                                          "UserName": "bob"}, creds=ALICE)
        no, body, _ = await h.call("ram", "AddUserToGroup", {"GroupName": "admins",
                                                             "UserName": "bob"}, creds=ALICE)
    assert ok == 200
    assert (no, body["Code"]) == (403, "NoPermission")


async def test_get_caller_identity_needs_no_permission() -> None:
    async with harness() as h:
        status, body, _ = await h.call("sts", "GetCallerIdentity", creds=ALICE)
    assert status == 200 and body["Caller"] == f"acs:ram::{UID}:user/alice"


async def test_anonymous_oidc_in_v2_query_form() -> None:
    """The credential provider's form: Action/Version in the query, no signature at all."""
    query = ("Action=AssumeRoleWithOIDC&Format=JSON&Version=2015-04-01&DurationSeconds=3600"
             f"&RoleArn=acs%3Aram%3A%3A{UID}%3Arole%2Fops&OIDCProviderArn=acs%3Aram%3A%3A{UID}"
             "%3Aoidc-provider%2Fk8s&OIDCToken=tok&RoleSessionName=s1"
             "&Timestamp=2026-11-27T12%3A00%3A00Z")
    async with (
        harness() as h,
        h.session.post(URL(f"{h.emu.url}/?{query}", encoded=True)) as response,
    ):
        body = await response.json()
    assert response.status == 200, body
    assert body["Action"] == "AssumeRoleWithOIDC"
    assert "Action" not in body["Params"] and body["Params"]["OIDCToken"] == "tok"


async def test_request_log_counts() -> None:
    async with harness() as h:
        await h.call("ram", "ListUsers")
        await h.call("ram", "ListUsers", {"Marker": "m"})
        await h.call("ram", "GetUser", {"UserName": "ghost"})
        log = h.emu.request_log
    assert log.count("ListUsers") == 2
    assert log.succeeded[("ram", "ListUsers")] == 2
    assert log.errors[("ram", "GetUser", "EntityNotExist.User")] == 1
    assert [c.params for c in log.calls_to("ListUsers")] == [(), (("Marker", "m"),)]


async def test_anonymous_oidc_with_v3_headers_and_no_authorization() -> None:
    """Our own client's form: x-acs headers, no Authorization."""
    headers = {"x-acs-version": "2015-04-01", "x-acs-action": "AssumeRoleWithOIDC"}
    query = (f"RoleArn=acs%3Aram%3A%3A{UID}%3Arole%2Fops&OIDCProviderArn=acs%3Aram%3A%3A{UID}"
             "%3Aoidc-provider%2Fk8s&OIDCToken=tok&RoleSessionName=s1")
    async with (
        harness() as h,
        h.session.post(URL(f"{h.emu.url}/?{query}", encoded=True), headers=headers) as response,
    ):
        body = await response.json()
    assert response.status == 200, body
    assert body["Params"]["RoleSessionName"] == "s1"
