"""The RAM policy evaluation cases: one identity policy, one request, the expected answer.

Each case is used twice: ``tests/alibaba/test_policy.py`` runs the evaluator on it, and
``tests/e2e/test_inspect_can.py`` gives the policy to a user of an emulated account, asks
``inspect can`` and makes the real API call with that user's key. ``{uid}`` in a resource is
the account id. ``expected`` is what the evaluator answers without a request context (``yes``,
``no``, ``conditional``); ``emulator`` is whether the emulator, which knows the request (from
127.0.0.1, now, no MFA), lets the call through (it equals ``expected == "yes"`` unless the case
is conditional). Every ``why`` cites the Alibaba page the answer follows from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CASES", "Case"]

ELEMENTS = "https://www.alibabacloud.com/help/en/ram/policy-elements"
SYNTAX = "https://www.alibabacloud.com/help/en/ram/policy-structure-and-syntax"
EVALUATION = "https://www.alibabacloud.com/help/en/ram/policy-evaluation-process"
ACTION_CASE = ("https://www.alibabacloud.com/help/en/resource-management/resource-directory/"
               "user-guide/languages-of-access-control-policies")
OURS = "docs/policy-evaluation.md (resource case: not documented by Alibaba; our choice)"


@dataclass(frozen=True)
class Case:
    """One request against one policy."""

    name: str
    statements: list[dict[str, Any]]
    action: str  # the RAM action, e.g. ram:GetUser
    params: dict[str, str]  # the API call's parameters that name the resource
    resource: str
    expected: str
    why: str
    emulator: bool | None = None  # the emulator's answer, when the case is conditional
    deciding: list[tuple[int, str]] = field(default_factory=list)  # (statement, effect)

    @property
    def allowed_by_emulator(self) -> bool:
        return self.emulator if self.emulator is not None else self.expected == "yes"


def _s(effect: str, action: Any = None, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect}
    if action is not None:
        statement["Action"] = action
    if resource is not None:
        statement["Resource"] = resource
    statement.update(extra)
    return statement


def _user(name: str) -> tuple[str, dict[str, str], str]:
    return "ram:GetUser", {"UserName": name}, f"acs:ram:*:{{uid}}:user/{name}"


def _group(name: str) -> tuple[str, dict[str, str], str]:
    return "ram:GetGroup", {"GroupName": name}, f"acs:ram:*:{{uid}}:group/{name}"


def _role(name: str) -> tuple[str, dict[str, str], str]:
    return "ram:GetRole", {"RoleName": name}, f"acs:ram:*:{{uid}}:role/{name}"


LIST_USERS: tuple[str, dict[str, str], str] = ("ram:ListUsers", {}, "acs:ram:*:{uid}:user/*")
ALIAS: tuple[str, dict[str, str], str] = ("ram:GetAccountAlias", {}, "acs:ram:*:{uid}:*")
MFA = {"Bool": {"acs:MFAPresent": "true"}}
LOOPBACK = {"IpAddress": {"acs:SourceIp": "127.0.0.0/8"}}
ELSEWHERE = {"IpAddress": {"acs:SourceIp": "203.0.113.0/24"}}
NOT_LOOPBACK = {"NotIpAddress": {"acs:SourceIp": "127.0.0.0/8"}}
BEFORE_2099 = {"DateLessThan": {"acs:CurrentTime": "2099-01-01T00:00:00Z"}}
BEFORE_2000 = {"DateLessThan": {"acs:CurrentTime": "2000-01-01T00:00:00Z"}}
UNKNOWN_KEY = {"StringEquals": {"acs:ResourceTag/env": "prod"}}


def _case(name: str, statements: list[dict[str, Any]], request: tuple[str, dict[str, str], str],
          expected: str, why: str, **extra: Any) -> Case:
    action, params, resource = request
    return Case(name, statements, action, params, resource, expected, why, **extra)


CASES: list[Case] = [
    # --- Action: exact, wildcards, lists, case ---------------------------------------------
    _case("exact action", [_s("Allow", "ram:GetUser")], _user("alice"), "yes",
          f"an Allow whose Action names the operation allows it ({ELEMENTS})",
          deciding=[(1, "Allow")]),
    _case("other action", [_s("Allow", "ram:GetGroup")], _user("alice"), "no",
          f"nothing allows ram:GetUser: denied by default ({EVALUATION})"),
    _case("star action", [_s("Allow", "*")], _user("alice"), "yes",
          f"* matches zero or more characters, so every action ({SYNTAX})"),
    _case("service star", [_s("Allow", "ram:*")], _user("alice"), "yes",
          f"ram:* matches every RAM action ({SYNTAX})"),
    _case("other service star", [_s("Allow", "ecs:*")], _user("alice"), "no",
          f"ecs:* does not match ram:GetUser; denied by default ({EVALUATION})"),
    _case("prefix star", [_s("Allow", "ram:Get*")], _user("alice"), "yes",
          f"ram:Get* matches actions starting with Get ({SYNTAX})"),
    _case("prefix star misses", [_s("Allow", "ram:List*")], _user("alice"), "no",
          f"ram:List* does not match GetUser ({SYNTAX})"),
    _case("star in the middle", [_s("Allow", "ram:G*User")], _user("alice"), "yes",
          f"* may stand anywhere in the value ({SYNTAX})"),
    _case("question mark", [_s("Allow", "ram:GetUse?")], _user("alice"), "yes",
          f"? matches exactly one character ({SYNTAX})"),
    _case("question mark is one character", [_s("Allow", "ram:GetUs?")], _user("alice"), "no",
          f"? matches one character, not two ({SYNTAX})"),
    _case("star service any action", [_s("Allow", "*:Get*")], _user("alice"), "yes",
          f"the service part may be a wildcard too ({SYNTAX})"),
    _case("action list", [_s("Allow", ["ecs:*", "ram:GetUser"])], _user("alice"), "yes",
          f"Action may be a list; any value matching is enough ({SYNTAX})"),
    _case("action list misses", [_s("Allow", ["ecs:*", "ram:GetGroup"])], _user("alice"), "no",
          f"no value of the list matches ({SYNTAX})"),
    _case("action lower case", [_s("Allow", "ram:getuser")], _user("alice"), "yes",
          f"action names are not case-sensitive ({ACTION_CASE})"),
    _case("action upper case service", [_s("Allow", "RAM:GETUSER")], _user("alice"), "yes",
          f"action names are not case-sensitive ({ACTION_CASE})"),
    # --- NotAction ------------------------------------------------------------------------
    _case("NotAction excludes others", [_s("Allow", None, NotAction="ecs:*")], _user("alice"),
          "yes", f"NotAction applies to every action except those listed ({ELEMENTS})"),
    _case("NotAction excludes it", [_s("Allow", None, NotAction="ram:*")], _user("alice"), "no",
          f"ram:GetUser is listed in NotAction, so the Allow does not apply ({ELEMENTS})"),
    _case("NotAction list", [_s("Allow", None, NotAction=["ecs:*", "ram:Delete*"])],
          _user("alice"), "yes", f"GetUser is not in the NotAction list ({ELEMENTS})"),
    _case("Deny with NotAction", [_s("Allow", "*"), _s("Deny", None, NotAction="ram:List*")],
          _user("alice"), "no",
          f"the Deny covers everything but ram:List*, and Deny wins ({ELEMENTS}, {EVALUATION})",
          deciding=[(2, "Deny")]),
    _case("Deny NotAction spares it", [_s("Allow", "*"), _s("Deny", None, NotAction="ram:Get*")],
          _user("alice"), "yes", f"GetUser is outside the Deny's scope ({ELEMENTS})"),
    # --- Resource, NotResource --------------------------------------------------------------
    _case("exact resource", [_s("Allow", "ram:GetUser", "acs:ram:*:{uid}:user/alice")],
          _user("alice"), "yes", f"Resource names the user's ARN ({ELEMENTS})"),
    _case("other resource", [_s("Allow", "ram:GetUser", "acs:ram:*:{uid}:user/bob")],
          _user("alice"), "no", f"the Allow covers bob only; denied by default ({EVALUATION})"),
    _case("resource star path", [_s("Allow", "ram:GetUser", "acs:ram:*:{uid}:user/*")],
          _user("alice"), "yes", f"* in the relative id matches any user ({ELEMENTS})"),
    _case("resource prefix", [_s("Allow", "ram:GetUser", "acs:ram:*:*:user/al*")],
          _user("alice"), "yes", f"* wildcards in account and name ({ELEMENTS})"),
    _case("resource prefix misses", [_s("Allow", "ram:GetUser", "acs:ram:*:*:user/bo*")],
          _user("alice"), "no", f"bo* does not match alice ({ELEMENTS})"),
    _case("resource question mark", [_s("Allow", "ram:GetUser", "acs:ram:*:*:user/alic?")],
          _user("alice"), "yes", f"? matches one character in a resource ({SYNTAX})"),
    _case("resource other account", [_s("Allow", "ram:GetUser", "acs:ram:*:999:user/*")],
          _user("alice"), "no", f"the account id part does not match ({ELEMENTS})"),
    _case("resource other type", [_s("Allow", "ram:GetGroup", "acs:ram:*:{uid}:user/*")],
          _group("dev"), "no", f"a group is not under user/* ({ELEMENTS})"),
    _case("group resource", [_s("Allow", "ram:GetGroup", "acs:ram:*:{uid}:group/dev")],
          _group("dev"), "yes", f"Resource names the group ({ELEMENTS})"),
    _case("resource list",
          [_s("Allow", "ram:GetRole", ["acs:ram:*:*:role/a", "acs:ram:*:*:role/ops"])],
          _role("ops"), "yes", f"Resource may be a list; any value matching is enough ({SYNTAX})"),
    _case("resource case", [_s("Allow", "ram:GetUser", "ACS:RAM:*:{uid}:USER/ALICE")],
          _user("alice"), "yes", f"resources are compared without case ({OURS})"),
    _case("listing needs user/*", [_s("Allow", "ram:ListUsers", "acs:ram:*:{uid}:user/alice")],
          LIST_USERS, "no",
          f"a listing acts on user/*, which user/alice does not cover ({ELEMENTS})"),
    _case("account-level action", [_s("Allow", "ram:GetAccountAlias", "acs:ram:*:{uid}:*")],
          ALIAS, "yes", f"an account-level action matches the account's * resource ({ELEMENTS})"),
    _case("NotResource others",
          [_s("Allow", "ram:GetUser", None, NotResource="acs:ram:*:*:user/bob")],
          _user("alice"), "yes", f"NotResource applies to every resource but bob ({ELEMENTS})"),
    _case("NotResource it", [_s("Allow", "ram:GetUser", None, NotResource="acs:ram:*:*:user/a*")],
          _user("alice"), "no", f"alice is excluded by NotResource ({ELEMENTS})"),
    _case("Deny NotResource", [_s("Allow", "*"),
                               _s("Deny", "ram:*", None, NotResource="acs:ram:*:*:group/*")],
          _user("alice"), "no",
          f"the Deny covers every resource but groups; Deny wins ({EVALUATION})"),
    # --- Deny over Allow ------------------------------------------------------------------
    _case("deny wins", [_s("Allow", "*"), _s("Deny", "ram:GetUser")], _user("alice"), "no",
          f"an explicit Deny overrides any Allow ({EVALUATION})", deciding=[(2, "Deny")]),
    _case("deny wildcard wins", [_s("Allow", "ram:GetUser"), _s("Deny", "ram:Get*")],
          _user("alice"), "no", f"an explicit Deny overrides any Allow ({EVALUATION})"),
    _case("deny elsewhere", [_s("Allow", "ram:*"), _s("Deny", "ram:*", "acs:ram:*:*:user/bob")],
          _user("alice"), "yes", f"the Deny is on bob only ({EVALUATION})"),
    _case("deny alone", [_s("Deny", "ecs:*")], _user("alice"), "no",
          f"a Deny grants nothing; denied by default ({EVALUATION})"),
    _case("lower-case effect", [_s("allow", "ram:GetUser")], _user("alice"), "yes",
          f"Effect values are Allow or Deny; we read them without case ({OURS})"),
    # --- conditions ------------------------------------------------------------------------
    _case("allow if MFA", [_s("Allow", "ram:GetUser", Condition=MFA)], _user("alice"),
          "conditional", f"a statement with a Condition applies only when it holds ({ELEMENTS})",
          emulator=False, deciding=[(1, "Allow")]),
    _case("allow from loopback", [_s("Allow", "ram:*", Condition=LOOPBACK)], _user("alice"),
          "conditional", f"acs:SourceIp condition ({ELEMENTS})", emulator=True),
    _case("allow from elsewhere", [_s("Allow", "ram:*", Condition=ELSEWHERE)], _user("alice"),
          "conditional", f"acs:SourceIp condition ({ELEMENTS})", emulator=False),
    _case("deny from loopback", [_s("Allow", "*"), _s("Deny", "ram:*", Condition=LOOPBACK)],
          _user("alice"), "conditional",
          f"allowed unless the conditional Deny holds ({ELEMENTS}, {EVALUATION})", emulator=False,
          deciding=[(1, "Allow"), (2, "Deny")]),
    _case("deny if not loopback", [_s("Allow", "*"), _s("Deny", "*", Condition=NOT_LOOPBACK)],
          _user("alice"), "conditional", f"NotIpAddress condition ({ELEMENTS})", emulator=True),
    _case("allow until 2099", [_s("Allow", "ram:GetUser", Condition=BEFORE_2099)],
          _user("alice"), "conditional", f"acs:CurrentTime condition ({ELEMENTS})", emulator=True),
    _case("allow until 2000", [_s("Allow", "ram:GetUser", Condition=BEFORE_2000)],
          _user("alice"), "conditional", f"acs:CurrentTime condition ({ELEMENTS})", emulator=False),
    _case("condition on an unknown key", [_s("Allow", "ram:GetUser", Condition=UNKNOWN_KEY)],
          _user("alice"), "conditional",
          f"the emulator treats keys it does not know as not holding ({OURS})", emulator=False),
    _case("unconditional beats conditional", [_s("Allow", "ram:GetUser", Condition=MFA),
                                              _s("Allow", "ram:*")],
          _user("alice"), "yes", f"one unconditional Allow is enough ({EVALUATION})"),
    _case("deny beats conditional allow", [_s("Allow", "ram:GetUser", Condition=MFA),
                                           _s("Deny", "ram:GetUser")],
          _user("alice"), "no", f"an explicit Deny overrides any Allow ({EVALUATION})"),
]
