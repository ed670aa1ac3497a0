"""Issue 4 end to end: an emulator account built to exercise the whole access graph, synced
through the real client, and the c1z's grants listed exactly, direct and expanded.

The account (``ACCOUNT`` below) has one of everything the contract maps (docs/model.md §2-3):
policies attached to users, groups and roles; trust policies naming the account root, a user
(with a Condition), a role (a chain), a user of another account (with a Condition), two
services, a SAML and an OIDC provider (with a Condition), an explicit Deny, a two-role trust
cycle, an unknown principal form and a malformed document; the users and roles of the account
hold ``assume`` only where their own policies allow sts:AssumeRole too (issue 9). Both
attachment plans and both login-enrichment plans must write the same file content. What a
reviewer reads besides the grants (users, keys, principals, ``inspect access``) is in
``test_access_graph_review.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotations_pb2 import (
    GrantExpandable,
    GrantImmutable,
    GrantMetadata,
)
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.sync.engine import SyncReport
from baton_alibaba_cloud.connector import _login, run
from baton_alibaba_cloud.connector._context import Counts
from baton_alibaba_cloud.emulator.request_log import RequestLog
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.test_sync_sample import config_for, repeated_calls

UID = "1122334455667788"
OTHER = "8877665544332211"  # a partner account: never synced, only named by trust
AUDITOR = f"acs:ram::{OTHER}:user/auditor"
SAML = f"acs:ram::{UID}:saml-provider/corp-idp"
OIDC = f"acs:ram::{UID}:oidc-provider/gh-actions"
FC = f"{OTHER}@fc.aliyuncs.com"  # the <uid>@service form
MFA = {"Bool": {"acs:MFAPresent": "true"}}
EXTERNAL_ID = {"StringEquals": {"sts:ExternalId": "partner-42"}}
OIDC_AUD = {"StringEquals": {"oidc:aud": "sts.aliyuncs.com"}}


def _trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "1", "Statement": list(statements)}


def _allow(principal: dict[str, Any], condition: dict[str, Any] | None = None) -> dict[str, Any]:
    found = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}
    return {**found, "Condition": condition} if condition else found


def _key(key_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": key_id, "secret": f"secret-of-{key_id.lower()}-do-not-leak", **extra}


def _role(name: str, trust: Any) -> dict[str, Any]:
    return {"name": name, "description": f"the {name}", "trust_policy": trust}


def _attach(policy: str, kind: str, principal_type: str, principal: str) -> dict[str, str]:
    return {"policy": policy, "policy_type": kind, "principal_type": principal_type,
            "principal": principal}


ACCOUNT: dict[str, Any] = {
    "version": 1,
    "account": {"id": UID, "alias": "graph", "access_keys": [_key("LTAI5tGraphRoot01")]},
    "users": [
        # the emulator's admin (its key runs the sync): keys only, so a SERVICE account
        {"name": "emulator-admin", "access_keys": [_key("LTAI5tGraphAdmin1")]},
        # console + virtual MFA, MFA required at login, one key that was used
        {"name": "alice", "display_name": "Alice", "email": "alice@example.com",
         "last_login": "2026-11-20T08:00:00Z",
         "login_profile": {"status": "Active", "mfa_bind_required": True},
         "mfa": {"name": "alice", "type": "VMFA"},
         "access_keys": [_key("LTAI5tGraphAlice1", last_used="2026-11-26T07:30:00Z")]},
        # console without MFA
        {"name": "bob", "display_name": "Bob", "login_profile": {"status": "Active"}},
        # keys only, one Inactive and never used: a SERVICE account
        {"name": "svc", "access_keys": [_key("LTAI5tGraphSvc001"),
                                        _key("LTAI5tGraphSvc002", status="Inactive")]},
        # frozen, console disabled, no keys: still HUMAN
        {"name": "dave", "status": "freeze", "login_profile": {"status": "Inactive"}},
    ],
    "groups": [{"name": "dev"}, {"name": "ops"}, {"name": "empty"}],
    "memberships": [
        {"user": "alice", "group": "dev"}, {"user": "bob", "group": "dev"},
        {"user": "bob", "group": "ops"},
    ],
    "policies": [
        {"name": name, "type": "Custom", "description": f"custom {name}",
         "document": {"Version": "1", "Statement": [
             {"Effect": "Allow", "Action": action, "Resource": "*"}]}}
        for name, action in (("dev-ecs", "ecs:*"), ("ops-oss", "oss:*"), ("svc-fc", "fc:*"),
                             ("unused", "log:*"))
    ] + [
        # sts:AssumeRole on named roles: a role may assume a role only when its own policies
        # allow it too (the chain and the cycle below need them)
        {"name": name, "type": "Custom", "description": f"custom {name}",
         "document": {"Version": "1", "Statement": [
             {"Effect": "Allow", "Action": "sts:AssumeRole",
              "Resource": f"acs:ram:*:{UID}:role/{target}"}]}}
        for name, target in (("assume-chain", "chain-role"), ("assume-cycle", "cycle-*"))
    ],
    "roles": [
        _role("root-role", _trust(_allow({"RAM": f"acs:ram::{UID}:root"}))),
        _role("user-role", _trust(_allow({"RAM": f"acs:ram::{UID}:user/alice"}, MFA))),
        _role("chain-role", _trust(_allow({"RAM": [f"acs:ram::{UID}:role/user-role"]}))),
        _role("partner-role", _trust(_allow({"RAM": [AUDITOR]}, EXTERNAL_ID))),
        _role("svc-role", _trust(_allow({"Service": ["ecs.aliyuncs.com", FC]}))),
        _role("fed-role", _trust(_allow({"Federated": [SAML, OIDC]}, OIDC_AUD))),
        _role("deny-role", _trust(
            _allow({"RAM": [f"acs:ram::{UID}:root", f"acs:ram::{UID}:user/bob",
                            f"acs:ram::{UID}:user/svc"]}),
            {"Effect": "Deny", "Action": "sts:AssumeRole",
             "Principal": {"RAM": f"acs:ram::{UID}:user/bob"}})),
        # a cycle: each role trusts the other; bob may assume cycle-a from outside
        _role("cycle-a", _trust(_allow({"RAM": [f"acs:ram::{UID}:role/cycle-b",
                                                f"acs:ram::{UID}:user/bob"]}))),
        _role("cycle-b", _trust(_allow({"RAM": f"acs:ram::{UID}:role/cycle-a"}))),
        # an AWS-style principal the contract does not know, next to a valid one
        _role("odd-role", _trust(_allow({"RAM": ["arn:aws:iam::123456789012:root",
                                                 f"acs:ram::{UID}:user/alice"]}))),
        _role("broken-role", '{"Version": "1", "Statement": [{"Effect": "Allow", '),
    ],
    "attachments": [
        _attach("AdministratorAccess", "System", "user", "emulator-admin"),
        _attach("AliyunSTSAssumeRoleAccess", "System", "user", "alice"),
        _attach("dev-ecs", "Custom", "user", "bob"),  # bob: directly and through dev
        _attach("dev-ecs", "Custom", "group", "dev"),
        _attach("ops-oss", "Custom", "group", "ops"),
        _attach("ops-oss", "Custom", "role", "user-role"),
        _attach("AdministratorAccess", "System", "role", "chain-role"),
        _attach("ReadOnlyAccess", "System", "role", "root-role"),
        _attach("ReadOnlyAccess", "System", "role", "partner-role"),
        _attach("svc-fc", "Custom", "role", "svc-role"),
        _attach("AliyunRAMReadOnlyAccess", "System", "role", "fed-role"),
        _attach("AliyunRAMFullAccess", "System", "role", "cycle-b"),
        _attach("assume-chain", "Custom", "role", "user-role"),
        _attach("assume-cycle", "Custom", "role", "cycle-a"),
        _attach("assume-cycle", "Custom", "role", "cycle-b"),
        _attach("assume-cycle", "Custom", "group", "ops"),
    ],
    "saml_providers": [{"name": "corp-idp"}],
    "oidc_providers": [{"name": "gh-actions", "issuer_url": "https://token.actions.example",
                        "client_ids": ["sts.aliyuncs.com"]}],
}


# --- the expected grants ---------------------------------------------------------------------

def arn(kind: str, name: str) -> str:
    return f"acs:ram::{UID}:{kind}/{name}"


def user(name: str) -> tuple[str, str]:
    return "user", arn("user", name)


def role(name: str) -> tuple[str, str]:
    return "role", arn("role", name)


def group(name: str) -> tuple[str, str]:
    return "group", arn("group", name)


def member(name: str) -> str:
    return f"group:{arn('group', name)}:member"


def assume(name: str) -> str:
    return f"role:{arn('role', name)}:assume"


def attached(name: str) -> str:
    custom = ("dev-ecs", "ops-oss", "svc-fc", "assume-chain", "assume-cycle")
    owner = UID if name in custom else "system"
    return f"policy:acs:ram::{owner}:policy/{name}:attached"


def meta(**fields: Any) -> str:
    """A grant's GrantMetadata as compared: JSON with sorted keys."""
    return json.dumps(fields, sort_keys=True)


def via_members(name: str) -> tuple[tuple[str, ...], bool]:
    return (member(name),), True


def via_assume(name: str) -> tuple[tuple[str, ...], bool]:
    return (assume(name),), False


def permitted(trusted: str, *policies: str, condition: Any = None) -> str:
    """The metadata of an ``assume`` grant to a user or role of the account: the trust
    statement (statement 1 everywhere here) naming it or the root, and the policy statements
    that allow sts:AssumeRole; conditional when the trust statement has a Condition."""
    who = f"acs:ram::{UID}:root" if trusted == "root" else trusted
    fields: dict[str, Any] = {"trust": f"statement 1: {who}",
                              "allowed_by": [f"{p}#1 Allow" for p in policies]}
    if condition is not None:
        fields.update(condition=condition, conditional=True)
    return meta(**fields)


ADMIN, STS = "AdministratorAccess", "AliyunSTSAssumeRoleAccess"

# (entitlement, principal type, principal id, GrantExpandable (ids, shallow), GrantMetadata)
# An own user or role holds ``assume`` only when the trust allows it AND its policies allow
# sts:AssumeRole on the role: who holds sts:AssumeRole here is emulator-admin and chain-role
# (AdministratorAccess), alice (AliyunSTSAssumeRoleAccess), user-role (assume-chain: chain-role
# only), cycle-a, cycle-b and bob through ops (assume-cycle: cycle-*). The account root itself
# is never granted (root may not call AssumeRole).
DIRECT: set[tuple[str, str, str, Any, str | None]] = {
    (member("dev"), *user("alice"), None, None),
    (member("dev"), *user("bob"), None, None),
    (member("ops"), *user("bob"), None, None),
    # trusting the root: exactly the permitted users and roles
    (assume("root-role"), *user("emulator-admin"), None, permitted("root", ADMIN)),
    (assume("root-role"), *user("alice"), None, permitted("root", STS)),
    (assume("root-role"), *role("chain-role"), via_assume("chain-role"), permitted("root", ADMIN)),
    # a conditional trust stays, marked
    (assume("user-role"), *user("alice"), None,
     permitted(arn("user", "alice"), STS, condition=MFA)),
    (assume("chain-role"), *role("user-role"), via_assume("user-role"),
     permitted(arn("role", "user-role"), "assume-chain")),
    (assume("partner-role"), "account", OTHER, None,
     meta(condition=EXTERNAL_ID, principal_arns=[AUDITOR])),
    (assume("svc-role"), "service", "ecs.aliyuncs.com", None, None),
    (assume("svc-role"), "service", FC, None, None),
    (assume("fed-role"), "identity_provider", SAML, None, meta(condition=OIDC_AUD)),
    (assume("fed-role"), "identity_provider", OIDC, None, meta(condition=OIDC_AUD)),
    # bob is denied by the trust; svc is named but not permitted; the root's permitted ones
    (assume("deny-role"), *user("emulator-admin"), None, permitted("root", ADMIN)),
    (assume("deny-role"), *user("alice"), None, permitted("root", STS)),
    (assume("deny-role"), *role("chain-role"), via_assume("chain-role"), permitted("root", ADMIN)),
    (assume("cycle-a"), *role("cycle-b"), via_assume("cycle-b"),
     permitted(arn("role", "cycle-b"), "assume-cycle")),
    (assume("cycle-a"), *user("bob"), None, permitted(arn("user", "bob"), "assume-cycle")),
    (assume("cycle-b"), *role("cycle-a"), via_assume("cycle-a"),
     permitted(arn("role", "cycle-a"), "assume-cycle")),
    (assume("odd-role"), *user("alice"), None, permitted(arn("user", "alice"), STS)),
    (attached("AdministratorAccess"), *user("emulator-admin"), None, None),
    (attached("AdministratorAccess"), *role("chain-role"), via_assume("chain-role"), None),
    (attached("AliyunSTSAssumeRoleAccess"), *user("alice"), None, None),
    (attached("dev-ecs"), *user("bob"), None, None),
    (attached("dev-ecs"), *group("dev"), via_members("dev"), None),
    (attached("ops-oss"), *group("ops"), via_members("ops"), None),
    (attached("ops-oss"), *role("user-role"), via_assume("user-role"), None),
    (attached("ReadOnlyAccess"), *role("root-role"), via_assume("root-role"), None),
    (attached("ReadOnlyAccess"), *role("partner-role"), via_assume("partner-role"), None),
    (attached("svc-fc"), *role("svc-role"), via_assume("svc-role"), None),
    (attached("AliyunRAMReadOnlyAccess"), *role("fed-role"), via_assume("fed-role"), None),
    (attached("AliyunRAMFullAccess"), *role("cycle-b"), via_assume("cycle-b"), None),
    (attached("assume-chain"), *role("user-role"), via_assume("user-role"), None),
    (attached("assume-cycle"), *role("cycle-a"), via_assume("cycle-a"), None),
    (attached("assume-cycle"), *role("cycle-b"), via_assume("cycle-b"), None),
    (attached("assume-cycle"), *group("ops"), via_members("ops"), None),
}

# Expansion, as Go writes it: (entitlement, principal type, principal id, sources), a new grant
# carrying GrantImmutable. ``is_direct`` says the principal's grant on the source is direct.
EXPANDED: set[tuple[str, str, str, frozenset[tuple[str, bool]]]] = {
    # group members get the group's policies
    (attached("dev-ecs"), *user("alice"), frozenset({(member("dev"), True)})),
    (attached("ops-oss"), *user("bob"), frozenset({(member("ops"), True)})),
    # whoever may assume a role gets its policies, and the roles it may assume in turn
    (attached("ops-oss"), *user("alice"), frozenset({(assume("user-role"), True)})),
    (attached("assume-chain"), *user("alice"), frozenset({(assume("user-role"), True)})),
    (assume("chain-role"), *user("alice"), frozenset({(assume("user-role"), True)})),
    (attached("AdministratorAccess"), *user("alice"), frozenset({(assume("chain-role"), False)})),
    (attached("AdministratorAccess"), *role("user-role"),
     frozenset({(assume("chain-role"), True)})),
    # chain-role may assume root-role and deny-role, so user-role may through it
    (assume("root-role"), *role("user-role"), frozenset({(assume("chain-role"), True)})),
    (assume("deny-role"), *role("user-role"), frozenset({(assume("chain-role"), True)})),
    (attached("ReadOnlyAccess"), *user("emulator-admin"), frozenset({(assume("root-role"), True)})),
    (attached("ReadOnlyAccess"), *user("alice"), frozenset({(assume("root-role"), True)})),
    (attached("ReadOnlyAccess"), *role("chain-role"), frozenset({(assume("root-role"), True)})),
    (attached("ReadOnlyAccess"), *role("user-role"), frozenset({(assume("root-role"), False)})),
    (attached("ReadOnlyAccess"), "account", OTHER, frozenset({(assume("partner-role"), True)})),
    (attached("svc-fc"), "service", "ecs.aliyuncs.com", frozenset({(assume("svc-role"), True)})),
    (attached("svc-fc"), "service", FC, frozenset({(assume("svc-role"), True)})),
    (attached("AliyunRAMReadOnlyAccess"), "identity_provider", SAML,
     frozenset({(assume("fed-role"), True)})),
    (attached("AliyunRAMReadOnlyAccess"), "identity_provider", OIDC,
     frozenset({(assume("fed-role"), True)})),
    # the cycle is collapsed (Go): fed from every member, members not expanded into each other
    (attached("AliyunRAMFullAccess"), *user("bob"), frozenset({(assume("cycle-a"), True)})),
    (attached("AliyunRAMFullAccess"), *role("cycle-a"), frozenset({(assume("cycle-b"), True)})),
    (attached("assume-cycle"), *user("bob"),
     frozenset({(member("ops"), True), (assume("cycle-a"), True)})),
}

# Direct grants that expansion reached too: they gain sources, keep their annotations.
ALSO_VIA: dict[tuple[str, str, str], frozenset[tuple[str, bool]]] = {
    (attached("dev-ecs"), *user("bob")): frozenset({(attached("dev-ecs"), True),
                                                    (member("dev"), True)}),
    (attached("AliyunRAMFullAccess"), *role("cycle-b")): frozenset({
        (attached("AliyunRAMFullAccess"), True), (assume("cycle-a"), True)}),
    (attached("assume-cycle"), *role("cycle-a")): frozenset({
        (attached("assume-cycle"), True), (assume("cycle-b"), True)}),
    (attached("assume-cycle"), *role("cycle-b")): frozenset({
        (attached("assume-cycle"), True), (assume("cycle-a"), True)}),
    (assume("root-role"), *user("alice")): frozenset({(assume("root-role"), True),
                                                      (assume("chain-role"), False)}),
    (assume("deny-role"), *user("alice")): frozenset({(assume("deny-role"), True),
                                                      (assume("chain-role"), False)}),
}


# --- reading the file ----------------------------------------------------------------------

def _sources(grant: Grant) -> frozenset[tuple[str, bool]]:
    return frozenset((k, v.is_direct) for k, v in grant.sources.sources.items())


def _direct_row(grant: Grant) -> tuple[str, str, str, Any, str | None]:
    pid = grant.principal.id
    expandable = bt.unpack_annotation(grant.annotations, GrantExpandable)
    metadata = bt.unpack_annotation(grant.annotations, GrantMetadata)
    return (
        grant.entitlement.id, pid.resource_type, pid.resource,
        None if expandable is None else (tuple(expandable.entitlement_ids), expandable.shallow),
        None if metadata is None else meta(**MessageToDict(metadata.metadata)),
    )


def read_grants(path: Path) -> tuple[set[Any], set[Any], dict[Any, Any]]:
    """(direct rows, expanded rows, sources of direct grants that expansion reached)."""
    direct, expanded, also = set(), set(), {}
    with C1zReader.open(path) as reader:
        for grant in reader.grants(with_expansion=True):
            pid = grant.principal.id
            key = (grant.entitlement.id, pid.resource_type, pid.resource)
            assert grant.id == ":".join(key)
            if bt.has_annotation(grant.annotations, GrantImmutable):
                expanded.add((*key, _sources(grant)))
                continue
            direct.add(_direct_row(grant))
            if grant.sources.sources:
                also[key] = _sources(grant)
    return direct, expanded, also


def trusted_not_permitted(path: Path) -> dict[str, list[str]]:
    """Per role, the users and roles its trust names whose policies do not let them assume it."""
    found: dict[str, list[str]] = {}
    with C1zReader.open(path) as reader:
        for resource in reader.resources("role"):
            value = resource.profile.fields.get("trusted_not_permitted")
            if value is not None:
                found[resource.display_name] = [v.string_value for v in value.list_value.values]
    return found


# --- the tests ------------------------------------------------------------------------------

PLANS: dict[str, tuple[bool | None, int | None]] = {
    # the account's own choice: 8 attached policies < 19 principals, and 5 users fit a report
    "per-policy+report": (None, None),
    # the other attachment plan and the per-user enrichment, forced: the same file content
    "per-principal+per-user": (False, 0),
}


@pytest.fixture(params=list(PLANS))
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which plans the sync runs; the default one is what the connector picks by itself."""
    by_policy, report_max = PLANS[request.param]
    if by_policy is not None:
        monkeypatch.setattr(Counts, "attachments_by_policy", property(lambda _: by_policy))
    if report_max is not None:
        monkeypatch.setattr(_login, "REPORT_MAX_USERS", report_max)
    return str(request.param)


async def sync(path: Path) -> tuple[SyncReport, RequestLog]:
    """Sync ``ACCOUNT`` with ``--sync-secrets`` into ``path``."""
    async with running_emulator(ACCOUNT) as emu:
        report = await run.sync(config_for(emu, sync_secrets=True), path)
        return report, emu.request_log


async def test_exact_grants_direct_and_expanded(plan: str, tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    report, log = await sync(path)
    direct, expanded, also = read_grants(path)
    assert direct == DIRECT
    assert expanded == EXPANDED
    assert also == ALSO_VIA
    assert sorted(report.warnings) == [
        "role broken-role: trust policy is not valid JSON (Expecting property name enclosed in "
        "double quotes: line 1 column 52 (char 51)); skipped",
        "role odd-role: trust principal ram='arn:aws:iam::123456789012:root' is of an unknown "
        "form",
    ]
    assert repeated_calls(log) == []  # nothing fetched twice (report polls are not fetches)
    assert trusted_not_permitted(path) == {"deny-role": [arn("user", "svc")]}
    if plan == "per-policy+report":
        assert log.count("ListEntitiesForPolicy") == 10  # one per attached policy
        assert log.count("GetCredentialReport") == 1
        assert log.count("ListPoliciesForUser") == log.count("GetUserMFAInfo") == 0
    else:
        assert log.count("ListEntitiesForPolicy") == log.count("GetCredentialReport") == 0
        assert (log.count("ListPoliciesForUser"), log.count("ListPoliciesForGroup"),
                log.count("ListPoliciesForRole")) == (5, 3, 11)
