"""Sync ids (KSUID) and the timestamp text the Go SDK stores in SQLite.

A KSUID (segmentio/ksuid) is 4 bytes of big-endian seconds since 2014-05-13 16:53:20 UTC
(epoch 1400000000) followed by 16 random bytes, written as 27 base62 digits
(``0-9A-Za-z``) zero-padded on the left. Its text sorts by time, which readers rely on
(``ORDER BY ended_at DESC, sync_id DESC``). Implemented here to avoid a dependency for 20 lines.

Timestamps are Go's ``"2006-01-02 15:04:05.999999999"`` in local time without a zone: trailing
fractional zeros are trimmed and the dot goes when the fraction is zero. Readers compare this
text bytewise, so the format must be exact.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

__all__ = ["KSUID_EPOCH", "ksuid_time", "new_ksuid", "sqlite_time"]

KSUID_EPOCH = 1_400_000_000
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_LENGTH = 27


def new_ksuid(now: float | None = None, payload: bytes | None = None) -> str:
    """A new KSUID for ``now`` (Unix seconds, default the clock) and ``payload`` (16 bytes,
    default random); both are injectable so tests are deterministic."""
    seconds = int(time.time() if now is None else now) - KSUID_EPOCH
    if not 0 <= seconds < 2**32:
        raise ValueError(f"time {now} is outside the KSUID range")
    body = os.urandom(16) if payload is None else payload
    if len(body) != 16:
        raise ValueError("a KSUID payload is 16 bytes")
    number = int.from_bytes(seconds.to_bytes(4, "big") + body, "big")
    digits: list[str] = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(_LENGTH, "0")


def ksuid_time(ksuid: str) -> int:
    """The Unix seconds encoded in a KSUID (raises ``ValueError`` on a malformed one)."""
    if len(ksuid) != _LENGTH:
        raise ValueError(f"a KSUID has {_LENGTH} characters: {ksuid!r}")
    number = 0
    for char in ksuid:
        digit = _ALPHABET.find(char)
        if digit < 0:
            raise ValueError(f"not a base62 KSUID: {ksuid!r}")
        number = number * 62 + digit
    return (number >> 128) + KSUID_EPOCH


def sqlite_time(value: datetime | None = None) -> str:
    """``value`` (default now) as local ``YYYY-MM-DD HH:MM:SS[.ffffff]``, trailing zeros trimmed.
    An aware datetime is converted to local time first; a naive one is taken as local."""
    local = datetime.now() if value is None else value
    if local.tzinfo is not None:
        local = local.astimezone().replace(tzinfo=None)
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    fraction = f"{local.microsecond:06d}".rstrip("0")
    return f"{text}.{fraction}" if fraction else text
