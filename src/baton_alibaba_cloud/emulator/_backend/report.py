"""The IMS credential report (docs/alibaba.md, "Credential report"): a CSV snapshot of every user's
password, MFA and AccessKey state, regenerated at most every four hours and refused for
accounts with more than 3,500 users, which is what forces a sync to its per-user fallback.

Generation takes time, as on the real service: the first GenerateCredentialReport (or the
first once the latest report is four hours old) answers ``STARTED``, calls while the report is
being built answer ``INPROGRESS``, and once it is ready ``COMPLETED`` (the SDK models document
these three states). How long it takes is ``report_delay`` on the backend's clock
(``EmulatorOptions.report_delay_s``), so tests drive it with a fake clock. GetCredentialReport
returns the newest ready report; before the first one is ready it answers
``EntityNotExist.CredentialReport`` (404): the code the real service uses there is not
published, and the choice is documented in docs/emulator.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..entities import AccessKey, CredentialReport, User, format_time
from ..errors import EmulatorError
from .credentials import CredentialsMixin

__all__ = ["DEFAULT_REPORT_DELAY", "REPORT_COLUMNS", "ReportMixin"]

REPORT_COLUMNS = [
    "user", "user_creation_time", "user_last_logon", "password_exist", "password_active",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_exist", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used", "access_key_2_exist", "access_key_2_active",
    "access_key_2_last_rotated", "access_key_2_last_used",
]
MAX_REPORT_USERS = 3500
REPORT_TTL = timedelta(hours=4)
DEFAULT_REPORT_DELAY = timedelta(seconds=1)
"""How long a new report takes to build unless the backend is told otherwise."""


def _when(value: datetime | None) -> str:
    return format_time(value) if value is not None else "-"


def _key_columns(keys: list[AccessKey]) -> list[str]:
    cells: list[str] = []
    for index in range(2):
        if index < len(keys):
            key = keys[index]
            cells += ["TRUE", str(key.status == "Active").upper(), format_time(key.created),
                      _when(key.last_used)]
        else:
            cells += ["FALSE", "N/A", "-", "-"]
    return cells


class ReportMixin(CredentialsMixin):
    """GenerateCredentialReport / GetCredentialReport state."""

    report_delay: timedelta = DEFAULT_REPORT_DELAY

    def generate_credential_report(self) -> str:
        """``STARTED`` when a new report is begun, ``INPROGRESS`` while it is being built,
        ``COMPLETED`` while the latest one is ready and younger than four hours."""
        if len(self.users) > MAX_REPORT_USERS:
            raise EmulatorError(
                "LimitExceeded.CredentialReport",
                f"No credential report can be generated for an account with more than "
                f"{MAX_REPORT_USERS} RAM users.", 409,
            )
        now = self.now()
        latest = self.report
        if latest is not None and now < latest.ready_at:
            return "INPROGRESS"
        if latest is not None and now - latest.ready_at < REPORT_TTL:
            return "COMPLETED"
        rows = [self._root_row()] + [self._user_row(user) for user in self.users]
        self.previous_report = latest
        self.report = CredentialReport(now, now + max(self.report_delay, timedelta(0)), rows)
        return "STARTED"

    def credential_report(self) -> CredentialReport:
        """The newest ready report (the previous one while a newer one is being built)."""
        now = self.now()
        for report in (self.report, self.previous_report):
            if report is not None and now >= report.ready_at:
                return report
        if self.report is None:
            message = "The credential report does not exist; call GenerateCredentialReport first."
        else:
            message = ("The credential report is still being generated; call "
                       "GenerateCredentialReport until it answers COMPLETED.")
        raise EmulatorError("EntityNotExist.CredentialReport", message, 404)

    def _root_row(self) -> list[str]:
        keys = [self.access_keys[key_id] for key_id in self.root_key_ids]
        created = format_time(self.account.created)
        return ["<root>", created, "-", "TRUE", "TRUE", "-", "-", "FALSE", *_key_columns(keys)]

    def _user_row(self, user: User) -> list[str]:
        profile = self.login_profiles.get(user.user_id)
        if profile is None:
            password = ["FALSE", "N/A", "-", "-"]
        else:
            password = ["TRUE", str(profile.status == "Active").upper(),
                        _when(profile.password_last_changed), "-"]
        mfa = str(user.user_id in self.mfa_of_user).upper()
        return [self.upn(user), format_time(user.created), _when(user.last_login),
                *password, mfa, *_key_columns(self.keys_of(user))]
