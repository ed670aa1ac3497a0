"""The emulated account: state and business rules (moto's ``models``), no HTTP.

:class:`Backend` composes one mixin per concern (``_backend/``): users and groups, roles,
policies and attachments, credentials, STS and the credential report. Every rule raises an
:class:`~.errors.EmulatorError` with the code and HTTP status the real service answers;
``responses/`` turns parameters into calls and results into wire dicts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ._backend.report import DEFAULT_REPORT_DELAY, ReportMixin
from ._backend.resource_groups import ResourceGroupsMixin
from ._backend.sts import StsMixin
from ._backend.users import UsersMixin
from .accounts.loader import build_account, populate
from .entities import Account

__all__ = ["Backend"]


class Backend(UsersMixin, ResourceGroupsMixin, StsMixin, ReportMixin):
    """One Alibaba Cloud account's RAM/IMS/STS/Resource Manager state.

    ``now`` is the clock (inject a fake one to test STS expiry and the report's four hours);
    ``seed`` makes generated ids, secrets and Markers' signing key reproducible;
    ``report_delay`` is how long a new credential report takes on that clock.
    """

    def __init__(
        self, account: Account, *, now: Callable[[], datetime] | None = None, seed: int = 0,
        report_delay: timedelta = DEFAULT_REPORT_DELAY,
    ) -> None:
        super().__init__(account, now=now, seed=seed)
        self.report_delay = report_delay

    @classmethod
    def from_account(
        cls, account: dict[str, Any], *, now: Callable[[], datetime] | None = None,
        seed: int | None = None, report_delay: timedelta = DEFAULT_REPORT_DELAY,
    ) -> Backend:
        """Build from a parsed account file (validated; raises ``AccountFileError``)."""
        parsed = build_account(account)
        if seed is None:
            seed = int.from_bytes(hashlib.sha256(parsed.uid.encode()).digest()[:4], "big")
        backend = cls(parsed, now=now, seed=seed, report_delay=report_delay)
        populate(backend, account)
        return backend

    def admin_credentials(self) -> tuple[str, str] | None:
        """The key pair the emulator prints: ``emulator-admin``'s first Active key, else root's."""
        admin_id = self.user_by_name.get("emulator-admin")
        candidates = list(self.keys_of_user.get(admin_id, {}).values()) if admin_id else []
        candidates += [self.access_keys[key_id] for key_id in self.root_key_ids]
        for key in candidates:
            if key.status == "Active":
                return key.access_key_id, key.secret
        return None
