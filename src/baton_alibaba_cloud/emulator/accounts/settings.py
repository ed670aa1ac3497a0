"""The account-wide settings IMS GetPasswordPolicy and GetSecurityPreference answer with, and
an account file's ``account.password_policy`` / ``account.security_preference`` over them.

Why from the metadata snapshot: the password policy's fields and their defaults are the ones
the SDK documents for SetPasswordPolicy (a field with no documented default is ``false``), so
an emulated account without a policy answers like a new Alibaba account does. The security
preference has no Set* defaults in the metadata; its defaults are the RAM console's for a new
account (users may change their password and manage their MFA devices, not their AccessKeys;
MFA at login follows each user's own setting; sessions last 6 hours; no idle limits).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from baton_alibaba_cloud.alibaba import metadata

__all__ = ["check_settings", "password_policy", "security_preference"]

_SECURITY_DEFAULTS: dict[str, Any] = {
    "AccessKeyPreference": {"AllowUserToManageAccessKeys": False,
                            "AllowUserToManageServiceCredentials": False},
    "LoginProfilePreference": {"AllowUserToChangePassword": True,
                               "AllowUserToLoginWithPasskey": True,
                               "EnableSaveMFATicket": True, "LoginNetworkMasks": "",
                               "LoginSessionDuration": 6,
                               "MFAOperationForLogin": "independent",
                               "OperationForRiskLogin": "autonomous"},
    "MFAPreference": {"AllowUserToManageMFADevices": True},
    "MaxIdleDays": {"MaxIdleDaysForAccessKeys": 0, "MaxIdleDaysForUsers": 0},
    "PersonalInfoPreference": {"AllowUserToManagePersonalDingTalk": True},
    "VerificationPreference": {"VerificationTypes": []},
}


def _typed(kind: str, wire: str | None) -> Any:
    if kind == "boolean":
        return wire == "true"
    if kind == "integer":
        return int(wire) if wire is not None else 0
    return wire or ""


def _password_fields() -> Mapping[str, metadata.FieldSpec]:
    spec = metadata.load("ims").actions["GetPasswordPolicy"].response
    return spec.fields["PasswordPolicy"].fields


def password_policy(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every field of GetPasswordPolicy: ``given``'s value, else the SDK's default."""
    params = metadata.load("ims").actions["SetPasswordPolicy"].parameters
    found = {}
    for name, field in _password_fields().items():
        default = params[name].default if name in params else None
        found[name] = _typed(field.type, default)
    found.update(given or {})
    return found


def security_preference(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The console defaults with ``given``'s sections merged over them."""
    found = copy.deepcopy(_SECURITY_DEFAULTS)
    for section, values in (given or {}).items():
        found[section].update(values)
    return found


def check_settings(account: Mapping[str, Any], problems: list[str]) -> None:
    """Only fields GetPasswordPolicy / GetSecurityPreference answer with, as objects."""
    known_password = set(_password_fields())
    policy = account.get("password_policy", {})
    if not isinstance(policy, Mapping):
        problems.append("account.password_policy: must be an object")
    else:
        for name in sorted(set(policy) - known_password):
            problems.append(f"account.password_policy.{name}: unknown field (known: "
                            f"{', '.join(sorted(known_password))})")
    preference = account.get("security_preference", {})
    if not isinstance(preference, Mapping):
        problems.append("account.security_preference: must be an object")
        return
    for section, values in preference.items():
        known = _SECURITY_DEFAULTS.get(section)
        if known is None or not isinstance(values, Mapping):
            problems.append(f"account.security_preference.{section}: unknown section or not "
                            f"an object (known: {', '.join(sorted(_SECURITY_DEFAULTS))})")
            continue
        for name in sorted(set(values) - set(known)):
            problems.append(f"account.security_preference.{section}.{name}: unknown field")
