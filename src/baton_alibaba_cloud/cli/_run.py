"""The default action: sync into ``--file``, or grant / revoke one entitlement found in it.

Thin on purpose: resolve the flags, configure logging, build a ``ConnectorConfig``, call one
function of ``connector.run`` and print what it did. The connector owns the work and its
guarantees (the previous file stays intact when a sync fails).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from baton_alibaba_cloud.alibaba import AlibabaClient
from baton_alibaba_cloud.baton.sync.engine import SyncReport
from baton_alibaba_cloud.cli._errors import ConfigurationError
from baton_alibaba_cloud.cli._fields import field
from baton_alibaba_cloud.cli._logging import setup_logging
from baton_alibaba_cloud.cli._options import GROUPS, check_constraints, resolve
from baton_alibaba_cloud.cli._org import org_options, sync_organization_with_progress
from baton_alibaba_cloud.cli._progress import LiveProgress, RequestStats
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.connector.config import ConnectorConfig

__all__ = ["ClientCounters", "connector_config", "run_root", "start"]

log = logging.getLogger("baton_alibaba_cloud.cli")


def start(ctx: click.Context, names: tuple[str, ...]) -> dict[str, Any]:
    """Resolve this command's fields, check the constraints, and configure logging."""
    values = resolve(ctx, names + tuple(n for n in GROUPS["logging"] if n not in names))
    check_constraints(values)
    setup_logging(
        values.get("log-level") or "info",
        values.get("log-format"),
        secrets=(values.get("access-key-secret"), values.get("security-token")),
    )
    return values


REQUEST_TIMEOUT = field("request-timeout").default

_CONFIG_FIELDS = ("access-key-id", "access-key-secret", "security-token", "role-arn",
                  "role-session-name", "role-session-duration", "external-id", "profile",
                  "endpoint", "ram-endpoint", "ims-endpoint", "sts-endpoint",
                  "resource-manager-endpoint", "cloudsso-endpoint", "cloudsso-region",
                  "ecs-metadata-url",
                  "sync-secrets", "provisioning", "rate-limit-scale", "max-in-flight")


def connector_config(values: dict[str, Any]) -> ConnectorConfig:
    """A ``ConnectorConfig`` from resolved flag values; a bad value is a usage error (exit 2)."""
    kwargs: dict[str, Any] = {}
    for name in _CONFIG_FIELDS:
        if name in values and values[name] not in (None, ""):
            kwargs[name.replace("-", "_")] = values[name]
    timeout = values.get("request-timeout")
    if values.get("http-timeout-seconds") and timeout in (None, REQUEST_TIMEOUT):
        timeout = values["http-timeout-seconds"]  # the 0.1.0 name, when the new one is unset
    if timeout:
        kwargs["timeout"] = float(timeout)
    try:
        return ConnectorConfig(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(str(exc)) from exc


def run_root(ctx: click.Context) -> None:
    """Sync, or provision one grant when the provisioning flags are given."""
    values = start(ctx, GROUPS["all"])
    config = connector_config(values)
    path = Path(values["file"])
    organization = org_options(values)
    if organization is not None:
        sync_organization_with_progress(config, path, organization,
                                        new_file=bool(values.get("new-file")))
    elif values["grant-entitlement"]:
        _grant(config, path, values)
    elif values["revoke-grant"]:
        _revoke(config, path, values["revoke-grant"])
    else:
        sync_with_progress(config, path, new_file=bool(values.get("new-file")))


def sync_with_progress(config: ConnectorConfig, path: Path, *,
                       new_file: bool = False) -> SyncReport:
    """Run a sync with the live display on a terminal; log and return its report."""
    console = Console(stderr=True)
    with LiveProgress(console) as progress:
        report = asyncio.run(run.sync(
            config, path, observer=progress, new_file=new_file,
            on_client=lambda client: progress.set_stats(ClientCounters(client))))
    log.info("sync finished", extra={"sync_id": report.sync_id, "file": str(path),
                                     "resources": report.total_resources,
                                     "entitlements": report.entitlements,
                                     "grants": report.grants,
                                     "warnings": len(report.warnings) + report.dropped_warnings,
                                     "requests": sum(report.api_requests.values())})
    return report


class ClientCounters:
    """The client's requests and throttled answers, read by the display's refresh thread.

    The counters are summed without a lock: if the event loop resizes a counter during the
    sum (a new action's first request), the previous snapshot is shown for that frame.
    """

    def __init__(self, client: AlibabaClient) -> None:
        self._stats = client.stats
        self._last = RequestStats()

    def __call__(self) -> RequestStats:
        with contextlib.suppress(RuntimeError):
            self._last = RequestStats(sum(self._stats.requests.values()),
                                      sum(self._stats.throttled.values()), self._stats.waiting)
        return self._last


def _grant(config: ConnectorConfig, path: Path, values: dict[str, Any]) -> None:
    done = asyncio.run(run.grant(config, path, values["grant-entitlement"],
                                 values["grant-principal-type"], values["grant-principal"]))
    click.echo(f"{done.outcome}: {done.grant.id}")


def _revoke(config: ConnectorConfig, path: Path, grant_id: str) -> None:
    done = asyncio.run(run.revoke(config, path, grant_id))
    click.echo(f"{done.outcome}: {done.grant.id or grant_id}")
