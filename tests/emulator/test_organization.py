"""The emulator holding a Resource Directory, judged by the official SDKs.

The directory reads answer the Resource Manager SDK with the snapshot's fields; folders and
accounts come back as exact sets page by page; STS AssumeRole enters a member through its
access role's trust policy and the caller's own sts:AssumeRole permission; every key and
session acts in its own account only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from baton_alibaba_cloud.emulator.accounts.org_generator import generate_org, parse_org_spec
from baton_alibaba_cloud.emulator.accounts.schema import AccountFileError
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.organization import build_organization
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator
from tests.emulator import org_account as org
from tests.emulator.test_sdk_conformance import (
    PROXY_VARIABLES,
    Step,
    check_answer,
    sdk_call,
    sdk_config,
    values_at,
)

pytestmark = pytest.mark.timeout(60)

STEPS: tuple[Step, ...] = (
    Step("resourcemanager", "GetResourceDirectory", {},
         ("ResourceDirectory.ResourceDirectoryId", "ResourceDirectory.RootFolderId",
          "ResourceDirectory.MasterAccountId", "ResourceDirectory.MasterAccountName")),
    Step("resourcemanager", "ListFoldersForParent", {"parent_folder_id": org.PROD},
         ("Folders.Folder[].FolderId", "Folders.Folder[].FolderName", "TotalCount")),
    Step("resourcemanager", "ListAccountsForParent", {"parent_folder_id": org.DEV},
         ("Accounts.Account[].AccountId", "Accounts.Account[].FolderId",
          "Accounts.Account[].DisplayName", "TotalCount")),
    Step("resourcemanager", "ListAccounts", {"page_size": 100},
         ("Accounts.Account[].AccountId", "Accounts.Account[].ResourceDirectoryPath",
          "TotalCount", "PageNumber", "PageSize")),
)


@pytest.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningEmulator]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    async with running_emulator(org.organization(), EmulatorOptions(report_delay_s=0)) as emu:
        yield emu


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.id)
async def test_directory_actions_answer_the_sdk(emulator: RunningEmulator, step: Step) -> None:
    raw: list[dict[str, Any]] = []
    answer = await sdk_call(sdk_config(emulator, org.ADMIN_KEY), step.service, step.action,
                            step.kwargs, "async", raw)
    check_answer(step, answer, raw[-1])


async def _pages(emu: RunningEmulator, action: str, path: str, **kwargs: Any) -> list[Any]:
    """Every value at ``path`` over pages of one item (PageNumber until TotalCount)."""
    seen: list[Any] = []
    number = 1
    while True:
        page = await sdk_call(sdk_config(emu, org.ADMIN_KEY), "resourcemanager", action,
                              {**kwargs, "page_size": 1, "page_number": number}, "async")
        seen += values_at(page.body.to_map(), path)
        if number >= page.body.total_count:
            return seen
        number += 1


async def test_ready_key_is_the_management_administrator(emulator: RunningEmulator) -> None:
    assert (emulator.access_key_id, emulator.access_key_secret) == org.ADMIN_KEY


async def test_folders_and_accounts_page_by_page(emulator: RunningEmulator) -> None:
    folder_ids = "Folders.Folder[].FolderId"
    assert set(await _pages(emulator, "ListFoldersForParent", folder_ids)) == {org.PROD, org.DEV}
    assert await _pages(emulator, "ListFoldersForParent", folder_ids,
                        parent_folder_id=org.PROD) == [org.PROD_EU_FOLDER]
    accounts = "Accounts.Account[].AccountId"
    assert await _pages(emulator, "ListAccountsForParent", accounts,
                        parent_folder_id=org.ROOT) == [org.MANAGEMENT]
    assert set(await _pages(emulator, "ListAccountsForParent", accounts,
                            parent_folder_id=org.DEV)) == {org.DEV_NOROLE, org.DEV_LOCKED}
    assert set(await _pages(emulator, "ListAccounts", accounts)) == {
        org.MANAGEMENT, org.PROD_APP, org.PROD_EU, org.DEV_NOROLE, org.DEV_LOCKED}
    paths = await _pages(emulator, "ListAccounts", "Accounts.Account[].ResourceDirectoryPath")
    assert f"rd-orgtest/{org.ROOT}/{org.PROD}/{org.PROD_EU_FOLDER}" in paths


@pytest.mark.parametrize(("key", "action", "kwargs", "code"), [
    (org.MEMBER_ROOT_KEY, "ListAccounts", {}, "EntityNotExists.ResourceDirectory"),
    (org.MEMBER_ROOT_KEY, "ListFoldersForParent", {}, "EntityNotExists.ResourceDirectory"),
    (org.ADMIN_KEY, "ListFoldersForParent", {"parent_folder_id": "fd-nosuch"},
     "EntityNotExists.Folder"),
])
async def test_directory_refusals(emulator: RunningEmulator, key: tuple[str, str], action: str,
                                  kwargs: dict[str, str], code: str) -> None:
    with pytest.raises(ClientException) as caught:
        await sdk_call(sdk_config(emulator, key), "resourcemanager", action, kwargs, "async")
    assert caught.value.code == code


async def test_member_sees_the_directory(emulator: RunningEmulator) -> None:
    answer = await sdk_call(sdk_config(emulator, org.MEMBER_ROOT_KEY), "resourcemanager",
                            "GetResourceDirectory", {}, "async")
    assert answer.body.resource_directory.master_account_id == org.MANAGEMENT


def _arn(uid: str) -> str:
    return f"acs:ram::{uid}:role/{org.ACCESS_ROLE}"


async def _users(emu: RunningEmulator, key: tuple[str, str], token: str | None) -> set[str]:
    answer = await sdk_call(sdk_config(emu, key, token), "ram", "ListUsers",
                            {"max_items": 1000}, "async")
    return set(values_at(answer.body.to_map(), "Users.User[].UserName"))


async def test_assume_the_access_role_of_a_member(emulator: RunningEmulator) -> None:
    assumed = await sdk_call(sdk_config(emulator, org.ADMIN_KEY), "sts", "AssumeRole",
                             {"role_arn": _arn(org.PROD_APP), "role_session_name": "sync"},
                             "async")
    creds = assumed.body.credentials
    key = (creds.access_key_id, creds.access_key_secret)
    who = await sdk_call(sdk_config(emulator, key, creds.security_token), "sts",
                         "GetCallerIdentity", {}, "async")
    assert who.body.account_id == org.PROD_APP
    assert await _users(emulator, key, creds.security_token) == {"bob", "carol"}
    assert await _users(emulator, org.ADMIN_KEY, None) == {"emulator-admin", "alice"}
    assert await _users(emulator, org.MEMBER_ROOT_KEY, None) == {"bob", "carol"}


@pytest.mark.parametrize(("key", "uid", "code"), [
    (org.ROOT_KEY, org.PROD_APP, "NoPermission"),  # the management root may not assume roles
    (org.ALICE_KEY, org.PROD_APP, "NoPermission"),  # alice lacks sts:AssumeRole
    (org.ADMIN_KEY, org.DEV_NOROLE, "EntityNotExist.Role"),  # the access role was deleted
    (org.MEMBER_ROOT_KEY, org.PROD_EU, "NoPermission"),  # a member's root is not trusted
])
async def test_assume_refusals(emulator: RunningEmulator, key: tuple[str, str], uid: str,
                               code: str) -> None:
    with pytest.raises(ClientException) as caught:
        await sdk_call(sdk_config(emulator, key), "sts", "AssumeRole",
                       {"role_arn": _arn(uid), "role_session_name": "sync"}, "async")
    assert caught.value.code == code


async def test_locked_member_refuses_listing(emulator: RunningEmulator) -> None:
    assumed = await sdk_call(sdk_config(emulator, org.ADMIN_KEY), "sts", "AssumeRole",
                             {"role_arn": _arn(org.DEV_LOCKED), "role_session_name": "sync"},
                             "async")
    creds = assumed.body.credentials
    with pytest.raises(ClientException) as caught:
        await _users(emulator, (creds.access_key_id, creds.access_key_secret),
                     creds.security_token)
    assert caught.value.code == "NoPermission"


def test_organization_file_problems_are_named() -> None:
    data = org.organization()
    data["organization"]["accounts"][1]["folder"] = "fd-nosuch"
    data["organization"]["accounts"][2]["document"]["users"].append({"name": 3})
    with pytest.raises(AccountFileError) as caught:
        build_organization(data)
    text = "\n".join(caught.value.problems)
    assert "organization.accounts[1].folder: no such folder 'fd-nosuch'" in text
    assert "organization.accounts[2].document: users[1].name" in text


def test_synthetic_organization_keys_are_distinct() -> None:
    spec = parse_org_spec("accounts=4,folders=2,depth=2,users=5,groups=2,roles=2,memberships=4,"
                          "attachments=3,resource_groups=1,scoped_attachments=1")
    backend = build_organization(generate_org(spec))
    assert len(backend.backends) == 4
    keys = [set(b.access_keys) for b in backend.backends.values()]
    assert sum(len(k) for k in keys) == len(set().union(*keys))
    assert {m.folder_id for m in backend.members.values()} == {
        "r-synthetic", "fd-gen0000", "fd-gen0000s", "fd-gen0001"}
    admin = backend.admin_credentials()
    assert admin is not None
    found = backend.resolve_access_key(admin[0])
    assert found is not None and found.caller.kind == "user"
    assert found.caller.account_id == backend.management
