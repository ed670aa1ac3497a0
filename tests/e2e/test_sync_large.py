"""A synthetic account of 2,500 users (some frozen), 150 groups (one with 250 members), about
1,200 policies and 40 roles: everything is written, and 20% ``Throttling.User`` answers change
nothing in the content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.emulator.accounts.generator import generate, parse_spec
from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.test_sync_sample import config_for, duplicate_calls

SPEC = ("users=2500,groups=150,roles=40,system_policies=50,custom_policies=1150,"
        "memberships=3000,attachments=2000,frozen=0.05,seed=7")
UID = "1000000000000001"


def big_account() -> dict[str, Any]:
    """The generated account with its first group grown to 250 members."""
    account = generate(parse_spec(SPEC))
    first = account["groups"][0]["name"]
    members = {m["user"] for m in account["memberships"] if m["group"] == first}
    for user in account["users"]:
        if len(members) >= 250:
            break
        if user["name"] not in members:
            members.add(user["name"])
            account["memberships"].append(
                {"user": user["name"], "group": first, "joined": "2024-01-01T00:00:00Z"})
    return account


def content(path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    with C1zReader.open(path) as reader:
        resources = {(r.id.resource_type, r.id.resource) for r in reader.resources()}
        grants = {
            (g.entitlement.id, g.principal.id.resource_type, g.principal.id.resource)
            for g in reader.grants() if not bt.has_annotation(g.annotations, GrantImmutable)
        }
    return resources, grants


async def test_large_account_complete_and_throttling_changes_nothing(tmp_path: Path) -> None:
    account = big_account()
    # The emulator's quotas off and the client's limits raised: this test is about content,
    # not pacing (the pacing is the rate limiter's and the benchmark's business).
    async with running_emulator(account, EmulatorOptions(quotas=False)) as emu:
        clean = tmp_path / "clean.c1z"
        report = await run.sync(config_for(emu, rate_limit_scale=10.0), clean)
        assert duplicate_calls(emu) == []
        calls = emu.request_log.total
    resources, grants = content(clean)
    users = {("user", f"acs:ram::{UID}:user/{u['name']}") for u in account["users"]}
    assert users <= resources and report.resources["user"] == 2500
    assert report.resources["group"] == 150 and report.resources["role"] == 40
    assert report.resources["policy"] >= 1200
    members = {(f"group:acs:ram::{UID}:group/{m['group']}:member", "user",
                f"acs:ram::{UID}:user/{m['user']}") for m in account["memberships"]}
    assert members <= grants
    first = account["groups"][0]["name"]
    assert sum(1 for g in members if g[0].endswith(f"/{first}:member")) == 250
    print(f"\n2,500-user account: {calls} API calls; {report.api_requests}")

    faults = EmulatorOptions(quotas=False, faults=FaultOptions(throttle_rate=0.2), seed=3)
    async with running_emulator(account, faults) as emu:
        throttled = tmp_path / "throttled.c1z"
        await run.sync(config_for(emu, rate_limit_scale=10.0), throttled)
        assert sum(emu.request_log.throttled.values()) > 0
    assert content(throttled) == (resources, grants)
