"""CloudSSO provisioning through ``run.grant``/``run.revoke`` against the emulator, looked up in
an organization c1z, under injected throttling: each write changes exactly one edge (re-read
through the emulator's own listings), a repeat is "already", each change logs one info line
with its RequestId, and an assignment task that fails is one line naming the task and why.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import AlibabaClient, Endpoints, StaticProvider
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantAlreadyExists, GrantAlreadyRevoked
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId
from baton_alibaba_cloud.connector import cloudsso_provisioning, run
from baton_alibaba_cloud.connector.cloudsso_provisioning import TaskWait
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions, sync_organization
from baton_alibaba_cloud.connector.provisioning import ProvisioningError
from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e import cloudsso_org as sso
from tests.emulator import org_account as org

pytestmark = pytest.mark.timeout(120)

A, B = org.PROD_APP, org.PROD_EU
MEMBER = f"sso_group:{sso.GROUP}:member"
AUDIT = "ac-00audit0000000003"
AUDIT_ON_B = f"access_assignment:{sso.D}/access-configuration/{AUDIT}@{B}:assigned"
Edge = tuple[str, ...]


def _data() -> dict[str, Any]:
    """The CloudSSO organization plus an Audit configuration assigned nowhere, and a RAM role
    ``AliyunReservedSSO-Audit`` in prod-eu that CloudSSO did not create (so provisioning Audit
    there fails, as on Alibaba Cloud)."""
    data = sso.organization()
    data["organization"]["cloudsso"]["access_configurations"].append(
        {"name": "Audit", "id": AUDIT, "policies": [{"type": "System", "name": "ReadOnlyAccess"}]})
    trust = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                             "Principal": {"RAM": [f"acs:ram::{B}:root"]}}]}
    eu = data["organization"]["accounts"][2]["document"]
    eu.setdefault("roles", []).append({"name": "AliyunReservedSSO-Audit", "trust_policy": trust})
    return data


async def _edges(client: AlibabaClient) -> set[Edge]:
    """Every membership and assignment of the directory, as the emulator lists them."""
    base = {"DirectoryId": sso.DIRECTORY}
    found: set[Edge] = set()
    async for page in client.token_pages("cloudsso", "ListGroupMembers",
                                         {**base, "GroupId": sso.OPS}):
        found |= {("member", m["UserId"]) for m in page["GroupMembers"]}
    async for page in client.token_pages("cloudsso", "ListAccessAssignments", base):
        found |= {("assigned", a["AccessConfigurationId"], a["TargetId"], a["PrincipalType"],
                   a["PrincipalId"]) for a in page["AccessAssignments"]}
    return found


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[ConnectorConfig, Path, AlibabaClient]]:
    options = EmulatorOptions(report_delay_s=0, cloudsso_task_delay_s=0.3, seed=7,
                              faults=FaultOptions(throttle_rate=0.2))
    async with running_emulator(_data(), options) as emu:
        config = ConnectorConfig(access_key_id=org.ADMIN_KEY[0],
                                 access_key_secret=org.ADMIN_KEY[1], endpoint=emu.url,
                                 provisioning=True)
        path = tmp_path / "org.c1z"
        await sync_organization(config, path, OrgOptions(member_accounts=frozenset({A, B})))
        reader = AlibabaClient(StaticProvider(*org.ADMIN_KEY), Endpoints.single(emu.url))
        async with reader:
            yield config, path, reader


async def _changed(client: AlibabaClient, before: set[Edge]) -> tuple[set[Edge], set[Edge]]:
    after = await _edges(client)
    return after - before, before - after


async def test_membership_one_edge_idempotent(
        world: tuple[ConnectorConfig, Path, AlibabaClient], caplog: pytest.LogCaptureFixture
) -> None:
    config, path, client = world
    carol = sso.user("carol")
    before = await _edges(client)
    caplog.set_level(logging.INFO, logger="baton_alibaba_cloud")
    made = await run.grant(config, path, MEMBER, "sso_user", carol)
    assert made.outcome == "granted" and made.request_id
    assert await _changed(client, before) == ({("member", sso.USERS["carol"])}, set())
    lines = [r for r in caplog.records if r.getMessage().startswith("granted ")]
    assert len(lines) == 1 and made.request_id in lines[0].getMessage()
    again = await run.grant(config, path, MEMBER, "sso_user", carol)
    assert again.outcome == "already granted"
    assert isinstance(again.annotations[0], GrantAlreadyExists)
    bob = f"{MEMBER}:sso_user:{sso.user('bob')}"
    before = await _edges(client)
    gone = await run.revoke(config, path, bob)
    assert gone.outcome == "revoked"
    assert await _changed(client, before) == (set(), {("member", sso.USERS["bob"])})
    repeat = await run.revoke(config, path, bob)
    assert isinstance(repeat.annotations[0], GrantAlreadyRevoked)


async def test_assignment_one_edge_idempotent(
        world: tuple[ConnectorConfig, Path, AlibabaClient]) -> None:
    config, path, client = world
    admin_on_a = f"access_assignment:{sso.binding('Admin', A)}:assigned"
    before = await _edges(client)
    made = await run.grant(config, path, admin_on_a, "sso_group", sso.GROUP)
    assert made.outcome == "granted" and made.request_id
    assert await _changed(client, before) == (
        {("assigned", sso.CONFIGS["Admin"], A, "Group", sso.OPS)}, set())
    again = await run.grant(config, path, admin_on_a, "sso_group", sso.GROUP)
    assert isinstance(again.annotations[0], GrantAlreadyExists)
    carol = f"{admin_on_a}:sso_user:{sso.user('carol')}"
    before = await _edges(client)
    gone = await run.revoke(config, path, carol)
    assert gone.outcome == "revoked"
    assert await _changed(client, before) == (
        set(), {("assigned", sso.CONFIGS["Admin"], A, "User", sso.USERS["carol"])})
    repeat = await run.revoke(config, path, carol)
    assert isinstance(repeat.annotations[0], GrantAlreadyRevoked)
    assert sum(client.stats.throttled.values()) > 0  # the injected throttling is on


async def test_assignment_on_a_new_account_and_a_failing_task(
        world: tuple[ConnectorConfig, Path, AlibabaClient]) -> None:
    """A configuration assigned on an account where it was not (its binding is not in the
    file yet) works; Audit on prod-eu fails because a role of its reserved name exists there."""
    config, path, client = world
    admin_on_b = f"access_assignment:{sso.binding('Admin', B)}:assigned"
    before = await _edges(client)
    made = await run.grant(config, path, admin_on_b, "sso_user", sso.user("alice"))
    assert made.outcome == "granted"
    assert await _changed(client, before) == (
        {("assigned", sso.CONFIGS["Admin"], B, "User", sso.USERS["alice"])}, set())
    await _deprovisioned_on_last_revoke(config, path, admin_on_b)
    before = await _edges(client)
    with pytest.raises(ProvisioningError) as failed:
        await run.grant(config, path, AUDIT_ON_B, "sso_user", sso.user("alice"))
    message = str(failed.value)
    assert "\n" not in message and "CloudSSO task t-" in message and "Failed" in message
    assert "AliyunReservedSSO-Audit" in message, message
    assert await _edges(client) == before


async def _deprovisioned_on_last_revoke(config: ConnectorConfig, path: Path, admin_on_b: str
                                        ) -> None:
    """Revoking the last assignment of Admin on prod-eu takes its reserved role away too."""
    role = ("role", sso.reserved(B, "Admin"))
    assert role in await _roles(config, path)
    await run.revoke(config, path, f"{admin_on_b}:sso_user:{sso.user('alice')}")
    assert role not in await _roles(config, path)


async def _roles(config: ConnectorConfig, path: Path) -> set[tuple[str, str]]:
    """Sync the two members again; their roles."""
    await sync_organization(config, path, OrgOptions(member_accounts=frozenset({A, B})))
    with C1zReader.open(path) as reader:
        return {(r.id.resource_type, r.id.resource) for r in reader.resources("role")}


async def test_a_task_that_outlasts_the_wait_is_named() -> None:
    """An assignment task still InProgress when the bounded wait ends: one line naming the task
    and what to do, not a hang and not a success."""
    target = Resource(id=ResourceId(resource_type="access_assignment",
                                    resource=sso.binding("Admin", B)))
    entitlement = Entitlement(id=f"access_assignment:{sso.binding('Admin', B)}:assigned",
                              slug="assigned", resource=target)
    alice = ResourceId(resource_type="sso_user", resource=sso.user("alice"))
    options = EmulatorOptions(report_delay_s=0, cloudsso_task_delay_s=30)
    async with running_emulator(sso.organization(), options) as emu:
        client = AlibabaClient(StaticProvider(*org.ADMIN_KEY), Endpoints.single(emu.url))
        async with client:
            with pytest.raises(ProvisioningError) as late:
                await cloudsso_provisioning.grant(client, entitlement, alice,
                                                  TaskWait(limit=0.6, first=0.1, most=0.2))
    message = str(late.value)
    assert "\n" not in message and "is still InProgress after 0.6 s" in message
    assert message.startswith("CloudSSO task t-") and "GetTaskStatus" in message
