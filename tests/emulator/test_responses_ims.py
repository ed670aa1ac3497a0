"""IMS actions through ``dispatch``: Status and Tag filters, paging, report, errors."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from baton_alibaba_cloud.emulator.accounts.generator import Spec, generate
from baton_alibaba_cloud.emulator.backend import Backend

from .test_responses_ram import call, error_of, sample_backend

DOMAIN = "acme-demo.onaliyun.com"


@pytest.fixture
def backend() -> Backend:
    return sample_backend()


def names(users: list[dict[str, str]]) -> set[str]:
    return {u["UserPrincipalName"].split("@")[0] for u in users}


def test_status_filter(backend: Backend) -> None:
    default = call(backend, "ims", "ListUsers")["Users"]["User"]
    assert "dave" not in names(default) and "alice" in names(default)
    both = call(backend, "ims", "ListUsers", Status="active,freeze")["Users"]["User"]
    assert {"dave", "erin", "alice"} <= names(both) and len(both) == 11
    frozen = call(backend, "ims", "ListUsers", Status="freeze")["Users"]["User"]
    assert names(frozen) == {"dave", "erin"}
    assert {u["Status"] for u in frozen} == {"freeze"}
    basic = call(backend, "ims", "ListUserBasicInfos", Status="freeze")
    assert {u["Status"] for u in basic["UserBasicInfos"]["UserBasicInfo"]} == {"freeze"}
    assert error_of(backend, "ims", "ListUsers", Status="gone") == ("InvalidParameter.Status", 400)


def test_tag_filter_returns_both_states(backend: Backend) -> None:
    body = call(backend, "ims", "ListUsers", **{"Tag.1.Key": "team", "Tag.1.Value": "ops"})
    assert names(body["Users"]["User"]) == {"carol"}
    tagged = call(backend, "ims", "ListUsers", **{"Tag.1.Key": "team"})["Users"]["User"]
    assert names(tagged) == {"alice", "carol", "grace"}
    assert error_of(backend, "ims", "ListUsers", Status="active",
                    **{"Tag.1.Key": "team"}) == ("InvalidParameter.Status", 400)


def test_user_reads(backend: Backend) -> None:
    user = call(backend, "ims", "GetUser", UserPrincipalName=f"alice@{DOMAIN}")["User"]
    assert (user["UserName"], user["UserPrincipalName"]) == ("alice", f"alice@{DOMAIN}")
    assert "Status" not in user
    by_key = call(backend, "ims", "GetUser", UserAccessKeyId="LTAI5tDemoAliceKey000001")["User"]
    assert by_key["UserId"] == user["UserId"]
    by_id = call(backend, "ims", "GetUser", UserId=user["UserId"])["User"]
    assert by_id["UserName"] == "alice"
    groups = call(backend, "ims", "ListGroupsForUser", UserPrincipalName=f"bob@{DOMAIN}")
    assert {g["GroupName"] for g in groups["Groups"]["Group"]} == {"developers", "operations"}
    members = call(backend, "ims", "ListUsersForGroup", GroupName="auditors")["Users"]["User"]
    assert names(members) == {"frank", "grace"}
    assert call(backend, "ims", "GetGroup", GroupName="auditors")["Group"]["DisplayName"]
    assert call(backend, "ims", "ListGroups")["Groups"]["Group"]


def test_credentials_and_mfa(backend: Backend) -> None:
    alice = f"alice@{DOMAIN}"
    keys = call(backend, "ims", "ListAccessKeys", UserPrincipalName=alice)
    assert [k["AccessKeyId"] for k in keys["AccessKeys"]["AccessKey"]] == [
        "LTAI5tDemoAliceKey000001"]
    used = call(backend, "ims", "GetAccessKeyLastUsed", UserPrincipalName=alice,
                UserAccessKeyId="LTAI5tDemoAliceKey000001")["AccessKeyLastUsed"]
    assert used == {"LastUsedDate": "2026-11-26T07:30:00Z", "ServiceName": "Ecs"}
    mfa = call(backend, "ims", "GetUserMFAInfo", UserPrincipalName=alice)
    assert mfa["IsMFAEnable"] is True and mfa["MFADevice"]["Type"] == "VMFA"
    assert call(backend, "ims", "GetUserMFAInfo", UserPrincipalName=f"bob@{DOMAIN}") == {
        "IsMFAEnable": False}
    devices = call(backend, "ims", "ListVirtualMFADevices")["VirtualMFADevices"]
    assert [d["User"]["UserPrincipalName"] for d in devices["VirtualMFADevice"]] == [alice]
    profile = call(backend, "ims", "GetLoginProfile", UserPrincipalName=alice)["LoginProfile"]
    assert profile["Status"] == "Active" and profile["MFABindRequired"] is True
    updated = call(backend, "ims", "UpdateLoginProfile", UserPrincipalName=alice,
                   Status="Inactive")["LoginProfile"]
    assert updated["Status"] == "Inactive"
    call(backend, "ims", "UpdateAccessKey", UserPrincipalName=alice, Status="Inactive",
         UserAccessKeyId="LTAI5tDemoAliceKey000001")
    resolved = backend.resolve_access_key("LTAI5tDemoAliceKey000001")
    assert resolved is not None and resolved.status == "Inactive"


def test_account_level_reads(backend: Backend) -> None:
    assert call(backend, "ims", "GetDefaultDomain") == {"DefaultDomainName": DOMAIN}
    summary = call(backend, "ims", "GetAccountSummary")["SummaryMap"]
    assert (summary["Users"], summary["Groups"], summary["Roles"]) == (11, 4, 9)
    assert summary["GroupsPerUserQuota"] == 5 and summary["MFADevicesInUse"] == 2
    saml = call(backend, "ims", "ListSAMLProviders")["SAMLProviders"]["SAMLProvider"]
    assert saml[0]["Arn"] == "acs:ram::5123456789012345:saml-provider/corp-idp"
    oidc = call(backend, "ims", "ListOIDCProviders")["OIDCProviders"]["OIDCProvider"]
    assert oidc[0]["ClientIds"] == "sts.aliyuncs.com"


def test_writes(backend: Backend) -> None:
    created = call(backend, "ims", "CreateUser", UserPrincipalName=f"neo@{DOMAIN}",
                   DisplayName="Neo", **{"Tag.1.Key": "k", "Tag.1.Value": "v"})["User"]
    assert created["UserPrincipalName"] == f"neo@{DOMAIN}"
    assert created["Tags"] == {"Tag": [{"TagKey": "k", "TagValue": "v"}]}
    call(backend, "ims", "AddUserToGroup", GroupName="auditors", UserPrincipalName=f"neo@{DOMAIN}")
    call(backend, "ims", "RemoveUserFromGroup", GroupName="auditors",
         UserPrincipalName=f"neo@{DOMAIN}")
    renamed = call(backend, "ims", "UpdateUser", UserPrincipalName=f"neo@{DOMAIN}",
                   NewUserPrincipalName=f"trinity@{DOMAIN}")["User"]
    assert renamed["UserPrincipalName"] == f"trinity@{DOMAIN}"
    call(backend, "ims", "DeleteUser", UserPrincipalName=f"trinity@{DOMAIN}")
    assert error_of(backend, "ims", "GetUser", UserPrincipalName=f"trinity@{DOMAIN}") == (
        "EntityNotExist.User", 404)


@pytest.mark.parametrize(("action", "params", "code", "status"), [
    ("GetLoginProfile", {"UserPrincipalName": f"ivan@{DOMAIN}"},
     "EntityNotExist.User.LoginProfile", 404),
    ("GetUser", {"UserPrincipalName": "alice@other.onaliyun.com"}, "EntityNotExist.User", 404),
    ("CreateUser", {"UserPrincipalName": "x@elsewhere.com", "DisplayName": "X"},
     "InvalidParameter.UserPrincipalName", 400),
    ("AddUserToGroup", {"GroupName": "developers", "UserPrincipalName": f"alice@{DOMAIN}"},
     "EntityAlreadyExists.User.Group", 409),
    ("RemoveUserFromGroup", {"GroupName": "auditors", "UserPrincipalName": f"alice@{DOMAIN}"},
     "EntityNotExist.User.Group", 404),
    ("ListGroups", {"MaxItems": "101"}, "InvalidParameter.MaxItems", 400),
    ("ListUsers", {"MaxItems": "1001"}, "InvalidParameter.MaxItems", 400),
    ("GetCredentialReport", {}, "EntityNotExist.CredentialReport", 404),
    ("DeleteUser", {"UserPrincipalName": f"carol@{DOMAIN}"}, "DeleteConflict.User.Group", 409),
    ("DeleteUser", {}, "MissingUserPrincipalName", 400),
])
def test_errors(backend: Backend, action: str, params: dict[str, str], code: str,
                status: int) -> None:
    assert error_of(backend, "ims", action, **params) == (code, status)


def _rows(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(base64.b64decode(content).decode())))


def test_credential_report_pages() -> None:
    clock = [datetime(2026, 11, 27, tzinfo=UTC)]
    backend = Backend.from_account(generate(Spec(users=30, memberships=10, attachments=5)),
                                   now=lambda: clock[0])
    assert call(backend, "ims", "GenerateCredentialReport") == {"State": "STARTED"}
    clock[0] += timedelta(seconds=1)  # the default build time
    assert call(backend, "ims", "GenerateCredentialReport") == {"State": "COMPLETED"}
    rows: list[dict[str, str]] = []
    token: str | None = None
    while True:
        params = {"MaxItems": "7", **({"NextToken": token} if token else {})}
        page = call(backend, "ims", "GetCredentialReport", **params)
        rows += _rows(page["Content"])
        if page["IsTruncated"] == "false":
            break
        token = page["NextToken"]
    assert rows[0]["user"] == "<root>" and len(rows) == 31
    assert {"password_exist", "mfa_active", "access_key_1_last_used"} <= set(rows[0])
    clock[0] += timedelta(hours=5)
    assert call(backend, "ims", "GenerateCredentialReport") == {"State": "STARTED"}


@pytest.mark.parametrize("max_items", ["0", "3502", "many"])
def test_credential_report_max_items_bounds(max_items: str) -> None:
    """1..3501 and a number, as the metadata says; 3501 (the default) is the largest page."""
    clock = [datetime(2026, 11, 27, tzinfo=UTC)]
    backend = Backend.from_account(generate(Spec(users=3, memberships=0, attachments=1)),
                                   now=lambda: clock[0])
    call(backend, "ims", "GenerateCredentialReport")
    clock[0] += timedelta(seconds=1)
    assert call(backend, "ims", "GetCredentialReport", MaxItems="3501")["IsTruncated"] == "false"
    assert error_of(backend, "ims", "GetCredentialReport", MaxItems=max_items) == (
        "InvalidParameter.MaxItems", 400)


def test_credential_report_refused_above_3500_users() -> None:
    backend = Backend.from_account(generate(Spec(users=3501, memberships=0, attachments=1)))
    assert error_of(backend, "ims", "GenerateCredentialReport") == (
        "LimitExceeded.CredentialReport", 409)


@pytest.mark.parametrize(("action", "outer", "inner", "size"), [
    ("ListUsers", "Users", "User", 97),
    ("ListUserBasicInfos", "UserBasicInfos", "UserBasicInfo", 250),
])
def test_pagination_round_trip(action: str, outer: str, inner: str, size: int) -> None:
    backend = Backend.from_account(generate(Spec(users=2345, frozen=0.1, memberships=0,
                                                 attachments=1)))
    seen: list[str] = []
    marker: str | None = None
    pages = 0
    while True:
        params = {"MaxItems": str(size), "Status": "active,freeze",
                  **({"Marker": marker} if marker else {})}
        body = call(backend, "ims", action, **params)
        seen += [u["UserId"] for u in body[outer][inner]]
        pages += 1
        if not body["IsTruncated"]:
            assert "Marker" not in body
            break
        marker = body["Marker"]
    assert len(seen) == len(set(seen)) == 2345 and pages == -(-2345 // size)
    active_only = call(backend, "ims", action, MaxItems="1000")
    assert all(u.get("Status", "active") == "active" for u in active_only[outer][inner])


def test_markers_are_bound_to_their_listing() -> None:
    backend = Backend.from_account(generate(Spec(users=300, groups=3, memberships=0,
                                                 attachments=1)))
    marker = call(backend, "ims", "ListUsers", MaxItems="10")["Marker"]
    assert error_of(backend, "ram", "ListUsers", Marker=marker) == ("InvalidParameter.Marker", 400)
    assert error_of(backend, "ims", "ListUsers", Marker=marker[:-2] + "xx") == (
        "InvalidParameter.Marker", 400)


def test_paging_survives_deletes_between_pages(backend: Backend) -> None:
    first = call(backend, "ram", "ListUsers", MaxItems="3")
    call(backend, "ram", "CreateUser", UserName="late")
    call(backend, "ram", "DeleteUser", UserName="ivan")
    rest = call(backend, "ram", "ListUsers", MaxItems="100", Marker=first["Marker"])
    listed = [u["UserName"] for u in first["Users"]["User"] + rest["Users"]["User"]]
    assert listed[-1] == "late" and "ivan" not in listed and len(listed) == len(set(listed))
