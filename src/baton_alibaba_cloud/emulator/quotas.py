"""Per-account, per-action request quotas answered with ``Throttling.User``.

Why: the real RAM quotas ("regionId, API, ParentUid": per account and per API, all callers
together) are what bound a sync, so the connector's rate limiter must be exercised against the
same numbers it will meet in production (docs/alibaba.md §5).

Numbers: the published RAM table; actions missing from it follow its pattern (reads 100/s,
create/update/delete 20/s, membership and attach/detach 10/s). IMS has no published table and
is treated like RAM; STS is 100/s (the STS FAQ). Resource Manager's published figures are in its
metadata snapshot (ListPolicyAttachments 120/s); its other actions follow RAM's pattern.
CloudSSO's snapshot records 20/s for every action (docs/alibaba.md, CloudSSO).

HTTP status: the reference gives 400 for ``Throttling.User`` generically (§4.2) and marks the
RAM status UNCONFIRMED; we answer 400, which is also what the official SDK's probes met.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from ..alibaba import metadata
from .errors import EmulatorError
from .options import Clock

__all__ = [
    "THROTTLING_MESSAGE",
    "QuotaBook",
    "TokenBucket",
    "default_rate",
    "throttling_error",
]

THROTTLING_MESSAGE = "Request was denied due to user flow control."



def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PUBLISHED_100 = _words(
    "ListUsers GetUser ListUsersForGroup ListGroupsForUser GetGroup ListPoliciesForUser "
    "ListPoliciesForGroup ListPoliciesForRole ListEntitiesForPolicy ListPolicies "
    "GetPolicyVersion GetRole GetAccountAlias GetLoginProfile GetUserMFAInfo ListAccessKeys "
    "GetAccessKeyLastUsed ListVirtualMFADevices ListTagResources GetSecurityPreference"
)
_PUBLISHED_20 = _words(
    "CreatePolicy CreatePolicyVersion DeletePolicy DeletePolicyVersion CreateRole DeleteRole "
    "DeleteUser UpdateGroup CreateAccessKey UpdateAccessKey CreateLoginProfile "
    "UpdateLoginProfile DeleteLoginProfile ChangePassword SetAccountAlias SetSecurityPreference "
    "BindMFADevice UnbindMFADevice CreateVirtualMFADevice DeleteVirtualMFADevice"
)
_PUBLISHED_10 = _words(
    "AddUserToGroup RemoveUserFromGroup AttachPolicyToUser AttachPolicyToRole "
    "DetachPolicyFromGroup DetachPolicyFromRole UntagResources DecodeDiagnosticMessage"
)
_MEMBERSHIP = re.compile(r"^(Add|Remove|Attach|Detach|Tag|Untag)[A-Z]")
_READ = re.compile(r"^(Get|List|Describe|Check|Query)[A-Z]")


def default_rate(service: str, action: str) -> float:
    """Published (or pattern-derived) requests per second for one action of one account."""
    if service in ("resourcemanager", "cloudsso"):
        published = metadata.published_quota(cast(metadata.Service, service), action)
        if published is not None:
            return float(published)
    if service == "sts":
        return 100.0
    if action in _PUBLISHED_100:
        return 100.0
    if action in _PUBLISHED_20:
        return 20.0
    if action in _PUBLISHED_10 or _MEMBERSHIP.match(action):
        return 10.0
    return 100.0 if _READ.match(action) else 20.0


def throttling_error() -> EmulatorError:
    """The answer a spent quota gets (also used by the throttling fault)."""
    return EmulatorError("Throttling.User", THROTTLING_MESSAGE, 400)


@dataclass
class TokenBucket:
    """``rate`` tokens per second, holding one second's worth (at least one token)."""

    rate: float
    tokens: float
    stamp: float

    def take(self, now: float) -> bool:
        """Spend one token if there is one; refill first by the time elapsed since last use."""
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(max(self.rate, 1.0), self.tokens + elapsed * self.rate)
        self.stamp = now
        if self.tokens >= 1.0 - 1e-3:  # epoch-float drift must not cost a whole token
            self.tokens -= 1.0
            return True
        return False


class QuotaBook:
    """All buckets of one emulator, created on first use of ``(account, service, action)``."""

    def __init__(self, clock: Clock, overrides: Mapping[str, float] | None = None) -> None:
        self._clock = clock
        self._overrides = {k.lower(): v for k, v in (overrides or {}).items()}
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def rate(self, service: str, action: str) -> float:
        """The effective rate: ``service:Action`` override, then ``Action``, then the default."""
        for key in (f"{service}:{action}".lower(), action.lower()):
            if key in self._overrides:
                return self._overrides[key]
        return default_rate(service, action)

    def admit(self, account_id: str, service: str, action: str) -> bool:
        """True when the call fits the quota; False means answer ``Throttling.User``."""
        key = (account_id, service, action)
        bucket = self._buckets.get(key)
        now = self._clock()
        if bucket is None:
            rate = self.rate(service, action)
            bucket = TokenBucket(rate=rate, tokens=max(rate, 1.0), stamp=now)
            self._buckets[key] = bucket
        return bucket.take(now)

    def check(self, account_id: str, service: str, action: str) -> None:
        """Raise ``Throttling.User`` when the call does not fit the quota."""
        if not self.admit(account_id, service, action):
            raise throttling_error()
