"""User enrichment (console login, MFA, service accounts) with the fewest API calls.

Two plans, chosen once per sync from the phase-1 user count:

* **credential report** (2 ≤ users ≤ 3,500): IMS GenerateCredentialReport, then
  GetCredentialReport pages (3,501 rows each) give every user's password, MFA, AccessKey and last
  logon facts in 2-3 requests; only users whose report says they have a password get an IMS
  GetLoginProfile (the report lacks MFABindRequired). A new report is made at most every four
  hours (the latest is returned), so these facts may be up to four hours old; a user missing
  from the report (created since) falls back to the per-user calls.
* **per user** (more than 3,500 users, or the report is refused): IMS GetLoginProfile per user
  (``EntityNotExist.User.LoginProfile`` = no console login); ListVirtualMFADevices pages (100
  devices a request, once) answer MFA for every user without console login and most console
  users; GetUserMFAInfo only for console users without a virtual device, since only it sees
  U2F keys and MFA only guards console logins;
  ListAccessKeys only for users without console login (to tell a service account), or for
  everyone with ``--sync-secrets``, where the access-key listing needs it anyway.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from baton_alibaba_cloud.alibaba import AlibabaError, NotFoundError
from baton_alibaba_cloud.connector._context import Context
from baton_alibaba_cloud.connector._payload import items, parse_time

__all__ = ["REPORT_MAX_USERS", "LoginFacts", "LoginFactsSource", "parse_report"]

log = logging.getLogger(__name__)

REPORT_MAX_USERS = 3500
"""IMS refuses a credential report for larger accounts (alibaba-api.md Addendum)."""


@dataclass(frozen=True)
class LoginFacts:
    """What enrichment learned about one user; ``None`` means not known."""

    console_login: bool
    mfa_bind_required: bool | None = None
    mfa_enabled: bool | None = None
    has_access_keys: bool | None = None
    last_login: datetime | None = None


def parse_report(pages: list[str]) -> dict[str, dict[str, str]]:
    """Rows of a credential report by UPN, from each page's Base64 ``Content``.

    Columns are read by header name (unknown ones are kept, missing ones are absent); a header
    repeated at the top of a later page is skipped; the ``<root>`` row is left out.
    """
    header: list[str] | None = None
    rows: dict[str, dict[str, str]] = {}
    for content in pages:
        text = base64.b64decode(content).decode("utf-8-sig")
        for record in csv.reader(io.StringIO(text)):
            if not record:
                continue
            if header is None or record == header:
                header = record
                continue
            row = dict(zip(header, record, strict=False))
            user = row.get("user", "")
            if user and user != "<root>":
                rows[user] = row
    return rows


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    upper = value.strip().upper()
    return True if upper == "TRUE" else False if upper == "FALSE" else None


class LoginFactsSource:
    """Answers ``facts(upn)`` for one sync, loading the report or the MFA list once."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._lock = asyncio.Lock()
        self._report: dict[str, dict[str, str]] | None = None
        self._report_loaded = False
        self._virtual_mfa: asyncio.Task[set[str]] | None = None

    async def facts(self, upn: str) -> tuple[LoginFacts, bool]:
        """``(facts, keys_known)``; ``keys_known`` says whether ``has_access_keys`` is real."""
        report = await self._load_report()
        row = report.get(upn) if report is not None else None
        if row is not None:
            return await self._from_report(upn, row), True
        return await self._per_user(upn), False

    async def _load_report(self) -> dict[str, dict[str, str]] | None:
        async with self._lock:
            if not self._report_loaded:
                self._report_loaded = True
                if 2 <= self.ctx.counts.users <= REPORT_MAX_USERS:
                    self._report = await self._fetch_report()
        return self._report

    async def _fetch_report(self) -> dict[str, dict[str, str]] | None:
        api = self.ctx.api
        try:
            await api.call("ims", "GenerateCredentialReport", {})
            contents: list[str] = []
            params: dict[str, str] = {"MaxItems": "3501"}
            while True:
                page = await api.call("ims", "GetCredentialReport", params)
                contents.append(str(page.get("Content") or ""))
                token = page.get("NextToken")
                if str(page.get("IsTruncated", "false")).lower() != "true" or not token:
                    break
                params = {"MaxItems": "3501", "NextToken": str(token)}
        except AlibabaError as exc:
            log.warning("credential report unavailable (%s); using per-user calls", exc.code)
            return None
        return parse_report(contents)

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
            task = asyncio.create_task(self._list_virtual_mfa())
            # retrieved here too, so a failure nobody awaits is not logged as never retrieved
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._virtual_mfa = task

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
