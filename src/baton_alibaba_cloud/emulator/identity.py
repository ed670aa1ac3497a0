"""Who is calling: the seam between request authentication (``auth.py``) and the backend.

``auth.py`` resolves the request's AccessKey (or STS token) through ``Backend.resolve_access_key``
into a :class:`ResolvedKey`, verifies the signature with its secret, then hands the
:class:`Caller` to the action handlers and to the authorization check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["Caller", "CallerKind", "ResolvedKey"]

CallerKind = Literal["root", "user", "role"]


@dataclass(frozen=True)
class Caller:
    """An authenticated identity of the emulated account.

    ``arn`` is what STS GetCallerIdentity answers (``acs:ram::<uid>:user/<name>``,
    ``acs:ram::<uid>:root``, or ``acs:ram::<uid>:assumed-role/<role>/<session>`` for a role
    session); ``name`` is the user or role name (empty for root).
    """

    account_id: str
    kind: CallerKind
    name: str
    arn: str
    principal_id: str
    access_key_id: str
    session_name: str | None = None


@dataclass(frozen=True)
class ResolvedKey:
    """An AccessKey the emulator knows: its secret, its owner and, for STS keys, the token.

    ``status`` is ``Active`` or ``Inactive`` (``InvalidAccessKeyId.Inactive``);
    ``security_token`` is set only for STS credentials and must match ``x-acs-security-token``;
    ``expires_at`` (UTC) is set only for STS credentials.
    """

    access_key_id: str
    secret: str
    caller: Caller
    status: str = "Active"
    security_token: str | None = None
    expires_at: datetime | None = None
