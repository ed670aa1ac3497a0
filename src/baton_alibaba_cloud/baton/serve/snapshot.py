"""A snapshot: one finished, *unexpanded* sync in an open v1 c1z database, read page by page.

Why a snapshot: baton-sdk's syncer asks for resources type by type, then entitlements and
grants resource by resource, each a paged call. Answering every call with fresh API requests
would repeat the account's listing thousands of times; the connector's own engine fetches the
whole account once (fast, concurrent, within the quotas) and every list call is answered from
that database. The grants are stored before expansion, with their ``GrantExpandable``
annotations, so the caller expands them itself.

Resource types declared type-scoped are listed a whole type at a time (baton-sdk's
``TypeScopedEntitlements`` / ``TypeScopedGrants``), in pages of up to ``TYPE_PAGE_SIZE`` rows
and ``PAGE_BYTES`` bytes: larger pages, so fewer Go-to-Python round trips, while an answer stays
well under gRPC's default 4 MiB message limit.

Page tokens are ``<snapshot tag>:<last row id>`` (keyset pagination on the table's ``id``): a
token of another snapshot is refused, never silently applied to different data.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from baton_alibaba_cloud.baton.c1z._rows import expansion_annotation
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, ResourceType

__all__ = [
    "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "PAGE_BYTES", "TYPE_PAGE_SIZE", "Page",
    "PageTokenError", "Snapshot", "page_size",
]

DEFAULT_PAGE_SIZE = 250
MAX_PAGE_SIZE = 250
"""baton-sdk's request validation allows page sizes up to 250; 0 means "the server's choice"."""

TYPE_PAGE_SIZE = 2000
"""The server's choice for a whole type's listing (the syncer asks with page size 0)."""

PAGE_BYTES = 1 << 20
"""A page ends once its rows' stored messages reach this many bytes (at least one row)."""

_TYPE_INDEXES = (
    "create index if not exists snapshot_entitlements_type "
    "on v1_entitlements (sync_id, resource_type_id, id)",
    "create index if not exists snapshot_grants_type on v1_grants (sync_id, resource_type_id, id)",
)
"""Keyset pages of a whole type read in id order without sorting the type's rows each page."""

M = TypeVar("M", bound=Message)
T = TypeVar("T")


class PageTokenError(ValueError):
    """A page token this snapshot did not hand out (garbled, or from an earlier snapshot)."""


@dataclass
class Page(Generic[T]):
    """One page of a listing; ``next_token`` is empty on the last page."""

    items: list[T]
    next_token: str = ""


@dataclass
class Snapshot:
    """An open database holding sync ``sync_id``; ``close`` releases it (and its files).

    ``key`` is what the snapshot was taken for (the caller's ``active_sync_id``, or empty)."""

    con: sqlite3.Connection
    sync_id: str
    key: str = ""
    on_close: Callable[[], None] | None = None
    tag: str = field(default_factory=lambda: secrets.token_hex(4))

    def __post_init__(self) -> None:
        for sql in _TYPE_INDEXES:
            self.con.execute(sql)

    def close(self) -> None:
        """Release the database; safe to call twice."""
        done, self.on_close = self.on_close, None
        if done is not None:
            done()

    # --- listings ----------------------------------------------------------------------------

    def resource_types(self, token: str, size: int) -> Page[ResourceType]:
        """Every resource type, in the order the sync wrote them."""
        return self._page("v1_resource_types", {}, ResourceType, token, size)

    def resources(
        self, resource_type: str, parent: ResourceId | None, token: str, size: int
    ) -> Page[Resource]:
        """The resources of a type, or only the children of ``parent`` when it is given."""
        where = {"resource_type_id": resource_type}
        if parent is not None and parent.resource_type and parent.resource:
            where.update(parent_resource_type_id=parent.resource_type,
                         parent_resource_id=parent.resource)
        return self._page("v1_resources", where, Resource, token, size)

    def entitlements(self, resource: ResourceId, token: str, size: int) -> Page[Entitlement]:
        """The entitlements of one resource."""
        return self._page("v1_entitlements", _of(resource), Entitlement, token, size)

    def type_entitlements(self, resource_type: str, token: str, size: int) -> Page[Entitlement]:
        """The entitlements of every resource of a type."""
        where = {"resource_type_id": resource_type}
        return self._page("v1_entitlements", where, Entitlement, token, size)

    def grants(self, resource: ResourceId, token: str, size: int) -> Page[Grant]:
        """The grants on the entitlements of one resource, unexpanded, each with the
        ``GrantExpandable`` annotation the connector gave it (stored in the ``expansion``
        column)."""
        return self._grants(_of(resource), token, size)

    def type_grants(self, resource_type: str, token: str, size: int) -> Page[Grant]:
        """The grants on the entitlements of every resource of a type, as ``grants``."""
        return self._grants({"resource_type_id": resource_type}, token, size)

    def _grants(self, where: dict[str, str], token: str, size: int) -> Page[Grant]:
        rows, more = self._rows("v1_grants", where, token, size, extra=", expansion")
        items = []
        for _, data, expansion in rows:
            grant = Grant.FromString(data)
            if expansion is not None:
                grant.annotations.append(expansion_annotation(expansion))
            items.append(grant)
        return Page(items, self._next(rows, more))

    # --- paging ------------------------------------------------------------------------------

    def _page(
        self, table: str, where: dict[str, str], msg: type[M], token: str, size: int
    ) -> Page[M]:
        rows, more = self._rows(table, where, token, size)
        return Page([msg.FromString(row[1]) for row in rows], self._next(rows, more))

    def _rows(
        self, table: str, where: dict[str, str], token: str, size: int, extra: str = ""
    ) -> tuple[list[tuple[Any, ...]], bool]:
        """The page's rows after the token's row (at most ``size``, and ``PAGE_BYTES`` of
        messages unless one row is larger), and whether more follow."""
        after = self._after(token)
        clause = "".join(f" and {col} = ?" for col in where)
        sql = (f"select id, data{extra} from {table} where sync_id = ?{clause} and id > ? "
               "order by id limit ?")
        params = (self.sync_id, *where.values(), after, size + 1)
        rows = self.con.execute(sql, params).fetchall()
        total = 0
        for count, row in enumerate(rows[:size]):
            total += len(row[1])
            if total > PAGE_BYTES and count:
                return rows[:count], True
        return rows[:size], len(rows) > size

    def _next(self, rows: Sequence[tuple[Any, ...]], more: bool) -> str:
        return f"{self.tag}:{rows[-1][0]}" if more else ""

    def _after(self, token: str) -> int:
        if not token:
            return 0
        tag, _, last = token.partition(":")
        if tag != self.tag or not last.isdigit():
            raise PageTokenError(
                "the page token is not one of this snapshot's (it was taken again since); "
                "restart the listing")
        return int(last)


def _of(resource: ResourceId) -> dict[str, str]:
    return {"resource_type_id": resource.resource_type, "resource_id": resource.resource}


def page_size(requested: int, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The page size for a request: ``default`` for 0, at most ``MAX_PAGE_SIZE``."""
    return default if requested <= 0 else min(requested, MAX_PAGE_SIZE)
