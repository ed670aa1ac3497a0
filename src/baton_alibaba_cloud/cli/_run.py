"""The default action: sync into ``--file``, or grant / revoke one entitlement found in it.

Thin on purpose: resolve the flags, configure logging, build a ``ConnectorConfig``, call one
function of ``connector.run`` and print what it did. The connector owns the work and its
guarantees (the previous file stays intact when a sync fails).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from baton_alibaba_cloud.cli._errors import ConfigurationError
from baton_alibaba_cloud.cli._logging import setup_logging
from baton_alibaba_cloud.cli._options import GROUPS, check_constraints, resolve
from baton_alibaba_cloud.cli._pending import pending
from baton_alibaba_cloud.cli._progress import LiveProgress

__all__ = ["connector_config", "run_root", "start"]

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


def connector_config(values: dict[str, Any]) -> Any:
    """A ``ConnectorConfig`` from resolved flag values; a bad value is a usage error (exit 2)."""
    ConnectorConfig = pending("connector.config").ConnectorConfig

    kwargs: dict[str, Any] = {}
    for name in ("access-key-id", "access-key-secret", "security-token", "role-arn",
                 "role-session-name", "external-id", "profile", "ram-endpoint",
                 "ims-endpoint", "sts-endpoint", "sync-secrets", "provisioning",
                 "ecs-metadata-url"):
        if name in values and values[name] not in (None, ""):
            kwargs[name.replace("-", "_")] = values[name]
    try:
        return ConnectorConfig(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(str(exc)) from exc


def run_root(ctx: click.Context) -> None:
    """Sync, or provision one grant when the provisioning flags are given."""
    values = start(ctx, GROUPS["all"])
    config = connector_config(values)
    path = Path(values["file"])
    if values["grant-entitlement"]:
        _grant(config, path, values)
    elif values["revoke-grant"]:
        _revoke(config, path, values["revoke-grant"])
    else:
        sync_with_progress(config, path)


def sync_with_progress(config: Any, path: Path) -> Any:
    """Run a sync with the live display on a terminal; log and return its report."""
    run = pending("connector.run")
    console = Console(stderr=True)
    with LiveProgress(console) as progress:
        report = run.sync(config, path, observer=progress)
    log.info("sync finished", extra={"sync_id": report.sync_id, "file": str(path),
                                     "resources": report.total_resources,
                                     "entitlements": report.entitlements,
                                     "grants": report.grants})
    for warning in report.warnings:
        log.warning(warning, extra={"sync_id": report.sync_id})
    return report


def _grant(config: Any, path: Path, values: dict[str, Any]) -> None:
    run = pending("connector.run")
    result = run.grant(config, path, values["grant-entitlement"], values["grant-principal"],
                       values["grant-principal-type"])
    click.echo(f"granted: {getattr(result, 'id', result)}")


def _revoke(config: Any, path: Path, grant_id: str) -> None:
    run = pending("connector.run")
    run.revoke(config, path, grant_id)
    click.echo(f"revoked: {grant_id}")
