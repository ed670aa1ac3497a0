"""``capabilities``, ``config`` and ``permissions``: print what the connector is, as JSON.

These need no credentials and no network: ConductorOne and administrators read them before
the first sync (what can it do, how is it configured, what RAM policy must I grant).
"""

from __future__ import annotations

import json
from typing import Any

import click

from baton_alibaba_cloud.cli._options import GROUPS, field_options, resolve
from baton_alibaba_cloud.cli._schema import config_schema
from baton_alibaba_cloud.connector.org_permissions import organization_policies
from baton_alibaba_cloud.connector.permissions import capabilities_json, policy_document

__all__ = ["capabilities", "config", "permissions"]


def _print_json(doc: Any) -> None:
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@click.command()
def capabilities() -> None:
    """Print the connector's capabilities (ConnectorCapabilities as protojson)."""
    _print_json(capabilities_json())


@click.command()
def config() -> None:
    """Print the configuration schema as JSON: every field, its env var and constraints."""
    _print_json(config_schema())


_PERMISSION_FIELDS = (*GROUPS["features"], "organization", "member-role-name")


@click.command()
@field_options(_PERMISSION_FIELDS)
@click.pass_context
def permissions(ctx: click.Context, /, **_: Any) -> None:
    """Print the least-privilege RAM policy for the enabled features.

    Attach it to the RAM user or role the connector runs as. Without flags it covers a sync;
    --sync-secrets adds the AccessKey listing, -p the provisioning actions. --organization
    prints two: the management account identity's (with CloudSSO's reads, and its writes
    with -p) and the member role's.
    """
    values = resolve(ctx, _PERMISSION_FIELDS)
    if values["organization"]:
        _print_json(organization_policies(values["member-role-name"],
                                          sync_secrets=values["sync-secrets"],
                                          provisioning=values["provisioning"]))
        return
    _print_json(policy_document(sync_secrets=values["sync-secrets"],
                                provisioning=values["provisioning"]))
