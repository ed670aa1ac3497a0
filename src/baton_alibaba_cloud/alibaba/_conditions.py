"""RAM policy ``Condition`` blocks against a request context.

Why a module of its own: only a caller that knows the request (the emulator) evaluates
conditions; the evaluator calls this only then. Rules, from Alibaba's "policy elements" page:
operators are AND-ed, keys under one operator are AND-ed, the values of one key are OR-ed;
condition keys are compared without case. A key the context does not have makes its block
*not hold* (whatever the operator), and so does an operator this module does not know: a
condition nobody can check must neither grant nor deny by accident, and an Allow that does not
hold grants nothing (docs/policy-evaluation.md says what that means for a Deny).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["condition_holds"]


def _as_list(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def condition_holds(condition: Any, context: Mapping[str, str]) -> bool:
    """Every operator block holds against ``context``."""
    if not isinstance(condition, Mapping):
        return False
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            return False
        for key, expected in block.items():
            actual = lowered.get(str(key).lower())
            if actual is None or not _holds(str(operator), actual, _as_list(expected)):
                return False
    return True


def _holds(operator: str, actual: str, expected: list[str]) -> bool:
    test = _POSITIVE.get(operator)
    if test is not None:
        return any(_safe(test, actual, value) for value in expected)
    test = _NEGATIVE.get(operator)
    if test is not None:
        return not any(_safe(test, actual, value) for value in expected)
    return False


def _safe(test: Callable[[str, str], bool], actual: str, value: str) -> bool:
    try:
        return test(actual, value)
    except (ValueError, TypeError):  # not a number, an address or a time; naive vs aware
        return False


def _ip_in(actual: str, value: str) -> bool:
    return ipaddress.ip_address(actual) in ipaddress.ip_network(value, strict=False)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _date(compare: Callable[[datetime, datetime], bool]) -> Callable[[str, str], bool]:
    return lambda actual, value: compare(_time(actual), _time(value))


def _number(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    return lambda actual, value: compare(float(actual), float(value))


_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda a, v: a == v,
    "StringEqualsIgnoreCase": lambda a, v: a.lower() == v.lower(),
    "StringLike": fnmatchcase,
    "Bool": lambda a, v: a.lower() == v.lower(),
    "IpAddress": _ip_in,
    "NumericEquals": _number(lambda a, v: a == v),
    "NumericLessThan": _number(lambda a, v: a < v),
    "NumericLessThanEquals": _number(lambda a, v: a <= v),
    "NumericGreaterThan": _number(lambda a, v: a > v),
    "NumericGreaterThanEquals": _number(lambda a, v: a >= v),
    "DateEquals": _date(lambda a, v: a == v),
    "DateLessThan": _date(lambda a, v: a < v),
    "DateLessThanEquals": _date(lambda a, v: a <= v),
    "DateGreaterThan": _date(lambda a, v: a > v),
    "DateGreaterThanEquals": _date(lambda a, v: a >= v),
}
# a negative operator holds when none of the values matches the positive test
_NEGATIVE: dict[str, Callable[[str, str], bool]] = {
    "StringNotEquals": _POSITIVE["StringEquals"],
    "StringNotEqualsIgnoreCase": _POSITIVE["StringEqualsIgnoreCase"],
    "StringNotLike": fnmatchcase,
    "NotIpAddress": _ip_in,
    "NumericNotEquals": _POSITIVE["NumericEquals"],
    "DateNotEquals": _POSITIVE["DateEquals"],
}
