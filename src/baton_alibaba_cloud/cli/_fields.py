"""Every configuration field of the connector, once: the flags, the env vars and ``config`` JSON.

Why a table: baton connectors declare their fields once (``field.StringField(...)`` in
baton-sdk) and derive the cobra flags, the ``BATON_*`` environment variables and the
``config`` schema from that declaration. Doing the same here means the ``--help`` text, the
schema that ConductorOne reads and ``docs/cli.md`` cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CONSTRAINTS",
    "FIELDS",
    "Constraint",
    "Field",
    "envvar",
    "field",
]

Kind = Literal["string", "bool", "int", "float"]
Group = Literal["output", "credentials", "endpoints", "features", "organization",
                "provisioning", "logging"]


@dataclass(frozen=True)
class Field:
    """One configuration field: the flag ``--<name>`` and the env var ``BATON_<NAME>``.

    ``secret`` fields are never echoed: click does not show their value, the schema marks them
    ``isSecret`` and the logging setup scrubs their values from every record.
    """

    name: str
    display_name: str
    description: str
    kind: Kind
    group: Group
    default: str | bool | int | float | None = None
    secret: bool = False
    short: str | None = None
    hidden: bool = False
    choices: tuple[str, ...] = ()
    is_ops: bool = False
    metavar: str | None = None
    bounds: tuple[float, float] | None = None
    """The inclusive range of an ``int`` field (default: at least 1) or a ``float`` field
    (default: above 0)."""
    cli_only: bool = False
    """A flag of the one-shot command line (the file, a grant to make), not connector
    configuration: left out of the ``config`` schema, as baton-sdk leaves out ``--file``."""


ConstraintKind = Literal["required_together", "mutually_exclusive", "dependent_on"]


@dataclass(frozen=True)
class Constraint:
    """A relation between fields, in baton-sdk's terms (``CONSTRAINT_KIND_*``).

    ``dependent_on``: when any of ``fields`` is set, every one of ``secondary`` must be too.
    """

    kind: ConstraintKind
    fields: tuple[str, ...]
    secondary: tuple[str, ...] = ()


def envvar(name: str) -> str:
    """``access-key-id`` → ``BATON_ACCESS_KEY_ID`` (viper's prefix and key replacer)."""
    return "BATON_" + name.upper().replace("-", "_")


_ENDPOINT_HELP = "a host name or a full URL such as http://127.0.0.1:8080"

FIELDS: tuple[Field, ...] = (
    Field("file", "File", "The c1z file to write (sync) or read (inspect).", "string",
          "output", default="sync.c1z", short="f", is_ops=True, metavar="PATH", cli_only=True),
    Field("new-file", "New File",
          "Start --file afresh: drop its earlier syncs. Needed to sync another account into a "
          "file (one account per file).", "bool", "output", default=False, cli_only=True),
    Field("access-key-id", "AccessKey ID",
          "The AccessKey ID of a RAM user (or of STS credentials).", "string", "credentials"),
    Field("access-key-secret", "AccessKey Secret",
          "The AccessKey secret that goes with --access-key-id.", "string", "credentials",
          secret=True),
    Field("security-token", "Security Token",
          "An STS security token that goes with the AccessKey pair.", "string", "credentials",
          secret=True),
    Field("role-arn", "Role ARN",
          "Assume this RAM role (STS AssumeRole) with the base credentials; the session is "
          "refreshed before it expires.", "string", "credentials"),
    Field("role-session-name", "Role Session Name",
          "The session name for --role-arn (default: baton-alibaba-cloud).", "string",
          "credentials"),
    Field("role-session-duration", "Role Session Duration",
          "Seconds each --role-arn session lasts (STS DurationSeconds: 900 up to the role's "
          "MaxSessionDuration); it is renewed before it expires, whatever the sync's length.",
          "int", "credentials", default=3600, metavar="SECONDS", bounds=(900, 43200)),
    Field("external-id", "External ID",
          "The external ID the role's trust policy requires (sts:ExternalId).", "string",
          "credentials"),
    Field("profile", "Profile",
          "A profile of the Alibaba Cloud CLI configuration (~/.aliyun/config.json).",
          "string", "credentials"),
    Field("ecs-metadata-url", "ECS Metadata URL",
          "The ECS instance metadata service to ask for the instance RAM role (tests and "
          "proxies).", "string", "credentials", default="http://100.100.100.200",
          hidden=True, is_ops=True),
    Field("endpoint", "Endpoint",
          f"One endpoint for every service (RAM, IMS, STS, Resource Manager, CloudSSO), such as "
          f"the emulator's URL; a per-service endpoint flag wins over it: {_ENDPOINT_HELP}.",
          "string", "endpoints"),
    Field("ram-endpoint", "RAM Endpoint",
          f"The RAM endpoint (default ram.aliyuncs.com, or --endpoint): {_ENDPOINT_HELP}.",
          "string", "endpoints"),
    Field("ims-endpoint", "IMS Endpoint",
          f"The IMS endpoint (default ims.aliyuncs.com, or --endpoint): {_ENDPOINT_HELP}.",
          "string", "endpoints"),
    Field("sts-endpoint", "STS Endpoint",
          f"The STS endpoint (default sts.aliyuncs.com, or --endpoint; a regional one is faster "
          f"outside mainland China): {_ENDPOINT_HELP}.", "string", "endpoints"),
    Field("resource-manager-endpoint", "Resource Manager Endpoint",
          f"The Resource Manager endpoint (default resourcemanager.aliyuncs.com, or --endpoint): "
          f"{_ENDPOINT_HELP}.", "string", "endpoints"),
    Field("cloudsso-region", "CloudSSO Region",
          "The region of the CloudSSO directory (CloudSSO serves these two only).", "string",
          "endpoints", default="cn-shanghai", choices=("cn-shanghai", "us-west-1"),
          cli_only=True),
    Field("cloudsso-endpoint", "CloudSSO Endpoint",
          f"The CloudSSO endpoint (default cloudsso.<--cloudsso-region>.aliyuncs.com, or "
          f"--endpoint): {_ENDPOINT_HELP}.", "string", "endpoints", cli_only=True),
    Field("rate-limit-scale", "Rate Limit Scale",
          "Multiply every published per-action quota by this (0.5 leaves half of the account's "
          "quota to other tools); 0.01 to 10.", "float", "endpoints", default=1.0, is_ops=True,
          metavar="FACTOR", bounds=(0.01, 10.0)),
    Field("max-in-flight", "Max In Flight",
          "Requests in flight at once across all actions.", "int", "endpoints", default=64,
          is_ops=True, metavar="N"),
    Field("request-timeout", "Request Timeout",
          "Seconds to wait for one API answer before retrying it (a silent endpoint is "
          "reported after 5 s, or half this).", "int", "endpoints",
          default=30, is_ops=True, metavar="SECONDS", bounds=(1, 600)),
    Field("http-timeout-seconds", "HTTP Timeout",
          "The name --request-timeout had in 0.1.0 (kept: flags are frozen once released).",
          "int", "endpoints", is_ops=True, metavar="SECONDS", bounds=(1, 600), hidden=True),
    Field("sync-secrets", "Sync Secrets",
          "Also sync AccessKeys (ids, status, dates; never secrets) as secret resources; "
          "needs ram:GetAccessKeyLastUsed too.", "bool",
          "features", default=False),
    Field("organization", "Organization",
          "Sync the whole Resource Directory into one file: the management account with these "
          "credentials, every member through STS AssumeRole into --member-role-name.", "bool",
          "organization", default=False, cli_only=True),
    Field("member-role-name", "Member Role Name",
          "The role assumed in each member account with --organization.", "string",
          "organization", default="ResourceDirectoryAccountAccessRole", cli_only=True),
    Field("member-external-id", "Member External ID",
          "The external ID the member role's trust policy requires (sts:ExternalId).",
          "string", "organization", cli_only=True),
    Field("member-accounts", "Member Accounts",
          "Sync only these member account ids (comma-separated) with --organization.",
          "string", "organization", metavar="UIDS", cli_only=True),
    Field("exclude-accounts", "Exclude Accounts",
          "Leave out these member account ids (comma-separated) with --organization.",
          "string", "organization", metavar="UIDS", cli_only=True),
    Field("max-accounts-in-flight", "Max Accounts In Flight",
          "Member accounts entered and listed at once with --organization.", "int",
          "organization", default=16, metavar="N", bounds=(1, 64), cli_only=True),
    Field("cloudsso", "CloudSSO",
          "With --organization, sync CloudSSO (users, groups, access configurations and their "
          "assignments); on by default when ListDirectories finds a directory.", "bool",
          "organization", default=False, cli_only=True),
    Field("no-cloudsso", "No CloudSSO",
          "With --organization, leave CloudSSO out even when a directory exists.", "bool",
          "organization", default=False, cli_only=True),
    Field("provisioning", "Provisioning",
          "Allow provisioning: group membership and policy attachment grants and revokes.",
          "bool", "provisioning", default=False, short="p", cli_only=True),
    Field("grant-entitlement", "Grant Entitlement",
          "Grant this entitlement id (looked up in --file) to --grant-principal.", "string",
          "provisioning", metavar="ID", cli_only=True),
    Field("grant-principal", "Grant Principal",
          "The resource id of the principal to grant --grant-entitlement to.", "string",
          "provisioning", metavar="ID", cli_only=True),
    Field("grant-principal-type", "Grant Principal Type",
          "The resource type of --grant-principal (user, group, role).", "string",
          "provisioning", cli_only=True),
    Field("revoke-grant", "Revoke Grant",
          "Revoke this grant id (looked up in --file).", "string", "provisioning",
          metavar="ID", cli_only=True),
    Field("log-level", "Log Level", "The log level.", "string", "logging", default="info",
          choices=("debug", "info", "warn", "error"), is_ops=True),
    Field("log-format", "Log Format",
          "The log format (default: console when stdout is a terminal, else json).", "string",
          "logging", choices=("console", "json"), is_ops=True, cli_only=True),
)

CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("required_together", ("access-key-id", "access-key-secret")),
    Constraint("required_together",
               ("grant-entitlement", "grant-principal", "grant-principal-type")),
    Constraint("mutually_exclusive", ("grant-entitlement", "revoke-grant")),
    Constraint("mutually_exclusive", ("profile", "access-key-id")),
    Constraint("mutually_exclusive", ("cloudsso", "no-cloudsso")),
    Constraint("dependent_on", ("security-token",), ("access-key-id",)),
    Constraint("dependent_on", ("external-id",), ("role-arn",)),
    Constraint("dependent_on", ("grant-entitlement",), ("provisioning",)),
    Constraint("dependent_on", ("revoke-grant",), ("provisioning",)),
)

_BY_NAME = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    """The field called ``name`` (a programming error if there is none)."""
    return _BY_NAME[name]
