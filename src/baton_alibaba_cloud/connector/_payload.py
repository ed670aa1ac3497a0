"""Reading API payload dicts: the defensive shapes of docs/alibaba.md §3.0.

Why one module: every transform meets the same XML-heritage quirks (a list wrapped in a
singular-named object, an empty collection as ``{}`` or missing, one object where a list is
expected) and the same rule (a required field missing fails loudly, an optional one is ``None``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["PayloadError", "items", "optional", "parse_time", "required", "tags"]

Payload = Mapping[str, Any]

log = logging.getLogger("baton_alibaba_cloud.connector")


class PayloadError(ValueError):
    """An API answer lacks a field the connector cannot do without."""


def items(payload: Payload, outer: str, inner: str) -> list[Payload]:
    """``payload[outer][inner]`` as a list: missing means empty, one object is a list of one."""
    wrapper = payload.get(outer)
    if not isinstance(wrapper, Mapping):
        return []
    value = wrapper.get(inner)
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    return [v for v in value if isinstance(v, Mapping)]


def required(payload: Payload, key: str, what: str) -> str:
    """A non-empty string field, else ``PayloadError`` naming the field and the object."""
    value = payload.get(key)
    if value is None or value == "":
        raise PayloadError(f"{what} payload has no {key}: {dict(payload)!r:.200}")
    return str(value)


def optional(payload: Payload, key: str) -> str | None:
    """A string field, ``None`` when missing or empty (never ``""``)."""
    value = payload.get(key)
    if value is None or value == "":
        return None
    return str(value)


def parse_time(value: object, what: str = "") -> datetime | None:
    """``YYYY-MM-DDThh:mm:ssZ`` (UTC) to an aware datetime; missing, empty or ``-`` is ``None``.

    A value that is no date is ``None`` too, with a warning naming ``what`` (the object and
    field): one odd date must not fail the sync."""
    if value is None or not isinstance(value, str) or value in ("", "-", "N/A", "no_information"):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        log.warning("%s is not a date (%r); left out", what or "a time field", value[:64])
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def tags(payload: Payload) -> dict[str, str] | None:
    """``Tags.Tag[{TagKey, TagValue}]`` as a dict, ``None`` when there are none."""
    found = {
        str(tag["TagKey"]): str(tag.get("TagValue") or "")
        for tag in items(payload, "Tags", "Tag")
        if tag.get("TagKey")
    }
    return found or None


def compact(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping without ``None`` values (a profile lists what is known, nothing else)."""
    return {k: v for k, v in mapping.items() if v is not None}
