"""How much one listing can hold, and how much one answer may weigh: data, with sources.

Why: a server that sends a new ``Marker`` with every page (or an endless ``NextToken``) would
keep a sync paging forever, and a body of a gigabyte would fill memory. Every loop over pages
stops at a budget derived from what the listing can hold in a real account, and every answer is
read with a cap. The numbers are the documented per-account limits of RAM
(https://www.alibabacloud.com/help/en/ram/product-overview/limits), multiplied by a margin for
raised quotas and emulated accounts larger than any real one; a real account never comes near.

A listing that is not in the table (a product added later) gets ``DEFAULT_ITEMS``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "BYTES_PER_ITEM",
    "DEFAULT_ITEMS",
    "LISTINGS",
    "MARGIN",
    "MAX_BODY_BYTES",
    "MAX_POLICY_DEPTH",
    "Listing",
    "byte_budget",
    "page_budget",
]

RAM_LIMITS = "https://www.alibabacloud.com/help/en/ram/product-overview/limits"
IMS_REPORT = ("https://www.alibabacloud.com/help/en/ram/developer-reference/"
              "api-ims-2019-08-15-getcredentialreport")


@dataclass(frozen=True)
class Listing:
    """The most items one account can have in a listing, and where that number comes from."""

    items: int
    source: str
    item_bytes: int = 16 * 1024
    """Bytes one item may take on the wire: a user with every field at its maximum length
    and 20 tags is under 4 KiB."""


_USERS = Listing(5000, f"{RAM_LIMITS} (RAM users per account: 5000, not adjustable)")
LISTINGS: Mapping[str, Listing] = MappingProxyType({
    "ims:ListUsers": _USERS,
    "ram:ListUsers": _USERS,
    "ims:ListUsersForGroup": _USERS,
    "ram:ListUsersForGroup": _USERS,
    "ims:ListGroups": Listing(300, f"{RAM_LIMITS} (user groups per account: 300)"),
    "ram:ListGroups": Listing(300, f"{RAM_LIMITS} (user groups per account: 300)"),
    "ram:ListRoles": Listing(1000, f"{RAM_LIMITS} (RAM roles per account: 1000, adjustable)"),
    "ram:ListPolicies": Listing(
        1500 + 5000, f"{RAM_LIMITS} (custom policies per account: 1500, adjustable; plus the "
        "system policies, about two thousand, counted as 5000)"),
    "ims:ListVirtualMFADevices": Listing(
        5000, f"{RAM_LIMITS} (virtual MFA devices per account: 5000)"),
    "ram:ListVirtualMFADevices": Listing(
        5000, f"{RAM_LIMITS} (virtual MFA devices per account: 5000)"),
    "ims:ListSAMLProviders": Listing(100, f"{RAM_LIMITS} (identity providers per account)"),
    "ims:ListOIDCProviders": Listing(100, f"{RAM_LIMITS} (identity providers per account)"),
    "ims:GetCredentialReport": Listing(
        5000 + 1, f"{IMS_REPORT} (one row per RAM user, 5000 at most, and the account)",
        item_bytes=640),  # a row of the report's 20-odd columns, Base64: about 400 bytes
})

MARGIN = 20
"""Budgets are the documented limit times this: raised quotas and the emulator's 50,000-user
benchmark account stay well inside, an endless listing stops within seconds."""

DEFAULT_ITEMS = 100_000
"""The item budget of a listing without a documented limit (already margined)."""

BYTES_PER_ITEM = Listing.item_bytes

MAX_BODY_BYTES = 32 * 1024 * 1024
"""The largest answer read (after decompression): the largest real pages (1,000 users with long
fields, 3,501 credential-report rows) are under 8 MiB."""

MAX_POLICY_DEPTH = 32
"""The deepest JSON nesting read in a policy or trust document: real ones nest five levels."""


def _items(key: str) -> int:
    listing = LISTINGS.get(key)
    return listing.items * MARGIN if listing is not None else DEFAULT_ITEMS


def _item_bytes(key: str) -> int:
    listing = LISTINGS.get(key)
    return listing.item_bytes if listing is not None else BYTES_PER_ITEM


def page_budget(key: str, page_size: int | None) -> int:
    """The most pages ``service:action`` may take at ``page_size`` items a page (at least 10)."""
    size = page_size if page_size and page_size > 0 else 1
    return max(10, math.ceil(_items(key) / size) + 1)


def byte_budget(key: str) -> int:
    """The most bytes all pages of ``service:action`` may weigh together."""
    return max(_items(key) * _item_bytes(key), MAX_BODY_BYTES)
