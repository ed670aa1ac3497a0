"""Policy and trust documents read without trusting their shape: depth-limited JSON.

Why: a policy or trust document is a string inside an answer, written by whoever wrote the
policy. Python's JSON parser and every walk over the result recurse once per level, so a
document nested a thousand deep ends in a RecursionError that fails the whole sync. Real
documents nest about five levels; anything past ``limits.MAX_POLICY_DEPTH`` is refused with a
:class:`DocumentError` (a ``ValueError``) before parsing, and the caller warns and goes on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .limits import MAX_POLICY_DEPTH

__all__ = ["DocumentError", "load_policy_document", "nesting_depth"]

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class DocumentError(ValueError):
    """A document that cannot be read: not JSON, or nested deeper than the limit."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text, strings left out (no recursion)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def load_policy_document(text: str, max_depth: int = MAX_POLICY_DEPTH) -> Any:
    """The parsed document, or :class:`DocumentError` saying in words what is wrong (its text
    reads after the document's name: "trust policy is not valid JSON (…)")."""
    depth = nesting_depth(text)
    if depth > max_depth:
        raise DocumentError(f"nests deeper than {max_depth} levels ({depth})")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        reason = str(error) if isinstance(error, json.JSONDecodeError) else "unreadable"
        raise DocumentError(f"is not valid JSON ({reason})") from None
