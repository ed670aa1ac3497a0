"""Who may assume a role: the trust policy parser of docs/model.md §3, pure and forgiving.

Why forgiving: one malformed or unusual trust document must not fail the sync of a whole
account; it becomes a warning naming the role, and the rest of the document still counts.
Why a list of ``TrustGrant`` rather than messages: the role builder turns them into grants and
principal resources (external accounts, services), and tests read them as plain tuples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baton_alibaba_cloud.alibaba.documents import DocumentError, load_policy_document
from baton_alibaba_cloud.connector import ids

__all__ = ["TrustGrant", "TrustResult", "parse_trust"]

_ASSUME_ACTIONS = {"sts:assumerole", "sts:*", "*"}
_SERVICE = re.compile(r"^(?:\d+@)?[a-z0-9][a-z0-9.-]*\.[a-z]+$", re.IGNORECASE)
_BARE_UID = re.compile(r"^\d+$")


@dataclass
class TrustGrant:
    """One principal allowed to assume the role, merged over every statement naming it.

    ``conditions`` holds each distinct Condition of the statements that allow it, and is
    emptied when any statement allows it without one (the broadest grant wins).
    ``principal_arns`` names the users or roles of an external account that are trusted, and is
    emptied when the whole account (its root) is trusted.
    """

    principal_type: str
    principal_id: str
    conditions: list[dict[str, Any]] = field(default_factory=list)
    unconditional: bool = False
    principal_arns: list[str] = field(default_factory=list)
    whole_account: bool = False
    statements: list[int] = field(default_factory=list)
    """1-based indexes of the Allow statements naming it (for the ``assume`` metadata)."""

    def metadata(self) -> dict[str, Any] | None:
        """The ``GrantMetadata`` mapping, or ``None`` when the grant is plain."""
        meta: dict[str, Any] = {}
        if not self.unconditional and self.conditions:
            meta["condition"] = self.conditions[0] if len(self.conditions) == 1 else self.conditions
        if not self.whole_account and self.principal_arns:
            meta["principal_arns"] = list(self.principal_arns)
        return meta or None


@dataclass
class TrustResult:
    """The grants of one role's trust policy, in document order, and its warnings."""

    grants: list[TrustGrant] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blocked: set[tuple[str, ...]] = field(default_factory=set)
    """What Deny statements name: ``(type, lower-case id)`` or ``(lower-case foreign ARN,)``."""

    def denies(self, principal_type: str, principal_id: str) -> bool:
        """A Deny statement names this principal (of the account, by its own name)."""
        return (principal_type, principal_id.lower()) in self.blocked


def parse_trust(document: str | Mapping[str, Any] | None, *, role: str, uid: str) -> TrustResult:
    """Parse ``AssumeRolePolicyDocument`` of ``role`` in account ``uid``."""
    result = TrustResult()
    statements = _statements(document, role, result.warnings)
    allowed: list[tuple[str, str, Any, int]] = []
    denied: list[tuple[str, str]] = []
    for n, statement in enumerate(statements, 1):
        parsed = _statement(statement, n, role, result.warnings)
        if parsed is None:
            continue
        effect, principals, condition = parsed
        if effect == "deny":
            denied.extend(principals)
        else:
            allowed.extend((key, value, condition, n) for key, value in principals)
    blocked = _blocked(denied, role, uid, result.warnings)
    merged: dict[tuple[str, str], TrustGrant] = {}
    for key, value, condition, n in allowed:
        target = _classify(key, value, uid)
        if target is None:
            result.warnings.append(
                f"role {role}: trust principal {key}={value!r} is of an unknown form"
            )
        elif not _denied(target, blocked):
            _add(merged, target, condition, n)
    result.grants = list(merged.values())
    result.blocked = blocked
    return result


def _blocked(
    denied: list[tuple[str, str]], role: str, uid: str, warnings: list[str]
) -> set[tuple[str, ...]]:
    """What Deny statements name, compared by principal rather than by spelling: the account
    as ``<uid>`` or as its root ARN, any case. A whole principal is ``(type, id)``; one user or
    role of another account is ``(arn,)``, so denying it keeps the rest of that account."""
    blocked: set[tuple[str, ...]] = set()
    for key, value in denied:
        target = _classify(key, value, uid)
        if target is None:
            warnings.append(f"role {role}: denied principal {key}={value!r} is of an unknown form")
            continue
        ptype, pid, foreign_arn = target
        blocked.add((foreign_arn.lower(),) if foreign_arn else (ptype, pid.lower()))
    return blocked


def _denied(target: tuple[str, str, str | None], blocked: set[tuple[str, ...]]) -> bool:
    ptype, pid, foreign_arn = target
    if (ptype, pid.lower()) in blocked:
        return True
    return foreign_arn is not None and (foreign_arn.lower(),) in blocked


def _statements(document: object, role: str, warnings: list[str]) -> list[Any]:
    if document is None or document == "":
        warnings.append(f"role {role}: no trust policy document; no one can assume it")
        return []
    try:
        doc = load_policy_document(document) if isinstance(document, str) else document
    except DocumentError as exc:
        warnings.append(f"role {role}: trust policy {exc}; skipped")
        return []
    if not isinstance(doc, Mapping):
        warnings.append(f"role {role}: trust policy is not a JSON object; skipped")
        return []
    statement = doc.get("Statement")
    if isinstance(statement, Mapping):
        return [statement]
    if isinstance(statement, list):
        return statement
    warnings.append(f"role {role}: trust policy has no Statement list; skipped")
    return []


def _strings(value: object) -> list[str] | None:
    """A string or a list of strings as a list; ``None`` for any other shape."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _statement(
    statement: object, n: int, role: str, warnings: list[str]
) -> tuple[str, list[tuple[str, str]], Any] | None:
    """``(effect, [(principal key, value)], condition)`` of a statement about AssumeRole."""
    where = f"role {role}: trust statement {n}"
    if not isinstance(statement, Mapping):
        warnings.append(f"{where} is not an object; skipped")
        return None
    effect = str(statement.get("Effect", "")).lower()
    actions = _strings(statement.get("Action"))
    if effect not in ("allow", "deny") or actions is None:
        warnings.append(f"{where} has no valid Effect or Action; skipped")
        return None
    if not any(a.lower() in _ASSUME_ACTIONS for a in actions):
        return None
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping):
        warnings.append(f"{where} has a Principal of an unknown form: {principal!r:.120}")
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in principal.items():
        values = _strings(value)
        if values is None:
            warnings.append(f"{where}: principal {key} has an unknown form: {value!r:.120}")
            continue
        pairs.extend((str(key).lower(), v.strip()) for v in values)
    condition = statement.get("Condition")
    return effect, pairs, condition if condition else None


def _add(
    merged: dict[tuple[str, str], TrustGrant],
    target: tuple[str, str, str | None],
    condition: Any,
    statement: int,
) -> None:
    ptype, pid, foreign_arn = target
    grant = merged.setdefault((ptype, pid), TrustGrant(ptype, pid))
    if statement not in grant.statements:
        grant.statements.append(statement)
    if condition is None:
        grant.unconditional = True
    elif condition not in grant.conditions:
        grant.conditions.append(condition)
    if foreign_arn is None:
        grant.whole_account = True
    elif foreign_arn not in grant.principal_arns:
        grant.principal_arns.append(foreign_arn)


def _classify(key: str, value: str, uid: str) -> tuple[str, str, str | None] | None:
    """``(principal type, principal id, foreign user/role ARN or None)`` of one principal."""
    if key == "service":
        return (ids.SERVICE, value, None) if _SERVICE.match(value) else None
    if key == "federated":
        arn = ids.parse_arn(value)
        if arn is None or arn.kind not in ("saml-provider", "oidc-provider"):
            return None
        return ids.IDENTITY_PROVIDER, value, None
    if key != "ram":
        return None
    if _BARE_UID.match(value):
        return ids.ACCOUNT, value, None
    arn = ids.parse_arn(value)
    if arn is None or arn.kind not in ("root", "user", "role"):
        return None
    if arn.account != uid:
        return ids.ACCOUNT, arn.account, None if arn.kind == "root" else value
    if arn.kind == "root":
        return ids.ACCOUNT, uid, None
    make = ids.user_id if arn.kind == "user" else ids.role_id
    return (ids.USER if arn.kind == "user" else ids.ROLE), make(uid, arn.name), None
