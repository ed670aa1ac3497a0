"""A seeded generator of synthetic organizations (a Resource Directory) in the documented format.

``generate_org(parse_org_spec("accounts=5,folders=2,users=100"))`` returns an organization file:
account 0 is the management account (in the root folder), members 1..N-1 go round-robin into
``folders`` first-level folders and, with ``depth=2``, one subfolder under each. Every other
item (``users=``, ``groups=`` …) is the per-account spec of ``generator.parse_spec``; each
account gets its own id, alias, seed and AccessKey ids, so keys never collide between accounts.
The management account's ``emulator-admin`` (a RAM user with AdministratorAccess) is the key the
emulator prints: a RAM user, not root, so it may assume the members' access roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .generator import Spec, generate, parse_spec

__all__ = ["OrgSpec", "generate_org", "parse_org_spec"]

_ORG_ITEMS = ("accounts", "folders", "depth")


@dataclass(frozen=True)
class OrgSpec:
    """How many accounts and folders, and the spec of each account."""

    accounts: int = 4
    folders: int = 2
    depth: int = 2
    account: Spec = field(default_factory=Spec)


def parse_org_spec(text: str) -> OrgSpec:
    """``accounts=5,folders=2,depth=2,users=100`` → :class:`OrgSpec` (ValueError if bad)."""
    own: dict[str, int] = {}
    rest: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, raw = part.partition("=")
        if name.strip() in _ORG_ITEMS:
            try:
                own[name.strip()] = int(raw)
            except ValueError:
                raise ValueError(f"bad value for {name.strip()}: {raw!r}") from None
        else:
            rest.append(part)
    spec = OrgSpec(**own, account=parse_spec(",".join(rest)))
    if not 1 <= spec.accounts <= 999:
        raise ValueError("accounts must be between 1 and 999")
    if spec.folders < 0 or spec.depth not in (1, 2):
        raise ValueError("folders must not be negative and depth must be 1 or 2")
    return spec


def _folders(spec: OrgSpec) -> list[dict[str, Any]]:
    folders: list[dict[str, Any]] = []
    for index in range(spec.folders):
        folders.append({"id": f"fd-gen{index:04d}", "name": f"folder{index:04d}"})
        if spec.depth == 2:
            folders.append({"id": f"fd-gen{index:04d}s", "name": f"folder{index:04d}-sub",
                            "parent": f"fd-gen{index:04d}"})
    return folders


def generate_org(spec: OrgSpec) -> dict[str, Any]:
    """The whole organization for ``spec``; deterministic for a given spec."""
    folders = _folders(spec)
    base = int(spec.account.account_id)
    entries: list[dict[str, Any]] = []
    for index in range(spec.accounts):
        account = replace(spec.account, account_id=str(base + index),
                          alias=f"{spec.account.alias}{index}", seed=spec.account.seed + index,
                          key_prefix=f"LTAI5tG{index:03d}")
        entry: dict[str, Any] = {"display_name": f"account{index:03d}",
                                 "document": generate(account)}
        if index == 0:
            entry["management"] = True
        elif folders:
            entry["folder"] = folders[(index - 1) % len(folders)]["id"]
        entries.append(entry)
    return {"version": 1, "organization": {"resource_directory_id": "rd-synthetic",
                                           "root_folder_id": "r-synthetic",
                                           "folders": folders, "accounts": entries}}
