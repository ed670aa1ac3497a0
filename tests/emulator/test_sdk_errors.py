"""Every error code of issue 3 reaches the official SDK with docs/alibaba.md §4's HTTP status.

Why through the SDK: the status and code a client sees are decided by the whole path (gateway
check, backend rule, error body, HTTP status), and the official client is the judge of what
the real service's answers look like (``ClientException.code``/``status_code``, 4xx → client
error, 5xx → server error). Each case runs on a fresh emulator with an account built so that
exactly one rule refuses the call.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from alibabacloud_tea_openapi import utils_models as open_api_models
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import RuntimeOptions

from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator
from tests.emulator.test_sdk_conformance import PROXY_VARIABLES, sdk_call, sdk_config
from tests.emulator.test_sdk_conformance_account import ACCOUNT, ADMIN_KEY, ALICE_KEY, DOMAIN

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_proxy")]

ALICE = ("alice", ALICE_KEY, "alice-secret-0001")


def _account() -> dict[str, Any]:
    """The conformance account plus one user per DeleteConflict, and tight limits."""
    account = copy.deepcopy(ACCOUNT)
    account["users"] += [
        {"name": "lp-only", "login_profile": {"status": "Active"}},
        {"name": "mfa-only", "mfa": {"name": "mfa-only", "type": "VMFA"}},
        {"name": "policy-only"},
    ]
    account["groups"].append({"name": "policy-group"})
    account["attachments"] += [
        {"policy": "ops-access", "policy_type": "Custom", "principal_type": "user",
         "principal": "policy-only"},
        {"policy": "ops-access", "policy_type": "Custom", "principal_type": "group",
         "principal": "policy-group"},
    ]
    account["account"]["limits"] = {
        "UsersQuota": len(account["users"]), "GroupsQuota": len(account["groups"]),
        "GroupsPerUserQuota": 1, "AttachedPoliciesPerUserQuota": 1,
        "AttachedPoliciesPerGroupQuota": 1, "AttachedPoliciesPerRoleQuota": 1}
    return account


@dataclass(frozen=True)
class Case:
    """One refused call: who calls what, and the code and HTTP status it must get."""

    code: str
    status: int
    service: str
    action: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    key: tuple[str, str] | None = None
    token: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


_POLICY = {"policy_name": "ops-access", "policy_type": "Custom"}
_DEV = {"policy_name": "dev-access", "policy_type": "Custom"}
CASES = [
    # gateway
    Case("InvalidAccessKeyId.NotFound", 404, "ram", "GetAccountAlias", key=("LTAI5tNobody", "x")),
    Case("SignatureDoesNotMatch", 400, "ram", "GetAccountAlias", key=(ADMIN_KEY[0], "wrong")),
    Case("InvalidTimeStamp.Expired", 400, "ram", "GetAccountAlias",
         options={"clock": lambda: time.time() + 16 * 60}),
    Case("NoPermission", 403, "ram", "ListRoles", key=ALICE[1:]),
    Case("Throttling.User", 400, "ram", "GetAccountAlias",
         options={"quota_overrides": {"ram:GetAccountAlias": 0.001}}),
    Case("InvalidParameter.MaxItems", 400, "ims", "ListUsers", {"max_items": 1001}),
    Case("MissingUserName", 400, "ram", "GetUser"),
    # EntityNotExist.* (404)
    Case("EntityNotExist.User", 404, "ram", "GetUser", {"user_name": "ghost"}),
    Case("EntityNotExist.User", 404, "ims", "GetUser", {"user_principal_name": f"x@{DOMAIN}"}),
    Case("EntityNotExist.Group", 404, "ram", "AddUserToGroup",
         {"group_name": "ghosts", "user_name": "bob"}),
    Case("EntityNotExist.Role", 404, "ram", "GetRole", {"role_name": "ghost"}),
    Case("EntityNotExist.Policy", 404, "ram", "GetPolicy",
         {"policy_name": "ghost", "policy_type": "Custom"}),
    Case("EntityNotExist.User.Group", 404, "ram", "RemoveUserFromGroup",
         {"group_name": "ops", "user_name": "alice"}),
    Case("EntityNotExist.User.Group", 404, "ims", "RemoveUserFromGroup",
         {"group_name": "ops", "user_principal_name": f"alice@{DOMAIN}"}),
    Case("EntityNotExist.User.Policy", 404, "ram", "DetachPolicyFromUser",
         {**_POLICY, "user_name": "alice"}),
    Case("EntityNotExist.Group.Policy", 404, "ram", "DetachPolicyFromGroup",
         {**_POLICY, "group_name": "dev"}),
    Case("EntityNotExist.Role.Policy", 404, "ram", "DetachPolicyFromRole",
         {**_POLICY, "role_name": "conformance-role"}),
    Case("EntityNotExist.User.LoginProfile", 404, "ram", "GetLoginProfile", {"user_name": "bob"}),
    Case("EntityNotExist.User.LoginProfile", 404, "ims", "UpdateLoginProfile",
         {"user_principal_name": f"bob@{DOMAIN}", "status": "Inactive"}),
    Case("EntityNotExist.User.MFADevice", 404, "ram", "GetUserMFAInfo", {"user_name": "bob"}),
    Case("EntityNotExist.User.AccessKey", 404, "ram", "UpdateAccessKey",
         {"user_name": "bob", "user_access_key_id": ALICE_KEY, "status": "Inactive"}),
    # EntityAlreadyExists.* (409)
    Case("EntityAlreadyExists.User", 409, "ram", "CreateUser", {"user_name": "alice"}),
    Case("EntityAlreadyExists.User", 409, "ims", "CreateUser",
         {"user_principal_name": f"bob@{DOMAIN}", "display_name": "Bob"}),
    Case("EntityAlreadyExists.User.Group", 409, "ram", "AddUserToGroup",
         {"group_name": "dev", "user_name": "alice"}),
    Case("EntityAlreadyExists.User.Group", 409, "ims", "AddUserToGroup",
         {"group_name": "dev", "user_principal_name": f"bob@{DOMAIN}"}),
    Case("EntityAlreadyExists.User.Policy", 409, "ram", "AttachPolicyToUser",
         {**_DEV, "user_name": "alice"}),
    Case("EntityAlreadyExists.Group.Policy", 409, "ram", "AttachPolicyToGroup",
         {**_DEV, "group_name": "dev"}),
    Case("EntityAlreadyExists.Role.Policy", 409, "ram", "AttachPolicyToRole",
         {**_DEV, "role_name": "conformance-role"}),
    # DeleteConflict.* (409)
    Case("DeleteConflict.User.Group", 409, "ram", "DeleteUser", {"user_name": "bob"}),
    Case("DeleteConflict.User.AccessKey", 409, "ram", "DeleteUser",
         {"user_name": "emulator-admin"}),
    Case("DeleteConflict.User.LoginProfile", 409, "ram", "DeleteUser", {"user_name": "lp-only"}),
    Case("DeleteConflict.User.MFADevice", 409, "ram", "DeleteUser", {"user_name": "mfa-only"}),
    Case("DeleteConflict.User.Policy", 409, "ram", "DeleteUser", {"user_name": "policy-only"}),
    Case("DeleteConflict.User.Policy", 409, "ims", "DeleteUser",
         {"user_principal_name": f"policy-only@{DOMAIN}"}),
    Case("DeleteConflict.Group.User", 409, "ram", "DeleteGroup", {"group_name": "dev"}),
    Case("DeleteConflict.Group.Policy", 409, "ram", "DeleteGroup", {"group_name": "policy-group"}),
    # LimitExceeded.* (409)
    Case("LimitExceeded.User", 409, "ram", "CreateUser", {"user_name": "one-too-many"}),
    Case("LimitExceeded.Group", 409, "ram", "CreateGroup", {"group_name": "one-too-many"}),
    Case("LimitExceeded.User.Group", 409, "ram", "AddUserToGroup",
         {"group_name": "ops", "user_name": "bob"}),
    Case("LimitExceeded.User.Group", 409, "ims", "AddUserToGroup",
         {"group_name": "ops", "user_principal_name": f"bob@{DOMAIN}"}),
    Case("LimitExceeded.User.Policy", 409, "ram", "AttachPolicyToUser",
         {**_POLICY, "user_name": "alice"}),
    Case("LimitExceeded.Group.Policy", 409, "ram", "AttachPolicyToGroup",
         {**_POLICY, "group_name": "dev"}),
    Case("LimitExceeded.Role.Policy", 409, "ram", "AttachPolicyToRole",
         {**_POLICY, "role_name": "conformance-role"}),
]


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here: the SDK honours proxy variables even for 127.0.0.1."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


async def _refused(emu: RunningEmulator, case: Case, mode: str) -> ClientException:
    config = sdk_config(emu, case.key or ADMIN_KEY, case.token)
    with pytest.raises(ClientException) as caught:
        for _ in range(2 if case.code.startswith("Throttling") else 1):
            await sdk_call(config, case.service, case.action, case.kwargs,  # type: ignore[arg-type]
                           mode)
    return caught.value


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.service}-{c.action}-{c.code}")
async def test_code_and_status_reach_the_sdk(case: Case) -> None:
    options = EmulatorOptions(**case.options)
    async with running_emulator(_account(), options) as emu:
        error = await _refused(emu, case, "sync")
    assert (error.code, error.status_code) == (case.code, case.status), error.message
    if case.code == "NoPermission":
        detail = error.access_denied_detail or {}
        assert detail.get("AuthAction") == f"ram:{case.action}"
        assert detail.get("NoPermissionType") == "ImplicitDeny"


@pytest.mark.parametrize("code", ["EntityNotExist.User.Group", "DeleteConflict.User.Group",
                                  "LimitExceeded.User.Group", "NoPermission"])
async def test_async_client_sees_the_same(code: str) -> None:
    case = next(c for c in CASES if c.code == code)
    async with running_emulator(_account()) as emu:
        error = await _refused(emu, case, "async")
    assert (error.code, error.status_code) == (case.code, case.status)


# --- actions no generated SDK method can misname: the generic call_api ----------------------
async def _generic(emu: RunningEmulator, action: str, query: dict[str, str]) -> ClientException:
    client = OpenApiClient(sdk_config(emu))
    params = open_api_models.Params(
        action=action, version="2015-05-01", protocol="HTTPS", pathname="/", method="POST",
        auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    request = open_api_models.OpenApiRequest(query=query)
    with pytest.raises(ClientException) as caught:
        await client.call_api_async(params, request, RuntimeOptions())
    return caught.value


@pytest.mark.parametrize(("action", "query", "code", "status"), [
    ("ListUnicorns", {}, "InvalidAction.NotFound", 404),
    ("ListUsers", {"Colour": "blue"}, "InvalidParameter", 400),
    ("GetPasswordPolicy", {}, "UnsupportedOperation", 400),
])
async def test_generic_call_refusals(action: str, query: dict[str, str], code: str,
                                     status: int) -> None:
    async with running_emulator(ACCOUNT) as emu:
        error = await _generic(emu, action, query)
    assert (error.code, error.status_code) == (code, status)


async def test_sts_session_with_another_token() -> None:
    """An STS AccessKey signed correctly but sent with a token that is not its own."""
    role_arn = f"acs:ram::{ACCOUNT['account']['id']}:role/conformance-role"
    async with running_emulator(ACCOUNT) as emu:
        assumed = await sdk_call(sdk_config(emu), "sts", "AssumeRole",
                                 {"role_arn": role_arn, "role_session_name": "session"}, "sync")
        creds = assumed.body.credentials
        case = Case("InvalidSecurityToken.MismatchWithAccessKey", 400, "ram", "GetAccountAlias",
                    key=(creds.access_key_id, creds.access_key_secret), token="CAISnot-mine")
        error = await _refused(emu, case, "sync")
    assert (error.code, error.status_code) == (case.code, case.status)
