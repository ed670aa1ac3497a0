"""A synthetic account of 2,500 users (some frozen), 150 groups (one with 250 members), 1,200
policies and 40 roles: every one of them and every membership is written, ``inspect stats``
prints the counts, and 20% ``Throttling.User`` answers change nothing in the content."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import UserTrait
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, Status
from baton_alibaba_cloud.baton.types import unpack_annotation
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.emulator.accounts.builtin import BUILTIN_SYSTEM_POLICIES
from baton_alibaba_cloud.emulator.accounts.generator import generate, parse_spec
from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.test_sync_sample import config_for, duplicate_calls

SPEC = ("users=2500,groups=150,roles=40,system_policies=50,custom_policies=1150,"
        "memberships=3000,attachments=2000,frozen=0.05,seed=7")
UID = "1000000000000001"
Content = tuple[frozenset[bytes], frozenset[bytes], frozenset[bytes]]


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


def _arn(kind: str, name: str) -> str:
    return f"acs:ram::{UID}:{kind}/{name}"


def expected_policies(account: dict[str, Any]) -> set[str]:
    """The account's policies plus the system policies every emulated account has."""
    names = {(p["type"], p["name"]) for p in account["policies"]}
    names |= {("System", p["name"]) for p in BUILTIN_SYSTEM_POLICIES}
    return {f"acs:ram::{'system' if kind == 'System' else UID}:policy/{name}"
            for kind, name in names}


def content(path: Path) -> Content:
    """Every resource, entitlement and grant of the file, as parsed messages re-serialised."""
    def canon(messages: Any) -> frozenset[bytes]:
        return frozenset(m.SerializeToString(deterministic=True) for m in messages)

    with C1zReader.open(path) as reader:
        return (canon(reader.resources()), canon(reader.entitlements()),
                canon(reader.grants(with_expansion=True)))


def ids_by_type(path: Path) -> dict[str, dict[str, Resource]]:
    found: dict[str, dict[str, Resource]] = {}
    with C1zReader.open(path) as reader:
        for res in reader.resources():
            found.setdefault(res.id.resource_type, {})[res.id.resource] = res
    return found


def member_grants(path: Path) -> set[tuple[str, str, str]]:
    with C1zReader.open(path) as reader:
        return {(g.entitlement.id, g.principal.id.resource_type, g.principal.id.resource)
                for g in reader.grants() if g.entitlement.id.endswith(":member")}


def assert_everything_written(path: Path, account: dict[str, Any]) -> None:
    """Exact sets: users (active and frozen, with their status), groups, roles, policies and
    memberships, including the 250 members of the first group."""
    found = ids_by_type(path)
    users = {_arn("user", u["name"]): u.get("status", "active") for u in account["users"]}
    assert set(found["user"]) == set(users) and len(users) == 2500
    frozen = {arn for arn, status in users.items() if status == "freeze"}
    assert 0 < len(frozen) < len(users)
    for arn, res in found["user"].items():
        trait = unpack_annotation(res.annotations, UserTrait)
        assert trait is not None
        disabled = trait.status.status == UserTrait.Status.STATUS_DISABLED
        assert disabled == (arn in frozen), arn
        wanted = Status.RESOURCE_STATUS_DISABLED if disabled else Status.RESOURCE_STATUS_ENABLED
        assert res.status.status == wanted, arn
    assert set(found["group"]) == {_arn("group", g["name"]) for g in account["groups"]}
    assert len(found["group"]) == 150
    assert set(found["role"]) == {_arn("role", r["name"]) for r in account["roles"]}
    assert len(found["role"]) == 40
    assert set(found["policy"]) == expected_policies(account) and len(found["policy"]) == 1200
    members = {(f"group:{_arn('group', m['group'])}:member", "user", _arn("user", m["user"]))
               for m in account["memberships"]}
    assert member_grants(path) == members
    first = f"group:{_arn('group', account['groups'][0]['name'])}:member"
    assert sum(1 for g in members if g[0] == first) == 250


def assert_stats_printed(path: Path, home: Path) -> None:
    """``inspect stats`` through the console script (piped) prints each type's count."""
    result = run_cli(["inspect", "stats", "-f", str(path)], home, clean_env(home))
    assert result.code == 0, result.stderr
    # Piped, the table is printed whole: one "<type>  <count>" line per row.
    rows = dict(re.findall(r"^([a-z_]+)\s+(\d+)\s*$", result.stdout, re.MULTILINE))
    assert {k: int(rows[k]) for k in ("user", "group", "role", "policy")} == {
        "user": 2500, "group": 150, "role": 40, "policy": 1200}
    assert int(rows["grants"]) >= 3000 and int(rows["entitlements"]) >= 150 + 40 + 1200


async def test_large_account_complete_and_throttling_changes_nothing(tmp_path: Path) -> None:
    account = big_account()
    # The emulator's quotas off and the client's limits raised: this test is about content,
    # not pacing (tests/e2e/test_sync_quotas.py syncs with the published quotas on).
    async with running_emulator(account, EmulatorOptions(quotas=False)) as emu:
        clean = tmp_path / "clean.c1z"
        report = await run.sync(config_for(emu, rate_limit_scale=10.0), clean)
        assert duplicate_calls(emu) == []
        calls = emu.request_log.total
    assert_everything_written(clean, account)
    assert_stats_printed(clean, tmp_path)
    print(f"\n2,500-user account: {calls} API calls; {report.api_requests}")

    faults = EmulatorOptions(quotas=False, faults=FaultOptions(throttle_rate=0.2), seed=3)
    async with running_emulator(account, faults) as emu:
        throttled = tmp_path / "throttled.c1z"
        await run.sync(config_for(emu, rate_limit_scale=10.0), throttled)
        answered = sum(emu.request_log.requests.values())
        assert sum(emu.request_log.throttled.values()) > 0.15 * answered
    assert content(throttled) == content(clean)
