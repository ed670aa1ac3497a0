"""The account settings checks: IMS GetPasswordPolicy and GetSecurityPreference (synced into
the account's profile as ``password_policy`` and ``security_preference``, wire names kept)
against the IAM recommendations of the CIS Alibaba Cloud Foundations Benchmark v1.0.0.

Why a table: each row names the setting, the value the benchmark asks for and its
recommendation number, so the findings say exactly which recommendation failed and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["CHECKS", "evaluate"]

_CIS = "CIS Alibaba Cloud Foundations Benchmark v1.0.0, "
_BEST = "Alibaba Cloud RAM security best practices (help/en/ram/security-best-practices)"

Test = Callable[[Any], bool]

# id, severity, title, source, (section, field), test, what the setting should be
_RULES: tuple[tuple[str, str, str, str, tuple[str, str], Test, str], ...] = (
    ("password-policy-uppercase", "medium", "Password policy: no uppercase letter required",
     _CIS + "1.7", ("password_policy", "RequireUppercaseCharacters"), bool, "true"),
    ("password-policy-lowercase", "medium", "Password policy: no lowercase letter required",
     _CIS + "1.8", ("password_policy", "RequireLowercaseCharacters"), bool, "true"),
    ("password-policy-symbol", "medium", "Password policy: no symbol required",
     _CIS + "1.9", ("password_policy", "RequireSymbols"), bool, "true"),
    ("password-policy-number", "medium", "Password policy: no number required",
     _CIS + "1.10", ("password_policy", "RequireNumbers"), bool, "true"),
    ("password-policy-min-length", "medium", "Password policy: minimum length below 14",
     _CIS + "1.11", ("password_policy", "MinimumPasswordLength"),
     lambda v: isinstance(v, int | float) and v >= 14, "14 or more"),
    ("password-policy-reuse", "medium", "Password policy: password reuse not prevented",
     _CIS + "1.12", ("password_policy", "PasswordReusePrevention"),
     lambda v: isinstance(v, int | float) and v >= 5, "5 or more remembered passwords"),
    ("password-policy-max-age", "medium", "Password policy: passwords do not expire within 90 "
     "days", _CIS + "1.13", ("password_policy", "MaxPasswordAge"),
     lambda v: isinstance(v, int | float) and 0 < v <= 90, "1 to 90 days"),
    ("password-policy-lockout", "medium", "Password policy: no lockout after 5 failed logins",
     _CIS + "1.14", ("password_policy", "MaxLoginAttemps"),
     lambda v: isinstance(v, int | float) and 0 < v <= 5, "1 to 5 attempts"),
    ("security-preference-idle-users", "low", "Security preference: idle console users are not "
     "disabled within 90 days", _CIS + "1.5", ("security_preference", "MaxIdleDaysForUsers"),
     lambda v: isinstance(v, int | float) and 0 < v <= 90, "1 to 90 days"),
    ("security-preference-mfa-at-login", "medium", "Security preference: MFA not mandatory at "
     "console login", _CIS + "1.4; " + _BEST,
     ("security_preference", "MFAOperationForLogin"), lambda v: v == "mandatory", "mandatory"),
)

CHECKS: tuple[tuple[str, str, str, str], ...] = tuple(r[:4] for r in _RULES)
"""``(id, severity, title, source)`` of each settings check."""


def _find(section: Mapping[str, Any], field: str) -> Any:
    """A field of the section or of one of its sub-objects (LoginProfilePreference, …)."""
    if field in section:
        return section[field]
    for value in section.values():
        if isinstance(value, Mapping) and field in value:
            return value[field]
    return None


def _shown(value: Any) -> str:
    """Profile numbers come back as floats (a Struct holds doubles): 0.0 reads as 0."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def evaluate(profile: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(check id, reason)`` for each setting below the recommendation; a section missing
    from the profile is not judged."""
    failed = []
    for check_id, _, _, _, (section, field), test, wanted in _RULES:
        settings = profile.get(section)
        if not isinstance(settings, Mapping):
            continue
        value = _find(settings, field)
        if not test(value):
            shown = _shown(value)
            failed.append((check_id, f"{field} is {shown}; the recommendation is {wanted}"))
    return failed
