"""The Alibaba side of ``serve``: a ``Backend`` for baton's gRPC services.

Each snapshot is one native sync (``run_sync``, the same engine, quotas and concurrency as
the command line) into a private working database, stopped before grant expansion: baton-sdk
expands the ``GrantExpandable`` grants itself. Grant and revoke are the command line's
provisioning calls, refused unless provisioning is enabled.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

import grpc
from google.protobuf.message import Message

from baton_alibaba_cloud import __version__
from baton_alibaba_cloud.alibaba import (
    AlibabaError,
    AuthenticationError,
    ClockSkewError,
    CredentialsError,
    NotFoundError,
    PermissionDeniedError,
    ThrottlingError,
)
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.pb.connector_pb2 import ConnectorMetadata
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.baton.serve.service import ServeError
from baton_alibaba_cloud.baton.serve.snapshot import Snapshot
from baton_alibaba_cloud.baton.sync.engine import run_sync
from baton_alibaba_cloud.connector import provisioning
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.connector import Connector
from baton_alibaba_cloud.connector.permissions import capabilities
from baton_alibaba_cloud.connector.provisioning import ProvisioningError
from baton_alibaba_cloud.connector.run import client_for
from baton_alibaba_cloud.connector.validate import features_of, run_probes

__all__ = ["AlibabaBackend"]

log = logging.getLogger(__name__)

DESCRIPTION = ("Alibaba Cloud RAM users, groups, roles, policies, role trust and AccessKeys, "
               "with policy attachments and who can assume each role.")


class AlibabaBackend:
    """Serves one account with one configuration (credentials, endpoints, features)."""

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config

    def metadata(self) -> ConnectorMetadata:
        return ConnectorMetadata(
            display_name="Alibaba Cloud", description=DESCRIPTION,
            help_url="https://www.alibabacloud.com/help/en/ram/", capabilities=capabilities())

    async def validate(self) -> None:
        """Who the credentials are, then one probe per permission the features need."""
        async with client_for(self.config) as client:
            report = await run_probes(client, features_of(self.config))
        if report.missing:
            raise ServeError(
                grpc.StatusCode.PERMISSION_DENIED,
                f"{len(report.missing)} permission(s) missing for {report.identity}: "
                f"{', '.join(report.missing)}; grant them (see `baton-alibaba-cloud "
                "permissions`)")
        log.info("validated as %s (%s)", report.identity, __version__,
                 extra={"identity": report.identity})

    async def take_snapshot(self, key: str) -> Snapshot:
        """One native sync of the account, unexpanded, into a private working database."""
        started = time.monotonic()
        workdir = Path(tempfile.mkdtemp(prefix="baton-alibaba-cloud-snapshot-"))
        writer = C1zWriter.open(workdir / "snapshot.c1z")

        def release() -> None:
            writer.abort()
            shutil.rmtree(workdir, ignore_errors=True)

        try:
            async with client_for(self.config) as client:
                connector = await Connector.open(client, sync_secrets=self.config.sync_secrets)
                report = await run_sync(
                    connector.syncers(), writer,
                    concurrency_per_type=self.config.concurrency_per_type, expand=False)
        except BaseException:
            release()
            raise
        log.info("snapshot %s of account %s for sync %s: %d resources, %d grants, %.1f s",
                 report.sync_id, connector.ctx.uid, key or "(none)", report.total_resources,
                 report.grants, time.monotonic() - started,
                 extra={"snapshot_id": report.sync_id, "for_sync_id": key})
        return Snapshot(writer.connection, writer.sync_id, key, on_close=release)

    async def grant(
        self, entitlement: Entitlement, principal: Resource
    ) -> tuple[list[Grant], list[Message]]:
        self._require_provisioning()
        async with client_for(self.config) as client:
            done = await provisioning.grant(client, entitlement, principal.id)
        return [done.grant], done.annotations

    async def revoke(self, grant: Grant) -> list[Message]:
        """Revoke a direct grant; one held only through a group or role is refused with the
        direct grants to change (no API call removes an expanded edge)."""
        self._require_provisioning()
        refusal = provisioning.inherited_refusal(grant, lambda rid: rid.resource)
        if refusal is not None:
            raise ProvisioningError(refusal)
        async with client_for(self.config) as client:
            done = await provisioning.revoke(client, grant)
        return done.annotations

    def _require_provisioning(self) -> None:
        if not self.config.provisioning:
            raise ServeError(grpc.StatusCode.FAILED_PRECONDITION,
                             "provisioning is off; start serve with -p/--provisioning to grant "
                             "or revoke")

    def status_of(self, exc: Exception) -> tuple[grpc.StatusCode, str]:
        """Alibaba's error line (code, action, permission, fix) under the closest gRPC code."""
        root = _root_cause(exc)
        line = _first_line(str(root))
        for kind, code in _CODES:
            if isinstance(root, kind):
                return code, line
        if isinstance(root, OSError):
            return grpc.StatusCode.INTERNAL, f"cannot use the snapshot's working files: {line}"
        return grpc.StatusCode.INTERNAL, f"{line or 'unexpected failure'} (see the serve log)"


_CODES: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (PermissionDeniedError, grpc.StatusCode.PERMISSION_DENIED),
    (AuthenticationError, grpc.StatusCode.UNAUTHENTICATED),
    (CredentialsError, grpc.StatusCode.UNAUTHENTICATED),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (ThrottlingError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (ClockSkewError, grpc.StatusCode.FAILED_PRECONDITION),
    (ProvisioningError, grpc.StatusCode.FAILED_PRECONDITION),
    (AlibabaError, grpc.StatusCode.UNAVAILABLE),
)


def _root_cause(exc: BaseException) -> BaseException:
    """The first leaf of a task group (the sync runs its builders in one)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
