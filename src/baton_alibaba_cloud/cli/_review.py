"""The reviewer's views of ``inspect``: ``users`` and ``keys`` (hygiene), ``principals``
(reverse access with paths), ``diff``, ``export`` and ``findings``.

Each answers one question an access review asks, in one command; the logic lives in
``connector/`` (Alibaba's facts) and ``baton/`` (the grant graph), this module only parses flags
and prints rows (``_output.emit``).
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from baton_alibaba_cloud.baton import diff, principals
from baton_alibaba_cloud.baton import export as exporting
from baton_alibaba_cloud.baton.c1z.reader import C1zReader, SyncRun
from baton_alibaba_cloud.baton.table import spreadsheet_cell
from baton_alibaba_cloud.cli._errors import WorkFailed
from baton_alibaba_cloud.cli._output import emit, format_option, option
from baton_alibaba_cloud.connector import assume, findings, hygiene, report

__all__ = ["register", "report_command"]

Resolve = Callable[[Path], Path]
_state: dict[str, Resolve] = {}


def register(group: click.Group, file_option: Callable[[Any], Any], resolve: Resolve) -> None:
    """Add the review views to ``inspect`` (``resolve`` finds the ``-f`` given anywhere)."""
    _state["resolve"] = resolve
    for command in (users, keys, principals_, diff_, export_csv, findings_, report_command):
        file_option(command)
    for command in (users, keys, principals_, diff_, export, findings_):
        group.add_command(command)


@contextmanager
def open_file(file_: Path) -> Iterator[C1zReader]:
    """The c1z named by ``-f`` (wherever it was typed), or a one-line error."""
    path = _state["resolve"](file_) if "resolve" in _state else file_
    if not path.exists():
        raise click.FileError(str(path), "no such file; run a sync (or demo) first")
    with C1zReader.open(path) as reader:
        yield reader


class UnknownName(click.ClickException):
    """A resource or entitlement the file does not have: a usage mistake (exit 2), one line."""

    exit_code = 2


def _days_option(name: str, text: str) -> Callable[[Any], Any]:
    return option(name, type=click.IntRange(min=0), metavar="N", help=text)


def _load(file_: Path) -> hygiene.Hygiene:
    with open_file(file_) as reader:
        return hygiene.load_hygiene(reader)


def _keys_needed(exc: hygiene.KeysNotSynced) -> WorkFailed:
    return WorkFailed(f"{exc}, but it was synced without them; sync again with "
                      "--sync-secrets (and the permission ram:GetAccessKeyLastUsed)")


@click.command()
@format_option
@option("--no-mfa", is_flag=True, help="Only users without MFA (or whose MFA is unknown).")
@option("--console", "console_", is_flag=True, help="Only users who may log in to the "
              "console.")
@option("--frozen", is_flag=True, help="Only frozen (disabled) users.")
@_days_option("--inactive-days", "Only users with no console login and no key use in N days.")
@_days_option("--key-age-days", "Only users holding an AccessKey older than N days "
              "(needs --sync-secrets data).")
@_days_option("--key-unused-days", "Only users holding an active AccessKey unused for N days "
              "(never used: counted from its creation; needs --sync-secrets data).")
def users(file_: Path, output_format: str, no_mfa: bool, console_: bool, frozen: bool,
          inactive_days: int | None, key_age_days: int | None,
          key_unused_days: int | None) -> None:
    """One row per RAM user: status, console login, MFA, last login, keys, groups, policies.

    Filters combine (all must hold): `inspect users --console --no-mfa` lists the console
    users without MFA. Ages count from the end of the sync, not from today.
    """
    wanted = hygiene.UserFilter(no_mfa=no_mfa, console=console_, frozen=frozen,
                                inactive_days=inactive_days, key_age_days=key_age_days,
                                key_unused_days=key_unused_days)
    try:
        rows = hygiene.user_rows(_load(file_), wanted)
    except hygiene.KeysNotSynced as exc:
        raise _keys_needed(exc) from None
    emit(rows, output_format, title="Users")


@click.command()
@format_option
@option("--active", is_flag=True, help="Only active keys.")
@option("--frozen-user", is_flag=True, help="Only keys of frozen users.")
@_days_option("--key-age-days", "Only keys older than N days.")
@_days_option("--key-unused-days", "Only keys unused for N days (never used: counted from "
              "creation).")
def keys(file_: Path, output_format: str, active: bool, frozen_user: bool,
         key_age_days: int | None, key_unused_days: int | None) -> None:
    """One row per AccessKey (a file synced with --sync-secrets): status, age, last use."""
    wanted = hygiene.KeyFilter(active=active, frozen_user=frozen_user,
                               key_age_days=key_age_days, key_unused_days=key_unused_days)
    try:
        rows = hygiene.key_rows(_load(file_), wanted)
    except hygiene.KeysNotSynced as exc:
        raise _keys_needed(exc) from None
    emit(rows, output_format, title="AccessKeys")


@click.command("principals")
@format_option
@option("-r", "--resource", required=True,
        help="The resource: its id, or its display name when no other resource has it.")
@option("-t", "--resource-type", help="The resource's type, when a name is not unique.")
@option("-e", "--entitlement", "slug", metavar="SLUG",
        help="Only this entitlement of the resource (e.g. attached, member, assume).")
def principals_(file_: Path, output_format: str, resource: str, resource_type: str | None,
                slug: str | None) -> None:
    """Every principal holding the resource's entitlements, each with its path.

    The reverse of `inspect access`: `inspect principals -r AdministratorAccess` lists who
    holds the policy directly, via a group, or via a chain of roles.
    """
    with open_file(file_) as reader:
        try:
            found_resource = principals.find_resource(reader, resource, resource_type)
            found = principals.holders(reader, found_resource, slug)
        except LookupError as exc:
            raise UnknownName(str(exc)) from None
    title = f"Principals of {found_resource.display_name} ({found_resource.id.resource_type})"
    refused = assume.refused_rows(found_resource) if slug in (None, "assume") else []
    emit([*principals.holder_rows(found), *refused], output_format, title=title,
         columns=["entitlement", "principal_type", "principal", "path", "principal_id"],
         data={**principals.holders_json(found_resource, found),
               "trusted_not_permitted": refused})


def _two_syncs(path: Path) -> tuple[str, str]:
    with C1zReader.open(path) as reader:
        runs: list[SyncRun] = [r for r in reader.sync_runs() if r.ended_at]
    full = sorted((r for r in runs if r.sync_type == "full"), key=lambda r: str(r.ended_at))
    if len(full) < 2:
        raise WorkFailed(f"{path} holds {len(full)} finished full sync(s), and a diff needs two: "
                         "sync again into the same file, or compare with --against OTHER.c1z")
    return full[-2].sync_id, full[-1].sync_id


@click.command("diff")
@format_option
@option("--against", type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Compare with this older c1z of the same account, instead of the file's previous "
             "sync.")
@option("--exit-code", is_flag=True, help="Exit 1 when something changed (for scripts).")
def diff_(file_: Path, output_format: str, against: Path | None, exit_code: bool) -> None:
    """What changed between two syncs: resources and grants, direct or inherited (with the
    direct change that caused each inherited one).

    Compares the two syncs the file keeps (every sync keeps the previous one), or the file with
    --against OTHER.c1z. Exits 0 whether or not something changed unless --exit-code.
    """
    path = _state["resolve"](file_) if "resolve" in _state else file_
    with open_file(file_):
        pass  # the one-line error for a missing file
    old_id: str | None = None
    new_id: str | None = None
    old_path = against or path
    if against is None:
        old_id, new_id = _two_syncs(path)
    with C1zReader.open(old_path, sync_id=old_id) as old, \
            C1zReader.open(path, sync_id=new_id) as new:
        accounts = hygiene.synced_account(old), hygiene.synced_account(new)
        if accounts[0] != accounts[1]:
            raise WorkFailed(f"{against} is account {accounts[0]} and {path} is account "
                             f"{accounts[1]}; compare two syncs of the same account")
        found = diff.diff(old, new)
    title = f"Changes from sync {found.old_sync} to {found.new_sync}"
    emit(diff.diff_rows(found), output_format, title=title, data=diff.diff_json(found),
         columns=["change", "kind", "object", "how", "detail", "id"])
    if exit_code and found.changed:
        raise SystemExit(1)


@click.group()
def export() -> None:
    """Write the access of the latest sync for spreadsheets (csv)."""


@export.command("csv")
@option("--out", type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file (created readable by its owner only) instead of stdout.")
def export_csv(file_: Path, out: Path | None) -> None:
    """One row per principal and entitlement, expanded grants included: the columns of the
    baton CLI's `export csv`, then Grant (direct or inherited) and Path."""
    with open_file(file_) as reader:
        if out is None:
            _write_csv(reader, sys.stdout)
            return
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            _write_csv(reader, handle)


def _write_csv(reader: C1zReader, handle: Any) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(exporting.COLUMNS)
    writer.writerows([spreadsheet_cell(cell) for cell in row]
                     for row in exporting.export_rows(reader))


@click.command("findings")
@format_option
@option("--min-severity", type=click.Choice(findings.SEVERITIES), default="info",
        show_default=True, help="Only findings of this severity or worse.")
def findings_(file_: Path, output_format: str, min_severity: str) -> None:
    """The documented checks (docs/findings.md): MFA, AccessKeys, admin reachability with
    paths, risky trust, wildcard policies, password policy and security preference (CIS)."""
    with open_file(file_) as reader:
        found = findings.find(reader)
    rows = findings.finding_rows(found, min_severity)
    whose = ["account"] if any(f.account for f in found) else []  # an organization file
    emit(rows, output_format, title="Findings",
         columns=["severity", "check", "object_type", *whose, "object", "reason", "paths"],
         data=findings.findings_json(found, min_severity))


@click.command("report")
@option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
        show_default=True, help="The HTML file to write (created readable by its owner only).")
def report_command(file_: Path, out: Path) -> None:
    """Write one self-contained HTML page for reviewers: summary, findings, the users table
    (sortable, filterable) and a graph of who reaches admin access and cross-account trust.

    Everything is inlined (no network access when opened): open it from disk or mail it.
    """
    with open_file(file_) as reader:
        data = report.write_report(reader, out)
    counts = data["findings"]["counts"]
    summary = ", ".join(f"{counts[s]} {s}" for s in findings.SEVERITIES if counts[s])
    click.echo(f"wrote {out}: {len(data['users']['rows']):,} users, findings: "
               f"{summary or 'none'}")
