"""Page sizes and request checks, read from the API metadata snapshot (``metadata.py``).

Why here and not in the client: the snapshot is the single source of API facts (botocore's
habit); this module adapts it to the client's error family, so a request the metadata refuses
fails like any other API error (an :class:`AlibabaError` with the wire code).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import metadata
from ._errors import AlibabaError

__all__ = ["is_truncated", "max_items", "max_results", "page_count", "page_size",
           "validate_request"]


def max_items(service: metadata.Service, action: str) -> int | None:
    """The largest ``MaxItems`` of a Marker-paginated action, ``None`` if it takes none."""
    try:
        return metadata.max_items(service, action)
    except KeyError:
        raise ValueError(f"{service} has no action {action!r}") from None


def max_results(service: metadata.Service, action: str) -> int | None:
    """The largest ``MaxResults`` of a NextToken-paginated action (CloudSSO), ``None`` if it
    takes none or the metadata records no maximum."""
    try:
        param = metadata.load(service).actions[action].parameters.get("MaxResults")
    except KeyError:
        raise ValueError(f"{service} has no action {action!r}") from None
    return param.maximum if param is not None and param.maximum else None


def page_size(service: metadata.Service, action: str) -> int:
    """The largest ``PageSize`` of a PageNumber-paginated action (Resource Manager: 100)."""
    try:
        size = metadata.page_size(service, action)
    except KeyError:
        raise ValueError(f"{service} has no action {action!r}") from None
    if size is None:
        raise ValueError(f"{service} {action} is not paginated by PageNumber")
    return size


def page_count(page: Mapping[str, Any], service: str, action: str) -> tuple[int, int]:
    """``(items on this page, TotalCount)`` of a PageNumber page.

    The items are the one list under the answer's one wrapper object (``ResourceGroups.
    ResourceGroup``); a page without ``TotalCount`` cannot be followed safely, so it is an error.
    """
    total = page.get("TotalCount")
    if isinstance(total, str) and total.isdigit():
        total = int(total)
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise AlibabaError("InvalidResponse", "a PageNumber page came without a TotalCount",
                           action=action, service=service, request_id=page.get("RequestId"))
    count = 0
    for value in page.values():
        if isinstance(value, Mapping):
            count += sum(len(v) for v in value.values() if isinstance(v, list))
    return count, total


def validate_request(service: metadata.Service, action: str, params: Mapping[str, str]) -> None:
    """Refuse before sending what the real service would refuse (``validate=True``)."""
    try:
        metadata.validate_request(service, action, params)
    except metadata.RequestValidationError as error:
        raise AlibabaError(
            error.code, error.message, action=action, service=service,
            http_status=error.http_status,
        ) from None


def is_truncated(page: Mapping[str, Any]) -> bool:
    """``IsTruncated`` may come as a JSON bool or as the string ``"true"`` (XML heritage)."""
    value = page.get("IsTruncated")
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)
