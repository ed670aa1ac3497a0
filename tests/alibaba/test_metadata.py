"""The API metadata snapshots: reproducible, complete for the product, and enforced.

The snapshots are the single source of API facts for the client and the emulator, so these
tests pin the three things that matter: they regenerate byte for byte from the pinned SDKs,
every action the product calls is there with the page sizes of docs/alibaba.md §3.0, and
``validate_request`` refuses bad requests with Alibaba's codes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from baton_alibaba_cloud.alibaba import metadata
from baton_alibaba_cloud.alibaba.metadata import RequestValidationError, Service

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "baton_alibaba_cloud" / "alibaba" / "data"
SCRIPT = ROOT / "scripts" / "refresh_metadata.py"

#: Every action the product (client, connector, provisioning, emulator) uses.
USED: dict[Service, tuple[str, ...]] = {
    "ram": (
        "GetAccountAlias", "ListRoles", "GetRole", "ListPolicies", "GetPolicy",
        "ListEntitiesForPolicy", "ListPoliciesForUser", "ListPoliciesForGroup",
        "ListPoliciesForRole", "AttachPolicyToUser", "AttachPolicyToGroup", "AttachPolicyToRole",
        "DetachPolicyFromUser", "DetachPolicyFromGroup", "DetachPolicyFromRole", "AddUserToGroup",
        "RemoveUserFromGroup", "CreateUser", "DeleteUser", "ListAccessKeys",
        "GetAccessKeyLastUsed", "GetLoginProfile", "GetUserMFAInfo", "UpdateAccessKey",
        "UpdateLoginProfile",
    ),
    "ims": (
        "ListUsers", "ListGroups", "ListUsersForGroup", "ListGroupsForUser", "GetUser",
        "ListAccessKeys", "GetAccessKeyLastUsed", "GetLoginProfile", "UpdateLoginProfile",
        "GetUserMFAInfo", "ListVirtualMFADevices", "GenerateCredentialReport",
        "GetCredentialReport", "ListSAMLProviders", "ListOIDCProviders", "AddUserToGroup",
        "RemoveUserFromGroup", "CreateUser", "DeleteUser", "UpdateAccessKey", "GetDefaultDomain",
    ),
    "sts": ("GetCallerIdentity", "AssumeRole", "AssumeRoleWithOIDC"),
    "resourcemanager": (
        "ListResourceGroups", "GetResourceGroup", "ListPolicyAttachments", "AttachPolicy",
        "DetachPolicy",
    ),
    "cloudsso": (
        "ListDirectories", "GetDirectory", "ListUsers", "GetUser", "ListGroups", "GetGroup",
        "ListGroupMembers", "ListJoinedGroupsForUser", "ListAccessConfigurations",
        "GetAccessConfiguration", "ListPermissionPoliciesInAccessConfiguration",
        "ListAccessAssignments", "ListAccessConfigurationProvisionings", "AddUserToGroup",
        "RemoveUserFromGroup", "CreateAccessAssignment", "DeleteAccessAssignment",
        "GetTaskStatus", "ListTasks",
    ),
}
#: Resource Directory actions the snapshot must hold for the multi-account work to come.
RESOURCE_DIRECTORY = (
    "GetResourceDirectory", "ListAccounts", "ListFoldersForParent", "ListAccountsForParent",
    "ListAncestors", "ListDelegatedAdministrators", "ListControlPolicies",
    "ListControlPolicyAttachmentsForTarget",
)

#: docs/alibaba.md §3.0, "MaxItems range / default".
PAGE_RANGES: dict[tuple[Service, str], tuple[int, int]] = {
    ("ims", "ListUsers"): (1, 1000),
    ("ims", "ListUserBasicInfos"): (1, 1000),
    ("ims", "ListGroups"): (1, 100),
    ("ims", "ListUsersForGroup"): (1, 100),
    ("ims", "ListVirtualMFADevices"): (1, 100),
    ("ims", "ListSAMLProviders"): (1, 100),
    ("ims", "ListOIDCProviders"): (1, 100),
    ("ims", "ListUsersInRecycleBin"): (1, 100),
    ("ims", "GetCredentialReport"): (1, 3501),
    ("ram", "ListUsers"): (1, 1000),
    ("ram", "ListGroups"): (1, 100),
    ("ram", "ListUsersForGroup"): (1, 1000),
    ("ram", "ListRoles"): (1, 1000),
    ("ram", "ListPolicies"): (1, 1000),
}
NOT_PAGED: tuple[tuple[Service, str], ...] = (
    ("ims", "ListGroupsForUser"), ("ims", "ListAccessKeys"), ("ram", "ListGroupsForUser"),
    ("ram", "ListPoliciesForUser"), ("ram", "ListPoliciesForGroup"),
    ("ram", "ListPoliciesForRole"), ("ram", "ListEntitiesForPolicy"),
    ("ram", "ListPolicyVersions"), ("ram", "ListAccessKeys"),
)


def test_snapshots_regenerate_byte_identically(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True,
                   capture_output=True, timeout=120)
    for name in ("ram.json", "ims.json", "sts.json", "resourcemanager.json", "cloudsso.json"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


@pytest.mark.parametrize(
    ("service", "version", "package", "sdk_version"),
    [("ram", "2015-05-01", "alibabacloud-ram20150501", "1.3.0"),
     ("ims", "2019-08-15", "alibabacloud-ims20190815", "3.5.0"),
     ("sts", "2015-04-01", "alibabacloud-sts20150401", "1.2.0"),
     ("resourcemanager", "2020-03-31", "alibabacloud-resourcemanager20200331", "2.6.2"),
     ("cloudsso", "2021-05-15", "alibabacloud-cloudsso20210515", "1.7.0")],
)
def test_service_header(service: Service, version: str, package: str, sdk_version: str) -> None:
    spec = metadata.load(service)
    assert (spec.name, spec.version, spec.sdk_package, spec.sdk_version) == (
        service, version, package, sdk_version)
    assert metadata.service_for_version(version) == service
    assert metadata.load(service) is spec  # cached


def test_unknown_service_and_version() -> None:
    with pytest.raises(ValueError):
        metadata.load("ecs")  # type: ignore[arg-type]
    assert metadata.service_for_version("2014-01-01") is None


@pytest.mark.parametrize("service", ["ram", "ims", "sts", "resourcemanager", "cloudsso"])
def test_every_used_action_exists(service: Service) -> None:
    missing = set(USED[service]) - set(metadata.load(service).actions)
    assert not missing


def test_ims_list_users_takes_status() -> None:
    status = metadata.load("ims").actions["ListUsers"].parameters["Status"]
    assert status.type == "string"
    assert status.enum is not None and "active,freeze" in status.enum
    assert status.sources["enum"] == "reference"


@pytest.mark.parametrize(("key", "bounds"), sorted(PAGE_RANGES.items()))
def test_max_items_ranges_match_the_reference(
        key: tuple[Service, str], bounds: tuple[int, int]) -> None:
    service, action = key
    param = metadata.load(service).actions[action].parameters["MaxItems"]
    assert (param.minimum, param.maximum) == bounds
    assert metadata.max_items(service, action) == bounds[1]


@pytest.mark.parametrize(("service", "action"), NOT_PAGED)
def test_unpaged_lists_have_no_max_items(service: Service, action: str) -> None:
    assert metadata.max_items(service, action) is None


def test_max_items_of_an_unknown_action_is_a_bug() -> None:
    with pytest.raises(KeyError):
        metadata.max_items("ram", "ListUsersEverywhere")


def test_flattening_styles() -> None:
    assert metadata.load("ims").actions["ListUsers"].parameters["Tag"].style == "repeatList"
    tag = metadata.load("ram").actions["ListRoles"].parameters["Tag"]
    assert tag.style == "json"
    assert tag.item is not None and set(tag.item.fields) == {"Key", "Value"}


def test_sources_are_marked() -> None:
    ram_attach = metadata.load("ram").actions["AttachPolicyToUser"].parameters
    assert ram_attach["UserName"].required
    assert ram_attach["UserName"].sources["required"] == "reference"
    assert ram_attach["PolicyType"].enum == ("Custom", "System")
    sts_role = metadata.load("sts").actions["AssumeRole"].parameters
    assert sts_role["RoleArn"].required and sts_role["RoleArn"].sources["required"] == "sdk"
    for service in metadata.SERVICES:
        for action in metadata.load(service).actions.values():
            for param in action.parameters.values():
                assert set(param.sources.values()) <= {"sdk", "reference"}


def test_response_tree() -> None:
    body = metadata.load("ims").actions["ListUsers"].response
    assert body.fields["IsTruncated"].type == "boolean"
    user = body.fields["Users"].fields["User"]
    assert user.type == "array" and user.item is not None
    assert user.item.fields["UserPrincipalName"].type == "string"
    tags = user.item.fields["Tags"].fields["Tag"].item
    assert tags is not None and set(tags.fields) == {"TagKey", "TagValue"}
    role = metadata.load("ram").actions["GetRole"].response.fields["Role"]
    assert role.fields["MaxSessionDuration"].type == "integer"
    assert "AssumeRolePolicyDocument" in role.fields


# --- validate_request ------------------------------------------------------------------------
def _refusal(service: Service, action: str, params: dict[str, str]) -> RequestValidationError:
    with pytest.raises(RequestValidationError) as caught:
        metadata.validate_request(service, action, params)
    return caught.value


@pytest.mark.parametrize(
    ("service", "action", "params"),
    [("ims", "ListUsers", {"Status": "active,freeze", "MaxItems": "1000", "Marker": "abc"}),
     ("ims", "ListUsers", {"Tag.1.Key": "team", "Tag.1.Value": "x", "Tag.2.Key": "y"}),
     ("ram", "ListRoles", {"Tag": '[{"Key":"owner","Value":"alice"}]', "MaxItems": "1"}),
     ("ram", "GetAccountAlias", {}),
     ("ram", "AttachPolicyToUser",
      {"PolicyName": "p", "PolicyType": "Custom", "UserName": "alice"}),
     ("ims", "GetCredentialReport", {"MaxItems": "3501", "NextToken": "t"}),
     ("sts", "AssumeRole", {"RoleArn": "acs:ram::1:role/r", "RoleSessionName": "s",
                            "DurationSeconds": "3600"}),
     ("sts", "GetCallerIdentity", {})],
)
def test_valid_requests_pass(service: Service, action: str, params: dict[str, str]) -> None:
    metadata.validate_request(service, action, params)


def test_unknown_action() -> None:
    error = _refusal("ims", "ListRoles", {})
    assert (error.code, error.http_status) == ("InvalidAction.NotFound", 404)
    assert error.message == "Specified api is not found, please check your url and method."


@pytest.mark.parametrize("name", ["Foo", "Tag.1.Colour", "Tag.0.Key", "Tag.x.Key", "Status.1"])
def test_unknown_parameter(name: str) -> None:
    error = _refusal("ims", "ListUsers", {name: "v"})
    assert (error.code, error.http_status) == ("InvalidParameter", 400)
    assert error.message == f'The specified parameter "{name}" is not valid.'


def test_json_style_parameter_is_not_flattened() -> None:
    assert _refusal("ram", "ListRoles", {"Tag.1.Key": "a"}).code == "InvalidParameter"


@pytest.mark.parametrize(
    ("service", "action", "params", "code"),
    [("ims", "ListGroupsForUser", {}, "MissingUserPrincipalName"),
     ("ims", "ListGroupsForUser", {"UserPrincipalName": ""}, "MissingUserPrincipalName"),
     ("ram", "GetRole", {}, "MissingRoleName"),
     ("ram", "UpdateUser", {"NewComments": "x"}, "MissingUserName"),
     ("ram", "CreateGroup", {}, "MissingGroupName"),
     ("ram", "DeleteGroup", {}, "MissingGroupName"),
     ("ram", "AttachPolicyToGroup", {"PolicyName": "p", "PolicyType": "System"},
      "MissingGroupName"),
     ("sts", "AssumeRole", {"RoleArn": "acs:ram::1:role/r"}, "MissingRoleSessionName")],
)
def test_missing_parameter(service: Service, action: str, params: dict[str, str],
                           code: str) -> None:
    error = _refusal(service, action, params)
    assert (error.code, error.http_status) == (code, 400)
    assert error.message == f"{code.removeprefix('Missing')} is mandatory for this action."


@pytest.mark.parametrize(
    ("service", "action", "params", "code"),
    [("ims", "ListUsers", {"MaxItems": "1001"}, "InvalidParameter.MaxItems"),
     ("ims", "ListUsers", {"MaxItems": "0"}, "InvalidParameter.MaxItems"),
     ("ims", "ListGroups", {"MaxItems": "101"}, "InvalidParameter.MaxItems"),
     ("ram", "ListRoles", {"MaxItems": "1001"}, "InvalidParameter.MaxItems"),
     ("ims", "ListUsers", {"MaxItems": "many"}, "InvalidParameter.MaxItems"),
     ("ims", "GetCredentialReport", {"MaxItems": "3502"}, "InvalidParameter.MaxItems"),
     ("sts", "AssumeRole", {"RoleArn": "a", "RoleSessionName": "s", "DurationSeconds": "899"},
      "InvalidParameter.DurationSeconds"),
     ("ims", "UpdateLoginProfile", {"UserPrincipalName": "u@d", "MFABindRequired": "yes"},
      "InvalidParameter.MFABindRequired"),
     ("ram", "ListRoles", {"Tag": "[not json"}, "InvalidParameter.Tag"),
     ("ims", "ListUsers", {"Tag": "x"}, "InvalidParameter.Tag")],
)
def test_wrong_type_or_range(service: Service, action: str, params: dict[str, str],
                             code: str) -> None:
    error = _refusal(service, action, params)
    assert (error.code, error.http_status) == (code, 400)
    assert error.message.startswith('The parameter - "')


def test_out_of_range_message_names_the_range() -> None:
    error = _refusal("ims", "ListUsers", {"MaxItems": "5000"})
    assert error.message == (
        'The parameter - "MaxItems" is out of range: valid values are 1 to 1000.')
    assert str(error) == f"InvalidParameter.MaxItems: {error.message}"


def test_resource_manager_pages_by_number_with_published_quotas() -> None:
    """PageSize 1..100 (default 10) from the SDK; the quotas the snapshot records are the
    published ones (ListPolicyAttachments 120/s; Resource Directory listings 50/s or 20/s)."""
    actions = metadata.load("resourcemanager").actions
    for action in ("ListResourceGroups", "ListPolicyAttachments", "ListAccounts"):
        size = actions[action].parameters["PageSize"]
        assert (size.minimum, size.maximum, size.default) == (1, 100, "10")
        assert metadata.page_size("resourcemanager", action) == 100
        assert metadata.max_items("resourcemanager", action) is None
    assert metadata.page_size("ram", "ListUsers") is None
    quotas = {name: spec.quota for name, spec in actions.items() if spec.quota is not None}
    assert quotas == {
        "ListPolicyAttachments": 120, "ListAccounts": 20, "ListDelegatedAdministrators": 20,
        "ListFoldersForParent": 50, "ListAccountsForParent": 50, "GetResourceDirectory": 50,
        "ListAncestors": 50,
    }
    assert metadata.service_for_version("2020-03-31") == "resourcemanager"
    assert set(RESOURCE_DIRECTORY) <= set(actions)


def test_cloudsso_pages_by_next_token_and_requires_its_directory() -> None:
    """MaxResults from the SDK (at most 20 for assignments, provisionings and tasks, 100 for the
    rest); DirectoryId required wherever it exists (the API reference; the SDK marks nothing);
    20/s per action."""
    actions = metadata.load("cloudsso").actions
    limits = {name: (spec.parameters["MaxResults"].minimum, spec.parameters["MaxResults"].maximum)
              for name, spec in actions.items()
              if name in USED["cloudsso"] and "MaxResults" in spec.parameters}
    assert limits == {
        "ListUsers": (1, 100), "ListGroups": (1, 100), "ListGroupMembers": (1, 100),
        "ListJoinedGroupsForUser": (1, 100), "ListAccessConfigurations": (1, 100),
        "ListAccessAssignments": (1, 20), "ListAccessConfigurationProvisionings": (1, 20),
        "ListTasks": (1, 20),
    }
    for name, spec in actions.items():
        directory = spec.parameters.get("DirectoryId")
        assert directory is None or (directory.required
                                     and directory.sources["required"] == "reference"), name
        assert spec.quota == 20, name
    assert "DirectoryId" not in actions["ListDirectories"].parameters
    assert actions["CreateAccessAssignment"].parameters["PrincipalType"].enum == ("Group", "User")
    assert _refusal("cloudsso", "ListUsers", {}).code == "MissingDirectoryId"
    too_many = {"DirectoryId": "d-1", "MaxResults": "21"}
    assert _refusal("cloudsso", "ListAccessAssignments", too_many).code == (
        "InvalidParameter.MaxResults")
    assert metadata.service_for_version("2021-05-15") == "cloudsso"
