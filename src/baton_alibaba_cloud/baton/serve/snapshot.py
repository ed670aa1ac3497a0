"""A snapshot: one finished, *unexpanded* sync in an open v1 c1z database, read page by page.

Why a snapshot: baton-sdk's syncer asks for resources type by type, then entitlements and
grants resource by resource, each a paged call. Answering every call with fresh API requests
would repeat the account's listing thousands of times; the connector's own engine fetches the
whole account once (fast, concurrent, within the quotas) and every list call is answered from
that database. The grants are stored before expansion, with their ``GrantExpandable``
annotations, so the caller expands them itself.

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
    "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "Page", "PageTokenError", "Snapshot", "page_size",
]

DEFAULT_PAGE_SIZE = 250
MAX_PAGE_SIZE = 250
"""baton-sdk's request validation allows page sizes up to 250; 0 means "the server's choice"."""

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
        where = {"resource_type_id": resource.resource_type, "resource_id": resource.resource}
        return self._page("v1_entitlements", where, Entitlement, token, size)

    def grants(self, resource: ResourceId, token: str, size: int) -> Page[Grant]:
        """The grants on the entitlements of one resource, unexpanded, each with the
        ``GrantExpandable`` annotation the connector gave it (stored in the ``expansion``
        column)."""
        where = {"resource_type_id": resource.resource_type, "resource_id": resource.resource}
        rows = self._rows("v1_grants", where, token, size, extra=", expansion")
        items = []
        for _, data, expansion in rows[:size]:
            grant = Grant.FromString(data)
            if expansion is not None:
                grant.annotations.append(expansion_annotation(expansion))
            items.append(grant)
        return Page(items, self._next(rows, size))

    # --- paging ------------------------------------------------------------------------------

    def _page(
        self, table: str, where: dict[str, str], msg: type[M], token: str, size: int
    ) -> Page[M]:
        rows = self._rows(table, where, token, size)
        return Page([msg.FromString(row[1]) for row in rows[:size]], self._next(rows, size))

    def _rows(
        self, table: str, where: dict[str, str], token: str, size: int, extra: str = ""
    ) -> list[tuple[Any, ...]]:
        """Up to ``size + 1`` rows after the token's row (the extra one says "more")."""
        after = self._after(token)
        clause = "".join(f" and {col} = ?" for col in where)
        sql = (f"select id, data{extra} from {table} where sync_id = ?{clause} and id > ? "
               "order by id limit ?")
        params = (self.sync_id, *where.values(), after, size + 1)
        return self.con.execute(sql, params).fetchall()

    def _next(self, rows: Sequence[tuple[Any, ...]], size: int) -> str:
        return f"{self.tag}:{rows[size - 1][0]}" if len(rows) > size else ""

    def _after(self, token: str) -> int:
        if not token:
            return 0
        tag, _, last = token.partition(":")
        if tag != self.tag or not last.isdigit():
            raise PageTokenError(
                "the page token is not one of this snapshot's (it was taken again since); "
                "restart the listing")
        return int(last)


def page_size(requested: int) -> int:
    """The page size for a request: the default for 0, at most ``MAX_PAGE_SIZE``."""
    return DEFAULT_PAGE_SIZE if requested <= 0 else min(requested, MAX_PAGE_SIZE)
