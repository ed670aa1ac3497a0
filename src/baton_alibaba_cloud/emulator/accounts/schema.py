"""Validation of an account file, with one clear line per problem (``users[3].status: …``).

Unknown fields are refused, so a typo in a hand-written account fails loudly instead of being
silently ignored; references (memberships, attachments) must name entities that exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["AccountFileError", "validate_account"]

Check = Callable[[Any], str | None]


class AccountFileError(ValueError):
    """The account file is not valid; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        # The first line stands alone (the CLI prints only it): the first problem and a count.
        extra = len(problems) - 1
        others = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"invalid emulator account file: {problems[0]}{others}\n  {shown}{more}")
        self.problems = problems


def _str(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _nonempty(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "must be a non-empty string"


def _int(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool)
    return None if ok else "must be an integer"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


ENUMS: dict[Check, tuple[str, ...]] = {}
"""The allowed values of each ``_one_of`` check (read by ``json_schema.py``)."""


def _one_of(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}; got {value!r}"
    ENUMS[check] = allowed
    return check


def _str_list(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return None if ok else "must be a list of strings"


def _tags(value: Any) -> str | None:
    ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return None if ok else "must be an object of string values"


def _document(value: Any) -> str | None:
    return None if isinstance(value, str | dict) else "must be a JSON object or a string"


def _time(value: Any) -> str | None:
    from ..entities import parse_time

    if not isinstance(value, str):
        return "must be a time string like 2024-01-02T03:04:05Z"
    try:
        parse_time(value)
    except ValueError:
        return f"must be a time string like 2024-01-02T03:04:05Z; got {value!r}"
    return None


KEY_FIELDS: dict[str, Check] = {
    "id": _nonempty, "secret": _nonempty, "status": _one_of("Active", "Inactive"),
    "created": _time, "last_used": _time, "last_used_service": _str,
}
FIELDS: dict[str, dict[str, Check]] = {
    "account": {"id": _nonempty, "alias": _nonempty, "created": _time, "quotas": lambda v: None,
                "limits": lambda v: None, "access_keys": lambda v: None,
                "password_policy": lambda v: None, "security_preference": lambda v: None},
    "users": {"name": _nonempty, "id": _nonempty, "display_name": _str, "comments": _str,
              "email": _str, "mobile_phone": _str, "status": _one_of("active", "freeze"),
              "provision_type": _str, "created": _time, "updated": _time, "last_login": _time,
              "tags": _tags, "access_keys": lambda v: None, "login_profile": lambda v: None,
              "mfa": lambda v: None},
    "groups": {"name": _nonempty, "id": _nonempty, "display_name": _str, "comments": _str,
               "created": _time, "updated": _time},
    "memberships": {"user": _nonempty, "group": _nonempty, "joined": _time},
    "roles": {"name": _nonempty, "id": _nonempty, "description": _str,
              "max_session_duration": _int, "trust_policy": _document, "created": _time,
              "updated": _time, "tags": _tags},
    "policies": {"name": _nonempty, "type": _one_of("System", "Custom"), "description": _str,
                 "default_version": _nonempty, "document": _document,
                 "versions": lambda v: None, "created": _time, "updated": _time, "tags": _tags},
    "attachments": {"policy": _nonempty, "policy_type": _one_of("System", "Custom"),
                    "principal_type": _one_of("user", "group", "role"),
                    "principal": _nonempty, "attached": _time, "resource_group": _nonempty},
    "resource_groups": {"id": _nonempty, "name": _nonempty, "display_name": _str,
                        "status": _one_of("OK", "Creating", "PendingDelete"), "created": _time},
    "saml_providers": {"name": _nonempty, "description": _str, "created": _time},
    "oidc_providers": {"name": _nonempty, "issuer_url": _nonempty, "client_ids": _str_list,
                       "fingerprints": _str_list, "description": _str, "created": _time,
                       "issuance_limit_time": _int},
}
NESTED: dict[str, dict[str, Check]] = {
    "access_keys": KEY_FIELDS,
    "login_profile": {"status": _one_of("Active", "Inactive"), "mfa_bind_required": _bool,
                      "password_reset_required": _bool, "last_login": _time, "created": _time,
                      "password_last_changed": _time},
    "mfa": {"name": _nonempty, "type": _one_of("VMFA", "U2F"), "activated": _time},
    "versions": {"id": _nonempty, "document": _document, "created": _time},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "account": ("id", "alias"), "users": ("name",), "groups": ("name",),
    "memberships": ("user", "group"), "roles": ("name", "trust_policy"),
    "policies": ("name", "type"), "attachments": ("policy", "policy_type", "principal_type",
                                                 "principal"),
    "resource_groups": ("id", "name"),
    "saml_providers": ("name",), "oidc_providers": ("name", "issuer_url", "client_ids"),
    "access_keys": ("id", "secret"), "mfa": ("name",), "versions": ("id", "document"),
    "login_profile": (),
}


def _check_object(path: str, section: str, value: Any, fields: dict[str, Check],
                  problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object")
        return
    for name in REQUIRED.get(section, ()):
        if name not in value:
            problems.append(f"{path}.{name}: is required")
    for name in value.keys() - fields.keys():
        problems.append(f"{path}.{name}: unknown field (known: {', '.join(sorted(fields))})")
    for name, item in value.items():
        check = fields.get(name)
        if check is None or (item is None and name in _NULLABLE):
            continue
        problem = check(item)
        if problem:
            problems.append(f"{path}.{name}: {problem}")
        elif name in NESTED:
            _check_nested(f"{path}.{name}", name, item, problems)


_NULLABLE = frozenset({"login_profile", "mfa", "last_login", "last_used"})


def _check_nested(path: str, name: str, value: Any, problems: list[str]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_object(f"{path}[{index}]", name, item, NESTED[name], problems)
    elif isinstance(value, dict):
        _check_object(path, name, value, NESTED[name], problems)
    else:
        shape = "a list" if name in ("access_keys", "versions") else "an object"
        problems.append(f"{path}: must be {shape}")


def _check_limits(account: dict[str, Any], problems: list[str]) -> None:
    """``limits``: GetAccountSummary quotas by name; ``quotas``: per-action requests/second."""
    from ..entities import DEFAULT_QUOTAS

    limits = account.get("limits", {})
    if not isinstance(limits, dict) or any(_int(v) for v in limits.values()):
        problems.append("account.limits: must be an object of integers")
    else:
        for name in limits:
            if name not in DEFAULT_QUOTAS:
                problems.append(f"account.limits.{name}: unknown limit "
                                f"(known: {', '.join(sorted(DEFAULT_QUOTAS))})")
    quotas = account.get("quotas", {})
    if not isinstance(quotas, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in quotas.values()
    ):
        problems.append("account.quotas: must be an object of numbers (requests per second)")


def validate_account(data: Any) -> None:
    """Raise :class:`AccountFileError` listing every problem of a parsed account file."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise AccountFileError(["the file must hold one JSON object"])
    for key in data:
        if key not in FIELDS and key not in ("version", "$schema"):
            problems.append(f"{key}: unknown section (known: {', '.join(sorted(FIELDS))})")
    if data.get("version", 1) != 1:
        problems.append(f"version: must be 1; got {data.get('version')!r}")
    _check_object("account", "account", data.get("account"), FIELDS["account"], problems)
    account = data.get("account")
    if isinstance(account, dict):
        _check_nested("account.access_keys", "access_keys", account.get("access_keys", []),
                      problems)
        _check_limits(account, problems)
    for section in FIELDS:
        if section == "account":
            continue
        items = data.get(section, [])
        if not isinstance(items, list):
            problems.append(f"{section}: must be a list")
            continue
        for index, item in enumerate(items):
            _check_object(f"{section}[{index}]", section, item, FIELDS[section], problems)
    if problems:
        raise AccountFileError(problems)
