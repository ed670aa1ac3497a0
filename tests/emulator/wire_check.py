"""A raw JSON answer against the API metadata snapshot's response tree (no tests here).

Why raw: the official SDK's ``from_map`` silently drops keys it does not know and keeps a
``"1"`` where an integer belongs, so checking the parsed model alone cannot catch a misspelt
field or a wrong JSON type. This walks the decoded wire body itself.

Rules: every key is in the snapshot's tree; every value has the recorded JSON type (a JSON
boolean is never accepted for an integer, nor an integer for a boolean); timestamps are
``YYYY-MM-DDThh:mm:ssZ``; ``Marker`` appears exactly when ``IsTruncated`` is true.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from baton_alibaba_cloud.alibaba.metadata import FieldSpec

__all__ = ["wire_problems"]

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "boolean": (bool,), "number": (int, float),
    "object": (dict,), "array": (list,), "map": (dict,)}
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_TIME_NAMES = frozenset({"Expiration", "GmtCreate", "GmtModified"})


def _is_time_field(name: str) -> bool:
    return name.endswith(("Date", "Time")) or name in _TIME_NAMES


def _walk(value: Any, spec: FieldSpec, path: str, name: str, out: list[str]) -> None:
    if spec.type == "any":
        return
    allowed = _TYPES[spec.type]
    if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
        out.append(f"{path}: {value!r} is not a JSON {spec.type}")
        return
    if isinstance(value, str) and _is_time_field(name) and not _TIMESTAMP.fullmatch(value):
        out.append(f"{path}: {value!r} is not YYYY-MM-DDThh:mm:ssZ")
    if isinstance(value, list):
        item = spec.item or FieldSpec(name, "any", {})
        for index, element in enumerate(value):
            _walk(element, item, f"{path}[{index}]", name, out)
    elif isinstance(value, dict) and spec.type == "object":
        for key, sub in value.items():
            if key not in spec.fields:
                out.append(f"{path}.{key}: not a field of the SDK's response model")
            else:
                _walk(sub, spec.fields[key], f"{path}.{key}", key, out)


def wire_problems(body: Mapping[str, Any], spec: FieldSpec, action: str) -> list[str]:
    """Every way ``body`` departs from ``spec`` (empty when it conforms)."""
    out: list[str] = []
    _walk(dict(body), spec, action, action, out)
    if "IsTruncated" in spec.fields and "Marker" in spec.fields:
        truncated = body.get("IsTruncated")
        if not isinstance(truncated, bool):
            out.append(f"{action}.IsTruncated: missing or not a boolean")
        elif truncated != ("Marker" in body):
            out.append(f"{action}.Marker: present={('Marker' in body)} but "
                       f"IsTruncated={truncated}")
    return out
