"""A CloudSSO assignment's reserved role, seen by an organization sync of the member.

The official CloudSSO SDK assigns the access configuration Admin (System AdministratorAccess plus
an inline policy) on prod-eu and polls the task; the connector's organization sync of prod-eu
(AssumeRole into its access role, like any member) then holds the role
``AliyunReservedSSO-Admin`` with exactly those two policies attached, and a second sync after
the assignment is deleted with de-provisioning asked for holds it no more.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions, sync_organization
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator
from tests.emulator import org_account as org
from tests.emulator import sso_org
from tests.emulator.test_sdk_conformance import PROXY_VARIABLES, sdk_call, sdk_config

pytestmark = pytest.mark.timeout(120)

ROLE = f"acs:ram::{org.PROD_EU}:role/AliyunReservedSSO-Admin"


async def _sso(emu: RunningEmulator, action: str, **kwargs: Any) -> dict[str, Any]:
    answer = await sdk_call(sdk_config(emu, org.ADMIN_KEY), "cloudsso", action,
                            {"directory_id": sso_org.DIRECTORY, **kwargs}, "async")
    body: dict[str, Any] = answer.body.to_map()
    return body


async def _run_task(emu: RunningEmulator, action: str, request: dict[str, str]) -> None:
    task = (await _sso(emu, action, **request))["Task"]
    for _ in range(50):
        status = (await _sso(emu, "GetTaskStatus", task_id=task["TaskId"]))["TaskStatus"]
        if status["Status"] != "InProgress":
            assert status["Status"] == "Success", status
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the task never finished")


async def _role_policies(emu: RunningEmulator, path: Path) -> set[str] | None:
    """The policy entitlements the synced role holds, or None when the role is not in the file."""
    config = ConnectorConfig(access_key_id=org.ADMIN_KEY[0], access_key_secret=org.ADMIN_KEY[1],
                             endpoint=emu.url)
    report = await sync_organization(config, path, OrgOptions(
        member_accounts=frozenset({org.PROD_EU})))
    assert report.synced == [org.PROD_EU]
    with C1zReader.open(path) as reader:
        if reader.get_resource("role", ROLE) is None:
            return None
        return {g.entitlement.id for g in reader.grants() if g.principal.id.resource == ROLE}


async def test_member_sync_sees_the_reserved_role_and_its_policies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    options = EmulatorOptions(report_delay_s=0, cloudsso_task_delay_s=0.2)
    async with running_emulator(sso_org.organization(), options) as emu:
        users = {u["UserName"]: u["UserId"]
                 for u in (await _sso(emu, "ListUsers", max_results=100))["Users"]}
        configs = {c["AccessConfigurationName"]: c["AccessConfigurationId"] for c in (
            await _sso(emu, "ListAccessConfigurations", max_results=100))["AccessConfigurations"]}
        request = {"access_configuration_id": configs["Admin"], "target_type": "RD-Account",
                   "target_id": org.PROD_EU, "principal_type": "User",
                   "principal_id": users["dave"]}
        assert await _role_policies(emu, tmp_path / "before.c1z") is None
        await _run_task(emu, "CreateAccessAssignment", request)
        held = await _role_policies(emu, tmp_path / "assigned.c1z")
        assert held == {
            "policy:acs:ram::system:policy/AdministratorAccess:attached",
            f"policy:acs:ram::{org.PROD_EU}:policy/AliyunReservedSSO-Admin-InlinePolicy:attached"}
        await _run_task(emu, "DeleteAccessAssignment", {
            **request, "deprovision_strategy": "DeprovisionForLastAccessAssignmentOnAccount"})
        assert await _role_policies(emu, tmp_path / "after.c1z") is None
