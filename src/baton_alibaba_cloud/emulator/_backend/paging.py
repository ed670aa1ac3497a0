"""Insertion-ordered tables with O(1) lookup and O(page) cursor paging, and opaque Markers.

Every list action pages over an :class:`OrderedTable`: items keep a monotonically increasing
sequence number, a Marker names the last sequence number returned, and the next page starts
with a binary search. Deleting an item never shifts a cursor, so paging stays stable while the
account changes, as a real service's does. Markers are signed so that a forged or garbled one
is refused instead of silently restarting the listing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from ..errors import EmulatorError

__all__ = ["MarkerCodec", "OrderedTable", "Page"]

V = TypeVar("V")


class Page(Generic[V]):
    """One page: the items and, when more follow, the sequence number to resume after."""

    __slots__ = ("items", "resume_after")

    def __init__(self, items: list[V], resume_after: int | None) -> None:
        self.items = items
        self.resume_after = resume_after


class OrderedTable(Generic[V]):
    """A dict keyed by a stable id that also remembers insertion order for paging."""

    def __init__(self) -> None:
        self._items: dict[str, V] = {}
        self._seq_of: dict[str, int] = {}
        self._seqs: list[int] = []
        self._keys: list[str] = []
        self._next = 1

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[V]:
        return iter(self._items.values())

    def get(self, key: str) -> V | None:
        return self._items.get(key)

    def add(self, key: str, value: V) -> None:
        """Insert at the end, or replace in place when the key exists (its position stays)."""
        if key not in self._items:
            self._seq_of[key] = self._next
            self._seqs.append(self._next)
            self._keys.append(key)
            self._next += 1
        self._items[key] = value

    def remove(self, key: str) -> V:
        value = self._items.pop(key)
        index = bisect_left(self._seqs, self._seq_of.pop(key))
        del self._seqs[index]
        del self._keys[index]
        return value

    def page(self, after: int, limit: int, keep: Callable[[V], bool] | None = None) -> Page[V]:
        """Up to ``limit`` items after sequence ``after`` that pass ``keep``."""
        index = bisect_right(self._seqs, after)
        items: list[V] = []
        last = after
        while index < len(self._keys):
            value = self._items[self._keys[index]]
            if keep is None or keep(value):
                if len(items) == limit:
                    return Page(items, last)
                items.append(value)
                last = self._seqs[index]
            index += 1
        return Page(items, None)


class MarkerCodec:
    """Opaque, signed Markers: ``base64url(scope|seq|mac)``, valid only for their own listing."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, scope: str, seq: int) -> str:
        digest = hmac.new(self._key, f"{scope}|{seq}".encode(), hashlib.sha256).hexdigest()
        return digest[:16]

    def encode(self, scope: str, seq: int) -> str:
        raw = f"{scope}|{seq}|{self._mac(scope, seq)}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, scope: str, marker: str | None) -> int:
        """The sequence to resume after; 0 for no Marker; ``InvalidParameter.Marker`` if bad."""
        if not marker:
            return 0
        try:
            raw = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode()
            got_scope, seq_text, mac = raw.rsplit("|", 2)
            seq = int(seq_text)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise _bad_marker() from None
        if got_scope != scope or not hmac.compare_digest(mac, self._mac(scope, seq)):
            raise _bad_marker()
        return seq


def _bad_marker() -> EmulatorError:
    return EmulatorError("InvalidParameter.Marker", "The parameter Marker is invalid.", 400)
