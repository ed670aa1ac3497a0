"""The ``permissions`` policy is exactly enough: a RAM user holding only it syncs (under both
attachment plans and both login-enrichment plans) and provisions, and every action it grants
is one of those runs' calls, so no action could be left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from baton_alibaba_cloud.cli import cli
from baton_alibaba_cloud.connector import _login, run
from baton_alibaba_cloud.connector._context import Counts
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.emulator.authz import permission_for
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator
from tests.cli import accounts

UID = accounts.ACCOUNT_ID
FEATURES = {"sync": [], "sync-secrets": ["--sync-secrets"],
            "provisioning": ["--sync-secrets", "-p"]}
PLANS = {"per-policy+report": (True, 3500), "per-principal+per-user": (False, 0)}


def _policy(flags: list[str]) -> list[str]:
    printed = CliRunner().invoke(cli, ["permissions", *flags])
    assert printed.exit_code == 0, printed.output
    [statement] = json.loads(printed.stdout)["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    return list(statement["Action"])


def _account(actions: list[str]) -> dict[str, Any]:
    """The CLI test account, with console users (one with a U2F key, one with a virtual MFA
    device) so that the per-user login plan makes every one of its calls."""
    data = accounts.account(actions)
    for user in data["users"]:
        if user["name"] == "alice":
            user.update(login_profile={"status": "Active"}, mfa={"name": "alice", "type": "U2F"})
        if user["name"] == "bob":
            user.update(login_profile={"status": "Active"}, mfa={"name": "bob"})
    data["policies"].append({"name": "Audit", "type": "Custom", "document": {
        "Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:Get*", "Resource": "*"}]}})
    data["resource_groups"] = [{"id": "rg-leastprivilege01", "name": "prod"}]
    data["attachments"].append({"policy": "Audit", "policy_type": "Custom",
                                "principal_type": "user", "principal": "alice",
                                "resource_group": "rg-leastprivilege01"})
    return data


def _config(emu: RunningEmulator, flags: list[str]) -> ConnectorConfig:
    return ConnectorConfig(
        access_key_id=accounts.CONNECTOR_KEY[0], access_key_secret=accounts.CONNECTOR_KEY[1],
        endpoint=emu.url,
        sync_secrets="--sync-secrets" in flags, provisioning="-p" in flags)


def _called(emu: RunningEmulator) -> set[str]:
    """The permissions of the actions the connector called, none of them refused."""
    refused = [c for c in emu.request_log.calls if c.code.startswith(("NoPermission", "Forbid"))]
    assert not refused, refused
    return {permission_for(c.service, c.action)
            for c in emu.request_log.calls} - {"sts:GetCallerIdentity"}


async def _provision(config: ConnectorConfig, path: Path) -> None:
    """Grant and revoke one edge of every provisionable kind, looked up in the synced file,
    each twice: the second answer ("already") is re-read with ListGroupsForUser or
    ListPoliciesFor*, which the policy must allow too."""
    bob = f"acs:ram::{UID}:user/bob"
    edges = [(f"group:acs:ram::{UID}:group/admins:member", "user", bob)] + [
        (f"policy:acs:ram::{UID}:policy/Audit:attached", kind, f"acs:ram::{UID}:{kind}/{name}")
        for kind, name in (("user", "bob"), ("group", "readers"), ("role", "auditor"))]
    for entitlement, kind, principal in edges:
        done = await run.grant(config, path, entitlement, kind, principal)
        assert (await run.grant(config, path, entitlement, kind, principal)).outcome == (
            "already granted")
        await run.sync(config, path)
        await run.revoke(config, path, done.grant.id)
        assert (await run.revoke(config, path, done.grant.id)).outcome == "already revoked"


def _fixed(value: bool) -> property:
    def get(_: Counts) -> bool:
        return value

    return property(get)


@pytest.mark.parametrize("feature", list(FEATURES))
async def test_the_printed_policy_is_enough_and_every_action_in_it_is_used(
    feature: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    flags = FEATURES[feature]
    policy = _policy(flags)
    used: set[str] = set()
    for by_policy, report_max in PLANS.values():
        monkeypatch.setattr(Counts, "attachments_by_policy", _fixed(by_policy))
        monkeypatch.setattr(_login, "REPORT_MAX_USERS", report_max)
        async with running_emulator(_account(policy)) as emu:
            config = _config(emu, flags)
            report = await run.sync(config, tmp_path / "sync.c1z")
            assert report.resources["user"] == 4 and report.grants > 0
            if "-p" in flags:
                await _provision(config, tmp_path / "sync.c1z")
            used |= _called(emu)
    assert used == set(policy)  # nothing missing (no NoPermission), nothing unused
