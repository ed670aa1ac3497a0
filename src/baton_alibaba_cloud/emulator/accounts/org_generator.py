"""A seeded generator of synthetic organizations (a Resource Directory) in the documented format.

``generate_org(parse_org_spec("accounts=5,folders=2,users=100"))`` returns an organization file:
account 0 is the management account (in the root folder), members 1..N-1 go round-robin into
``folders`` first-level folders and, with ``depth=2``, one subfolder under each. Every other
item (``users=``, ``groups=`` …) is the per-account spec of ``generator.parse_spec``; each
account gets its own id, alias, seed and AccessKey ids, so keys never collide between accounts.
The management account's ``emulator-admin`` (a RAM user with AdministratorAccess) is the key the
emulator prints: a RAM user, not root, so it may assume the members' access roles.

CloudSSO (``sso_users``, ``sso_groups``, ``access_configurations``, ``assignments``; all 0 by
default, and no ``cloudsso`` block then): users go round-robin into the groups; configurations
rotate through the built-in System policies, every third with an inline policy; assignments are
distinct (configuration, principal, account) triples, spread over the members (the management
account when there is none) and alternating groups and users, provisioned at load like any
assignment of a file. Deterministic for a spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .generator import Spec, generate, parse_spec

__all__ = ["OrgSpec", "generate_org", "parse_org_spec"]

_ORG_ITEMS = ("accounts", "folders", "depth", "sso_users", "sso_groups",
              "access_configurations", "assignments")
_SSO_SYSTEM = ("ReadOnlyAccess", "AliyunRAMReadOnlyAccess", "AdministratorAccess",
               "AliyunRAMFullAccess", "AliyunSTSAssumeRoleAccess")
_INLINE = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:Describe*",
                                         "Resource": "*"}]}


@dataclass(frozen=True)
class OrgSpec:
    """How many accounts and folders, and the spec of each account."""

    accounts: int = 4
    folders: int = 2
    depth: int = 2
    sso_users: int = 0
    sso_groups: int = 0
    access_configurations: int = 0
    assignments: int = 0
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
    _check_sso(spec)
    return spec


def _check_sso(spec: OrgSpec) -> None:
    counts = (spec.sso_users, spec.sso_groups, spec.access_configurations, spec.assignments)
    if min(counts) < 0:
        raise ValueError("the CloudSSO counts must not be negative")
    members = max(spec.accounts - 1, 1)
    possible = spec.access_configurations * members * (spec.sso_users + spec.sso_groups)
    if spec.assignments > possible:
        raise ValueError(f"assignments={spec.assignments} exceeds the {possible} distinct "
                         "(configuration, principal, account) triples the spec allows")


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
    organization: dict[str, Any] = {"resource_directory_id": "rd-synthetic",
                                    "root_folder_id": "r-synthetic",
                                    "folders": folders, "accounts": entries}
    if any((spec.sso_users, spec.sso_groups, spec.access_configurations, spec.assignments)):
        organization["cloudsso"] = _cloudsso(spec, [e["display_name"] for e in entries])
    return {"version": 1, "organization": organization}


def _cloudsso(spec: OrgSpec, accounts: list[str]) -> dict[str, Any]:
    """The CloudSSO block of ``spec`` (the module docstring says how items are spread)."""
    users = [f"sso-user{i:05d}" for i in range(spec.sso_users)]
    groups = [{"name": f"sso-group{g:04d}",
               "members": users[g::spec.sso_groups] if spec.sso_groups else []}
              for g in range(spec.sso_groups)]
    configs = []
    for index in range(spec.access_configurations):
        policies: list[dict[str, Any]] = [
            {"type": "System", "name": _SSO_SYSTEM[index % len(_SSO_SYSTEM)]}]
        if index % 3 == 2:
            policies.append({"type": "Inline", "name": "inline", "document": _INLINE})
        configs.append({"name": f"Config{index:04d}", "policies": policies})
    principals = [("Group", g["name"]) for g in groups] + [("User", u) for u in users]
    principals = principals[::2] + principals[1::2]  # groups and users alternate early on
    targets = accounts[1:] or accounts
    assignments = []
    for k in range(spec.assignments):
        config, rest = k % len(configs), k // len(configs)
        account, rest = rest % len(targets), rest // len(targets)
        kind, name = principals[rest]
        assignments.append({"access_configuration": configs[config]["name"],
                            "principal_type": kind, "principal": name,
                            "account": targets[account]})
    return {"directory_id": "d-synthetic0", "directory_name": "synthetic-sso",
            "users": [{"name": u} for u in users], "groups": groups,
            "access_configurations": configs, "assignments": assignments}
