"""The emulator's CloudSSO, judged by the official ``alibabacloud_cloudsso20210515`` client.

Every read action is called through the SDK's sync and async methods and paged to the end with
the smallest page; each raw answer must match the SDK's response model (``wire_check``) and the
items must be exactly those of the organization file (``sso_org``), by name. The writes: group
membership acts at once; an assignment is a task, ``InProgress`` first and invisible until it
completes, and its completion provisions the reserved role in the member, which a session in
that member then reads through RAM like any other role; deleting the last assignment removes
it. Plus the refusals: a read-only identity's write, a member account's caller, a duplicate
assignment and the provisioning failure (a role of the reserved name CloudSSO did not create).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from baton_alibaba_cloud.alibaba import metadata
from baton_alibaba_cloud.emulator.accounts.org_generator import generate_org, parse_org_spec
from baton_alibaba_cloud.emulator.accounts.schema import AccountFileError
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.organization import build_organization
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator
from tests.emulator import org_account as org
from tests.emulator import sso_org
from tests.emulator.test_sdk_conformance import (
    MODES,
    PROXY_VARIABLES,
    sdk_call,
    sdk_config,
    values_at,
)
from tests.emulator.wire_check import wire_problems

pytestmark = pytest.mark.timeout(60)

TASK_DELAY_S = 0.3
LAST = "DeprovisionForLastAccessAssignmentOnAccount"
BLOCK = sso_org.block()
COVERED = {("cloudsso", action) for action in (
    "ListDirectories", "GetDirectory", "ListUsers", "GetUser", "ListGroups", "GetGroup",
    "ListGroupMembers", "ListJoinedGroupsForUser", "ListAccessConfigurations",
    "GetAccessConfiguration", "ListPermissionPoliciesInAccessConfiguration",
    "ListAccessAssignments", "ListAccessConfigurationProvisionings", "AddUserToGroup",
    "RemoveUserFromGroup", "CreateAccessAssignment", "DeleteAccessAssignment",
    "GetTaskStatus", "ListTasks")}
"""What this file proves the emulator answers (test_sdk_conformance checks it covers USED)."""


@pytest.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningEmulator]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    options = EmulatorOptions(report_delay_s=0, cloudsso_task_delay_s=TASK_DELAY_S)
    async with running_emulator(sso_org.organization(), options) as emu:
        yield emu


@dataclass
class Sso:
    """One caller's view: calls with the directory id, checks every raw answer."""

    emu: RunningEmulator
    key: tuple[str, str] = org.ADMIN_KEY
    mode: str = "async"
    token: str | None = None
    bodies: list[dict[str, Any]] = field(default_factory=list)

    async def call(self, action: str, **kwargs: Any) -> dict[str, Any]:
        if "DirectoryId" in metadata.load("cloudsso").actions[action].parameters:
            kwargs.setdefault("directory_id", sso_org.DIRECTORY)
        raw: list[dict[str, Any]] = []
        answer = await sdk_call(sdk_config(self.emu, self.key, self.token), "cloudsso", action,
                                kwargs, self.mode, raw)
        body: dict[str, Any] = answer.body.to_map()
        spec = metadata.load("cloudsso").actions[action].response
        assert wire_problems(raw[-1], spec, action) == []
        assert body == raw[-1], "the SDK's model dropped or changed a field the emulator sent"
        self.bodies.append(body)
        return body

    async def pages(self, action: str, path: str, **kwargs: Any) -> list[Any]:
        """Every value at ``path`` over pages of one item, following NextToken."""
        seen: list[Any] = []
        token: str | None = None
        while True:
            extra = {"next_token": token} if token else {}
            body = await self.call(action, max_results=1, **kwargs, **extra)
            seen += values_at(body, path)
            assert body["MaxResults"] == 1 and len(values_at(body, path)) <= 1
            if not body["IsTruncated"]:
                assert "NextToken" not in body and body["TotalCounts"] == len(seen)
                return seen
            token = body["NextToken"]

    async def ids(self, action: str, array: str, name: str, key: str) -> dict[str, str]:
        body = await self.call(action, max_results=100)
        return {item[name]: item[key] for item in body[array]}


async def _ids(sso: Sso) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    users = await sso.ids("ListUsers", "Users", "UserName", "UserId")
    groups = await sso.ids("ListGroups", "Groups", "GroupName", "GroupId")
    configs = await sso.ids("ListAccessConfigurations", "AccessConfigurations",
                            "AccessConfigurationName", "AccessConfigurationId")
    return users, groups, configs


def _names(section: str) -> list[str]:
    return [item["name"] for item in BLOCK[section]]


def _account_uid(account: str) -> str:
    names = {"prod-app": org.PROD_APP, "prod-eu": org.PROD_EU}
    return names.get(account, account)


# --- reads -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
async def test_directory_users_and_groups_page_to_the_end(emulator: RunningEmulator,
                                                           mode: str) -> None:
    sso = Sso(emulator, mode=mode)
    directories = await sso.call("ListDirectories")
    assert values_at(directories, "Directories[].DirectoryId") == [sso_org.DIRECTORY]
    got = await sso.call("GetDirectory")
    assert (got["Directory"]["DirectoryName"], got["Directory"]["Region"]) == (
        BLOCK["directory_name"], BLOCK["region"])
    assert await sso.pages("ListUsers", "Users[].UserName") == _names("users")
    assert await sso.pages("ListGroups", "Groups[].GroupName") == _names("groups")
    users, groups, _ = await _ids(sso)
    for group in BLOCK["groups"]:
        members = await sso.pages("ListGroupMembers", "GroupMembers[].UserName",
                                  group_id=groups[group["name"]])
        assert members == group.get("members", [])
        got = await sso.call("GetGroup", group_id=groups[group["name"]])
        assert got["Group"]["GroupName"] == group["name"]
    for user in BLOCK["users"]:
        joined = await sso.pages("ListJoinedGroupsForUser", "JoinedGroups[].GroupName",
                                 user_id=users[user["name"]])
        assert set(joined) == {g["name"] for g in BLOCK["groups"]
                               if user["name"] in g.get("members", [])}
        got = await sso.call("GetUser", user_id=users[user["name"]])
        assert (got["User"]["UserName"], got["User"]["Email"]) == (user["name"], user["email"])


@pytest.mark.parametrize("mode", MODES)
async def test_user_filters(emulator: RunningEmulator, mode: str) -> None:
    sso = Sso(emulator, mode=mode)
    disabled = {u["name"] for u in BLOCK["users"] if u.get("status") == "Disabled"}
    assert set(await sso.pages("ListUsers", "Users[].UserName", status="Disabled")) == disabled
    assert await sso.pages("ListUsers", "Users[].UserName", filter="UserName sw a") == [
        n for n in _names("users") if n.startswith("a")]
    assert await sso.pages("ListUsers", "Users[].UserName", filter="username eq BOB") == ["bob"]
    with pytest.raises(ClientException) as caught:
        await sso.call("ListUsers", filter="Email eq x")
    assert caught.value.code == "InvalidParameter.Filter"


@pytest.mark.parametrize("mode", MODES)
async def test_configurations_assignments_and_provisionings(emulator: RunningEmulator,
                                                            mode: str) -> None:
    sso = Sso(emulator, mode=mode)
    assert await sso.pages("ListAccessConfigurations",
                           "AccessConfigurations[].AccessConfigurationName") == _names(
        "access_configurations")
    _, _, configs = await _ids(sso)
    for config in BLOCK["access_configurations"]:
        got = await sso.call("GetAccessConfiguration",
                             access_configuration_id=configs[config["name"]])
        assert got["AccessConfiguration"]["SessionDuration"] == config.get(
            "session_duration", 3600)
        policies = await sso.call("ListPermissionPoliciesInAccessConfiguration",
                                  access_configuration_id=configs[config["name"]])
        assert {(p["PermissionPolicyType"], p["PermissionPolicyName"])
                for p in policies["PermissionPolicies"]} == {
            (p["type"], p["name"]) for p in config["policies"]}
    triples = {(a["access_configuration"], a["principal"], _account_uid(a["account"]))
               for a in BLOCK["assignments"]}
    rows = await sso.pages("ListAccessAssignments", "AccessAssignments[]")
    assert {(r["AccessConfigurationName"], r["PrincipalName"], r["TargetId"])
            for r in rows} == triples and len(rows) == len(triples)
    on_app = await sso.pages("ListAccessAssignments", "AccessAssignments[].PrincipalName",
                             target_type="RD-Account", target_id=org.PROD_APP)
    assert set(on_app) == {p for _, p, uid in triples if uid == org.PROD_APP}
    provisioned = await sso.pages("ListAccessConfigurationProvisionings",
                                  "AccessConfigurationProvisionings[]")
    assert {(p["AccessConfigurationName"], p["TargetId"], p["RAMRoleName"])
            for p in provisioned} == {(c, uid, f"AliyunReservedSSO-{c}")
                                      for c, _, uid in triples}
    assert await sso.pages("ListTasks", "Tasks[].TaskId") == []


async def test_assignments_page_at_most_twenty(emulator: RunningEmulator) -> None:
    sso = Sso(emulator)
    with pytest.raises(ClientException) as caught:
        await sso.call("ListAccessAssignments", max_results=21)
    assert caught.value.code == "InvalidParameter.MaxResults"
    with pytest.raises(ClientException) as caught:
        await sso.call("ListUsers", next_token="not-a-token")
    assert caught.value.code == "InvalidParameter.NextToken"


# --- writes ----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
async def test_group_membership_acts_at_once(emulator: RunningEmulator, mode: str) -> None:
    sso = Sso(emulator, mode=mode)
    users, groups, _ = await _ids(sso)
    await sso.call("AddUserToGroup", group_id=groups["empty"], user_id=users["dave"])
    assert await sso.pages("ListGroupMembers", "GroupMembers[].UserName",
                           group_id=groups["empty"]) == ["dave"]
    with pytest.raises(ClientException) as caught:
        await sso.call("AddUserToGroup", group_id=groups["empty"], user_id=users["dave"])
    assert caught.value.code == "EntityAlreadyExists.GroupMember"
    await sso.call("RemoveUserFromGroup", group_id=groups["empty"], user_id=users["dave"])
    assert await sso.pages("ListGroupMembers", "GroupMembers[].UserName",
                           group_id=groups["empty"]) == []
    with pytest.raises(ClientException) as caught:
        await sso.call("RemoveUserFromGroup", group_id=groups["empty"], user_id=users["dave"])
    assert caught.value.code == "EntityNotExists.GroupMember"


async def _wait(sso: Sso, task_id: str) -> dict[str, Any]:
    """Poll GetTaskStatus until the task leaves InProgress (a few task delays at most)."""
    for _ in range(40):
        status: dict[str, Any] = (await sso.call("GetTaskStatus", task_id=task_id))["TaskStatus"]
        if status["Status"] != "InProgress":
            return status
        await asyncio.sleep(TASK_DELAY_S / 3)
    raise AssertionError(f"task {task_id} never finished")


def _assignment(configs: Mapping[str, str], config: str, principal_type: str, principal: str,
                account: str) -> dict[str, str]:
    return {"access_configuration_id": configs[config], "target_type": "RD-Account",
            "target_id": account, "principal_type": principal_type, "principal_id": principal}


async def _member_session(emu: RunningEmulator, uid: str) -> Sso:
    assumed = await sdk_call(sdk_config(emu, org.ADMIN_KEY), "sts", "AssumeRole",
                             {"role_arn": f"acs:ram::{uid}:role/{org.ACCESS_ROLE}",
                              "role_session_name": "sync"}, "async")
    creds = assumed.body.credentials
    return Sso(emu, (creds.access_key_id, creds.access_key_secret), token=creds.security_token)


async def _reserved_role(member: Sso, name: str) -> tuple[str, set[tuple[str, str]]] | None:
    """What a member sync reads of the role: its trust policy and attached policies."""
    config = sdk_config(member.emu, member.key, member.token)
    try:
        role = await sdk_call(config, "ram", "GetRole", {"role_name": name}, "async")
    except ClientException as error:
        assert error.code == "EntityNotExist.Role"
        return None
    attached = await sdk_call(config, "ram", "ListPoliciesForRole", {"role_name": name},
                              "async")
    policies = {(p["PolicyType"], p["PolicyName"])
                for p in values_at(attached.body.to_map(), "Policies.Policy[]")}
    return role.body.role.assume_role_policy_document, policies


@pytest.mark.parametrize("mode", MODES)
async def test_assignment_task_provisions_the_reserved_role(emulator: RunningEmulator,
                                                            mode: str) -> None:
    sso = Sso(emulator, mode=mode)
    users, _, configs = await _ids(sso)
    member = await _member_session(emulator, org.PROD_EU)
    assert await _reserved_role(member, "AliyunReservedSSO-Admin") is None
    request = _assignment(configs, "Admin", "User", users["dave"], org.PROD_EU)
    task = (await sso.call("CreateAccessAssignment", **request))["Task"]
    assert (task["Status"], task["TaskType"], task["PrincipalName"]) == (
        "InProgress", "CreateAccessAssignment", "dave")
    visible = await sso.pages("ListAccessAssignments", "AccessAssignments[].PrincipalName",
                              target_type="RD-Account", target_id=org.PROD_EU)
    assert "dave" not in visible  # not before the task completes
    status = await _wait(sso, task["TaskId"])
    assert status["Status"] == "Success" and "FailureReason" not in status
    assert "dave" in await sso.pages("ListAccessAssignments",
                                     "AccessAssignments[].PrincipalName",
                                     target_type="RD-Account", target_id=org.PROD_EU)
    found = await _reserved_role(member, "AliyunReservedSSO-Admin")
    assert found is not None
    trust, policies = found
    assert f"acs:ram::{org.PROD_EU}:saml-provider/AliyunReservedSSO-{sso_org.DIRECTORY}" in trust
    assert policies == {("System", "AdministratorAccess"),
                        ("Custom", "AliyunReservedSSO-Admin-InlinePolicy")}
    with pytest.raises(ClientException) as caught:
        await sso.call("CreateAccessAssignment", **request)
    assert caught.value.code == "EntityAlreadyExists.AccessAssignment"
    gone = (await sso.call("DeleteAccessAssignment", **request, deprovision_strategy=LAST))["Task"]
    assert (await _wait(sso, gone["TaskId"]))["Status"] == "Success"
    assert await _reserved_role(member, "AliyunReservedSSO-Admin") is None
    tasks = await sso.pages("ListTasks", "Tasks[].TaskType")
    assert tasks == ["DeleteAccessAssignment", "CreateAccessAssignment"]


async def test_roles_stay_while_assigned_and_by_default(emulator: RunningEmulator) -> None:
    """prod-app holds ReadOnly for the group ops (from the file); removing one of two
    assignments keeps the role even when de-provisioning is asked for, and removing the last
    one without asking (Alibaba's default, DeprovisionStrategy None) keeps it provisioned."""
    sso = Sso(emulator)
    users, groups, configs = await _ids(sso)
    member = await _member_session(emulator, org.PROD_APP)
    found = await _reserved_role(member, "AliyunReservedSSO-ReadOnly")
    assert found is not None and found[1] == {("System", "ReadOnlyAccess")}
    extra = _assignment(configs, "ReadOnly", "User", users["erin"], org.PROD_APP)
    task = (await sso.call("CreateAccessAssignment", **extra))["Task"]
    assert (await _wait(sso, task["TaskId"]))["Status"] == "Success"
    task = (await sso.call("DeleteAccessAssignment", **extra, deprovision_strategy=LAST))["Task"]
    assert (await _wait(sso, task["TaskId"]))["Status"] == "Success"
    assert await _reserved_role(member, "AliyunReservedSSO-ReadOnly") is not None
    group = _assignment(configs, "ReadOnly", "Group", groups["ops"], org.PROD_APP)
    task = (await sso.call("DeleteAccessAssignment", **group))["Task"]
    assert (await _wait(sso, task["TaskId"]))["Status"] == "Success"
    assert await sso.pages("ListAccessAssignments", "AccessAssignments[]",
                           access_configuration_id=configs["ReadOnly"],
                           target_type="RD-Account", target_id=org.PROD_APP) == []
    assert await _reserved_role(member, "AliyunReservedSSO-ReadOnly") is not None
    provisioned = await sso.pages("ListAccessConfigurationProvisionings",
                                  "AccessConfigurationProvisionings[].AccessConfigurationName",
                                  target_type="RD-Account", target_id=org.PROD_APP)
    assert "ReadOnly" in provisioned


async def test_a_task_without_delay_completes_with_the_next_request(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    options = EmulatorOptions(cloudsso_task_delay_s=0)
    async with running_emulator(sso_org.organization(), options) as emu:
        sso = Sso(emu)
        users, _, configs = await _ids(sso)
        request = _assignment(configs, "Audit", "User", users["erin"], org.PROD_EU)
        task = (await sso.call("CreateAccessAssignment", **request))["Task"]
        assert task["Status"] == "InProgress"
        status = (await sso.call("GetTaskStatus", task_id=task["TaskId"]))["TaskStatus"]
        assert status["Status"] == "Success" and status["EndTime"] == status["StartTime"]


@pytest.mark.parametrize("mode", MODES)
async def test_provisioning_over_a_foreign_role_fails(emulator: RunningEmulator,
                                                      mode: str) -> None:
    sso = Sso(emulator, mode=mode)
    users, _, configs = await _ids(sso)
    request = _assignment(configs, "Audit", "User", users["dave"], org.DEV_LOCKED)
    task = (await sso.call("CreateAccessAssignment", **request))["Task"]
    status = await _wait(sso, task["TaskId"])
    assert status["Status"] == "Failed"
    assert "AliyunReservedSSO-Audit" in status["FailureReason"]
    assert await sso.pages("ListAccessAssignments", "AccessAssignments[]",
                           target_type="RD-Account", target_id=org.DEV_LOCKED) == []
    failed = await sso.pages("ListTasks", "Tasks[].TaskId", status="Failed")
    assert failed == [task["TaskId"]]


# --- refusals --------------------------------------------------------------------------------
async def test_read_only_identity_may_read_but_not_assign(emulator: RunningEmulator) -> None:
    admin = Sso(emulator)
    users, _, configs = await _ids(admin)
    alice = Sso(emulator, org.ALICE_KEY)
    assert await alice.pages("ListUsers", "Users[].UserName") == _names("users")
    with pytest.raises(ClientException) as caught:
        await alice.call("CreateAccessAssignment",
                         **_assignment(configs, "Admin", "User", users["erin"], org.PROD_EU))
    assert caught.value.code == "NoPermission"
    assert "cloudsso:CreateAccessAssignment" in caught.value.message


async def test_a_member_account_sees_no_directory(emulator: RunningEmulator) -> None:
    member = Sso(emulator, org.MEMBER_ROOT_KEY)
    assert (await member.call("ListDirectories"))["Directories"] == []
    with pytest.raises(ClientException) as caught:
        await member.call("ListUsers")
    assert caught.value.code == "EntityNotExists.Directory"


@pytest.mark.parametrize(("action", "kwargs", "code"), [
    ("GetUser", {"user_id": "u-nosuch"}, "EntityNotExists.User"),
    ("GetGroup", {"group_id": "g-nosuch"}, "EntityNotExists.Group"),
    ("GetAccessConfiguration", {"access_configuration_id": "ac-nosuch"},
     "EntityNotExists.AccessConfiguration"),
    ("GetTaskStatus", {"task_id": "t-nosuch"}, "EntityNotExists.Task"),
    ("ListUsers", {"directory_id": "d-nosuch"}, "EntityNotExists.Directory"),
    ("ListUsers", {"directory_id": ""}, "MissingDirectoryId"),
])
async def test_unknown_ids_are_refused(emulator: RunningEmulator, action: str,
                                       kwargs: dict[str, str], code: str) -> None:
    with pytest.raises(ClientException) as caught:
        await Sso(emulator).call(action, **kwargs)
    assert caught.value.code == code


async def test_quotas_apply_to_cloudsso(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    options = EmulatorOptions(quota_overrides={"cloudsso:ListUsers": 1})
    async with running_emulator(sso_org.organization(), options) as emu:
        sso = Sso(emu)
        codes = []
        for _ in range(3):
            try:
                await sso.call("ListUsers")
                codes.append("")
            except ClientException as error:
                codes.append(error.code)
        assert "Throttling.User" in codes


async def test_an_organization_without_the_block_has_no_directory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    async with running_emulator(org.organization()) as emu:
        assert (await Sso(emu).call("ListDirectories"))["Directories"] == []
    async with running_emulator(None) as emu:  # the bundled single account
        single = Sso(emu, (emu.access_key_id, emu.access_key_secret))
        assert (await single.call("ListDirectories"))["Directories"] == []
        with pytest.raises(ClientException) as caught:
            await single.call("GetDirectory")
        assert caught.value.code == "EntityNotExists.Directory"


@pytest.mark.parametrize(("change", "problem"), [
    (lambda b: b["groups"][0]["members"].append("zoe"),
     "organization.cloudsso.groups[0].members[2]: no user 'zoe'"),
    (lambda b: b["assignments"][0].update(principal="opz"),
     "organization.cloudsso.assignments[0].principal: no group 'opz'"),
    (lambda b: b["assignments"][1].update(account="nowhere"),
     "organization.cloudsso.assignments[1].account: no account 'nowhere'"),
    (lambda b: b["assignments"][2].update(access_configuration="Nope"),
     "organization.cloudsso.assignments[2].access_configuration: no access configuration "
     "'Nope'"),
    (lambda b: b["access_configurations"][0]["policies"].append(
        {"type": "System", "name": "NoSuchPolicy"}),
     "organization.cloudsso.access_configurations[0].policies[1].name: no System policy "
     "'NoSuchPolicy' (built in or in the management account's file)"),
    (lambda b: b.update(region="eu-central-1"),
     "organization.cloudsso.region: 'eu-central-1' is not one of cn-shanghai, us-west-1"),
    (lambda b: b["users"].append({"name": "alice"}),
     "organization.cloudsso.users[5].name: duplicate name 'alice'"),
    (lambda b: b.update(owner="x"), "organization.cloudsso.owner: unknown field"),
    (lambda b: b["assignments"].append({"access_configuration": "Audit", "principal_type":
                                        "User", "principal": "bob", "account": "dev-locked"}),
     "organization.cloudsso.assignments[3]: The RAM role AliyunReservedSSO-Audit already "
     f"exists in account {org.DEV_LOCKED} and was not created by CloudSSO; delete or rename "
     "it, then retry the assignment."),
])
def test_load_errors_name_the_entry(change: Any, problem: str) -> None:
    data = sso_org.organization()
    change(data["organization"]["cloudsso"])
    with pytest.raises(AccountFileError) as caught:
        build_organization(data)
    assert caught.value.problems == [problem]


# --- the synthetic organization --------------------------------------------------------------
async def test_synthetic_organization_serves_its_cloudsso_counts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    text = ("accounts=3,folders=1,users=3,groups=1,memberships=2,sso_users=7,sso_groups=3,"
            "access_configurations=2,assignments=9")
    spec = parse_org_spec(text)
    async with running_emulator(generate_org(spec)) as emu:
        sso = Sso(emu, (emu.access_key_id, emu.access_key_secret))
        directory = (await sso.call("ListDirectories"))["Directories"][0]["DirectoryId"]
        calls = {"directory_id": directory}
        for action, path, count in (
                ("ListUsers", "Users[].UserId", spec.sso_users),
                ("ListGroups", "Groups[].GroupId", spec.sso_groups),
                ("ListAccessConfigurations", "AccessConfigurations[].AccessConfigurationId",
                 spec.access_configurations),
                ("ListAccessAssignments", "AccessAssignments[]", spec.assignments)):
            found = await sso.pages(action, path, **calls)
            assert len(found) == count == len({repr(f) for f in found}), action
        rows = await sso.pages("ListAccessAssignments", "AccessAssignments[]", **calls)
        assert {r["PrincipalType"] for r in rows} == {"User", "Group"}
        assert {r["TargetName"] for r in rows} == {"account001", "account002"}
    assert generate_org(spec) == generate_org(parse_org_spec(text))


@pytest.mark.parametrize(("text", "message"), [
    ("accounts=2,sso_users=1,access_configurations=1,assignments=2", "exceeds the 1 distinct"),
    ("sso_groups=-1", "must not be negative"),
])
def test_synthetic_cloudsso_refuses_impossible_specs(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_org_spec(text)
