"""Turn a validated account file into backend state (defaults: docs/emulator.md).

Ids that the file leaves out are derived from a hash of the name, so a hand-written account
gets the same UserId/GroupId/RoleId on every start. Built-in System policies (AdministratorAccess
and a few others) are added unless the file defines them, so every account can authorise an
administrator and a read-only connector.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..entities import (
    DEFAULT_QUOTAS,
    AccessKey,
    Account,
    Group,
    LoginProfile,
    MFADevice,
    OIDCProvider,
    Policy,
    PolicyVersion,
    ResourceGroup,
    Role,
    SAMLProvider,
    User,
    parse_time,
)
from . import settings
from .builtin import BUILTIN_SYSTEM_POLICIES
from .schema import AccountFileError, validate_account

if TYPE_CHECKING:
    from ..backend import Backend

__all__ = ["DEFAULT_CREATED", "build_account", "populate"]

DEFAULT_CREATED = "2024-01-01T00:00:00Z"


def stable_id(kind: str, name: str, digits: int = 17) -> str:
    """A numeric id derived from the name: stable across restarts, distinct per kind."""
    number = int.from_bytes(hashlib.sha256(f"{kind}:{name}".encode()).digest()[:8], "big")
    return str(10 ** (digits - 1) + number % (9 * 10 ** (digits - 1)))


def _time(item: dict[str, Any], key: str, default: datetime) -> datetime:
    value = item.get(key)
    return parse_time(value) if isinstance(value, str) else default


def _maybe_time(item: dict[str, Any], key: str) -> datetime | None:
    value = item.get(key)
    return parse_time(value) if isinstance(value, str) else None


def _document(value: Any) -> str:
    """Documents may be given as objects (serialised) or strings (kept exactly, even broken)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def build_account(data: dict[str, Any]) -> Account:
    """Validate the whole file and return its :class:`Account` (the backend's first piece)."""
    validate_account(data)
    section = data["account"]
    quotas = dict(DEFAULT_QUOTAS)
    quotas.update(section.get("limits", {}))
    problems: list[str] = []
    settings.check_settings(section, problems)
    if problems:
        raise AccountFileError(problems)
    return Account(
        uid=section["id"], alias=section["alias"],
        created=parse_time(section.get("created", DEFAULT_CREATED)), quotas=quotas,
        password_policy=settings.password_policy(section.get("password_policy")),
        security_preference=settings.security_preference(section.get("security_preference")),
    )


def populate(backend: Backend, data: dict[str, Any]) -> None:
    """Load every section into ``backend``; reference errors raise :class:`AccountFileError`."""
    problems: list[str] = []
    created = backend.account.created
    for item in data["account"].get("access_keys", []):
        backend.add_access_key(_key(item, None, created))
    _load_users(backend, data.get("users", []), created, problems)
    _load_groups(backend, data.get("groups", []), created, problems)
    _load_memberships(backend, data.get("memberships", []), created, problems)
    _load_roles(backend, data.get("roles", []), created, problems)
    _load_policies(backend, data.get("policies", []), created, problems)
    _load_resource_groups(backend, data.get("resource_groups", []), created, problems)
    _load_attachments(backend, data.get("attachments", []), created, problems)
    _load_providers(backend, data, created)
    if problems:
        raise AccountFileError(problems)


def _fresh(
    items: list[dict[str, Any]], section: str, taken: Mapping[str, str], default: datetime,
    problems: list[str],
) -> Iterator[tuple[int, dict[str, Any], datetime]]:
    """Each item whose name is not yet in ``taken``, with its index and creation time.

    Why lazily: the caller adds each item before the next is checked, so a name repeated in
    the file is a duplicate (a problem naming ``section[index].name``), not a second entity.
    """
    kind = section.removesuffix("s")
    for index, item in enumerate(items):
        if item["name"] in taken:
            problems.append(f"{section}[{index}].name: duplicate {kind} {item['name']!r}")
            continue
        yield index, item, _time(item, "created", default)


def _key(item: dict[str, Any], user_id: str | None, default: datetime) -> AccessKey:
    when = _time(item, "created", default)
    return AccessKey(
        access_key_id=item["id"], secret=item["secret"], user_id=user_id, created=when,
        updated=when, status=item.get("status", "Active"),
        last_used=_maybe_time(item, "last_used"),
        last_used_service=item.get("last_used_service", ""),
    )


def _load_users(backend: Backend, items: list[dict[str, Any]], default: datetime,
                problems: list[str]) -> None:
    for index, item, created in _fresh(items, "users", backend.user_by_name, default,
                                      problems):
        name = item["name"]
        user = User(
            user_id=item.get("id") or stable_id("user", name), name=name,
            display_name=item.get("display_name") or name, created=created,
            updated=_time(item, "updated", created), comments=item.get("comments", ""),
            email=item.get("email", ""), mobile_phone=item.get("mobile_phone", ""),
            status=item.get("status", "active"),
            provision_type=item.get("provision_type", "Manual"),
            last_login=_maybe_time(item, "last_login"), tags=dict(item.get("tags", {})),
        )
        backend.add_user(user)
        for key in item.get("access_keys", []):
            if key["id"] in backend.access_keys:
                problems.append(f"users[{index}].access_keys: duplicate key {key['id']!r}")
            else:
                backend.add_access_key(_key(key, user.user_id, created))
        _load_user_extras(backend, user, item)


def _load_user_extras(backend: Backend, user: User, item: dict[str, Any]) -> None:
    profile = item.get("login_profile")
    if profile is not None:
        when = _time(profile, "created", user.created)
        backend.login_profiles[user.user_id] = LoginProfile(
            user_id=user.user_id, created=when, updated=when,
            status=profile.get("status", "Active"),
            mfa_bind_required=profile.get("mfa_bind_required", False),
            password_reset_required=profile.get("password_reset_required", False),
            last_login=_maybe_time(profile, "last_login") or user.last_login,
            password_last_changed=_maybe_time(profile, "password_last_changed") or when,
        )
    mfa = item.get("mfa")
    if mfa is not None:
        backend.add_mfa_device(MFADevice(
            serial=f"acs:ram::{backend.account.uid}:mfa/{mfa['name']}", user_id=user.user_id,
            device_type=mfa.get("type", "VMFA"), activated=_time(mfa, "activated", user.created),
        ))


def _load_groups(backend: Backend, items: list[dict[str, Any]], default: datetime,
                 problems: list[str]) -> None:
    for _, item, created in _fresh(items, "groups", backend.group_by_name, default, problems):
        name = item["name"]
        backend.add_group(Group(
            group_id=item.get("id") or stable_id("group", name), name=name,
            display_name=item.get("display_name") or name, created=created,
            updated=_time(item, "updated", created), comments=item.get("comments", ""),
        ))


def _load_memberships(backend: Backend, items: list[dict[str, Any]], default: datetime,
                      problems: list[str]) -> None:
    users, groups = backend.user_by_name, backend.group_by_name
    for index, item in enumerate(items):
        user_id, group_id = users.get(item["user"]), groups.get(item["group"])
        if user_id is None or group_id is None:
            missing = "user" if user_id is None else "group"
            problems.append(f"memberships[{index}].{missing}: no such {missing} "
                            f"{item[missing]!r}")
        elif user_id in backend.members[group_id]:
            problems.append(f"memberships[{index}]: duplicate membership")
        else:
            backend.link_member(user_id, group_id, _time(item, "joined", default))


def _load_roles(backend: Backend, items: list[dict[str, Any]], default: datetime,
                problems: list[str]) -> None:
    for _, item, created in _fresh(items, "roles", backend.role_by_name, default, problems):
        name = item["name"]
        backend.add_role(Role(
            role_id=item.get("id") or stable_id("role", name, 19), name=name,
            trust_policy=_document(item["trust_policy"]), created=created,
            updated=_time(item, "updated", created), description=item.get("description", ""),
            max_session_duration=item.get("max_session_duration", 3600),
            tags=dict(item.get("tags", {})),
        ))


def _policy(item: dict[str, Any], default: datetime) -> Policy:
    created = _time(item, "created", default)
    raw_versions = item.get("versions") or [{"id": "v1", "document": item.get("document", {})}]
    versions = {
        v["id"]: PolicyVersion(v["id"], _document(v["document"]), _time(v, "created", created))
        for v in raw_versions
    }
    return Policy(
        name=item["name"], policy_type=item["type"], created=created,
        updated=_time(item, "updated", created),
        default_version=item.get("default_version") or next(iter(versions)),
        versions=versions, description=item.get("description", ""),
        tags=dict(item.get("tags", {})),
    )


def _load_policies(backend: Backend, items: list[dict[str, Any]], default: datetime,
                   problems: list[str]) -> None:
    for index, item in enumerate(items):
        policy = _policy(item, default)
        if policy.default_version not in policy.versions:
            problems.append(f"policies[{index}].default_version: no version "
                            f"{policy.default_version!r}")
        elif f"{policy.policy_type}:{policy.name}" in backend.policies:
            problems.append(f"policies[{index}].name: duplicate policy {policy.name!r}")
        else:
            backend.add_policy(policy)
    for builtin in BUILTIN_SYSTEM_POLICIES:
        if f"System:{builtin['name']}" not in backend.policies:
            backend.add_policy(_policy(builtin, default))


def _load_attachments(backend: Backend, items: list[dict[str, Any]], default: datetime,
                      problems: list[str]) -> None:
    indexes = {"user": backend.user_by_name, "group": backend.group_by_name,
               "role": backend.role_by_name}
    for index, item in enumerate(items):
        key = (item["policy_type"], item["policy"])
        kind = item["principal_type"]
        principal_id = indexes[kind].get(item["principal"])
        if f"{key[0]}:{key[1]}" not in backend.policies:
            problems.append(f"attachments[{index}].policy: no such policy {key[1]!r}")
        elif principal_id is None:
            problems.append(f"attachments[{index}].principal: no such {kind} "
                            f"{item['principal']!r}")
        else:
            _link(backend, index, item, key, (kind, principal_id), default, problems)


def _link(backend: Backend, index: int, item: dict[str, Any], key: tuple[str, str],
          ref: tuple[Any, str], default: datetime, problems: list[str]) -> None:
    """One attachment: account-wide, or within ``resource_group`` when the item names one."""
    when = _time(item, "attached", default)
    scope = item.get("resource_group")
    if scope is None:
        if key in backend.attached_to.get(ref, {}):
            problems.append(f"attachments[{index}]: duplicate attachment")
        else:
            backend.link_attachment(key, ref, when)
    elif scope not in backend.resource_groups:
        problems.append(f"attachments[{index}].resource_group: no such resource group "
                        f"{scope!r}")
    elif (scope, key, ref) in backend.scoped:
        problems.append(f"attachments[{index}]: duplicate attachment")
    else:
        backend.link_scoped(scope, key, ref, when)


def _load_resource_groups(backend: Backend, items: list[dict[str, Any]], default: datetime,
                          problems: list[str]) -> None:
    for index, item in enumerate(items):
        if item["id"] in backend.resource_groups:
            problems.append(f"resource_groups[{index}].id: duplicate resource group "
                            f"{item['id']!r}")
            continue
        backend.add_resource_group(ResourceGroup(
            group_id=item["id"], name=item["name"],
            display_name=item.get("display_name") or item["name"],
            created=_time(item, "created", default), status=item.get("status", "OK")))


def _load_providers(backend: Backend, data: dict[str, Any], default: datetime) -> None:
    for item in data.get("saml_providers", []):
        created = _time(item, "created", default)
        backend.saml_providers.add(item["name"], SAMLProvider(
            name=item["name"], created=created, updated=created,
            description=item.get("description", "")))
    for item in data.get("oidc_providers", []):
        created = _time(item, "created", default)
        backend.oidc_providers.add(item["name"], OIDCProvider(
            name=item["name"], issuer_url=item["issuer_url"],
            client_ids=list(item["client_ids"]), created=created, updated=created,
            fingerprints=list(item.get("fingerprints", [])),
            description=item.get("description", ""),
            issuance_limit_time=item.get("issuance_limit_time", 12)))
