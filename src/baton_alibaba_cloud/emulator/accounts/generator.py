"""A seeded generator of large synthetic accounts in the documented JSON format.

``generate(parse_spec("users=50000,groups=2000,memberships=200000,seed=1"))`` returns an account
dict; the same spec always gives the same account. Counts of users, groups, roles, policies,
memberships, attachments, resource groups and attachments within them are exact (user 0 is
``emulator-admin`` with AdministratorAccess, and that attachment counts). Pairs are drawn with
``random.sample`` over the index space, so dense and sparse requests are both O(count). The
account's ``limits`` are raised to fit what was generated, so the generated state never
violates a quota the emulator enforces.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .builtin import BUILTIN_SYSTEM_POLICIES

__all__ = ["Spec", "generate", "parse_spec"]

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = 6 * 365 * 86400
_TIME_POOL = 8192


@dataclass(frozen=True)
class Spec:
    """What to generate; ``frozen`` is the share of users with Status ``freeze``."""

    users: int = 100
    groups: int = 10
    roles: int = 20
    system_policies: int = 50
    custom_policies: int = 20
    memberships: int = 200
    attachments: int = 100
    resource_groups: int = 2
    scoped_attachments: int = 10
    frozen: float = 0.05
    seed: int = 1
    account_id: str = "1000000000000001"
    alias: str = "synthetic"
    key_prefix: str = "LTAI5tGen"
    """Starts every AccessKey id; the accounts of one organization need distinct ones."""


def parse_spec(text: str) -> Spec:
    """``users=50000,groups=2000,frozen=0.05,seed=1`` → :class:`Spec` (ValueError if bad)."""
    known = {f.name: f.type for f in fields(Spec)}
    values: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, raw = part.partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise ValueError(f"bad generator spec item {part!r}: expected one of "
                             f"{', '.join(known)} as name=value")
        try:
            textual = name in ("account_id", "alias", "key_prefix")
            values[name] = (float(raw) if name == "frozen" else
                            raw.strip() if textual else int(raw))
        except ValueError:
            raise ValueError(f"bad value for {name}: {raw!r}") from None
    spec = _fitted(Spec(**values), set(values))
    _check(spec)
    return spec


def _fitted(spec: Spec, given: set[str]) -> Spec:
    """The default counts of edges shrunk to what the given sizes can hold (``users=5,groups=2``
    gets 10 memberships, not an error about the default 200); a count given explicitly is kept
    as given, and ``_check`` refuses it if it does not fit."""
    principals = spec.users + spec.groups + spec.roles
    policies = max(spec.system_policies, len(BUILTIN_SYSTEM_POLICIES)) + spec.custom_policies
    room = {"memberships": spec.users * spec.groups, "attachments": principals * policies,
            "scoped_attachments": principals * policies * spec.resource_groups}
    shrunk = {name: min(getattr(spec, name), limit) for name, limit in room.items()
              if name not in given and limit >= 0}
    return replace(spec, **shrunk)


def _check(spec: Spec) -> None:
    if spec.users < 1 or min(spec.groups, spec.roles, spec.custom_policies) < 0:
        raise ValueError("users must be at least 1 and counts must not be negative")
    if not 0.0 <= spec.frozen <= 1.0:
        raise ValueError("frozen must be between 0 and 1")
    if spec.memberships > spec.users * spec.groups:
        raise ValueError(f"memberships={spec.memberships} exceeds users × groups")
    principals = spec.users + spec.groups + spec.roles
    policies = max(spec.system_policies, len(BUILTIN_SYSTEM_POLICIES)) + spec.custom_policies
    if not 1 <= spec.attachments <= principals * policies:
        raise ValueError(f"attachments={spec.attachments} must be 1..principals × policies")
    if spec.resource_groups < 0 or not (
            0 <= spec.scoped_attachments <= principals * policies * spec.resource_groups):
        raise ValueError(f"scoped_attachments={spec.scoped_attachments} must be "
                         "0..principals × policies × resource_groups")


class _Gen:
    """One generation run: the spec, its random stream and the names it made."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.uid = spec.account_id
        self.user_names = ["emulator-admin"] + [f"user{i:06d}" for i in range(1, spec.users)]
        self.group_names = [f"group{i:05d}" for i in range(spec.groups)]
        self.role_names = [f"role{i:05d}" for i in range(spec.roles)]
        self.times = sorted(
            (_EPOCH + timedelta(seconds=self.rng.randrange(_SPAN_SECONDS)))
            .strftime("%Y-%m-%dT%H:%M:%SZ") for _ in range(_TIME_POOL)
        )

    def when(self) -> str:
        """A timestamp from a pool: formatting a million datetimes would dominate the run."""
        return self.times[int(self.rng.random() * _TIME_POOL)]

    def user(self, index: int) -> dict[str, Any]:
        rng, name = self.rng, self.user_names[index]
        user: dict[str, Any] = {"name": name, "display_name": f"User {index}",
                                "created": self.when()}
        if index and rng.random() < self.spec.frozen:
            user["status"] = "freeze"
        if rng.random() < 0.3:
            user["email"] = f"{name}@example.com"
        if rng.random() < 0.1:
            user["tags"] = {"team": f"team{rng.randrange(20)}"}
        keys = 1 if index == 0 else rng.choices((0, 1, 2), (0.3, 0.6, 0.1))[0]
        if keys:
            user["access_keys"] = [self.key(index, k) for k in range(keys)]
        if index and rng.random() < 0.7:
            self.console(user)
        return user

    def key(self, index: int, slot: int) -> dict[str, Any]:
        key: dict[str, Any] = {"id": f"{self.spec.key_prefix}{index:09d}{slot:06d}",
                               "secret": f"gen-secret-{self.spec.seed}-{index}-{slot}",
                               "created": self.when()}
        if self.rng.random() < 0.15:
            key["status"] = "Inactive"
        if self.rng.random() < 0.8:
            key["last_used"] = self.when()
            key["last_used_service"] = self.rng.choice(("Ecs", "Oss", "Ram", "Sts"))
        return key

    def console(self, user: dict[str, Any]) -> None:
        login = self.when()
        user["last_login"] = login
        user["login_profile"] = {"status": "Active" if self.rng.random() < 0.9 else "Inactive",
                                 "mfa_bind_required": self.rng.random() < 0.5,
                                 "last_login": login}
        if self.rng.random() < 0.4:
            kind = "VMFA" if self.rng.random() < 0.85 else "U2F"
            user["mfa"] = {"name": user["name"], "type": kind, "activated": self.when()}

    def trust(self, index: int) -> Any:
        """A trust policy of one of the kinds the connector must understand, by rotation."""
        uid, rng = self.uid, self.rng
        kind = index % 9
        principal: dict[str, Any]
        if kind == 0:
            principal = {"RAM": [f"acs:ram::{uid}:root"]}
        elif kind == 1:
            principal = {"RAM": f"acs:ram::{uid}:user/{rng.choice(self.user_names)}"}
        elif kind == 2:
            principal = {"RAM": [f"acs:ram::{uid}:role/{rng.choice(self.role_names)}"]}
        elif kind == 3:
            principal = {"RAM": [f"acs:ram::{rng.randrange(10**15, 10**16)}:root"]}
        elif kind == 4:
            principal = {"Service": [rng.choice(("ecs.aliyuncs.com", "fc.aliyuncs.com"))]}
        elif kind == 5:
            principal = {"Federated": [f"acs:ram::{uid}:saml-provider/corp-idp"]}
        elif kind == 6:
            principal = {"Federated": [f"acs:ram::{uid}:oidc-provider/ci-oidc"]}
        elif kind == 7 and index % 63 == 7:
            return '{"Version": "1", "Statement": ['
        else:
            principal = {"RAM": [f"acs:ram::{uid}:root"]}
        statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole",
                                     "Principal": principal}
        if kind in (3, 8):
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"ext-{index}"}}
        statements = [statement]
        if kind == 8:
            statements.append({"Effect": "Deny", "Action": "sts:AssumeRole", "Principal":
                               {"RAM": [f"acs:ram::{uid}:user/{rng.choice(self.user_names)}"]}})
        return {"Version": "1", "Statement": statements}

    def policies(self) -> list[dict[str, Any]]:
        spec = self.spec
        made: list[dict[str, Any]] = []
        for index in range(max(0, spec.system_policies - len(BUILTIN_SYSTEM_POLICIES))):
            made.append({"name": f"AliyunGen{index:05d}Access", "type": "System",
                         "description": f"Generated system policy {index}",
                         "document": {"Version": "1", "Statement": [
                             {"Effect": "Allow", "Action": f"svc{index % 97}:Get*",
                              "Resource": "*"}]}})
        for index in range(spec.custom_policies):
            made.append({"name": f"custom{index:05d}", "type": "Custom",
                         "description": f"Generated custom policy {index}",
                         "created": self.when(),
                         "document": {"Version": "1", "Statement": [
                             {"Effect": "Deny" if index % 10 == 0 else "Allow",
                              "Action": f"oss:Get{index % 7}*",
                              "Resource": f"acs:oss:*:*:bucket{index}/*"}]}})
        return made


def _memberships(gen: _Gen) -> tuple[list[dict[str, Any]], int]:
    spec = gen.spec
    picks = gen.rng.sample(range(spec.users * spec.groups), spec.memberships)
    per_user: dict[int, int] = {}
    items = []
    for pick in picks:
        user, group = divmod(pick, spec.groups)
        per_user[user] = per_user.get(user, 0) + 1
        items.append({"user": gen.user_names[user], "group": gen.group_names[group],
                      "joined": gen.when()})
    return items, max(per_user.values(), default=0)


def _principal(gen: _Gen, index: int) -> tuple[str, str]:
    if index < gen.spec.users:
        return "user", gen.user_names[index]
    index -= gen.spec.users
    if index < gen.spec.groups:
        return "group", gen.group_names[index]
    return "role", gen.role_names[index - gen.spec.groups]


def _attachments(gen: _Gen, policy_keys: list[tuple[str, str]]) -> tuple[list[dict[str, Any]],
                                                                          dict[str, int]]:
    spec = gen.spec
    admin = policy_keys.index(("System", "AdministratorAccess"))
    total = (spec.users + spec.groups + spec.roles) * len(policy_keys)
    picks = [p for p in gen.rng.sample(range(total), spec.attachments) if p != admin]
    picks = [admin, *picks[: spec.attachments - 1]]
    counts: dict[tuple[str, str, str], int] = {}
    items = []
    for pick in picks:
        principal, policy = divmod(pick, len(policy_keys))
        kind, name = _principal(gen, principal)
        policy_type, policy_name = policy_keys[policy]
        counts[(kind, name, policy_type)] = counts.get((kind, name, policy_type), 0) + 1
        items.append({"policy": policy_name, "policy_type": policy_type, "principal_type": kind,
                      "principal": name, "attached": gen.when()})
    peaks: dict[str, int] = {}
    for (kind, _name, policy_type), count in counts.items():
        label = f"{kind}:{policy_type}"
        peaks[label] = max(peaks.get(label, 0), count)
    return items, peaks


def _resource_groups(spec: Spec, policy_keys: list[tuple[str, str]], gen: _Gen
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Resource groups and policies attached within them, from their own random stream, so
    adding them left every other generated entity of a seed as it was."""
    rng = random.Random(f"resource-groups:{spec.seed}")
    groups = [{"id": f"rg-gen{index:010d}", "name": f"rg-{index}",
               "display_name": f"Resource group {index}", "created": gen.when()}
              for index in range(spec.resource_groups)]
    per_group = (spec.users + spec.groups + spec.roles) * len(policy_keys)
    items = []
    for pick in sorted(rng.sample(range(per_group * spec.resource_groups),
                                  spec.scoped_attachments)):
        group, rest = divmod(pick, per_group)
        principal, policy = divmod(rest, len(policy_keys))
        kind, name = _principal(gen, principal)
        items.append({"policy": policy_keys[policy][1], "policy_type": policy_keys[policy][0],
                      "principal_type": kind, "principal": name,
                      "resource_group": groups[group]["id"], "attached": gen.when()})
    return groups, items


def _limits(spec: Spec, peak_groups: int, peaks: dict[str, int]) -> dict[str, int]:
    """Quotas large enough for the generated state (and the documented ones as a floor)."""
    limits = {"UsersQuota": max(1000, spec.users * 2), "GroupsQuota": max(50, spec.groups * 2),
              "RolesQuota": max(1000, spec.roles * 2),
              "PoliciesQuota": max(1500, spec.custom_policies * 2),
              "GroupsPerUserQuota": max(5, peak_groups + 5)}
    for kind, word in (("user", "User"), ("group", "Group"), ("role", "Role")):
        limits[f"AttachedPoliciesPer{word}Quota"] = max(10, peaks.get(f"{kind}:Custom", 0) + 5)
        limits[f"AttachedSystemPoliciesPer{word}Quota"] = max(
            20, peaks.get(f"{kind}:System", 0) + 5)
    return limits


def generate(spec: Spec) -> dict[str, Any]:
    """A whole account for ``spec``; deterministic for a given spec (seed included)."""
    _check(spec)
    gen = _Gen(spec)
    users = [gen.user(index) for index in range(spec.users)]
    groups = [{"name": name, "display_name": name.title(), "created": gen.when()}
              for name in gen.group_names]
    roles = [{"name": name, "trust_policy": gen.trust(index), "created": gen.when(),
              "description": f"Generated role {index}",
              "max_session_duration": 3600 * (1 + index % 12)}
             for index, name in enumerate(gen.role_names)]
    policies = gen.policies()
    keys = [("System", str(p["name"])) for p in BUILTIN_SYSTEM_POLICIES]
    keys += [(str(p["type"]), str(p["name"])) for p in policies]
    memberships, peak_groups = _memberships(gen)
    attachments, peaks = _attachments(gen, keys)
    resource_groups, scoped = _resource_groups(spec, keys, gen)
    return {
        "version": 1,
        "account": {"id": spec.account_id, "alias": spec.alias, "created": "2020-01-01T00:00:00Z",
                    "limits": _limits(spec, peak_groups, peaks),
                    "access_keys": [{"id": f"{spec.key_prefix}Root0000000001",
                                     "secret": f"gen-root-secret-{spec.seed}"}]},
        "users": users, "groups": groups, "memberships": memberships, "roles": roles,
        "policies": policies, "attachments": [*attachments, *scoped],
        "resource_groups": resource_groups,
        "saml_providers": [{"name": "corp-idp", "description": "Generated SAML IdP"}],
        "oidc_providers": [{"name": "ci-oidc", "issuer_url": "https://oidc.example.com",
                            "client_ids": ["sts.aliyuncs.com"]}],
    }
