"""``--organization``: the sync of a Resource Directory, its summary and its exit status.

Exit status: 0 when the management account and every selected member synced; 1 when any member
failed (the file IS written, each failed member marked on its account resource, the others
complete) or when the management account itself failed (nothing written). Why 1 for a failed
member: a security review must not take an incomplete organization for a complete one, and a
pipeline only sees the exit status.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from baton_alibaba_cloud.cli._progress import LiveProgress
from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions, OrgReport, sync_organization

__all__ = ["org_options", "sync_organization_with_progress"]

log = logging.getLogger("baton_alibaba_cloud.cli")

_ORG_ONLY = ("member-external-id", "member-accounts", "exclude-accounts", "cloudsso",
             "no-cloudsso")


def _uids(text: str | None, flag: str) -> frozenset[str]:
    uids = frozenset(u.strip() for u in (text or "").split(",") if u.strip())
    bad = sorted(u for u in uids if not u.isdigit())
    if bad:
        raise click.UsageError(f"{flag} takes account ids (digits), comma-separated; got "
                               f"{', '.join(bad)}")
    return uids


def org_options(values: dict[str, Any]) -> OrgOptions | None:
    """The organization options, or None without ``--organization`` (then its flags are a
    usage error rather than silently ignored)."""
    if not values.get("organization"):
        given = [f"--{n}" for n in _ORG_ONLY if values.get(n)]
        if given:
            raise click.UsageError(f"{', '.join(given)} needs --organization")
        return None
    if values.get("grant-entitlement") or values.get("revoke-grant"):
        raise click.UsageError("--organization syncs; grant and revoke act on one account")
    return OrgOptions(
        member_role_name=values.get("member-role-name") or OrgOptions.member_role_name,
        external_id=values.get("member-external-id") or None,
        member_accounts=_uids(values.get("member-accounts"), "--member-accounts"),
        exclude_accounts=_uids(values.get("exclude-accounts"), "--exclude-accounts"),
        max_accounts_in_flight=int(values.get("max-accounts-in-flight")
                                   or OrgOptions.max_accounts_in_flight),
        cloudsso=True if values.get("cloudsso") else False if values.get("no-cloudsso") else None)


def sync_organization_with_progress(config: ConnectorConfig, path: Path, options: OrgOptions,
                                    *, new_file: bool = False) -> OrgReport:
    """Run the organization sync with the live display; log the summary; exit 1 (after the
    file was written) when a member failed."""
    with LiveProgress(Console(stderr=True)) as progress:
        report = asyncio.run(sync_organization(config, path, options, observer=progress,
                                               new_file=new_file))
    sync = report.sync
    log.info("organization sync finished: %d member accounts synced, %d skipped, %d failed",
             len(report.synced), len(report.skipped), len(report.failed),
             extra={"sync_id": sync.sync_id, "file": str(path),
                    "management_account": report.management,
                    "members_synced": len(report.synced), "members_skipped": len(report.skipped),
                    "members_failed": len(report.failed), "resources": sync.total_resources,
                    "grants": sync.grants})
    if report.failed:
        names = "; ".join(f"{uid}: {reason}" for uid, reason in sorted(report.failed.items()))
        raise click.ClickException(
            f"{len(report.failed)} member account(s) failed ({names}); {path} was written with "
            f"them marked failed, {len(report.synced)} member(s) and the management account "
            "synced in full")
    return report
