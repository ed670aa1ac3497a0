"""``validate``: prove the credentials work and hold every permission the features need.

One harmless API call per needed action (connector/validate.py explains the probes), then a
table action → ok / missing permission. Exit 1 when anything is missing, naming the ``ram:``
actions to grant, so a deployment can run it as a pre-flight check.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from baton_alibaba_cloud.alibaba.endpoints import product_name
from baton_alibaba_cloud.cli._errors import WorkFailed
from baton_alibaba_cloud.cli._options import GROUPS, field_options
from baton_alibaba_cloud.cli._run import connector_config, start
from baton_alibaba_cloud.connector.validate import ValidationReport
from baton_alibaba_cloud.connector.validate import validate as run_validate

__all__ = ["render", "validate", "verdict"]


@click.command()
@field_options(GROUPS["connector"])
@click.option("-o", "--output-format", type=click.Choice(["console", "json"]), default="console",
              show_default=True, envvar="BATON_OUTPUT_FORMAT", show_envvar=True,
              help="A table for people, or JSON for programs.")
@click.pass_context
def validate(ctx: click.Context, /, output_format: str, **_: Any) -> None:
    """Check the credentials and every permission the enabled features need.

    Makes one read-only call per API action a sync needs (with --sync-secrets and -p, those
    features' actions too; write permissions are probed with calls that cannot change
    anything), then prints each action as ok or missing. Exits 1 if any is missing (or could
    not be checked).
    """
    values = start(ctx, GROUPS["connector"])
    report = run_validate(connector_config(values))
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        Console(emoji=False, highlight=False).print(render(report))
    verdict(report)


def verdict(report: ValidationReport) -> None:
    """Exit 1 unless every permission was proven: name the missing ones, else the ones that
    could not be checked (a probe that kept failing with a server or network error)."""
    missing = report.missing
    if missing:
        raise WorkFailed(
            f"{len(missing)} permission(s) missing for {report.identity}: "
            f"{', '.join(missing)}; grant them (see `baton-alibaba-cloud permissions`)")
    unproven = [r for r in report.failed if r.status != "missing"]
    if unproven:
        names = ", ".join(f"{r.permission} ({r.status.removeprefix('error: ')})"
                          for r in unproven)
        raise WorkFailed(f"could not check {names}: Alibaba Cloud or the network kept failing; "
                         "run validate again")


def render(report: ValidationReport) -> Group:
    """Who the credentials are, then one row per action: its permission and ok / missing.

    Text, not markup: an ARN such as acs:ram::1:user/x must not become an emoji or a style.
    """
    table = Table()
    table.add_column("Action")
    table.add_column("Permission")
    table.add_column("Result")
    for probe in report.results:
        style = "green" if probe.ok else "red"
        table.add_row(f"{product_name(probe.service)} {probe.action}", Text(probe.permission),
                      Text(probe.status, style=style))
    return Group(Text(f"Validating as {report.identity}"), table)
