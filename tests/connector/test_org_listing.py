"""Organization listing: the ``--max-accounts-in-flight`` slots are shared by every type."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import ResourceSyncer, SyncItems
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.connector.organization import Fates, fan_out


class _Listing:
    """Counts the listings running at once (each holds its page until the engine takes it)."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0


class _Syncer:
    """One account's syncer of one type: three pages, each after a short wait."""

    def __init__(self, type_id: str, uid: str, listing: _Listing) -> None:
        self.type_id, self.uid, self.listing = type_id, uid, listing

    @property
    def resource_type(self) -> ResourceType:
        return bt.resource_type(self.type_id, self.type_id)

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        self.listing.running += 1
        self.listing.most = max(self.listing.most, self.listing.running)
        try:
            for page in range(3):
                await asyncio.sleep(0.001)
                yield [bt.resource(self.type_id, f"acs:ram::{self.uid}:{self.type_id}/{page}",
                                   f"{page}")]
        finally:
            self.listing.running -= 1

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return None


def test_listings_at_once_are_bounded_across_types() -> None:
    """Five types of eight accounts, two slots: never more than two listings at once in all
    (one bound per type let ten run, each holding a page), and every page arrives."""
    listing = _Listing()
    uids = [f"10000000000000{i:02d}" for i in range(8)]
    per_account: list[tuple[str, list[ResourceSyncer]]] = [
        (uid, [_Syncer(t, uid, listing) for t in ("user", "group", "role", "policy", "x")])
        for uid in uids]

    async def run() -> int:
        typed = fan_out(per_account, Fates(), 2, {})

        async def drain(syncer: ResourceSyncer) -> int:
            count = 0
            async for page in syncer.list():
                await asyncio.sleep(0.002)  # the engine writing the page
                count += len(page)
            return count

        return sum(await asyncio.gather(*(drain(s) for s in typed)))

    assert asyncio.run(run()) == 5 * 8 * 3
    assert listing.most == 2
