"""Resource Manager in the emulator, judged by the official SDK (resourcemanager20200331 2.6.2).

The same three checks as ``test_sdk_conformance.py`` (the SDK parsed the answer and kept every
key; the raw body has only the metadata snapshot's fields and types; the fields the connector
relies on are there), plus what only this API has: PageNumber/PageSize paging with TotalCount,
account-wide attachments listed with the account id as ResourceGroupId, login-style principal
names, and scoped attachments kept out of RAM's ListPoliciesFor* / ListEntitiesForPolicy.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator
from tests.emulator.test_sdk_conformance import (
    MODES,
    PROXY_VARIABLES,
    Step,
    check_answer,
    sdk_call,
    sdk_config,
    values_at,
)
from tests.emulator.test_sdk_conformance_account import ACCOUNT, ACCOUNT_ID, DOMAIN

pytestmark = pytest.mark.timeout(60)

RG_PROD, RG_DEV = "rg-aek2prodconformance", "rg-aek2devconformance"
RM_ACCOUNT: dict[str, Any] = copy.deepcopy(ACCOUNT)
RM_ACCOUNT["resource_groups"] = [
    {"id": RG_PROD, "name": "prod", "display_name": "Production",
     "created": "2024-05-01T00:00:00Z"},
    {"id": RG_DEV, "name": "dev", "display_name": "Development"},
]
RM_ACCOUNT["attachments"] = [
    *RM_ACCOUNT["attachments"],
    {"policy": "AdministratorAccess", "policy_type": "System", "principal_type": "user",
     "principal": "alice", "resource_group": RG_PROD, "attached": "2024-06-01T00:00:00Z"},
    {"policy": "ReadOnlyAccess", "policy_type": "System", "principal_type": "group",
     "principal": "dev", "resource_group": RG_DEV},
]
ALICE = f"alice@{DOMAIN}"
ADMIN_IN_PROD = {"resource_group_id": RG_PROD, "policy_type": "System",
                 "policy_name": "AdministratorAccess", "principal_type": "IMSUser",
                 "principal_name": ALICE}
STEPS: tuple[Step, ...] = (
    Step("resourcemanager", "ListResourceGroups", {"page_size": 100},
         ("ResourceGroups.ResourceGroup[].Id", "ResourceGroups.ResourceGroup[].Name",
          "ResourceGroups.ResourceGroup[].DisplayName", "ResourceGroups.ResourceGroup[].Status",
          "ResourceGroups.ResourceGroup[].AccountId", "ResourceGroups.ResourceGroup[].CreateDate",
          "TotalCount", "PageNumber", "PageSize")),
    Step("resourcemanager", "GetResourceGroup", {"resource_group_id": RG_PROD},
         ("ResourceGroup.Id", "ResourceGroup.DisplayName")),
    Step("resourcemanager", "ListPolicyAttachments", {"page_size": 100},
         ("PolicyAttachments.PolicyAttachment[].PrincipalName",
          "PolicyAttachments.PolicyAttachment[].ResourceGroupId",
          "PolicyAttachments.PolicyAttachment[].AttachDate", "TotalCount")),
    Step("resourcemanager", "AttachPolicy", {**ADMIN_IN_PROD, "resource_group_id": RG_DEV}),
    Step("resourcemanager", "DetachPolicy", ADMIN_IN_PROD),
)


@pytest.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningEmulator]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    async with running_emulator(RM_ACCOUNT, EmulatorOptions(report_delay_s=0)) as emu:
        yield emu


async def _attachments(emu: RunningEmulator, mode: str, **kwargs: Any) -> set[tuple[str, ...]]:
    answer = await sdk_call(sdk_config(emu), "resourcemanager", "ListPolicyAttachments",
                            {"page_size": 100, **kwargs}, mode)
    return {(a.resource_group_id, a.policy_type, a.policy_name, a.principal_type,
             a.principal_name) for a in answer.body.policy_attachments.policy_attachment}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.id)
async def test_every_action_answers_the_sdk(emulator: RunningEmulator, step: Step,
                                            mode: str) -> None:
    raw: list[dict[str, Any]] = []
    answer = await sdk_call(sdk_config(emulator), step.service, step.action, step.kwargs, mode,
                            raw)
    check_answer(step, answer, raw[-1])


@pytest.mark.parametrize("mode", MODES)
async def test_attachments_account_wide_and_scoped(emulator: RunningEmulator, mode: str) -> None:
    scoped = {(RG_PROD, "System", "AdministratorAccess", "IMSUser", ALICE),
              (RG_DEV, "System", "ReadOnlyAccess", "IMSGroup", f"dev@group.{DOMAIN}")}
    everything = await _attachments(emulator, mode)
    assert scoped <= everything
    account_wide = everything - scoped
    assert account_wide and {row[0] for row in account_wide} == {ACCOUNT_ID}
    assert await _attachments(emulator, mode, resource_group_id=RG_PROD) == {
        (RG_PROD, "System", "AdministratorAccess", "IMSUser", ALICE)}
    assert await _attachments(emulator, mode, resource_group_id=ACCOUNT_ID) == account_wide
    mine = await _attachments(emulator, mode, principal_type="IMSUser", principal_name=ALICE)
    assert mine == {row for row in everything if row[4] == ALICE}


@pytest.mark.parametrize("mode", MODES)
async def test_page_numbers_cover_the_listing_once(emulator: RunningEmulator, mode: str) -> None:
    config = sdk_config(emulator)
    whole = await sdk_call(config, "resourcemanager", "ListPolicyAttachments",
                           {"page_size": 100}, mode)
    total = whole.body.total_count
    expected = values_at(whole.body.to_map(), "PolicyAttachments.PolicyAttachment[].PolicyName")
    assert total == len(expected) >= 3
    seen: list[Any] = []
    for number in range(1, total + 2):
        page = await sdk_call(config, "resourcemanager", "ListPolicyAttachments",
                              {"page_size": 2, "page_number": number}, mode)
        assert (page.body.total_count, page.body.page_number, page.body.page_size) == (
            total, number, 2)
        seen += values_at(page.body.to_map(), "PolicyAttachments.PolicyAttachment[].PolicyName")
    assert sorted(seen) == sorted(expected)


@pytest.mark.parametrize("mode", MODES)
async def test_ram_does_not_show_scoped_attachments(emulator: RunningEmulator,
                                                    mode: str) -> None:
    config = sdk_config(emulator)
    mine = await sdk_call(config, "ram", "ListPoliciesForUser", {"user_name": "alice"}, mode)
    names = values_at(mine.body.to_map(), "Policies.Policy[].PolicyName")
    assert "AdministratorAccess" not in names
    entities = await sdk_call(config, "ram", "ListEntitiesForPolicy",
                              {"policy_type": "System", "policy_name": "ReadOnlyAccess"}, mode)
    assert "dev" not in values_at(entities.body.to_map(), "Groups.Group[].GroupName")


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [({"resource_group_id": "rg-nosuch"}, "EntityNotExists.ResourceGroup", 404),
     ({"policy_name": "NoSuchPolicy"}, "EntityNotExist.Policy", 404),
     ({"policy_type": "Managed"}, "InvalidParameter.PolicyType", 400),
     ({"principal_name": f"nobody@{DOMAIN}"}, "EntityNotExist.User", 404),
     ({"principal_name": "alice@other.onaliyun.com"}, "InvalidParameter.PrincipalName", 400),
     ({}, "EntityAlreadyExists.User.Policy", 409)],
)
async def test_attach_errors(emulator: RunningEmulator, change: dict[str, str], code: str,
                             status: int) -> None:
    with pytest.raises(ClientException) as caught:
        await sdk_call(sdk_config(emulator), "resourcemanager", "AttachPolicy",
                       {**ADMIN_IN_PROD, **change}, "async")
    assert (caught.value.code, caught.value.status_code) == (code, status)


async def test_detach_then_attach_round_trip(emulator: RunningEmulator) -> None:
    config = sdk_config(emulator)
    await sdk_call(config, "resourcemanager", "DetachPolicy", ADMIN_IN_PROD, "async")
    assert await _attachments(emulator, "async", resource_group_id=RG_PROD) == set()
    with pytest.raises(ClientException) as caught:
        await sdk_call(config, "resourcemanager", "DetachPolicy", ADMIN_IN_PROD, "async")
    assert caught.value.code == "EntityNotExist.User.Policy"
    await sdk_call(config, "resourcemanager", "AttachPolicy", ADMIN_IN_PROD, "async")
    assert len(await _attachments(emulator, "async", resource_group_id=RG_PROD)) == 1
