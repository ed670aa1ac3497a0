"""The RAM policy evaluator: may these identity policies do this action on this resource?

Why here, in the Alibaba layer: it is Alibaba's documented logic, and two users need the very
same answer: the emulator's authorizer (which knows the request, so it can evaluate the
condition keys it has) and the connector (which reads documents from a sync and cannot, so a
conditional statement makes the answer "conditional"). docs/policy-evaluation.md has the rules
and the Alibaba pages they come from:

- an explicit ``Deny`` that applies wins, then an ``Allow``, else the request is implicitly
  denied;
- ``Action`` / ``NotAction`` and ``Resource`` / ``NotResource`` take a string or a list, with
  ``*`` (any run of characters) and ``?`` (one character) as wildcards; actions and resources
  are compared without case;
- a statement with a ``Condition`` applies only when its condition holds; without a request
  context its effect is "conditional", and the deciding statements say which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ._conditions import condition_holds
from .documents import load_policy_document

__all__ = [
    "ALLOW",
    "CONDITIONAL",
    "DENY",
    "IMPLICIT_DENY",
    "Decision",
    "NamedPolicy",
    "StatementRef",
    "Verdict",
    "condition_holds",
    "evaluate",
    "evaluate_statements",
    "parse_document",
    "relevant",
    "statement_matches",
]

Verdict = Literal["allow", "deny", "conditional", "implicit-deny"]
ALLOW: Verdict = "allow"
DENY: Verdict = "deny"
CONDITIONAL: Verdict = "conditional"
IMPLICIT_DENY: Verdict = "implicit-deny"


@dataclass(frozen=True)
class StatementRef:
    """One statement of one policy, as a reviewer reads it: policy name, 1-based index, effect
    and the statement's ``Condition`` (``None`` when it has none)."""

    policy: str
    index: int
    effect: str
    condition: Any = None

    def describe(self) -> str:
        """``AliyunSTSAssumeRoleAccess#1 Allow`` (plus ``if {...}`` for a condition)."""
        text = f"{self.policy}#{self.index} {self.effect}"
        if self.condition is not None:
            text += " if " + json.dumps(self.condition, sort_keys=True, separators=(",", ":"))
        return text


@dataclass(frozen=True)
class Decision:
    """The answer and the statements that decide it.

    ``allow``: the unconditional Allow statements that apply (no Deny could apply).
    ``deny``: the explicit Deny statements that apply.
    ``conditional``: the answer depends on conditions: the conditional Allow statements that
    would allow it, or, when an unconditional Allow applies, the conditional Deny statements
    that would deny it (listed with it).
    ``implicit-deny``: nothing allows it (no statements).
    """

    verdict: Verdict
    statements: tuple[StatementRef, ...] = ()

    @property
    def answer(self) -> str:
        """``yes``, ``no`` or ``conditional``: what ``inspect can`` prints."""
        return {ALLOW: "yes", CONDITIONAL: "conditional"}.get(self.verdict, "no")


@dataclass(frozen=True)
class NamedPolicy:
    """A policy document (a JSON string or an already parsed mapping) and its name."""

    name: str
    document: Any


def parse_document(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a document; a document that does not parse has none (and so allows
    nothing): an unreadable policy must never read as access."""
    if isinstance(document, str | bytes):
        try:
            text = document.decode() if isinstance(document, bytes) else document
            document = load_policy_document(text)
        except ValueError:  # not UTF-8, not JSON, or nested past the depth limit
            return []
    if not isinstance(document, Mapping):
        return []
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        return []
    return [s for s in statements if isinstance(s, Mapping)]


@lru_cache(maxsize=8192)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _matches(values: Any, subject: str) -> bool:
    items: Iterable[Any] = values if isinstance(values, list) else [values]
    return any(isinstance(v, str) and _pattern(v).fullmatch(subject) is not None for v in items)


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return _matches(statement["Action"], action)
    return "NotAction" in statement and not _matches(statement["NotAction"], action)


def _resource_matches(statement: Mapping[str, Any], resource: str) -> bool:
    if "Resource" in statement:
        return _matches(statement["Resource"], resource)
    return "NotResource" in statement and not _matches(statement["NotResource"], resource)


def statement_matches(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    """Action and resource match (the condition is not looked at)."""
    return _action_matches(statement, action) and _resource_matches(statement, resource)


def _effect(statement: Mapping[str, Any]) -> str | None:
    effect = str(statement.get("Effect", "")).lower()
    return {"allow": "Allow", "deny": "Deny"}.get(effect)


def relevant(policies: Iterable[NamedPolicy], action: str) -> list[tuple[StatementRef, Any]]:
    """The statements of ``policies`` whose action part covers ``action``, whatever resource:
    a cheap first cut when one action is asked about many resources."""
    found: list[tuple[StatementRef, Any]] = []
    for policy in policies:
        for index, statement in enumerate(parse_document(policy.document), 1):
            effect = _effect(statement)
            if effect is None or not _action_matches(statement, action):
                continue
            condition = statement.get("Condition") or None
            found.append((StatementRef(policy.name, index, effect, condition), statement))
    return found


def evaluate(
    policies: Iterable[NamedPolicy],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """Decide ``action`` on ``resource`` under ``policies``.

    ``context`` is the request's condition keys (``acs:SourceIp``…): with one, a condition is
    evaluated (a key the context lacks makes it not hold); without one, a conditional statement
    gives a conditional answer.
    """
    return evaluate_statements(relevant(policies, action), action, resource, context)


def evaluate_statements(
    pairs: Sequence[tuple[StatementRef, Any]],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """``evaluate`` over what ``relevant`` returned (computed once for many resources)."""
    allows: list[StatementRef] = []
    maybe_allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    maybe_denies: list[StatementRef] = []
    for ref, statement in pairs:
        if not statement_matches(statement, action, resource):
            continue
        conditional = ref.condition is not None
        if conditional and context is not None:
            if not condition_holds(ref.condition, context):
                continue
            conditional = False
        if ref.effect == "Deny":
            (maybe_denies if conditional else denies).append(ref)
        else:
            (maybe_allows if conditional else allows).append(ref)
    return _decide(allows, maybe_allows, denies, maybe_denies)


def _decide(
    allows: list[StatementRef],
    maybe_allows: list[StatementRef],
    denies: list[StatementRef],
    maybe_denies: list[StatementRef],
) -> Decision:
    if denies:
        return Decision(DENY, tuple(denies))
    if allows and not maybe_denies:
        return Decision(ALLOW, tuple(allows))
    if allows:
        return Decision(CONDITIONAL, (*allows, *maybe_denies))
    if maybe_allows:
        return Decision(CONDITIONAL, (*maybe_allows, *maybe_denies))
    return Decision(IMPLICIT_DENY)
