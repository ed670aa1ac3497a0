"""The library calls the CLI makes: ``sync``, ``grant`` and ``revoke``.

Why here: the CLI stays a thin skin (parse, call one function, print), and everything that
decides how a run goes (credentials, client, connector, writer, commit or abort) is testable
without a terminal.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType
from typing import Any

from baton_alibaba_cloud.alibaba import AlibabaClient, RateLimiter
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.lookup import UnknownName, check_entitlement, resolve_principal
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceId
from baton_alibaba_cloud.baton.sync.engine import Observer, SyncReport, run_sync
from baton_alibaba_cloud.connector import cloudsso_provisioning, provisioning
from baton_alibaba_cloud.connector.config import ConnectorConfig, build_credentials
from baton_alibaba_cloud.connector.connector import Connector
from baton_alibaba_cloud.connector.file_account import check_one_account
from baton_alibaba_cloud.connector.provisioning import Provisioned, ProvisioningError

__all__ = ["LOG_FIELDS", "ClientHook", "client_for", "grant", "revoke", "sync"]

log = logging.getLogger(__name__)

LOG_FIELDS: ContextVar[Mapping[str, str]] = ContextVar(
    "baton_alibaba_cloud_log_fields", default=MappingProxyType({}))
"""Fields every log record of the current run carries (``sync_id`` during a sync): set here,
inherited by every task the sync starts, added to each record by the CLI's log handler."""

ClientHook = Callable[[AlibabaClient], None]
"""Called with the API client once it exists, e.g. to show its counters while the sync runs."""


def client_for(config: ConnectorConfig) -> AlibabaClient:
    """The API client of a configuration: credentials, endpoints, quotas, timeout."""
    limiter = RateLimiter(
        dict(config.rate_limits), factor=config.rate_limit_scale,
        max_in_flight=config.max_in_flight,
    )
    return AlibabaClient(
        build_credentials(config), config.endpoints(), rate_limits=limiter,
        timeout=config.timeout,
    )


async def sync(
    config: ConnectorConfig, path: Path, *, observer: Observer | None = None,
    on_client: ClientHook | None = None, new_file: bool = False,
) -> SyncReport:
    """Sync the account into the c1z at ``path``; on any error the previous file is untouched.

    The file's previous sync must be of the same account (``file_account``); ``new_file``
    drops the earlier syncs instead.

    Every log record of the sync carries its ``sync_id``; ``on_client`` receives the client
    before the first request (the live display reads its counters).
    """
    writer = C1zWriter.open(Path(path))
    fields = LOG_FIELDS.set({**LOG_FIELDS.get(), "sync_id": writer.sync_id})
    try:
        async with client_for(config) as client:
            if on_client is not None:
                on_client(client)
            connector = await Connector.open(client, sync_secrets=config.sync_secrets)
            _log_credentials(client, connector.ctx.uid)
            check_one_account(writer, connector.ctx.uid, Path(path), new_file=new_file)
            report = await run_sync(
                connector.syncers(), writer,
                concurrency_per_type=config.concurrency_per_type, observer=observer,
            )
            report.api_requests = dict(client.stats.requests)
            _log_api_summary(client)
        writer.commit()
        log.info("sync %s written to %s", report.sync_id, path)
    except BaseException:
        writer.abort()
        raise
    finally:
        LOG_FIELDS.reset(fields)
    return report


def _log_credentials(client: AlibabaClient, account_id: str) -> None:
    """Which credential source the run uses, now that it answered (never a secret)."""
    source = client.credentials.source
    log.info("using credentials from %s for account %s", source, account_id,
             extra={"credentials_source": source, "account_id": account_id})


def _log_api_summary(client: AlibabaClient) -> None:
    """One info line with the requests per action, throttled answers, retries and errors
    (each request is logged at debug level by the client)."""
    stats = client.stats
    fields: dict[str, Any] = {
        "requests": stats.total_requests, "throttled": sum(stats.throttled.values()),
        "retries": sum(stats.retries.values()), "errors": dict(stats.errors),
        "requests_by_action": dict(sorted(stats.requests.items())),
    }
    log.info("%d API requests, %d throttled, %d retried", fields["requests"],
             fields["throttled"], fields["retries"], extra=fields)


async def grant(
    config: ConnectorConfig, path: Path, entitlement_id: str, principal_type: str,
    principal_id: str,
) -> Provisioned:
    """Grant an entitlement of the c1z at ``path`` to a principal of it."""
    _require_provisioning(config)
    with C1zReader.open(Path(path)) as reader:
        entitlement = reader.get_entitlement(entitlement_id) or cloudsso_provisioning.new_binding(
            entitlement_id, reader.get_resource)
        _check_grant_names(reader, Path(path), entitlement_id, principal_type, principal_id,
                           known=entitlement is not None)
    if entitlement is None:  # checked above; keeps the type checker informed
        raise ProvisioningError(f"no entitlement {entitlement_id} in {path}; sync first")
    principal = ResourceId(resource_type=principal_type, resource=principal_id)
    if cloudsso_provisioning.handles(entitlement):
        async with client_for(_sso_config(config, entitlement)) as client:
            return await cloudsso_provisioning.grant(client, entitlement, principal)
    async with client_for(config) as client:
        return await provisioning.grant(client, entitlement, principal)


async def revoke(config: ConnectorConfig, path: Path, grant_id: str) -> Provisioned:
    """Revoke a grant of the c1z at ``path``; an inherited one is refused before any call."""
    _require_provisioning(config)
    with C1zReader.open(Path(path)) as reader:
        existing = reader.get_grant(grant_id)
        if existing is None:
            raise ProvisioningError(f"no grant {grant_id} in {path}; sync first")
        refusal = provisioning.inherited_refusal(existing, _namer(reader))
        if refusal is not None:
            raise ProvisioningError(refusal)
    if cloudsso_provisioning.handles(existing.entitlement):
        async with client_for(_sso_config(config, existing.entitlement)) as client:
            done = await cloudsso_provisioning.revoke(client, existing)
    else:
        async with client_for(config) as client:
            done = await provisioning.revoke(client, existing)
    others = sorted(src for src in existing.sources.sources if src != existing.entitlement.id)
    if others:
        log.warning("%s still holds %s through %s (expanded grants; sync to see them)",
                    existing.principal.id.resource, existing.entitlement.id, ", ".join(others))
    return done


def _sso_config(config: ConnectorConfig, entitlement: Any) -> ConnectorConfig:
    """CloudSSO calls go to the region of the directory named in the entitlement's id, unless
    an endpoint was given (``--cloudsso-endpoint``, ``--endpoint``)."""
    region = cloudsso_provisioning.region_of(entitlement)
    if config.cloudsso_endpoint or config.endpoint or region is None:
        return config
    try:
        return dataclasses.replace(config, cloudsso_region=region)
    except ValueError:
        return config


def _check_grant_names(reader: C1zReader, path: Path, entitlement_id: str,
                       principal_type: str, principal_id: str, *, known: bool = False) -> None:
    """The entitlement and the principal exist in the file, exactly as typed; otherwise one
    line with the closest valid names. A write never guesses: a principal typed by name is
    answered with its id to pass instead."""
    try:
        if not known:
            check_entitlement(reader, entitlement_id)
        resolved = resolve_principal(reader, principal_type, principal_id)
    except UnknownName as exc:
        raise ProvisioningError(f"{path}: {exc}; sync first if it is new") from None
    if resolved != principal_id:
        raise ProvisioningError(f"no {principal_type} with the id {principal_id} in {path}; "
                                f"did you mean {resolved}? (a grant takes the exact id)")


def _namer(reader: C1zReader) -> Callable[[ResourceId], str]:
    """A resource's display name in the file (its id when it has none or is missing)."""
    def name(rid: ResourceId) -> str:
        found = reader.get_resource(rid.resource_type, rid.resource)
        return found.display_name if found is not None and found.display_name else rid.resource
    return name


def _require_provisioning(config: ConnectorConfig) -> None:
    if not config.provisioning:
        raise ProvisioningError("provisioning is off; pass -p/--provisioning to grant or revoke")
