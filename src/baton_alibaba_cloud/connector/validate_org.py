"""``validate --organization``: the management account's side and one member's side, apart.

Why two reports: an organization sync needs two different identities to work, and a failure
of each is fixed by someone else (the management account's RAM administrator; the member
account's, or whoever created its access role). So the management identity is probed for the
single-account sync's actions plus the Resource Directory reads that discover the members
(``org_permissions.DIRECTORY_ACTIONS``) and CloudSSO's (unless ``--no-cloudsso``), and one
member (the first of the directory, or the
one ``--member-accounts`` names) is entered through STS ``AssumeRole`` into the member role and
probed for the single-account actions with that session. A member that cannot be entered is
reported with the AssumeRole error (the role is missing, its trust refuses the management
account, or the management identity lacks ``sts:AssumeRole``), never as missing permissions.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AlibabaError,
    CredentialsError,
    NotFoundError,
    PermissionDeniedError,
)
from baton_alibaba_cloud.connector.cloudsso import READ_ACTIONS, WRITE_ACTIONS, find_directory
from baton_alibaba_cloud.connector.config import (
    CLOUDSSO_REGIONS,
    ConnectorConfig,
    build_credentials,
)
from baton_alibaba_cloud.connector.org_permissions import DIRECTORY_ACTIONS
from baton_alibaba_cloud.connector.org_run import OrgOptions, member_client
from baton_alibaba_cloud.connector.organization import _reason, discover
from baton_alibaba_cloud.connector.resource_types import ApiAction
from baton_alibaba_cloud.connector.validate import (
    ProbeResult,
    ValidationReport,
    _probe,
    features_of,
    run_probes,
)

__all__ = ["MemberSide", "OrgValidation", "validate_organization"]


@dataclass
class MemberSide:
    """The member that was probed, and its report or why it could not be."""

    uid: str
    role_arn: str
    report: ValidationReport | None = None
    error: str = ""
    """Why the member was not probed (AssumeRole refused, or no member to pick)."""

    def as_dict(self) -> dict[str, Any]:
        return {"account_id": self.uid, "role_arn": self.role_arn, "error": self.error or None,
                **({"report": self.report.as_dict()} if self.report else {})}


@dataclass
class OrgValidation:
    """Both sides: the management identity's probes and the member's."""

    management: ValidationReport
    member: MemberSide

    def as_dict(self) -> dict[str, Any]:
        return {"management_account": self.management.as_dict(),
                "member_account": self.member.as_dict()}


def _directory_actions() -> list[ApiAction]:
    return [ApiAction("resourcemanager", name.split(":", 1)[1], name,
                      "discover the Resource Directory's folders and member accounts")
            for name in DIRECTORY_ACTIONS]


def _cloudsso_actions(provisioning: bool) -> list[ApiAction]:
    names = [*READ_ACTIONS, *(WRITE_ACTIONS if provisioning else ())]
    return [ApiAction("cloudsso", name.split(":", 1)[1], name,
                      "read (with -p: provision) the CloudSSO directory") for name in names]


async def _management(client: AlibabaClient, config: ConnectorConfig,
                      options: OrgOptions) -> ValidationReport:
    report = await run_probes(client, features_of(config))
    found = await asyncio.gather(*(_probe(client, action, report.account_id)
                                   for action in _directory_actions()))
    report.results.extend(found)
    if options.cloudsso is not False:
        report.results.extend(await _cloudsso(client, config, options, report.account_id))
    return report


async def _cloudsso(client: AlibabaClient, config: ConnectorConfig, options: OrgOptions,
                    uid: str) -> list[ProbeResult]:
    """CloudSSO's reads (and writes with -p) as the management identity: ListDirectories, then
    the others in the directory it finds (an absent directory's id when it finds none, which
    still proves the permission). An explicit ``--cloudsso`` with no directory in the region is
    an error row naming the other region."""
    listing, *rest = _cloudsso_actions(config.provisioning)
    first = await _probe(client, listing, uid)
    directory = None
    if first.ok:
        directory = await find_directory(client, uid, config.cloudsso_region)
        if directory is None and options.cloudsso:
            other = next(r for r in CLOUDSSO_REGIONS if r != config.cloudsso_region)
            first = ProbeResult("cloudsso", "ListDirectories", first.permission,
                                "error: NoDirectory",
                                f"no CloudSSO directory in {config.cloudsso_region}; pass "
                                f"--cloudsso-region {other} if it lives there, or --no-cloudsso")
    known = {"DirectoryId": directory.directory_id} if directory is not None else {}
    found = await asyncio.gather(*(_probe(client, a, uid, known) for a in rest))
    return [first, *found]


async def _pick_member(client: AlibabaClient, management: str,
                       options: OrgOptions, wanted: str | None) -> tuple[str, str]:
    """``(uid, "")`` of the member to probe, or ``("", why none)``."""
    if wanted:
        return wanted, ""
    try:
        directory = await discover(client)
    except AlibabaError as error:
        return "", (f"cannot list the Resource Directory to pick a member ({_reason(error)}); "
                    "grant the directory permissions above, or name one with --member-accounts")
    for record in directory.accounts:
        if record.uid != management and record.uid not in options.exclude_accounts:
            return record.uid, ""
    return "", "the Resource Directory has no member account to probe"


async def _member(config: ConnectorConfig, base: AlibabaClient, uid: str,
                  options: OrgOptions) -> MemberSide:
    role_arn = f"acs:ram::{uid}:role/{options.member_role_name}"
    side = MemberSide(uid, role_arn)
    async with member_client(config, base, uid, options) as client:
        try:
            side.report = await run_probes(client, features_of(config))
        except (AlibabaError, CredentialsError) as error:
            fix = _fix(error)
            side.error = f"cannot assume {role_arn}: {_first_line(error)}" + (
                f"; {fix}" if fix else "")
    return side


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [""])[0]


def _fix(error: Exception) -> str:
    """What to do about a refused AssumeRole, when the error's own line does not say."""
    if isinstance(error, PermissionDeniedError):  # its own line names the grant already
        return ""
    if isinstance(error, NotFoundError):
        return ("create the role in the member account trusting the management account, or "
                "name the member role with --member-role-name")
    return ("check that the role exists in the member account, trusts the management account "
            "(and --member-external-id if its trust requires one)")


async def _validate(config: ConnectorConfig, options: OrgOptions,
                    wanted: str | None) -> OrgValidation:
    async with AlibabaClient(build_credentials(config), config.endpoints(),
                             timeout=config.timeout) as client:
        management = await _management(client, config, options)
        uid, why = await _pick_member(client, management.account_id, options, wanted)
        if not uid:
            return OrgValidation(management, MemberSide("", "", error=why))
        return OrgValidation(management, await _member(config, client, uid, options))


def validate_organization(config: ConnectorConfig, options: OrgOptions,
                          member: str | None = None) -> OrgValidation:
    """Probe the management identity and one member (``member``, else the directory's first
    member that ``options`` does not exclude) through ``options.member_role_name``."""
    return asyncio.run(_validate(config, options, member))
