"""User enrichment (console login, MFA, service accounts) with the fewest API calls.

Two plans, chosen once per sync from the phase-1 user count:

* **credential report** (2 ≤ users ≤ 3,500): IMS GenerateCredentialReport, polled until the
  report is built (``_report``: STARTED/INPROGRESS, then COMPLETED; a bounded backoff of about
  a minute), then GetCredentialReport pages (3,501 rows each) give every user's password, MFA,
  AccessKey and last logon facts in a few requests; only users whose report says they have a
  password get an IMS GetLoginProfile (the report lacks MFABindRequired). The report is started
  as soon as phase 1 has counted the users, so its build overlaps the rest of the listing. A
  new report is made at most every four hours (the latest is returned), so these facts may be
  up to four hours old; a user missing from the report (created since) falls back to the
  per-user calls.
* **per user** (more than 3,500 users, or the report is refused or not built in time, with one
  warning; the sync goes on): IMS GetLoginProfile per user
  (``EntityNotExist.User.LoginProfile`` = no console login); ListVirtualMFADevices pages (100
  devices a request, once) answer MFA for every user without console login and most console
  users; GetUserMFAInfo only for console users without a virtual device, since only it sees
  U2F keys and MFA only guards console logins;
  ListAccessKeys only for users without console login (to tell a service account), or for
  everyone with ``--sync-secrets``, where the access-key listing needs it anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from baton_alibaba_cloud.alibaba import NotFoundError
from baton_alibaba_cloud.connector._context import Context
from baton_alibaba_cloud.connector._payload import items, parse_time
from baton_alibaba_cloud.connector._report import ReportPoller, Rows, fetch_report, parse_report

__all__ = ["REPORT_MAX_USERS", "LoginFacts", "LoginFactsSource", "ReportPoller", "parse_report"]

T = TypeVar("T")

REPORT_MAX_USERS = 3500
"""IMS refuses a credential report for larger accounts (docs/alibaba.md, "Credential report")."""
REPORT_COLUMNS = frozenset({"password_exist", "mfa_active", "user_last_logon",
                            "access_key_1_exist", "access_key_2_exist"})
"""The report's columns ``_from_report`` reads; the others are not kept in memory."""


@dataclass(frozen=True)
class LoginFacts:
    """What enrichment learned about one user; ``None`` means not known."""

    console_login: bool
    mfa_bind_required: bool | None = None
    mfa_enabled: bool | None = None
    has_access_keys: bool | None = None
    last_login: datetime | None = None


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    upper = value.strip().upper()
    return True if upper == "TRUE" else False if upper == "FALSE" else None


def _background(work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """``work`` as a task whose failure, if nobody awaits it, is not logged as never retrieved."""
    task = asyncio.create_task(work)
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task


class LoginFactsSource:
    """Answers ``facts(upn)`` for one sync, loading the report or the MFA list once.

    ``poller`` paces the wait for the credential report (tests pass a fake clock and sleep).
    """

    def __init__(self, ctx: Context, poller: ReportPoller | None = None) -> None:
        self.ctx = ctx
        self.poller = poller or ReportPoller()
        self._report: asyncio.Task[Rows | None] | None = None
        self._virtual_mfa: asyncio.Task[set[str]] | None = None

    async def facts(self, upn: str) -> tuple[LoginFacts, bool]:
        """``(facts, keys_known)``; ``keys_known`` says whether ``has_access_keys`` is real."""
        report = await self._load_report()
        row = report.get(upn) if report is not None else None
        if row is not None:
            return await self._from_report(upn, row), True
        return await self._per_user(upn), False

    def uses_report(self) -> bool:
        """Whether this sync's user count is one the credential report serves."""
        return 2 <= self.ctx.counts.users <= REPORT_MAX_USERS

    def prefetch_report(self) -> None:
        """Start the credential report now, in the background (once), if the count allows it.

        Why: the real service takes a while to build a report, and every user's enrichment
        waits for it. Started from phase 1 once every user is counted, its build overlaps the
        listing of groups, roles and policies instead of stalling phase 2.
        """
        if self._report is None and self.uses_report():
            self._report = _background(fetch_report(self.ctx.api, self.poller, REPORT_COLUMNS))

    async def _load_report(self) -> Rows | None:
        self.prefetch_report()
        if self._report is None:
            return None
        return await asyncio.shield(self._report)

    async def _from_report(self, upn: str, row: Mapping[str, str]) -> LoginFacts:
        keys = _flag(row.get("access_key_1_exist")) or _flag(row.get("access_key_2_exist"))
        last = parse_time(row.get("user_last_logon"))
        if not _flag(row.get("password_exist")):
            return LoginFacts(False, None, _flag(row.get("mfa_active")), bool(keys), last)
        profile = await self._login_profile(upn)
        console = profile is not None and str(profile.get("Status", "Active")) == "Active"
        required = _flag(str(profile.get("MFABindRequired"))) if profile is not None else None
        return LoginFacts(console, required, _flag(row.get("mfa_active")), bool(keys), last)

    async def _per_user(self, upn: str) -> LoginFacts:
        profile = await self._login_profile(upn)
        if profile is None or str(profile.get("Status", "Active")) != "Active":
            required = None if profile is None else _flag(str(profile.get("MFABindRequired")))
            # no console login, so a U2F key guards nothing: the virtual devices answer, as
            # the report's mfa_active does for the same user
            return LoginFacts(False, required, upn in await self._virtual_mfa_users())
        required = _flag(str(profile.get("MFABindRequired")))
        last = parse_time(profile.get("LastLoginTime"))
        if upn in await self._virtual_mfa_users():
            return LoginFacts(True, required, True, last_login=last)
        answer = await self.ctx.api.call("ims", "GetUserMFAInfo", {"UserPrincipalName": upn})
        return LoginFacts(True, required, bool(answer.get("IsMFAEnable")), last_login=last)

    async def _login_profile(self, upn: str) -> Mapping[str, object] | None:
        try:
            answer = await self.ctx.api.call(
                "ims", "GetLoginProfile", {"UserPrincipalName": upn}
            )
        except NotFoundError:
            return None
        profile = answer.get("LoginProfile")
        return profile if isinstance(profile, Mapping) else None

    def prefetch_virtual_mfa(self) -> None:
        """Start listing the virtual MFA devices now, in the background (once).

        Why: the list is one page per 100 devices, each page waiting for the one before
        (Marker), and every console user's enrichment waits for all of it. Started from phase 1
        as soon as the user count rules the credential report out, its pages overlap the rest
        of the listing instead of stalling every user worker at the start of phase 2
        (50,000 users: ~100 pages, ~5 s at 50 ms a request).
        """
        if self._virtual_mfa is None:
            self._virtual_mfa = _background(self._list_virtual_mfa())

    async def _virtual_mfa_users(self) -> set[str]:
        self.prefetch_virtual_mfa()
        assert self._virtual_mfa is not None
        return await asyncio.shield(self._virtual_mfa)

    async def _list_virtual_mfa(self) -> set[str]:
        found: set[str] = set()
        async for page in self.ctx.api.pages("ims", "ListVirtualMFADevices", {}):
            for device in items(page, "VirtualMFADevices", "VirtualMFADevice"):
                user = device.get("User")
                if isinstance(user, Mapping) and user.get("UserPrincipalName"):
                    found.add(str(user["UserPrincipalName"]))
        return found
