"""The library calls the CLI makes: ``sync``, ``grant`` and ``revoke``.

Why here: the CLI stays a thin skin (parse, call one function, print), and everything that
decides how a run goes (credentials, client, connector, writer, commit or abort) is testable
without a terminal.
"""

from __future__ import annotations

import logging
from pathlib import Path

from baton_alibaba_cloud.alibaba import AlibabaClient, RateLimiter
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceId
from baton_alibaba_cloud.baton.sync.engine import Observer, SyncReport, run_sync
from baton_alibaba_cloud.connector import provisioning
from baton_alibaba_cloud.connector.config import ConnectorConfig, build_credentials
from baton_alibaba_cloud.connector.connector import Connector
from baton_alibaba_cloud.connector.provisioning import Provisioned, ProvisioningError

__all__ = ["client_for", "grant", "revoke", "sync"]

log = logging.getLogger(__name__)


def client_for(config: ConnectorConfig) -> AlibabaClient:
    """The API client of a configuration: credentials, endpoints, quotas, timeout."""
    credentials = build_credentials(config)
    log.info("using credentials from %s", credentials.source)
    limiter = RateLimiter(
        dict(config.rate_limits), factor=config.rate_limit_scale,
        max_in_flight=config.max_in_flight,
    )
    return AlibabaClient(
        credentials, config.endpoints(), rate_limits=limiter, timeout=config.timeout
    )


async def sync(
    config: ConnectorConfig, path: Path, *, observer: Observer | None = None
) -> SyncReport:
    """Sync the account into the c1z at ``path``; on any error the previous file is untouched."""
    async with client_for(config) as client:
        connector = await Connector.open(client, sync_secrets=config.sync_secrets)
        writer = C1zWriter.open(Path(path))
        try:
            report = await run_sync(
                connector.syncers(), writer,
                concurrency_per_type=config.concurrency_per_type, observer=observer,
            )
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        report.api_requests = dict(client.stats.requests)
    log.info("sync %s written to %s", report.sync_id, path)
    return report


async def grant(
    config: ConnectorConfig, path: Path, entitlement_id: str, principal_type: str,
    principal_id: str,
) -> Provisioned:
    """Grant an entitlement of the c1z at ``path`` to a principal of it."""
    _require_provisioning(config)
    with C1zReader.open(Path(path)) as reader:
        entitlement = reader.get_entitlement(entitlement_id)
        principal = reader.get_resource(principal_type, principal_id)
    if entitlement is None:
        raise ProvisioningError(f"no entitlement {entitlement_id} in {path}; sync first")
    if principal is None:
        raise ProvisioningError(f"no {principal_type} {principal_id} in {path}; sync first")
    async with client_for(config) as client:
        return await provisioning.grant(
            client, entitlement, ResourceId(resource_type=principal_type, resource=principal_id)
        )


async def revoke(config: ConnectorConfig, path: Path, grant_id: str) -> Provisioned:
    """Revoke a grant of the c1z at ``path``."""
    _require_provisioning(config)
    with C1zReader.open(Path(path)) as reader:
        existing = reader.get_grant(grant_id)
    if existing is None:
        raise ProvisioningError(f"no grant {grant_id} in {path}; sync first")
    async with client_for(config) as client:
        return await provisioning.revoke(client, existing)


def _require_provisioning(config: ConnectorConfig) -> None:
    if not config.provisioning:
        raise ProvisioningError("provisioning is off; pass -p/--provisioning to grant or revoke")
