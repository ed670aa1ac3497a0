"""``sync --organization``: the management account and every selected member into one c1z.

The management account is synced with the base credentials; each member through STS
``AssumeRole`` into ``member_role_name`` (with ``external_id`` when set), renewed like any
other session, with its own client and so its own per-action rate limits. A member that cannot
be entered or read is a failed member (see ``organization.Fates``): it is named in a warning,
its account resource carries the reason, and the others are synced in full.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AlibabaError,
    AssumeRoleProvider,
    CredentialsError,
    RateLimiter,
    sts_client_factory,
)
from baton_alibaba_cloud.baton.builder import ResourceSyncer, SyncItems, SyncView
from baton_alibaba_cloud.baton.c1z.history import previous_sync, previous_sync_resources
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.sync.engine import Observer, SyncReport, run_sync
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector.cloudsso_org import cloudsso_syncers
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.connector import Connector
from baton_alibaba_cloud.connector.file_account import check_one_account, own_accounts
from baton_alibaba_cloud.connector.organization import (
    Directory,
    FanOut,
    Fates,
    Folders,
    MemberRecord,
    _reason,
    discover,
    fan_out,
    member_stub,
)
from baton_alibaba_cloud.connector.run import LOG_FIELDS, ClientHook, client_for

__all__ = ["DEFAULT_MEMBER_ROLE", "OrgOptions", "OrgReport", "sync_organization"]

log = logging.getLogger(__name__)

DEFAULT_MEMBER_ROLE = "ResourceDirectoryAccountAccessRole"


@dataclass(frozen=True)
class OrgOptions:
    """How to enter members and which ones."""

    member_role_name: str = DEFAULT_MEMBER_ROLE
    external_id: str | None = None
    member_accounts: frozenset[str] = frozenset()
    exclude_accounts: frozenset[str] = frozenset()
    max_accounts_in_flight: int = 16
    cloudsso: bool | None = None
    """CloudSSO: None syncs it when ListDirectories finds a directory, False never, True
    always (no directory is then marked on the management account)."""


@dataclass
class OrgReport:
    """The sync's report and what happened to each member."""

    sync: SyncReport
    management: str
    synced: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _selected(directory: Directory, options: OrgOptions) -> tuple[list[MemberRecord], list[str]]:
    """Members to sync and the uids left out by the selection (the management account is
    always synced, with the base credentials)."""
    chosen, skipped = [], []
    for record in directory.accounts:
        if record.uid == directory.management:
            continue
        wanted = not options.member_accounts or record.uid in options.member_accounts
        if wanted and record.uid not in options.exclude_accounts:
            chosen.append(record)
        else:
            skipped.append(record.uid)
    return chosen, skipped


def member_client(config: ConnectorConfig, base: AlibabaClient, uid: str,
                  options: OrgOptions) -> AlibabaClient:
    """A client of member ``uid``: AssumeRole into the member role with the base credentials,
    its own per-action rate limits (quotas are per account)."""
    provider = AssumeRoleProvider(
        base.credentials, f"acs:ram::{uid}:role/{options.member_role_name}",
        config.role_session_name or "baton-alibaba-cloud-org", options.external_id,
        config.role_session_duration, client_factory=sts_client_factory(config.endpoints()))
    limiter = RateLimiter(dict(config.rate_limits), factor=config.rate_limit_scale,
                          max_in_flight=config.max_in_flight)
    return AlibabaClient(provider, config.endpoints(), rate_limits=limiter,
                         timeout=config.timeout)


async def _enter(config: ConnectorConfig, base: AlibabaClient, members: list[MemberRecord],
                 options: OrgOptions, fates: Fates, stack: contextlib.AsyncExitStack
                 ) -> list[tuple[str, list[ResourceSyncer]]]:
    """Each member's syncers, entered up to ``max_accounts_in_flight`` at once; a member whose
    AssumeRole or GetCallerIdentity fails is recorded in ``fates``."""
    limit = asyncio.Semaphore(options.max_accounts_in_flight)

    async def one(record: MemberRecord) -> tuple[str, list[ResourceSyncer]] | None:
        async with limit:
            client = await stack.enter_async_context(
                member_client(config, base, record.uid, options))
            try:
                connector = await Connector.open(client, sync_secrets=config.sync_secrets)
            except (AlibabaError, CredentialsError) as error:
                fates.fail(record.uid, f"cannot enter with {options.member_role_name}: "
                           f"{_reason(error)}")
                return None
            return record.uid, connector.syncers()

    entered = await asyncio.gather(*(one(r) for r in members))
    return [item for item in entered if item is not None]


class _Accounts(FanOut):
    """The account type: also writes, after phase 2, every failed member as a marked stub."""

    def __init__(self, base: FanOut, directory: Directory, fates: Fates) -> None:
        super().__init__(base.parts, fates, base.limit, base.folders)
        self.directory = directory

    def after_details(self, view: SyncView) -> Iterator[SyncItems]:
        records = {r.uid: r for r in self.directory.accounts}
        for uid, reason in sorted(self.fates.failed.items()):
            record = records[uid]
            yield SyncItems(resources=[member_stub(record, reason, "failed")], warnings=[
                f"member account {uid} ({record.display_name}) failed: {reason}; its "
                "resources are missing or incomplete in this sync"])


def _syncers(directory: Directory, per_account: list[tuple[str, list[ResourceSyncer]]],
             fates: Fates, options: OrgOptions) -> list[ResourceSyncer]:
    folders = {r.uid: r.folder_id for r in directory.accounts}
    typed = fan_out(per_account, fates, options.max_accounts_in_flight, folders)
    out: list[ResourceSyncer] = [Folders(directory)]
    for syncer in typed:
        out.append(_Accounts(syncer, directory, fates)
                   if syncer.resource_type.id == "account" else syncer)
    return out


async def _cloudsso(config: ConnectorConfig, client: AlibabaClient, management: Connector,
                    directory: Directory, members: list[MemberRecord], fates: Fates,
                    options: OrgOptions) -> list[ResourceSyncer]:
    """The CloudSSO syncers, read with the management account's client."""
    names = {r.uid: r.display_name or r.uid for r in directory.accounts}
    in_file = {management.ctx.uid, *(m.uid for m in members)}
    accounts = {uid: names.get(uid, uid) for uid in in_file}

    def synced(uid: str) -> bool:
        return uid in in_file and uid not in fates.failed

    return await cloudsso_syncers(client, management.ctx, options.cloudsso,
                                  config.cloudsso_region, accounts, synced)


def _check_one_organization(writer: C1zWriter, management: str, path: Path,
                            new_file: bool) -> None:
    """One organization per file: the previous sync must be of this management account's
    organization (it holds this account among its own); else refuse like ``check_one_account``
    (``--new-file`` drops the earlier syncs)."""
    con = writer.connection
    previous = None if new_file else previous_sync(con, writer.sync_id)
    if previous is None:
        check_one_account(writer, management, path, new_file=new_file)
        return
    found = own_accounts(previous_sync_resources(con, previous, ids.ACCOUNT))
    if management not in found:
        check_one_account(writer, management, path, new_file=False)


async def sync_organization(
    config: ConnectorConfig, path: Path, options: OrgOptions, *,
    observer: Observer | None = None, on_client: ClientHook | None = None,
    new_file: bool = False,
) -> OrgReport:
    """Discover the directory, enter the members, sync everything into ``path``; on an error
    of the management account the previous file is untouched."""
    writer = C1zWriter.open(Path(path))
    fields = LOG_FIELDS.set({**LOG_FIELDS.get(), "sync_id": writer.sync_id})
    try:
        async with client_for(config) as client, contextlib.AsyncExitStack() as stack:
            if on_client is not None:
                on_client(client)
            management = await Connector.open(client, sync_secrets=config.sync_secrets)
            _check_one_organization(writer, management.ctx.uid, Path(path), new_file)
            directory = await discover(client)
            members, skipped = _selected(directory, options)
            fates = Fates(skipped=set(skipped), strict=management.ctx.uid)
            per_account = [(management.ctx.uid, management.syncers())]
            per_account += await _enter(config, client, members, options, fates, stack)
            syncers = _syncers(directory, per_account, fates, options)
            syncers += await _cloudsso(config, client, management, directory, members, fates,
                                       options)
            report = await run_sync(syncers, writer,
                                    concurrency_per_type=config.concurrency_per_type,
                                    observer=observer)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        LOG_FIELDS.reset(fields)
    synced = [m.uid for m in members if m.uid not in fates.failed]
    return OrgReport(report, management.ctx.uid, synced, dict(fates.failed), skipped)
