"""docs/emulator.md stays true: the generated action table, and every field, key and switch.

Why: the page is the emulator's contract with its users (account authors, test writers, the
demo); a field the loader accepts or a switch the options offer that the page does not name is
a field nobody can find.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from baton_alibaba_cloud.emulator import actions_table
from baton_alibaba_cloud.emulator.accounts import generator, json_schema, schema
from baton_alibaba_cloud.emulator.backend import Backend
from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
SCHEMA = DOC.with_name("emulator-account.schema.json")


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def test_implemented_actions_table_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert actions_table.render() in text, (
        "docs/emulator.md is stale: run .venv/bin/python scripts/refresh_emulator_docs.py")


def test_replace_in_rewrites_only_the_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"before\n{actions_table.BEGIN}\nold\n{actions_table.END}\nafter\n")
    assert actions_table.replace_in(page) is True
    assert page.read_text() == f"before\n{actions_table.render()}\nafter\n"
    assert actions_table.replace_in(page) is False
    page.write_text("no markers")
    with pytest.raises(ValueError):
        actions_table.replace_in(page)


def _documented_names(section: str) -> set[str]:
    """Every name in a code span, split at dots and brackets (``users[].login_profile``)."""
    prose = re.sub(r"```.*?```", "", section, flags=re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose)
    return {part for span in spans for part in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span)}


def test_every_account_field_is_documented() -> None:
    names = _documented_names(_section("The account file"))
    fields = {name for section in schema.FIELDS.values() for name in section}
    fields |= {name for nested in schema.NESTED.values() for name in nested}
    fields |= set(schema.FIELDS) | {"version"}
    assert fields - names == set()


def test_every_generator_key_is_documented_with_its_default() -> None:
    section = _section("The generator")
    for spec_field in dataclasses.fields(generator.Spec):
        row = re.search(rf"^\| `{spec_field.name}` \| `?([^|`]+)`? \|", section, re.MULTILINE)
        assert row is not None, spec_field.name
        assert row.group(1).strip() == str(spec_field.default), spec_field.name


def test_every_switch_is_documented() -> None:
    names = _documented_names(_section("Starting it"))
    options = {f.name for f in dataclasses.fields(EmulatorOptions)}
    faults = {f.name for f in dataclasses.fields(FaultOptions)}
    assert (options | faults) - names == set()


def test_account_json_schema_is_current_and_usable_in_a_file() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == json_schema.render(), (
        "docs/emulator-account.schema.json is stale: run scripts/refresh_emulator_docs.py")
    built = json_schema.build()
    assert set(built["properties"]) == {"$schema", "version", *schema.FIELDS}
    users = built["properties"]["users"]["items"]
    assert users["properties"]["status"] == {"enum": ["active", "freeze"]}
    assert users["required"] == ["name"] and users["additionalProperties"] is False
    account = {"$schema": "../docs/emulator-account.schema.json",
               "account": {"id": "1234567890123456", "alias": "x"}}
    assert Backend.from_account(account).account_id == "1234567890123456"
    assert "emulator-account.schema.json" in DOC.read_text(encoding="utf-8")
