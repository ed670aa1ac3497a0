"""The table of implemented actions in ``docs/emulator.md``, generated so it cannot go stale.

Why generated: the list of actions the emulator answers changes with the handlers, and a
hand-kept list drifts. ``render()`` builds the Markdown from ``responses.implemented_actions()``,
the API metadata (page sizes) and the default quotas; ``scripts/refresh_emulator_docs.py``
writes it between the markers below, and ``tests/emulator/test_docs.py`` checks it is current.
"""

from __future__ import annotations

from pathlib import Path

from ..alibaba import metadata
from ..alibaba.endpoints import product_name
from .quotas import default_rate
from .responses import implemented_actions

__all__ = ["BEGIN", "END", "render", "replace_in"]

BEGIN = "<!-- implemented-actions:begin (scripts/refresh_emulator_docs.py) -->"
END = "<!-- implemented-actions:end -->"
_SERVICES: tuple[metadata.Service, ...] = ("ram", "ims", "sts", "resourcemanager", "cloudsso")
_READ_PREFIXES = ("Get", "List")


def _paging(service: metadata.Service, action: str) -> str:
    params = metadata.load(service).actions[action].parameters
    param = (params.get("MaxItems") or params.get("MaxResults")
             or (params.get("PageSize") if "PageNumber" in params else None))
    if param is None or param.maximum is None:
        return ""
    prefix = "" if param.name == "MaxItems" else f"{param.name} "
    return f"{prefix}{param.default} / {param.minimum}-{param.maximum}"


def _row(service: metadata.Service, action: str) -> str:
    spec = metadata.load(service).actions[action]
    if action.startswith(_READ_PREFIXES):
        kind = "read"
    elif action.startswith("AssumeRole"):
        kind = "STS session"
    else:
        kind = "write"
    if spec.auth_type.lower() == "anonymous":
        kind += ", anonymous"
    rate = default_rate(service, action)
    paging = _paging(service, action)
    return f"| {product_name(service)} | {action} | {kind} | {paging} | {rate:g} |"


def render() -> str:
    """The Markdown block, markers included (deterministic: sorted by service, then action)."""
    implemented = implemented_actions()
    lines = [BEGIN, "",
             "| service | action | kind | MaxItems (or PageSize, MaxResults) default / range "
             "| default quota (req/s) |",
             "| --- | --- | --- | --- | --- |"]
    counts = []
    for service in _SERVICES:
        mine = sorted(a for s, a in implemented if s == service)
        lines += [_row(service, action) for action in mine]
        total = len(metadata.load(service).actions)
        counts.append(f"{product_name(service)} {len(mine)} of {total}")
    lines += ["", f"Implemented: {', '.join(counts)} actions of the pinned SDKs. Every other "
              "action of the snapshots is answered `UnsupportedOperation` (400).", "", END]
    return "\n".join(lines)


def replace_in(path: Path) -> bool:
    """Rewrite the block in ``path``; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"{path}: the markers {BEGIN!r} … {END!r} are missing")
    updated = head + render() + tail
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True
