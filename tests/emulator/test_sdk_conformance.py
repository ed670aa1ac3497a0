"""The emulator answers the official Alibaba Cloud SDK clients, which we did not write.

Why: our own client and the emulator were written from the same reading of the docs, so they
can agree on a mistake. Alibaba's SDKs (RAM 1.3.0, IMS 3.5.0, STS 1.2.0 over tea-openapi 0.4.6)
sign, send and parse on their own; if they accept the emulator's answers, the emulator speaks
the real wire format. Every action the product uses is called through both the sync method (in
a worker thread, since it blocks) and the async one, against a fresh emulator per test.

Each answer is checked three ways: the SDK parsed it into its response model (status 200, a
body, a RequestId) and kept every key the emulator sent; the raw wire body (before the model
could drop anything) has only the API metadata snapshot's fields, with their JSON types,
``YYYY-MM-DDThh:mm:ssZ`` timestamps and ``Marker`` exactly when ``IsTruncated``
(``wire_check.py``); and the fields the product relies on are present.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from alibabacloud_cloudsso20210515 import models as sso_models
from alibabacloud_cloudsso20210515.client import Client as SsoClient
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config

from baton_alibaba_cloud.alibaba import metadata
from baton_alibaba_cloud.alibaba.metadata import Service
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.responses import implemented_actions
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator
from tests.emulator.test_sdk_conformance_account import (
    ACCOUNT,
    ACCOUNT_ID,
    ADMIN_KEY,
    ALICE_KEY,
    DOMAIN,
    OIDC_ISSUER,
)
from tests.emulator.wire_check import wire_problems

pytestmark = pytest.mark.timeout(60)

CLIENTS: dict[Service, Callable[[Config], Any]] = {
    "ram": RamClient, "ims": ImsClient, "sts": StsClient, "resourcemanager": RmClient,
    "cloudsso": SsoClient}
MODELS: dict[Service, Any] = {"ram": ram_models, "ims": ims_models, "sts": sts_models,
                              "resourcemanager": rm_models, "cloudsso": sso_models}
MODES = ("sync", "async")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                   "all_proxy")


def _oidc_token() -> str:
    """An unsigned JWT: the emulator reads claims and does not verify signatures (offline)."""
    def part(value: Mapping[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    now = int(time.time())
    claims = {"iss": OIDC_ISSUER, "aud": "sts.aliyuncs.com", "sub": "system:serviceaccount:a:b",
              "iat": now - 60, "exp": now + 3600}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


@dataclass(frozen=True)
class Step:
    """One action: the SDK request's keyword arguments and the paths its answer must have."""

    service: Service
    action: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    expect: tuple[str, ...] = ()
    before: tuple[tuple[Service, str], ...] = ()

    @property
    def id(self) -> str:
        return f"{self.service}-{self.action}"


ALICE = f"alice@{DOMAIN}"
POLICY = {"policy_name": "dev-access", "policy_type": "Custom"}
READ_ONLY = {"policy_name": "ReadOnlyAccess", "policy_type": "System"}
ROLE_ARN = f"acs:ram::{ACCOUNT_ID}:role/conformance-role"
STEPS: tuple[Step, ...] = (
    Step("ram", "GetAccountAlias", expect=("AccountAlias",)),
    Step("ram", "ListRoles", {"max_items": 1000}, ("Roles.Role[].RoleName", "IsTruncated")),
    Step("ram", "GetRole", {"role_name": "conformance-role"},
         ("Role.Arn", "Role.AssumeRolePolicyDocument", "Role.MaxSessionDuration")),
    Step("ram", "ListPolicies", {"policy_type": "Custom", "max_items": 1000},
         ("Policies.Policy[].PolicyName", "Policies.Policy[].AttachmentCount")),
    Step("ram", "GetPolicy", POLICY, ("Policy.PolicyName", "DefaultPolicyVersion.PolicyDocument")),
    Step("ram", "ListEntitiesForPolicy", POLICY, ("Users.User[].UserName",)),
    Step("ram", "ListPoliciesForUser", {"user_name": "alice"}, ("Policies.Policy[].PolicyName",)),
    Step("ram", "ListPoliciesForGroup", {"group_name": "dev"}, ("Policies.Policy[].PolicyName",)),
    Step("ram", "ListPoliciesForRole", {"role_name": "conformance-role"},
         ("Policies.Policy[].PolicyName",)),
    Step("ram", "AttachPolicyToUser", {**READ_ONLY, "user_name": "alice"}),
    Step("ram", "AttachPolicyToGroup", {**READ_ONLY, "group_name": "dev"}),
    Step("ram", "AttachPolicyToRole", {**READ_ONLY, "role_name": "conformance-role"}),
    Step("ram", "DetachPolicyFromUser", {**POLICY, "user_name": "alice"}),
    Step("ram", "DetachPolicyFromGroup", {**POLICY, "group_name": "dev"}),
    Step("ram", "DetachPolicyFromRole",
         {"policy_name": "AdministratorAccess", "policy_type": "System",
          "role_name": "conformance-role"}),
    Step("ram", "AddUserToGroup", {"group_name": "ops", "user_name": "alice"}),
    Step("ram", "RemoveUserFromGroup", {"group_name": "dev", "user_name": "bob"}),
    Step("ram", "CreateUser", {"user_name": "carol", "display_name": "Carol"},
         ("User.UserName", "User.UserId")),
    Step("ram", "DeleteUser", {"user_name": "doomed"}),
    Step("ram", "ListAccessKeys", {"user_name": "alice"},
         ("AccessKeys.AccessKey[].AccessKeyId", "AccessKeys.AccessKey[].Status")),
    Step("ram", "GetAccessKeyLastUsed", {"user_name": "alice", "user_access_key_id": ALICE_KEY},
         ("AccessKeyLastUsed.LastUsedDate",)),
    Step("ram", "GetLoginProfile", {"user_name": "alice"}, ("LoginProfile.UserName",)),
    Step("ram", "GetUserMFAInfo", {"user_name": "alice"}, ("MFADevice.SerialNumber",)),
    Step("ram", "UpdateAccessKey",
         {"user_name": "alice", "user_access_key_id": ALICE_KEY, "status": "Inactive"}),
    Step("ram", "UpdateLoginProfile", {"user_name": "alice", "password_reset_required": True}),
    Step("ims", "ListUsers", {"status": "active,freeze", "max_items": 1000},
         ("Users.User[].UserPrincipalName", "Users.User[].Status", "IsTruncated")),
    Step("ims", "ListGroups", {"max_items": 100}, ("Groups.Group[].GroupName",)),
    Step("ims", "ListUsersForGroup", {"group_name": "dev", "max_items": 100},
         ("Users.User[].UserPrincipalName",)),
    Step("ims", "ListGroupsForUser", {"user_principal_name": ALICE},
         ("Groups.Group[].GroupName",)),
    Step("ims", "GetUser", {"user_principal_name": ALICE},
         ("User.UserPrincipalName", "User.UserId", "User.UserName")),
    Step("ims", "ListAccessKeys", {"user_principal_name": ALICE},
         ("AccessKeys.AccessKey[].AccessKeyId",)),
    Step("ims", "GetAccessKeyLastUsed",
         {"user_principal_name": ALICE, "user_access_key_id": ALICE_KEY},
         ("AccessKeyLastUsed.LastUsedDate",)),
    Step("ims", "GetLoginProfile", {"user_principal_name": ALICE}, ("LoginProfile.Status",)),
    Step("ims", "UpdateLoginProfile", {"user_principal_name": ALICE, "status": "Inactive"}),
    Step("ims", "GetUserMFAInfo", {"user_principal_name": ALICE}, ("MFADevice.SerialNumber",)),
    Step("ims", "ListVirtualMFADevices", {"max_items": 100},
         ("VirtualMFADevices.VirtualMFADevice[].SerialNumber",)),
    Step("ims", "GenerateCredentialReport", expect=("State",)),
    Step("ims", "GetCredentialReport", {"max_items": "3501"}, ("Content",),
         before=(("ims", "GenerateCredentialReport"),)),
    Step("ims", "ListSAMLProviders", {"max_items": 100}, ("SAMLProviders.SAMLProvider[].Arn",)),
    Step("ims", "ListOIDCProviders", {"max_items": 100}, ("OIDCProviders.OIDCProvider[].Arn",)),
    Step("ims", "AddUserToGroup", {"group_name": "ops", "user_principal_name": ALICE}),
    Step("ims", "RemoveUserFromGroup",
         {"group_name": "dev", "user_principal_name": f"bob@{DOMAIN}"}),
    Step("ims", "CreateUser", {"user_principal_name": f"dave@{DOMAIN}", "display_name": "Dave"},
         ("User.UserPrincipalName", "User.UserId")),
    Step("ims", "DeleteUser", {"user_principal_name": f"doomed@{DOMAIN}"}),
    Step("ims", "UpdateAccessKey",
         {"user_principal_name": ALICE, "user_access_key_id": ALICE_KEY, "status": "Inactive"}),
    Step("ims", "GetDefaultDomain", expect=("DefaultDomainName",)),
    Step("sts", "GetCallerIdentity", expect=("AccountId", "Arn", "IdentityType")),
    Step("sts", "AssumeRole", {"role_arn": ROLE_ARN, "role_session_name": "conformance"},
         ("Credentials.AccessKeyId", "Credentials.AccessKeySecret",
          "Credentials.SecurityToken", "Credentials.Expiration", "AssumedRoleUser.Arn")),
    Step("sts", "AssumeRoleWithOIDC",
         {"role_arn": f"acs:ram::{ACCOUNT_ID}:role/oidc-role", "role_session_name": "oidc",
          "oidcprovider_arn": f"acs:ram::{ACCOUNT_ID}:oidc-provider/conformance-idp",
          "oidctoken": "<token>"},
         ("Credentials.SecurityToken", "OIDCTokenInfo.Subject")),
)


# --- plumbing --------------------------------------------------------------------------------
@pytest.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningEmulator]:
    """A fresh emulator per test; the SDK honours proxy variables even for 127.0.0.1.

    The credential report is ready at once (``report_delay_s=0``): each step here checks one
    answer's shape, and the build's states are test_credential_report's subject."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    async with running_emulator(ACCOUNT, EmulatorOptions(report_delay_s=0)) as emu:
        yield emu


def sdk_config(emu: RunningEmulator, key: tuple[str, str] = ADMIN_KEY,
               token: str | None = None) -> Config:
    return Config(access_key_id=key[0], access_key_secret=key[1], security_token=token,
                  endpoint=f"{emu.host}:{emu.port}", protocol="http",
                  read_timeout=10_000, connect_timeout=5_000)


def _capture_raw(client: Any, raw: list[dict[str, Any]]) -> None:
    """Keep the decoded JSON body each request returns, before the model drops anything.

    V3 actions go through ``call_api``; the anonymous STS ones through ``do_rpcrequest``."""
    def sync_wrapper(send: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any) -> Any:
            answer = send(*args)
            raw.append(answer["body"])
            return answer
        return wrapped

    def async_wrapper(send: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapped(*args: Any) -> Any:
            answer = await send(*args)
            raw.append(answer["body"])
            return answer
        return wrapped

    for name in ("call_api", "do_rpcrequest"):
        setattr(client, name, sync_wrapper(getattr(client, name)))
        setattr(client, f"{name}_async", async_wrapper(getattr(client, f"{name}_async")))


async def sdk_call(config: Config, service: Service, action: str,
                   kwargs: Mapping[str, Any], mode: str,
                   raw: list[dict[str, Any]] | None = None) -> Any:
    """Call ``action`` through the SDK's sync (in a thread) or async method; ``raw`` collects
    the wire bodies the SDK decoded."""
    spec = metadata.load(service).actions[action]
    client = CLIENTS[service](config)
    if raw is not None:
        _capture_raw(client, raw)
    request_class = getattr(MODELS[service], f"{action}Request", None)
    args = [request_class(**kwargs)] if request_class is not None else []
    if mode == "sync":
        return await asyncio.to_thread(getattr(client, spec.sdk_method), *args)
    return await getattr(client, f"{spec.sdk_method}_async")(*args)


def values_at(body: Mapping[str, Any], path: str) -> list[Any]:
    """Values at ``A.B[].C`` (``[]`` = every element) in a parsed body."""
    found: list[Any] = [body]
    for part in path.split("."):
        name, many = part.removesuffix("[]"), part.endswith("[]")
        step = [item.get(name) for item in found if isinstance(item, Mapping)]
        found = [x for sub in step for x in (sub or [])] if many else step
    return found


def check_answer(step: Step, response: Any, raw: dict[str, Any]) -> dict[str, Any]:
    assert response.status_code == 200
    assert response.body is not None
    body: dict[str, Any] = response.body.to_map()
    assert isinstance(body.get("RequestId"), str) and body["RequestId"]
    spec = metadata.load(step.service).actions[step.action].response
    assert wire_problems(raw, spec, step.action) == []
    assert body == raw, "the SDK's model dropped or changed something the emulator sent"
    for path in step.expect:
        values = values_at(body, path)
        assert values and all(v not in (None, "") for v in values), f"{step.id}: {path} missing"
    return body


def _require_implemented(*pairs: tuple[str, str]) -> None:
    """A product action the emulator does not serve fails here (it used to be skipped)."""
    missing = sorted(set(pairs) - implemented_actions())
    assert not missing, f"the emulator does not implement {missing}"


# --- the tests -------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.id)
async def test_every_action_answers_the_sdk(emulator: RunningEmulator, step: Step,
                                            mode: str) -> None:
    _require_implemented((step.service, step.action), *step.before)
    config = sdk_config(emulator)
    for service, action in step.before:
        await sdk_call(config, service, action, {}, mode)
    kwargs = dict(step.kwargs)
    if "oidctoken" in kwargs:
        kwargs["oidctoken"] = _oidc_token()
    raw: list[dict[str, Any]] = []
    answer = await sdk_call(config, step.service, step.action, kwargs, mode, raw)
    check_answer(step, answer, raw[-1])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("service", "action", "list_path", "kwargs"),
    [("ims", "ListUsers", "Users.User[].UserPrincipalName", {"status": "active,freeze"}),
     ("ims", "ListGroups", "Groups.Group[].GroupName", {}),
     ("ram", "ListRoles", "Roles.Role[].RoleName", {}),
     ("ram", "ListPolicies", "Policies.Policy[].PolicyName", {})],
)
async def test_markers_round_trip(emulator: RunningEmulator, service: Service, action: str,
                                  list_path: str, kwargs: dict[str, Any], mode: str) -> None:
    """Pages of one item, following IsTruncated/Marker, give the same set as one big page."""
    _require_implemented((service, action))
    config = sdk_config(emulator)
    largest = metadata.max_items(service, action)
    whole = (await sdk_call(config, service, action, {**kwargs, "max_items": largest}, mode))
    expected = values_at(whole.body.to_map(), list_path)
    assert len(expected) >= 2 and whole.body.is_truncated is False
    seen: list[Any] = []
    marker: str | None = None
    for _ in range(len(expected) + 1):
        page_kwargs = {**kwargs, "max_items": 1, **({"marker": marker} if marker else {})}
        page = await sdk_call(config, service, action, page_kwargs, mode)
        seen += values_at(page.body.to_map(), list_path)
        if not page.body.is_truncated:
            break
        marker = page.body.marker
        assert isinstance(marker, str) and marker
    assert sorted(seen) == sorted(expected)


@pytest.mark.parametrize("mode", MODES)
async def test_wrong_secret_is_refused(emulator: RunningEmulator, mode: str) -> None:
    _require_implemented(("ram", "GetAccountAlias"))
    config = sdk_config(emulator, (ADMIN_KEY[0], "not-the-secret"))
    with pytest.raises(ClientException) as caught:
        await sdk_call(config, "ram", "GetAccountAlias", {}, mode)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.status_code == 400


@pytest.mark.parametrize("mode", MODES)
async def test_sts_session_calls_ram(emulator: RunningEmulator, mode: str) -> None:
    """AssumeRole through the SDK, then RAM and STS calls signed with the session's token."""
    _require_implemented(("sts", "AssumeRole"), ("ram", "GetAccountAlias"),
                        ("sts", "GetCallerIdentity"))
    assumed = await sdk_call(sdk_config(emulator), "sts", "AssumeRole",
                             {"role_arn": ROLE_ARN, "role_session_name": "session"}, mode)
    creds = assumed.body.credentials
    session = sdk_config(emulator, (creds.access_key_id, creds.access_key_secret),
                         creds.security_token)
    alias = await sdk_call(session, "ram", "GetAccountAlias", {}, mode)
    assert alias.body.account_alias == ACCOUNT["account"]["alias"]
    who = await sdk_call(session, "sts", "GetCallerIdentity", {}, mode)
    assert who.body.account_id == ACCOUNT_ID
    assert who.body.arn == assumed.body.assumed_role_user.arn
    assert "conformance-role" in who.body.arn


@pytest.mark.parametrize("mode", MODES)
async def test_session_token_with_a_wrong_secret_is_refused(emulator: RunningEmulator,
                                                            mode: str) -> None:
    _require_implemented(("sts", "AssumeRole"), ("ram", "GetAccountAlias"))
    assumed = await sdk_call(sdk_config(emulator), "sts", "AssumeRole",
                             {"role_arn": ROLE_ARN, "role_session_name": "session"}, mode)
    creds = assumed.body.credentials
    session = sdk_config(emulator, (creds.access_key_id, "wrong"), creds.security_token)
    with pytest.raises(ClientException) as caught:
        await sdk_call(session, "ram", "GetAccountAlias", {}, mode)
    assert caught.value.code == "SignatureDoesNotMatch"


def test_every_product_action_is_covered() -> None:
    """The step table names every action of tests/alibaba/test_metadata.py's USED list."""
    from tests.alibaba.test_metadata import USED
    from tests.emulator.test_sdk_conformance_cloudsso import COVERED as SSO_COVERED
    from tests.emulator.test_sdk_conformance_rm import STEPS as RM_STEPS

    covered = {(step.service, step.action) for step in (*STEPS, *RM_STEPS)} | SSO_COVERED
    assert covered == {(service, action) for service, actions in USED.items()
                       for action in actions}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("service", "action", "kwargs", "code"),
    [("ims", "ListUsers", {"max_items": 1001}, "InvalidParameter.MaxItems"),
     ("ram", "ListRoles", {"max_items": 0}, "InvalidParameter.MaxItems"),
     ("ims", "ListGroupsForUser", {}, "MissingUserPrincipalName")],
)
async def test_metadata_refusals_reach_the_sdk(emulator: RunningEmulator, service: Service,
                                               action: str, kwargs: dict[str, Any], code: str,
                                               mode: str) -> None:
    """The emulator refuses, with the metadata's codes, requests the SDK itself lets through."""
    _require_implemented((service, action))
    with pytest.raises(ClientException) as caught:
        await sdk_call(sdk_config(emulator), service, action, kwargs, mode)
    assert (caught.value.code, caught.value.status_code) == (code, 400)
