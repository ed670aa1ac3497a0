"""Organization mode: the Resource Directory's folders and accounts, and every account's syncers
run side by side into one sync.

Why a fan-out per resource type rather than account loops inside each builder: the builders
already sync one account completely with that account's client; here each type's syncer is the
list of the accounts' syncers of that type. ``list`` merges their pages (a bounded number of
accounts at once), ``details`` goes to the syncer of the account that owns the resource (the
uid is in every id; a resource of no single account, a System policy or a service, goes to
every account). A member whose calls fail is recorded in :class:`Fates` and left alone from
then on; the other accounts go on.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from baton_alibaba_cloud.alibaba import AlibabaError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import ResourceSyncer, SyncItems, SyncView
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType, Status
from baton_alibaba_cloud.baton.sync.partition import Partitioned
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import Api
from baton_alibaba_cloud.connector._payload import PayloadError
from baton_alibaba_cloud.connector.org_assume import cross_account_assume

__all__ = ["FOLDER", "Directory", "Fates", "FolderRecord", "MemberRecord", "discover",
           "fan_out"]

FOLDER = "folder"
_UID = re.compile(r"::(\d+):")
_QUEUE_PAGES = 1
"""Pages of one type waiting for the engine. Listing is bound by the file's writer, not by the
requests, so a page waiting here is only memory: about 3 KB a resource once transformed, and a
page holds up to 1,000 of them."""


@dataclass(frozen=True)
class FolderRecord:
    folder_id: str
    name: str
    parent_id: str | None


@dataclass(frozen=True)
class MemberRecord:
    uid: str
    display_name: str
    folder_id: str
    status: str


@dataclass
class Directory:
    """What ``discover`` found: the directory, its folders (root first) and its accounts."""

    directory_id: str
    management: str
    root: str
    folders: list[FolderRecord] = field(default_factory=list)
    accounts: list[MemberRecord] = field(default_factory=list)


async def _items(api: Api, action: str, params: dict[str, str], path: tuple[str, str]
                 ) -> AsyncIterator[dict[str, Any]]:
    async for page in api.numbered_pages("resourcemanager", action, params):
        wrapper = page.get(path[0]) or {}
        for item in (wrapper.get(path[1]) or []) if isinstance(wrapper, dict) else []:
            if isinstance(item, dict):
                yield item


async def discover(api: Api) -> Directory:
    """The directory from the root: folders by ``ListFoldersForParent`` recursively (breadth
    first), accounts by ``ListAccountsForParent`` in each folder."""
    answer = (await api.call("resourcemanager", "GetResourceDirectory", {}))
    rd = answer.get("ResourceDirectory") or {}
    found = Directory(str(rd.get("ResourceDirectoryId", "")), str(rd.get("MasterAccountId", "")),
                      str(rd.get("RootFolderId", "")))
    found.folders.append(FolderRecord(found.root, "Root", None))
    queue = [found.root]
    while queue:
        parent = queue.pop(0)
        async for item in _items(api, "ListFoldersForParent", {"ParentFolderId": parent},
                                 ("Folders", "Folder")):
            folder = FolderRecord(str(item["FolderId"]), str(item.get("FolderName", "")), parent)
            found.folders.append(folder)
            queue.append(folder.folder_id)
        async for item in _items(api, "ListAccountsForParent", {"ParentFolderId": parent},
                                 ("Accounts", "Account")):
            found.accounts.append(MemberRecord(
                str(item["AccountId"]), str(item.get("DisplayName", "")), parent,
                str(item.get("Status", ""))))
    return found


@dataclass
class Fates:
    """Which member accounts failed (uid → one-line reason) and which were left out."""

    failed: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    strict: str = ""
    """The management account: its errors end the sync (exit 1), they are not a member's."""

    def fail(self, uid: str, reason: str) -> None:
        self.failed.setdefault(uid, reason)


def folder_type() -> ResourceType:
    return bt.resource_type(FOLDER, "Folder", description="A Resource Directory folder; its "
                            "accounts and subfolders are its children")


def folder_resource(record: FolderRecord) -> Resource:
    parent = bt.resource_id(FOLDER, record.parent_id) if record.parent_id else None
    return bt.resource(FOLDER, record.folder_id, record.name, parent=parent,
                       profile={"folder_id": record.folder_id})


def owner_of(resource_id: str, uids: set[str]) -> str | None:
    """The account a resource belongs to (the first uid in its id), None for shared ones."""
    if resource_id in uids:
        return resource_id
    match = _UID.search(resource_id)
    return match.group(1) if match and match.group(1) in uids else None


def _reason(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:300]


class FanOut:
    """One resource type over every account's syncer of that type."""

    def __init__(self, parts: list[tuple[str, ResourceSyncer]], fates: Fates,
                 listings: asyncio.Semaphore, folders: dict[str, str] | None = None) -> None:
        self.parts = parts
        self.fates = fates
        self.limit = listings
        """Shared by every type's fan-out: the listings running at once across the whole
        organization (an account listing one type is one), each holding the page it read."""
        self.folders = folders or {}
        self.uids = {uid for uid, _ in parts}
        self.shared: dict[tuple[str, str], Resource] = {}
        """Each account's own listing of an attached System policy (its AttachmentCount is
        per account, and the file keeps only the last account's)."""
        wide = [getattr(s, "details_concurrency", 0) for _, s in parts]
        if any(wide):
            self.details_concurrency = max(wide)

    @property
    def resource_type(self) -> ResourceType:
        return self.parts[0][1].resource_type

    async def _feed(self, uid: str, syncer: ResourceSyncer,
                    queue: asyncio.Queue[Sequence[Resource] | None]) -> None:
        async with self.limit:
            try:
                if uid not in self.fates.failed:
                    async for page in syncer.list():
                        self._remember(uid, page)
                        await queue.put([self._placed(r) for r in page])
            except (AlibabaError, PayloadError) as error:
                if uid == self.fates.strict:
                    raise
                self.fates.fail(uid, _reason(error))
            finally:
                await queue.put(None)

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """Every account's pages, each account's listing waiting for a slot of the shared
        ``limit`` (``--max-accounts-in-flight`` listings at once over all types)."""
        queue: asyncio.Queue[Sequence[Resource] | None] = asyncio.Queue(_QUEUE_PAGES)
        tasks = [asyncio.create_task(self._feed(uid, s, queue)) for uid, s in self.parts]
        try:
            remaining = len(tasks)
            while remaining:
                page = await queue.get()
                if page is None:
                    remaining -= 1
                elif page:
                    yield page
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _placed(self, resource: Resource) -> Resource:
        """An organization's account hangs under its folder."""
        folder = self.folders.get(resource.id.resource)
        if resource.id.resource_type != ids.ACCOUNT or folder is None:
            return resource
        placed = Resource()
        placed.CopyFrom(resource)
        placed.parent_resource_id.CopyFrom(bt.resource_id(FOLDER, folder))
        return placed

    def _remember(self, uid: str, page: Sequence[Resource]) -> None:
        for resource in page:
            count = resource.profile.fields.get("attachment_count")
            if (resource.id.resource_type == ids.POLICY and count is not None
                    and count.number_value > 0 and owner_of(resource.id.resource, self.uids)
                    is None):
                self.shared[(uid, resource.id.resource)] = resource

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return self._targets(resource)[0][1].entitlements(resource)

    def _targets(self, resource: Resource) -> Sequence[tuple[str, ResourceSyncer]]:
        owner = owner_of(resource.id.resource, self.uids)
        return [(u, s) for u, s in self.parts if owner is None or u == owner] or self.parts[:1]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        rid = resource.id.resource
        shared = resource.id.resource_type == ids.POLICY and owner_of(rid, self.uids) is None
        runs = [(uid, s.details(self.shared[(uid, rid)] if shared else resource))
                for uid, s in self._targets(resource)
                if uid not in self.fates.failed and (not shared or (uid, rid) in self.shared)]
        found = [(uid, run) for uid, run in runs if run is not None]
        return self._chain(found) if found else None

    async def _chain(self, runs: Sequence[tuple[str, AsyncIterator[SyncItems]]]
                     ) -> AsyncIterator[SyncItems]:
        for uid, run in runs:
            try:
                async for items in run:
                    yield self._own_accounts_kept(items, uid)
            except (AlibabaError, PayloadError) as error:
                if uid == self.fates.strict:
                    raise
                self.fates.fail(uid, _reason(error))

    def _own_accounts_kept(self, items: SyncItems, uid: str) -> SyncItems:
        """A role trusting another account of the organization names it as an external
        account; the organization's own account resource must not be replaced by that stub.
        An account's own update of itself (the mark of what it could not read) is kept."""
        kept = [r for r in items.resources
                if not (r.id.resource_type == ids.ACCOUNT and r.id.resource in self.uids
                        and r.id.resource != uid)]
        if len(kept) == len(items.resources):
            return items
        return SyncItems(resources=kept, grants=items.grants, warnings=items.warnings)

    def after_details(self, view: SyncView) -> Iterator[SyncItems]:
        """Each account's whole-picture step over that account's rows only (and the shared
        System policies): who may assume a role is decided within its account, as in a
        single-account sync; a role trusting another account grants that account, and, when
        that account is synced too, each of its identities permitted to assume it
        (``org_assume``)."""
        parts = Partitioned(view, lambda rid: owner_of(rid, self.uids) or "")

        def narrow(_view: SyncView, uid: str, _uids: set[str]) -> SyncView:
            """One account's rows and the shared ones (System policies): one scan of each
            table for all accounts, not one per account (``baton.sync.partition``)."""
            return parts.part(uid, "")

        for uid, syncer in self.parts:
            step = getattr(syncer, "after_details", None)
            if step is not None and uid not in self.fates.failed:
                yield from step(narrow(view, uid, self.uids))
        if self.resource_type.id == ids.ROLE:
            synced = [uid for uid, _ in self.parts if uid not in self.fates.failed]
            yield from cross_account_assume(view, synced, narrow)


class Folders:
    """The directory's folders as resources (root folder first, no parent)."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    @property
    def resource_type(self) -> ResourceType:
        return folder_type()

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        yield [folder_resource(f) for f in self.directory.folders]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return None


def member_stub(record: MemberRecord, reason: str, state: str) -> Resource:
    """A member that was not synced: its directory record and why, never an empty account."""
    profile = {"account_id": record.uid, "external": False, "sync_status": state,
               "sync_error": reason, "folder_id": record.folder_id}
    return bt.resource(ids.ACCOUNT, record.uid, record.display_name or record.uid,
                       parent=bt.resource_id(FOLDER, record.folder_id),
                       description=f"Alibaba Cloud account {record.uid} ({state}: {reason})",
                       profile=profile, status=Status.RESOURCE_STATUS_UNSPECIFIED,
                       status_details=f"{state}: {reason}",
                       annotations=[bt.app_trait(profile=profile)])


def fan_out(per_account: list[tuple[str, list[ResourceSyncer]]], fates: Fates,
            accounts_in_flight: int, folders: dict[str, str]) -> list[FanOut]:
    """One :class:`FanOut` per resource type, in the first account's order.

    The listing slots are shared by all types, not ``accounts_in_flight`` per type: with a
    dozen types that would be a dozen times as many pages in memory at once (50 members of
    1,000 users: 30,000 resources, 200 MB), for no speed, since the writer bounds listing."""
    by_type: dict[str, list[tuple[str, ResourceSyncer]]] = {}
    for uid, syncers in per_account:
        for syncer in syncers:
            by_type.setdefault(syncer.resource_type.id, []).append((uid, syncer))
    listings = asyncio.Semaphore(accounts_in_flight)
    return [FanOut(parts, fates, listings, folders) for parts in by_type.values()]
