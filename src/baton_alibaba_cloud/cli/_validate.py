"""``validate``: prove the credentials work and hold every permission the features need.

One harmless API call per needed action (connector/validate.py explains the probes), then a
table action → ok / missing permission. Exit 1 when anything is missing, naming the ``ram:``
actions to grant, so a deployment can run it as a pre-flight check.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import click
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from baton_alibaba_cloud.alibaba.endpoints import product_name
from baton_alibaba_cloud.cli._errors import WorkFailed
from baton_alibaba_cloud.cli._options import GROUPS, field_options
from baton_alibaba_cloud.cli._org import org_options
from baton_alibaba_cloud.cli._run import connector_config, start
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions
from baton_alibaba_cloud.connector.validate import ValidationReport
from baton_alibaba_cloud.connector.validate import validate as run_validate
from baton_alibaba_cloud.connector.validate_org import OrgValidation, validate_organization

log = logging.getLogger("baton_alibaba_cloud.cli")

__all__ = ["ORG_FIELDS", "render", "validate", "verdict"]

ORG_FIELDS = ("organization", "member-role-name", "member-external-id", "member-accounts",
              "exclude-accounts", "cloudsso", "no-cloudsso")
"""``validate --organization``: the member role to enter, which member to probe, and whether
CloudSSO is probed."""


@click.command()
@field_options(GROUPS["connector"] + ORG_FIELDS)
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

    With --organization: the management account's identity (the same actions plus the
    Resource Directory reads), then one member account (the directory's first, or the first
    of --member-accounts) through STS AssumeRole into --member-role-name, each side in its own
    table and named in its own line when something is missing.
    """
    values = start(ctx, GROUPS["connector"] + ORG_FIELDS)
    options = org_options(values)
    if options is not None:
        _validate_organization(connector_config(values), options,
                               values.get("member-accounts"), output_format)
        return
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


def _first_uid(text: str | None) -> str | None:
    """The member ``--member-accounts`` names first (already checked to be digits)."""
    uids = [u.strip() for u in (text or "").split(",") if u.strip()]
    return uids[0] if uids else None


def _validate_organization(config: ConnectorConfig, options: OrgOptions, members: str | None,
                           output_format: str) -> None:
    result = validate_organization(config, options, _first_uid(members))
    if output_format == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        Console(emoji=False, highlight=False).print(render_organization(result))
    org_verdict(result)


def render_organization(result: OrgValidation) -> Group:
    """The management account's table, then the member's (or why it could not be probed)."""
    member = result.member
    parts: list[Any] = [Text("Management account"), render(result.management)]
    title = f"Member account {member.uid} through {member.role_arn}" if member.uid else \
        "Member account"
    parts.append(Text(title))
    parts.append(render(member.report) if member.report else
                 Text(f"not probed: {member.error}", style="red"))
    return Group(*parts)


def _side_line(side: str, report: ValidationReport, grant_to: str) -> str | None:
    """One line naming what a side lacks: each missing action with its permission, and where
    to grant them; or the probes that could not be checked."""
    missing = [r for r in report.results if r.status == "missing"]
    if missing:
        listed = ", ".join(f"{product_name(r.service)} {r.action} needs {r.permission}"
                           for r in missing)
        return (f"{side} ({report.identity}) lacks {len(missing)} permission(s): {listed}; "
                f"grant them to {grant_to} (see `baton-alibaba-cloud permissions "
                "--organization`)")
    unproven = [r for r in report.failed]
    if unproven:
        names = ", ".join(f"{r.permission} ({r.status.removeprefix('error: ')})"
                          for r in unproven)
        return f"{side}: could not check {names}: Alibaba Cloud or the network kept failing; " \
            "run validate again"
    return None


def org_verdict(result: OrgValidation) -> None:
    """Exit 1 unless both sides were proven; one line per side that is not."""
    lines = []
    management = _side_line("management account", result.management,
                            "the management identity (policy management_account)")
    if management:
        lines.append(management)
    member = result.member
    if member.report is None:
        lines.append(f"member account {member.uid or '(none)'}: {member.error}")
    else:
        line = _side_line(f"member account {member.uid}", member.report,
                          f"the role {member.role_arn} (policy member_role)")
        if line:
            lines.append(line)
    for line in lines:
        log.error("%s", line)
    if lines:
        sides = ", ".join(line.split(" (", 1)[0].split(":", 1)[0] for line in lines)
        raise WorkFailed(f"not ready for --organization: {sides} (each named above with the "
                         "fix)")
