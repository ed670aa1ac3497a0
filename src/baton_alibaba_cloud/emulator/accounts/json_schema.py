"""The account file format as a JSON Schema (draft 2020-12), built from ``schema.py``'s tables.

Why generated: ``schema.py`` is what the loader enforces; deriving the published schema from the
same tables means an editor that validates against ``docs/emulator-account.schema.json`` refuses
exactly what the emulator refuses (except the cross-references, which JSON Schema cannot say:
memberships and attachments must name existing entities). ``scripts/refresh_emulator_docs.py``
writes the file; ``tests/emulator/test_docs.py`` checks it is current.
"""

from __future__ import annotations

import json
from typing import Any

from ..entities import DEFAULT_QUOTAS
from . import schema

__all__ = ["build", "render"]

_TIME = {"type": "string", "format": "date-time",
         "description": "ISO 8601, e.g. 2024-01-02T03:04:05Z"}
_SCALARS: dict[schema.Check, dict[str, Any]] = {
    schema._str: {"type": "string"},
    schema._nonempty: {"type": "string", "minLength": 1},
    schema._int: {"type": "integer"},
    schema._bool: {"type": "boolean"},
    schema._time: _TIME,
    schema._tags: {"type": "object", "additionalProperties": {"type": "string"}},
    schema._document: {"type": ["object", "string"],
                       "description": "a policy document, or its JSON text kept verbatim"},
    schema._str_list: {"type": "array", "items": {"type": "string"}},
}
_NULLABLE_OBJECTS = ("login_profile", "mfa")


def _object(section: str, fields: dict[str, schema.Check]) -> dict[str, Any]:
    properties = {name: _property(name, check) for name, check in sorted(fields.items())}
    out: dict[str, Any] = {"type": "object", "properties": properties,
                           "additionalProperties": False}
    required = schema.REQUIRED.get(section, ())
    if required:
        out["required"] = list(required)
    return out


def _property(name: str, check: schema.Check) -> dict[str, Any]:
    if check in schema.ENUMS:
        return {"enum": list(schema.ENUMS[check])}
    if check in _SCALARS:
        value = dict(_SCALARS[check])
        if name in schema._NULLABLE and value.get("type") == "string":
            value["type"] = ["string", "null"]
        return value
    if name in schema.NESTED:
        nested = _object(name, schema.NESTED[name])
        if name in _NULLABLE_OBJECTS:
            return {"oneOf": [nested, {"type": "null"}]}
        return {"type": "array", "items": nested}
    if name == "limits":
        return {"type": "object", "additionalProperties": False,
                "properties": {k: {"type": "integer"} for k in sorted(DEFAULT_QUOTAS)}}
    if name == "quotas":
        return {"type": "object", "additionalProperties": {"type": "number"},
                "description": "requests per second by Action or service:Action"}
    if name in ("password_policy", "security_preference"):
        return {"type": "object", "description": "IMS Get" + (
            "PasswordPolicy's PasswordPolicy" if name == "password_policy"
            else "SecurityPreference's SecurityPreference (sections)") + ", wire names"}
    raise ValueError(f"no JSON Schema for the field {name!r}")


def build() -> dict[str, Any]:
    """The whole schema as a dict."""
    properties: dict[str, Any] = {"$schema": {"type": "string"}, "version": {"const": 1}}
    for section, fields in schema.FIELDS.items():
        body = _object(section, fields)
        properties[section] = body if section == "account" else {"type": "array", "items": body}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "baton-alibaba-cloud emulator account",
        "description": "One Alibaba Cloud account for the emulator (docs/emulator.md).",
        "type": "object", "required": ["account"], "additionalProperties": False,
        "properties": properties,
    }


def render() -> str:
    """Stable text: sorted keys, two-space indent, one trailing newline."""
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"
