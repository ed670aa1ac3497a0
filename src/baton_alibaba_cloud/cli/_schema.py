"""The configuration schema (``config`` subcommand) generated from the field table.

The shape is baton-sdk's ``config_schema.json``: the protojson of its ``c1.config.v1
.Configuration`` message (``fields`` with ``stringField``/``intField``/``boolField``, their
``defaultValue`` and ``rules``, ``constraints`` with ``CONSTRAINT_KIND_*``) and nothing else,
so that a strict protojson parser accepts it. As in baton-sdk, the flags of the one-shot command
line (``--file``, ``-p``, ``--grant-*``, ``--log-format``) and hidden flags are not part of it;
every field's environment variable is ``BATON_`` + its name (see docs/cli.md).
"""

from __future__ import annotations

from typing import Any

from baton_alibaba_cloud.cli._fields import CONSTRAINTS, FIELDS, Field

__all__ = ["config_schema", "exported"]

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
    if f.kind == "int":
        low, high = f.bounds or (1, None)
        body["rules"] = {"gte": str(int(low))} | ({"lte": str(int(high))} if high else {})
    # baton-sdk has no float field: a float travels as a string, as viper would read it.
    return ("intField" if f.kind == "int" else "stringField"), body


def _field(f: Field) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": f.name, "displayName": f.display_name,
                           "description": f.description}
    if f.is_ops:
        doc["isOps"] = True
    if f.secret:
        doc["isSecret"] = True
    key, body = _typed(f)
    doc[key] = body
    return doc


def exported(f: Field) -> bool:
    """Whether a field is connector configuration (in the schema), not a one-shot CLI flag."""
    return not (f.cli_only or f.hidden)


def config_schema() -> dict[str, Any]:
    """Every configuration field and the constraints among them, as a JSON-ready dict."""
    names = {f.name for f in FIELDS if exported(f)}
    constraints = []
    for c in CONSTRAINTS:
        if not set(c.fields + c.secondary) <= names:
            continue
        item: dict[str, Any] = {"kind": _KINDS[c.kind], "fieldNames": list(c.fields)}
        if c.secondary:
            item["secondaryFieldNames"] = list(c.secondary)
        constraints.append(item)
    return {
        "fields": [_field(f) for f in FIELDS if exported(f)],
        "constraints": constraints,
        "displayName": DISPLAY_NAME,
        "helpUrl": HELP_URL,
    }
