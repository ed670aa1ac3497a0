"""The organization file's ``cloudsso`` block: validated, then built into a :class:`CloudSSO`.

Why by name: a test or demo file says "alice is in ops, ops has ReadOnly on prod-app" without
inventing ids; ids are generated, stable, in Alibaba's shapes (``d-``, ``u-``, ``g-``, ``ac-``)
unless the file gives them. Every problem names its entry
(``organization.cloudsso.assignments[1].principal: no group 'opz'``) and all are reported at
once, like the rest of the account file. The block's format is in docs/emulator.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ..backend import Backend
from ..cloudsso import (
    AccessConfiguration,
    AssignmentKey,
    CloudSSO,
    Directory,
    SsoGroup,
    SsoUser,
    Target,
    sso_id,
)
from ..cloudsso_provision import ReservedPolicy
from ..entities import parse_time

__all__ = ["build_cloudsso"]

WHERE = "organization.cloudsso"
REGIONS = ("cn-shanghai", "us-west-1")
_BLOCK_KEYS = frozenset({"directory_id", "directory_name", "region", "created", "users",
                         "groups", "access_configurations", "assignments"})
_USER_KEYS = frozenset({"name", "id", "display_name", "email", "status", "provision_type",
                        "created", "first_name", "last_name", "description"})
_GROUP_KEYS = frozenset({"name", "id", "description", "members", "created", "provision_type"})
_CONFIG_KEYS = frozenset({"name", "id", "description", "session_duration", "policies",
                          "created", "relay_state"})
_ASSIGNMENT_KEYS = frozenset({"access_configuration", "principal_type", "principal",
                              "account"})


class _Problems(list[str]):
    def unknown(self, where: str, item: Mapping[str, Any], allowed: frozenset[str]) -> None:
        self.extend(f"{where}.{k}: unknown field" for k in sorted(set(item) - allowed))

    def choice(self, where: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            self.append(f"{where}: {value!r} is not one of {', '.join(allowed)}")


def _entries(block: Mapping[str, Any], section: str, allowed: frozenset[str],
             problems: _Problems) -> list[tuple[str, dict[str, Any]]]:
    """Each well-formed entry of a section with where it is; names must be unique."""
    items = block.get(section, [])
    if not isinstance(items, list):
        problems.append(f"{WHERE}.{section}: must be a list")
        return []
    seen: set[str] = set()
    found: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        where = f"{WHERE}.{section}[{index}]"
        if not isinstance(item, dict) or (section != "assignments"
                                          and not isinstance(item.get("name"), str)):
            problems.append(f"{where}: must be an object with a name")
            continue
        problems.unknown(where, item, allowed)
        if "name" in item and item["name"] in seen:
            problems.append(f"{where}.name: duplicate name {item['name']!r}")
            continue
        seen.add(item.get("name", ""))
        found.append((where, item))
    return found


def _when(item: Mapping[str, Any], default: datetime) -> datetime:
    value = item.get("created")
    return parse_time(value) if isinstance(value, str) else default


def _users(sso: CloudSSO, block: Mapping[str, Any], problems: _Problems) -> None:
    d_id = sso.directory.directory_id
    for where, item in _entries(block, "users", _USER_KEYS, problems):
        problems.choice(f"{where}.status", item.get("status", "Enabled"), ("Enabled", "Disabled"))
        problems.choice(f"{where}.provision_type", item.get("provision_type", "Manual"),
                        ("Manual", "Synchronized"))
        user_id = str(item.get("id") or sso_id("u-", f"{d_id}:user:{item['name']}"))
        sso.users.add(user_id, SsoUser(
            user_id=user_id, name=item["name"],
            display_name=str(item.get("display_name", item["name"])),
            email=str(item.get("email", "")), status=str(item.get("status", "Enabled")),
            provision_type=str(item.get("provision_type", "Manual")),
            created=_when(item, sso.directory.created),
            first_name=str(item.get("first_name", "")), last_name=str(item.get("last_name", "")),
            description=str(item.get("description", ""))))


def _groups(sso: CloudSSO, block: Mapping[str, Any], problems: _Problems) -> None:
    d_id = sso.directory.directory_id
    users = {u.name: u.user_id for u in sso.users}
    for where, item in _entries(block, "groups", _GROUP_KEYS, problems):
        created = _when(item, sso.directory.created)
        group_id = str(item.get("id") or sso_id("g-", f"{d_id}:group:{item['name']}"))
        group = SsoGroup(group_id, item["name"], str(item.get("description", "")), created,
                         str(item.get("provision_type", "Manual")))
        for index, member in enumerate(item.get("members", [])):
            if member not in users:
                problems.append(f"{where}.members[{index}]: no user {member!r}")
            else:
                group.members[users[member]] = created
        sso.groups.add(group_id, group)


def _policies(where: str, items: Any, management: Backend,
              problems: _Problems) -> list[ReservedPolicy]:
    policies: list[ReservedPolicy] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        at = f"{where}.policies[{index}]"
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "System" and isinstance(item.get("name"), str):
            if f"System:{item['name']}" not in management.policies:
                problems.append(f"{at}.name: no System policy {item['name']!r} (built in or "
                                "in the management account's file)")
            policies.append(ReservedPolicy("System", item["name"]))
        elif kind == "Inline" and isinstance(item.get("document"), (dict, str)):
            document = item["document"]
            text = document if isinstance(document, str) else json.dumps(
                document, separators=(",", ":"))
            policies.append(ReservedPolicy("Inline", str(item.get("name", "")), text))
        else:
            problems.append(f"{at}: must be {{\"type\": \"System\", \"name\"}} or "
                            "{\"type\": \"Inline\", \"document\"}")
    if sum(p.policy_type == "Inline" for p in policies) > 1:
        problems.append(f"{where}.policies: at most one Inline policy")
    return policies


def _configurations(sso: CloudSSO, block: Mapping[str, Any], problems: _Problems) -> None:
    d_id = sso.directory.directory_id
    for where, item in _entries(block, "access_configurations", _CONFIG_KEYS, problems):
        duration = item.get("session_duration", 3600)
        if not isinstance(duration, int) or not 900 <= duration <= 43200:
            problems.append(f"{where}.session_duration: must be 900 to 43200 seconds")
            duration = 3600
        config_id = str(item.get("id") or sso_id("ac-", f"{d_id}:ac:{item['name']}"))
        sso.configurations.add(config_id, AccessConfiguration(
            config_id, item["name"], str(item.get("description", "")), duration,
            _when(item, sso.directory.created),
            _policies(where, item.get("policies", []), sso.management, problems),
            str(item.get("relay_state", ""))))


class _Names:
    """Name → id of everything an assignment may name (built once per file)."""

    def __init__(self, sso: CloudSSO) -> None:
        self.configs = {c.name: c.config_id for c in sso.configurations}
        self.principals = {"User": {u.name: u.user_id for u in sso.users},
                           "Group": {g.name: g.group_id for g in sso.groups}}
        self.accounts = {**{t.name: t.uid for t in sso.targets.values()},
                         **{uid: uid for uid in sso.targets}}

    def key(self, where: str, item: Mapping[str, Any], problems: _Problems
            ) -> AssignmentKey | None:
        kind = item.get("principal_type")
        if kind != "User" and kind != "Group":
            problems.append(f"{where}.principal_type: must be User or Group")
            return None
        found = [self.configs.get(str(item.get("access_configuration"))),
                 self.principals[kind].get(str(item.get("principal"))),
                 self.accounts.get(str(item.get("account")))]
        for value, name, what in zip(found, ("access_configuration", "principal", "account"),
                                     ("access configuration", kind.lower(), "account"),
                                     strict=True):
            if value is None:
                problems.append(f"{where}.{name}: no {what} {item.get(name)!r}")
        if None in found:
            return None
        return AssignmentKey(str(found[0]), str(found[2]), kind, str(found[1]))


def _assignments(sso: CloudSSO, block: Mapping[str, Any], problems: _Problems) -> None:
    names = _Names(sso)
    for where, item in _entries(block, "assignments", _ASSIGNMENT_KEYS, problems):
        key = names.key(where, item, problems)
        if key is None:
            continue
        if key in sso.assignments:
            problems.append(f"{where}: duplicate assignment")
            continue
        reason = sso.assign(key, sso.directory.created)
        if reason is not None:
            problems.append(f"{where}: {reason}")


def build_cloudsso(block: Any, targets: Mapping[str, Target], management: Backend,
                   now: Callable[[], datetime], task_delay: timedelta,
                   problems: list[str]) -> CloudSSO | None:
    """The directory the block describes, or None with ``problems`` extended."""
    found = _Problems()
    if not isinstance(block, dict):
        problems.append(f"{WHERE}: must be an object")
        return None
    found.unknown(WHERE, block, _BLOCK_KEYS)
    region = block.get("region", "cn-shanghai")
    found.choice(f"{WHERE}.region", region, REGIONS)
    name = block.get("directory_name", "")
    if not isinstance(name, str) or not name:
        found.append(f"{WHERE}.directory_name: must be a non-empty string")
    created = _when(block, management.account.created)
    directory = Directory(str(block.get("directory_id") or sso_id(
        "d-", f"{management.account_id}:directory", 12)), str(name), str(region), created)
    sso = CloudSSO(directory, targets, management, now, task_delay)
    for step in (_users, _groups, _configurations, _assignments):
        step(sso, block, found)
    problems += found
    return None if found else sso
