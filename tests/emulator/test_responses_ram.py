"""RAM actions through ``dispatch``: happy paths with the SDK's exact keys, and error codes."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import metadata
from baton_alibaba_cloud.emulator.accounts import SAMPLE_ACCOUNT
from baton_alibaba_cloud.emulator.backend import Backend
from baton_alibaba_cloud.emulator.errors import EmulatorError
from baton_alibaba_cloud.emulator.identity import Caller
from baton_alibaba_cloud.emulator.responses import dispatch, implemented_actions
from baton_alibaba_cloud.emulator.responses._common import method_name

from .wire_check import wire_problems

ADMIN_KEY = "LTAI5tDemoAdminKey000001"
SDK_PACKAGES = {"ram": "alibabacloud_ram20150501", "ims": "alibabacloud_ims20190815",
                "sts": "alibabacloud_sts20150401"}


def sample_backend() -> Backend:
    return Backend.from_account(json.loads(SAMPLE_ACCOUNT.read_text(encoding="utf-8")))


def caller_of(backend: Backend, access_key_id: str) -> Caller:
    resolved = backend.resolve_access_key(access_key_id)
    assert resolved is not None
    return resolved.caller


def admin(backend: Backend) -> Caller:
    """The caller of the account's administrator key (what the emulator prints)."""
    credentials = backend.admin_credentials()
    assert credentials is not None
    return caller_of(backend, credentials[0])


def call(backend: Backend, service: str, action: str, caller: Caller | None = None, /,
         **params: str) -> dict[str, Any]:
    who = caller or admin(backend)
    body = dispatch(backend, service, action, params, who)
    assert_sdk_shape(service, action, body)
    return body


def error_of(backend: Backend, service: str, action: str, caller: Caller | None = None, /,
             **params: str) -> tuple[str, int]:
    with pytest.raises(EmulatorError) as caught:
        dispatch(backend, service, action, params, caller or admin(backend))
    return caught.value.code, caught.value.http_status


def assert_sdk_shape(service: str, action: str, body: dict[str, Any]) -> None:
    """The official SDK model keeps every key we send: no unknown or misspelt field."""
    models = importlib.import_module(f"{SDK_PACKAGES[service]}.models")
    model = getattr(models, f"{action}ResponseBody")
    wire = {**body, "RequestId": "test"}
    assert model().from_map(wire).to_map() == wire
    spec = metadata.load(service).actions[action].response  # type: ignore[arg-type]
    assert wire_problems(wire, spec, action) == []


@pytest.fixture
def backend() -> Backend:
    return sample_backend()


def test_every_implemented_action_has_a_handler() -> None:
    from baton_alibaba_cloud.emulator.responses import HANDLERS

    for service, action in implemented_actions():
        assert hasattr(HANDLERS[service], method_name(action)), (service, action)
    assert ("ram", "GetUserMFAInfo") in implemented_actions()
    assert method_name("GetUserMFAInfo") == "get_user_mfa_info"


READS = [
    ("GetAccountAlias", {}),
    ("ListUsers", {"MaxItems": "5"}),
    ("GetUser", {"UserName": "alice"}),
    ("ListGroups", {}),
    ("GetGroup", {"GroupName": "developers"}),
    ("ListUsersForGroup", {"GroupName": "developers"}),
    ("ListGroupsForUser", {"UserName": "bob"}),
    ("ListRoles", {}),
    ("GetRole", {"RoleName": "broken-trust-role"}),
    ("ListPolicies", {"PolicyType": "Custom"}),
    ("GetPolicy", {"PolicyName": "dev-ecs-access", "PolicyType": "Custom"}),
    ("GetPolicyVersion", {"PolicyName": "dev-ecs-access", "PolicyType": "Custom",
                          "VersionId": "v1"}),
    ("ListPolicyVersions", {"PolicyName": "dev-ecs-access", "PolicyType": "Custom"}),
    ("ListEntitiesForPolicy", {"PolicyName": "AliyunOSSReadOnlyAccess", "PolicyType": "System"}),
    ("ListPoliciesForUser", {"UserName": "emulator-admin"}),
    ("ListPoliciesForGroup", {"GroupName": "auditors"}),
    ("ListPoliciesForRole", {"RoleName": "admin-role"}),
    ("ListAccessKeys", {"UserName": "ci-deployer"}),
    ("GetAccessKeyLastUsed", {"UserName": "alice", "UserAccessKeyId": "LTAI5tDemoAliceKey000001"}),
    ("GetLoginProfile", {"UserName": "alice"}),
    ("GetUserMFAInfo", {"UserName": "alice"}),
]


@pytest.mark.parametrize(("action", "params"), READS, ids=[a for a, _ in READS])
def test_reads_answer_in_the_sdk_shape(backend: Backend, action: str,
                                       params: dict[str, str]) -> None:
    body = call(backend, "ram", action, **params)
    assert body


def test_read_contents(backend: Backend) -> None:
    assert call(backend, "ram", "GetAccountAlias") == {"AccountAlias": "acme-demo"}
    role = call(backend, "ram", "GetRole", RoleName="broken-trust-role")["Role"]
    assert role["AssumeRolePolicyDocument"].endswith('"sts:AssumeRole", ')
    assert role["Arn"] == "acs:ram::5123456789012345:role/broken-trust-role"
    policy = call(backend, "ram", "GetPolicy", PolicyName="dev-ecs-access", PolicyType="Custom")
    assert policy["DefaultPolicyVersion"]["VersionId"] == "v2"
    assert json.loads(policy["DefaultPolicyVersion"]["PolicyDocument"])["Version"] == "1"
    entities = call(backend, "ram", "ListEntitiesForPolicy", PolicyName="AliyunOSSReadOnlyAccess",
                    PolicyType="System")
    assert [g["GroupName"] for g in entities["Groups"]["Group"]] == ["developers"]
    assert [r["RoleName"] for r in entities["Roles"]["Role"]] == ["ecs-instance-role"]
    listed = call(backend, "ram", "ListPolicies", PolicyType="System", MaxItems="1000")
    counts = {p["PolicyName"]: p["AttachmentCount"] for p in listed["Policies"]["Policy"]}
    assert counts["AliyunOSSReadOnlyAccess"] == 2
    assert {p["PolicyType"] for p in listed["Policies"]["Policy"]} == {"System"}
    assert listed["IsTruncated"] is False and "Marker" not in listed
    members = call(backend, "ram", "ListUsersForGroup", GroupName="developers")["Users"]["User"]
    assert {m["UserName"] for m in members} == {"alice", "bob", "dave", "heidi"}
    assert all(m["JoinDate"].endswith("Z") for m in members)


def test_membership_and_attachment_writes(backend: Backend) -> None:
    call(backend, "ram", "AddUserToGroup", GroupName="operations", UserName="ivan")
    groups = call(backend, "ram", "ListGroupsForUser", UserName="ivan")["Groups"]["Group"]
    assert [g["GroupName"] for g in groups] == ["operations"]
    assert error_of(backend, "ram", "AddUserToGroup", GroupName="operations",
                    UserName="ivan") == ("EntityAlreadyExists.User.Group", 409)
    call(backend, "ram", "RemoveUserFromGroup", GroupName="operations", UserName="ivan")
    assert error_of(backend, "ram", "RemoveUserFromGroup", GroupName="operations",
                    UserName="ivan") == ("EntityNotExist.User.Group", 404)
    for kind, name in (("User", "ivan"), ("Group", "empty-group"), ("Role", "chained-role")):
        params = {"PolicyName": "ReadOnlyAccess", "PolicyType": "System", f"{kind}Name": name}
        call(backend, "ram", f"AttachPolicyTo{kind}", **params)
        assert error_of(backend, "ram", f"AttachPolicyTo{kind}", **params) == (
            f"EntityAlreadyExists.{kind}.Policy", 409)
        listed = call(backend, "ram", f"ListPoliciesFor{kind}", **{f"{kind}Name": name})
        assert "ReadOnlyAccess" in {p["PolicyName"] for p in listed["Policies"]["Policy"]}
        call(backend, "ram", f"DetachPolicyFrom{kind}", **params)
        assert error_of(backend, "ram", f"DetachPolicyFrom{kind}", **params) == (
            f"EntityNotExist.{kind}.Policy", 404)


def test_user_and_group_lifecycle(backend: Backend) -> None:
    created = call(backend, "ram", "CreateUser", UserName="zed", DisplayName="Zed",
                   Email="zed@example.com")["User"]
    assert created["UserName"] == "zed" and created["UserId"]
    assert error_of(backend, "ram", "CreateUser", UserName="zed") == (
        "EntityAlreadyExists.User", 409)
    updated = call(backend, "ram", "UpdateUser", UserName="zed", NewUserName="zed2",
                   NewComments="renamed")["User"]
    assert (updated["UserName"], updated["Comments"]) == ("zed2", "renamed")
    call(backend, "ram", "CreateGroup", GroupName="new-group", Comments="x")
    call(backend, "ram", "AddUserToGroup", GroupName="new-group", UserName="zed2")
    assert error_of(backend, "ram", "DeleteUser", UserName="zed2") == (
        "DeleteConflict.User.Group", 409)
    assert error_of(backend, "ram", "DeleteGroup", GroupName="new-group") == (
        "DeleteConflict.Group.User", 409)
    call(backend, "ram", "RemoveUserFromGroup", GroupName="new-group", UserName="zed2")
    call(backend, "ram", "DeleteUser", UserName="zed2")
    call(backend, "ram", "DeleteGroup", GroupName="new-group")
    assert error_of(backend, "ram", "GetUser", UserName="zed2") == ("EntityNotExist.User", 404)


@pytest.mark.parametrize(("user", "code"), [
    ("alice", "DeleteConflict.User.Group"),
    ("erin", "DeleteConflict.User.AccessKey"),
    ("emulator-admin", "DeleteConflict.User.AccessKey"),
])
def test_delete_user_conflicts(backend: Backend, user: str, code: str) -> None:
    assert error_of(backend, "ram", "DeleteUser", UserName=user) == (code, 409)


def test_credentials(backend: Backend) -> None:
    call(backend, "ram", "UpdateAccessKey", UserName="ci-deployer",
         UserAccessKeyId="LTAI5tDemoCiKey000000002", Status="Active")
    keys = call(backend, "ram", "ListAccessKeys", UserName="ci-deployer")["AccessKeys"]["AccessKey"]
    assert {k["Status"] for k in keys} == {"Active"}
    assert error_of(backend, "ram", "UpdateAccessKey", UserName="ci-deployer",
                    UserAccessKeyId="LTAI5tDemoCiKey000000002", Status="Off") == (
        "InvalidParameter.Status", 400)
    never = call(backend, "ram", "GetAccessKeyLastUsed", UserName="ci-deployer",
                 UserAccessKeyId="LTAI5tDemoCiKey000000002")
    assert never == {"AccessKeyLastUsed": {}}
    call(backend, "ram", "UpdateLoginProfile", UserName="bob", PasswordResetRequired="false")
    profile = call(backend, "ram", "GetLoginProfile", UserName="bob")["LoginProfile"]
    assert profile["PasswordResetRequired"] is False
    own = call(backend, "ram", "ListAccessKeys")["AccessKeys"]["AccessKey"]
    assert [k["AccessKeyId"] for k in own] == [ADMIN_KEY]


ERRORS = [
    ("GetUser", {"UserName": "nobody"}, "EntityNotExist.User", 404),
    ("GetGroup", {"GroupName": "nobody"}, "EntityNotExist.Group", 404),
    ("GetRole", {"RoleName": "nobody"}, "EntityNotExist.Role", 404),
    ("GetPolicy", {"PolicyName": "nope", "PolicyType": "Custom"}, "EntityNotExist.Policy", 404),
    ("GetPolicy", {"PolicyName": "x", "PolicyType": "Bogus"}, "InvalidParameter.PolicyType", 400),
    ("ListPolicies", {"PolicyType": "Bogus"}, "InvalidParameter.PolicyType", 400),
    ("GetPolicyVersion", {"PolicyName": "dev-ecs-access", "PolicyType": "Custom",
                          "VersionId": "v9"}, "EntityNotExist.Policy.Version", 404),
    ("GetLoginProfile", {"UserName": "ivan"}, "EntityNotExist.User.LoginProfile", 404),
    ("GetUserMFAInfo", {"UserName": "bob"}, "EntityNotExist.User.MFADevice", 404),
    ("GetAccessKeyLastUsed", {"UserName": "bob", "UserAccessKeyId": "LTAI5tDemoAliceKey000001"},
     "EntityNotExist.User.AccessKey", 404),
    ("CreateUser", {"UserName": "bad name!"}, "InvalidParameter.UserName.InvalidChars", 400),
    ("CreateUser", {"UserName": "x" * 65}, "InvalidParameter.UserName.Length", 400),
    ("CreateUser", {"UserName": "ok", "Email": "not-an-email"}, "InvalidParameter.Email.Format",
     400),
    ("CreateGroup", {"GroupName": "developers"}, "EntityAlreadyExists.Group", 409),
    ("DeleteGroup", {"GroupName": "auditors"}, "DeleteConflict.Group.User", 409),
    ("AddUserToGroup", {"GroupName": "developers", "UserName": "nobody"},
     "EntityNotExist.User", 404),
    ("AttachPolicyToUser", {"PolicyName": "nope", "PolicyType": "System", "UserName": "bob"},
     "EntityNotExist.Policy", 404),
    ("ListUsers", {"MaxItems": "1001"}, "InvalidParameter.MaxItems", 400),
    ("ListGroups", {"MaxItems": "0"}, "InvalidParameter.MaxItems", 400),
    ("ListUsers", {"Marker": "garbage!"}, "InvalidParameter.Marker", 400),
    ("GetUser", {}, "MissingUserName", 400),
    ("UpdateUser", {}, "MissingUserName", 400),
    ("CreateGroup", {}, "MissingGroupName", 400),
    ("NoSuchAction", {}, "InvalidAction.NotFound", 404),
]


@pytest.mark.parametrize(("action", "params", "code", "status"), ERRORS,
                         ids=[f"{a}-{c}" for a, _, c, _ in ERRORS])
def test_errors(backend: Backend, action: str, params: dict[str, str], code: str,
                status: int) -> None:
    assert error_of(backend, "ram", action, **params) == (code, status)


def test_quotas_limit_groups_per_user(backend: Backend) -> None:
    backend.account.quotas["GroupsPerUserQuota"] = 2
    assert error_of(backend, "ram", "AddUserToGroup", GroupName="auditors",
                    UserName="bob") == ("LimitExceeded.User.Group", 409)
    backend.account.quotas["AttachedSystemPoliciesPerUserQuota"] = 1
    assert error_of(backend, "ram", "AttachPolicyToUser", PolicyName="ReadOnlyAccess",
                    PolicyType="System", UserName="alice") == ("LimitExceeded.User.Policy", 409)


@pytest.mark.parametrize(("service", "action", "outer", "inner"), [
    ("ims", "ListUsers", "Users", "User"), ("ims", "ListUserBasicInfos", "UserBasicInfos",
                                            "UserBasicInfo"),
    ("ims", "ListGroups", "Groups", "Group"), ("ram", "ListUsers", "Users", "User"),
    ("ram", "ListGroups", "Groups", "Group"), ("ram", "ListRoles", "Roles", "Role"),
    ("ram", "ListPolicies", "Policies", "Policy"),
])
def test_default_page_size_is_the_metadata_default(service: str, action: str, outer: str,
                                                   inner: str) -> None:
    """No MaxItems → the default of docs/alibaba.md §3.0 (IMS ListUsers 1000, the rest 100)."""
    from baton_alibaba_cloud.emulator.accounts.generator import Spec, generate

    backend = Backend.from_account(generate(Spec(
        users=1100, groups=120, roles=120, custom_policies=120, frozen=0.0, memberships=0,
        attachments=1)))
    param = metadata.load(service).actions[action].parameters["MaxItems"]  # type: ignore[arg-type]
    body = call(backend, service, action)
    assert len(body[outer][inner]) == int(param.default or 0) and body["IsTruncated"] is True
