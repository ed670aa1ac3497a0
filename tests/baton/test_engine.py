"""The sync engine with fake syncers and the real c1z writer: phases, completeness, report."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems, SyncView
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.baton.sync.engine import ProgressEvent, run_sync

USER = bt.resource_type("user", "User")
TEAM = bt.resource_type("team", "Team")


class Users:
    resource_type: ResourceType = USER

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        for page in range(3):
            yield [bt.resource(USER, f"u{page}-{n}", f"U{n}") for n in range(700)]
        yield [bt.resource(USER, "orphan", "Orphan", parent=bt.resource_id("team", "nope"))]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return None


class Teams:
    resource_type: ResourceType = TEAM
    detailed: list[str]

    def __init__(self) -> None:
        self.detailed = []

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        yield [bt.resource(TEAM, "t1", "T1"), bt.resource(TEAM, "t2", "T2")]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return [bt.assignment_entitlement(resource, "member", grantable_to=[USER])]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return self._details(resource)

    async def _details(self, resource: Resource) -> AsyncIterator[SyncItems]:
        self.detailed.append(resource.id.resource)
        member = self.entitlements(resource)[0]
        grants = [bt.grant(member, bt.resource_id("user", f"u0-{n}")) for n in range(600)]
        grants.append(bt.grant(member, bt.resource_id("user", "ghost")))
        discovered = bt.resource(TEAM, f"{resource.id.resource}-sub", "Sub")
        yield SyncItems(resources=[discovered], grants=grants, warnings=["a warning"])


async def test_phases_completeness_and_report(tmp_path: Path) -> None:
    teams = Teams()
    events: list[ProgressEvent] = []
    writer = C1zWriter.open(tmp_path / "s.c1z")
    report = await run_sync([Users(), teams], writer, concurrency_per_type=2,
                            observer=events.append)
    writer.commit()
    # discovered resources are written but not detailed themselves
    assert sorted(teams.detailed) == ["t1", "t2"]
    assert report.resources == {"user": 2100, "team": 4}
    assert report.entitlements == 4 and report.grants == 1200
    assert "a warning" in report.warnings
    assert any("resource user:orphan removed" in w for w in report.warnings)
    assert any("grant team:t1:member:user:ghost removed: its principal user:ghost" in w
               for w in report.warnings)
    assert {e.phase for e in events} >= {"list", "details", "complete", "expand", "done"}
    assert set(report.durations) == {"list", "details", "after_details", "complete", "expand"}
    with C1zReader.open(tmp_path / "s.c1z") as reader:
        assert reader.get_resource("user", "orphan") is None
        assert reader.get_grant("team:t1:member:user:ghost") is None
        assert reader.get_grant("team:t2:member:user:u0-5") is not None


class Waiters:
    """Users whose details all wait for one shared answer (as MFA facts wait for the virtual
    MFA listing), which comes only once 40 of them are waiting."""

    resource_type: ResourceType = USER
    details_concurrency = 40

    def __init__(self) -> None:
        self.waiting = 0
        self.shared = asyncio.Event()

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        yield [bt.resource(USER, f"u{n}", f"U{n}") for n in range(100)]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return self._details()

    async def _details(self) -> AsyncIterator[SyncItems]:
        self.waiting += 1
        if self.waiting == self.details_concurrency:
            self.shared.set()
        await self.shared.wait()
        yield SyncItems()


async def test_a_syncer_may_ask_for_more_details_workers(tmp_path: Path) -> None:
    writer = C1zWriter.open(tmp_path / "s.c1z")
    try:
        waiters = Waiters()
        # with the default pool of 2 this would wait forever: 40 must be in details at once
        report = await asyncio.wait_for(run_sync([waiters], writer, concurrency_per_type=2), 30)
    finally:
        writer.abort()
    assert waiters.waiting == 100 and report.resources == {"user": 100}


class CountedTeams(Teams):
    """Teams with a global step: after every detail is written, one ``all`` grant per user
    that phase 2 made a member of some team (it needs every team's grants at once)."""

    def after_details(self, view: SyncView) -> Iterator[SyncItems]:
        assert [len(c) for c in view.resources("team")] == [4]  # discovered ones included
        members = {g.principal.id.resource for chunk in view.grants("team") for g in chunk}
        everyone = bt.resource(TEAM, "all", "All")
        member = self.entitlements(everyone)[0]
        yield SyncItems(resources=[everyone])
        for name in sorted(members):
            yield SyncItems(grants=[bt.grant(member, bt.resource_id("user", name))])


async def test_after_details_sees_everything_and_writes_through(tmp_path: Path) -> None:
    writer = C1zWriter.open(tmp_path / "s.c1z")
    report = await run_sync([Users(), CountedTeams()], writer, concurrency_per_type=2)
    writer.commit()
    with C1zReader.open(tmp_path / "s.c1z") as reader:
        held = {g.principal.id.resource for g in reader.grants("team:all:member")}
    # 600 real users (ghost was a member too, then dropped by completeness with its grants)
    assert held == {f"u0-{n}" for n in range(600)}
    assert report.resources["team"] == 5 and "after_details" in report.durations
