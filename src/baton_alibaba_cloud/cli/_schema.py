"""The configuration schema (``config`` subcommand) generated from the field table.

The shape is baton-sdk's ``config_schema.json`` (protojson names of its ``Configuration``
message: ``fields`` with ``stringField``/``boolField`` and ``defaultValue``, ``constraints``
with ``CONSTRAINT_KIND_*``), plus ``envVar`` on each field because people configure connectors
through the environment and should not have to derive the variable name.
"""

from __future__ import annotations

from typing import Any

from baton_alibaba_cloud.cli._fields import CONSTRAINTS, FIELDS, Field, envvar

__all__ = ["config_schema"]

DISPLAY_NAME = "Alibaba Cloud"
HELP_URL = "https://github.com/conductorone/baton-alibaba-cloud#readme"

_KINDS = {
    "required_together": "CONSTRAINT_KIND_REQUIRED_TOGETHER",
    "mutually_exclusive": "CONSTRAINT_KIND_MUTUALLY_EXCLUSIVE",
    "dependent_on": "CONSTRAINT_KIND_DEPENDENT_ON",
}


def _typed(f: Field) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {}
    if f.kind == "bool":
        if f.default:
            body["defaultValue"] = True
        return "boolField", body
    if f.default is not None:
        body["defaultValue"] = str(f.default)
    if f.choices:
        body["rules"] = {"in": list(f.choices)}
    # baton-sdk has no float field: a float travels as a string, as viper would read it.
    return ("intField" if f.kind == "int" else "stringField"), body


def _field(f: Field) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": f.name, "displayName": f.display_name,
                           "description": f.description}
    if f.short:
        doc["shortHand"] = f.short
    if f.secret:
        doc["isSecret"] = True
    if f.is_ops:
        doc["isOps"] = True
    if f.hidden:
        doc["isHidden"] = True
    doc["envVar"] = envvar(f.name)
    key, body = _typed(f)
    doc[key] = body
    return doc


def config_schema() -> dict[str, Any]:
    """Every field and constraint as a JSON-ready dict."""
    constraints = []
    for c in CONSTRAINTS:
        item: dict[str, Any] = {"kind": _KINDS[c.kind], "fieldNames": list(c.fields)}
        if c.secondary:
            item["secondaryFieldNames"] = list(c.secondary)
        constraints.append(item)
    return {
        "fields": [_field(f) for f in FIELDS],
        "constraints": constraints,
        "displayName": DISPLAY_NAME,
        "helpUrl": HELP_URL,
    }
