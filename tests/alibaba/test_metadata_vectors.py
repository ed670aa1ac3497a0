"""Cross-check the snapshots against ``../shared/vectors/acs3/actions.txt``.

That file was extracted from the same SDK packages by a different script; agreeing with it on
the action lists, the wire parameters and the response trees guards against a blind spot in our
AST reading (a missed ``*with_options`` method, a wrong JSON key, a lost nesting level).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import metadata
from baton_alibaba_cloud.alibaba.metadata import FieldSpec, Service

_SCALARS = {"str": "string", "int": "integer", "bool": "boolean", "float": "number"}
_HEADER = re.compile(r"^===== (RAM|IMS): ")
_LISTED = re.compile(r"^  (\w+)\s+POST RPC version=\S+ params_in=\w+$")
_SECTION = re.compile(r"^--- (RAM|IMS) (\w+)  \[")
_NODE = re.compile(r"^(\s*)(\w+)(\[\])?(?::\s*(\w+))?")


@dataclass
class Section:
    """What actions.txt says about one action."""

    wire: list[tuple[str, str]] = field(default_factory=list)
    response: dict[str, Any] = field(default_factory=dict)


def _parse_wire(text: str) -> list[tuple[str, str]]:
    if text.strip() == "(none)":
        return []
    out = []
    for part in re.split(r",\s*(?![^()]*\))", text):
        name = part.split()[0]
        style = "json" if "JSON string" in part else (
            "repeatList" if "flattened" in part else "simple")
        out.append((name, style))
    return out


def _parse_tree(lines: list[str]) -> dict[str, Any]:
    """Indented ``Name: type`` / ``Name[]  (Model)`` lines -> nested {name: (type, children)}."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]
    for line in lines:
        found = _NODE.match(line)
        if found is None:
            continue
        indent = len(found[1])
        while stack[-1][0] >= indent:
            stack.pop()
        kind = _SCALARS.get(found[4] or "", "object")
        children: dict[str, Any] = {}
        stack[-1][1][found[2]] = ("array" if found[3] else kind, kind, children)
        stack.append((indent, children))
    return root


def parse_actions_txt(path: Path) -> tuple[dict[str, set[str]], dict[tuple[str, str], Section]]:
    listed: dict[str, set[str]] = {}
    sections: dict[tuple[str, str], Section] = {}
    service = ""
    current: Section | None = None
    mode = ""
    tree_lines: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), "--- END"]:
        if line.startswith(("---", "=====")) and current is not None:
            current.response = _parse_tree(tree_lines)
            current = None
        if found := _HEADER.match(line):
            service = found[1].lower()
            listed[service] = set()
        elif (found := _LISTED.match(line)) and current is None:
            listed[service].add(found[1])
        elif line.startswith("---"):
            if found := _SECTION.match(line):
                current = sections[found[1].lower(), found[2]] = Section()
            mode, tree_lines = "", []
        elif current is not None and "wire request params" in line:
            current.wire = _parse_wire(line.split(":", 1)[1])
        elif current is not None and "response model" in line:
            mode = "response"
        elif current is not None and "request model" in line:
            mode = "request"
        elif current is not None and mode == "response":
            tree_lines.append(line)
    return listed, sections


@pytest.fixture(scope="module")
def vectors(shared_dir: Path) -> tuple[dict[str, set[str]], dict[tuple[str, str], Section]]:
    return parse_actions_txt(shared_dir / "vectors" / "acs3" / "actions.txt")


def test_action_lists_match(vectors: tuple[dict[str, set[str]], Any]) -> None:
    listed, _ = vectors
    assert len(listed["ram"]) == 69 and len(listed["ims"]) == 107
    for service in ("ram", "ims"):
        assert set(metadata.load(service).actions) == listed[service]


def _compare(tree: dict[str, Any], spec: FieldSpec, where: str) -> None:
    assert set(tree) == set(spec.fields), where
    for name, (kind, item_kind, children) in tree.items():
        node = spec.fields[name]
        assert node.type == kind, f"{where}.{name}"
        if kind == "array":
            assert node.item is not None
            if item_kind != "object":
                assert node.item.type == item_kind, f"{where}.{name}[]"
            node = node.item
        if children:
            _compare(children, node, f"{where}.{name}")


def test_sampled_sections_match(
        vectors: tuple[Any, dict[tuple[str, str], Section]]) -> None:
    _, sections = vectors
    assert len(sections) >= 12
    for (service, action), section in sorted(sections.items()):
        spec = metadata.load(service).actions[action]  # type: ignore[arg-type]
        wire = sorted((name, p.style) for name, p in spec.parameters.items())
        assert wire == sorted(section.wire), f"{service} {action}"
        _compare(section.response, spec.response, f"{service} {action}")


def test_ims_user_status_is_in_the_sample(
        vectors: tuple[Any, dict[tuple[Service, str], Section]]) -> None:
    _, sections = vectors
    assert ("Status", "simple") in sections["ims", "ListUsers"].wire
