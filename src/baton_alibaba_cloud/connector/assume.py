"""Who of the account may really assume a role: the trust policy AND the identity's policies.

Alibaba lets a RAM user or role assume a role only when the role's trust policy allows it (by
name, or through the account's ``root``) and its own policies (a user's direct and its groups',
a role's own) allow ``sts:AssumeRole`` on the role's ARN with no explicit Deny
(docs/policy-evaluation.md). That needs every attachment, membership and policy document of the
sync, so it runs once after phase 2 (``builder.AfterDetails``), reading what phase 2 wrote.

Why it scales to 50,000 users x 5,000 roles: identities are grouped by the set of their
policies that mention ``sts:AssumeRole`` at all (most hold none, and few distinct sets exist),
so a role is evaluated once per distinct set, not once per identity; and only roles whose trust
names the account's root or one of its users or roles are looked at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from baton_alibaba_cloud.alibaba.policy import (
    ALLOW,
    CONDITIONAL,
    Decision,
    NamedPolicy,
    StatementRef,
    evaluate_statements,
    relevant,
)
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems, SyncView
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import RoleTrait
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import expandable_for, slim_grant, with_profile
from baton_alibaba_cloud.connector.trust import TrustGrant, TrustResult, parse_trust

__all__ = [
    "ASSUME_ACTION",
    "REFUSED",
    "Identities",
    "assume_grant",
    "assume_items",
    "is_own",
    "load_identities",
    "refused_rows",
]

ASSUME_ACTION = "sts:AssumeRole"
REFUSED = "trusted_not_permitted"
"""The role profile key listing the users and roles its trust names whose own policies refuse
``sts:AssumeRole`` on it: no grant, but a reviewer sees them (``inspect principals``)."""
Identity = tuple[str, str]  # (resource type, resource id)
Statements = tuple[tuple[StatementRef, Any], ...]
Key = tuple[str, ...]  # the ids of an identity's policies that mention sts:AssumeRole
_BATCH = 1000


@dataclass
class Identities:
    """Every user and role of the sync, grouped by which of their policies mention
    ``sts:AssumeRole`` at all (the key; empty for most), and those policies' statements."""

    by_key: dict[Key, list[Identity]] = field(default_factory=dict)
    key_of: dict[Identity, Key] = field(default_factory=dict)
    statements: dict[str, Statements] = field(default_factory=dict)

    def add(self, identity: Identity, key: Key) -> None:
        self.by_key.setdefault(key, []).append(identity)
        self.key_of[identity] = key

    def statements_for(self, key: Key) -> Statements:
        return tuple(pair for policy in key for pair in self.statements[policy])


def is_own(grant: TrustGrant, uid: str) -> bool:
    """A trust grant to a user or role of the account, or to its root."""
    if grant.principal_type in (ids.USER, ids.ROLE):
        return True
    return grant.principal_type == ids.ACCOUNT and grant.principal_id == uid


def assume_items(view: SyncView, uid: str, role_type: str) -> Iterator[SyncItems]:
    """The ``assume`` grants of every role to the users and roles of the account that may
    assume it, and the roles updated with who is trusted but not permitted."""
    identities = load_identities(view)
    for chunk in view.resources(role_type):
        resources: list[Resource] = []
        grants: list[Grant] = []
        for role in chunk:
            items = _role_items(role, uid, identities)
            resources.extend(items.resources)
            grants.extend(items.grants)
            if len(grants) >= _BATCH:
                yield SyncItems(resources=resources, grants=grants)
                resources, grants = [], []
        yield SyncItems(resources=resources, grants=grants)


def load_identities(view: SyncView) -> Identities:
    """Read policies, attachments and memberships; group users and roles by statements."""
    statements = _assume_statements(view)
    attached: dict[Identity, set[str]] = defaultdict(set)
    groups_of: dict[str, set[str]] = defaultdict(set)
    for chunk in view.grants(ids.POLICY):
        for grant in chunk:
            principal = (grant.principal.id.resource_type, grant.principal.id.resource)
            attached[principal].add(grant.entitlement.resource.id.resource)
    for chunk in view.grants(ids.GROUP):
        for grant in chunk:
            if grant.principal.id.resource_type == ids.USER:
                groups_of[grant.principal.id.resource].add(grant.entitlement.resource.id.resource)
    found = Identities(statements=statements)
    for kind in (ids.USER, ids.ROLE):
        for resources in view.resources(kind):
            for resource in resources:
                identity = (kind, resource.id.resource)
                policies = set(attached.get(identity, ()))
                for group in groups_of.get(resource.id.resource, ()):
                    policies |= attached.get((ids.GROUP, group), set())
                found.add(identity, tuple(sorted(p for p in policies if p in statements)))
    return found


def _assume_statements(view: SyncView) -> dict[str, Statements]:
    """Per policy id, its statements whose Action covers ``sts:AssumeRole`` (most have none)."""
    found: dict[str, Statements] = {}
    for chunk in view.resources(ids.POLICY):
        for policy in chunk:
            document = policy.profile.fields.get("policy_document")
            if document is None:
                continue
            named = NamedPolicy(policy.display_name, document.string_value)
            pairs = tuple(relevant([named], ASSUME_ACTION))
            if pairs:
                found[policy.id.resource] = pairs
    return found


def _role_items(role: Resource, uid: str, identities: Identities) -> SyncItems:
    document = role.profile.fields.get("assume_role_policy_document")
    if document is None:
        return SyncItems()
    name = ids.name_of(role.id.resource)
    trust = parse_trust(document.string_value, role=name, uid=uid)
    own = [g for g in trust.grants if is_own(g, uid)]
    if not own:
        return SyncItems()
    decisions: dict[Key, Decision] = {}

    def decide(identity: Identity) -> Decision:
        key = identities.key_of.get(identity, ())
        if key not in decisions:
            decisions[key] = evaluate_statements(
                identities.statements_for(key), ASSUME_ACTION, role.id.resource)
        return decisions[key]

    grants, refused = _grants(role, own, trust, identities, decide)
    if not refused:
        return SyncItems(grants=grants)
    updated = with_profile(role, RoleTrait, {REFUSED: sorted(refused)})
    return SyncItems(resources=[updated], grants=grants)


def _grants(
    role: Resource, own: list[TrustGrant], trust: TrustResult, identities: Identities,
    decide: Any,
) -> tuple[list[Grant], list[str]]:
    """Grants to the permitted identities; the ids of those named by the trust but refused."""
    by_name = {(g.principal_type, g.principal_id): g
               for g in own if g.principal_type != ids.ACCOUNT}
    root = next((g for g in own if g.principal_type == ids.ACCOUNT), None)
    candidates: list[Identity] = list(by_name)
    if root is not None:
        # the whole account: every identity whose statements may allow it, except the role itself
        candidates += [i for key, group in identities.by_key.items()
                       if key and decide(group[0]).verdict in (ALLOW, CONDITIONAL)
                       for i in group if i not in by_name]
    grants: list[Grant] = []
    refused: list[str] = []
    templates: dict[tuple[int, int], Grant] = {}
    for identity in candidates:
        if identity == (ids.ROLE, role.id.resource) or trust.denies(*identity):
            continue
        if identity not in identities.key_of:
            continue  # named but not in the sync: the completeness pass would drop it
        decision = decide(identity)
        trusted = _broadest(by_name.get(identity), root)
        if decision.verdict not in (ALLOW, CONDITIONAL) or trusted is None:
            if identity in by_name:
                refused.append(identity[1])
            continue
        if identity[0] == ids.ROLE:  # its own GrantExpandable: built whole
            grants.append(assume_grant(role, identity, trusted, decision))
            continue
        shape = (id(trusted), id(decision))
        if shape not in templates:  # one metadata per trust and decision, built once
            templates[shape] = assume_grant(role, identity, trusted, decision)
        grants.append(_with_principal(templates[shape], identity))
    return grants, refused


def _with_principal(template: Grant, identity: Identity) -> Grant:
    """``template`` (same role, trust and decision, a user) for another user."""
    grant = Grant()
    grant.CopyFrom(template)
    grant.principal.id.resource = identity[1]
    grant.id = bt.grant_id(grant.entitlement.id, *identity)
    return grant


def _broadest(named: TrustGrant | None, root: TrustGrant | None) -> TrustGrant | None:
    """The trust that allows an identity: by its name unless only the root's is unconditional."""
    if named is None or (not named.unconditional and root is not None and root.unconditional):
        return root
    return named


def assume_grant(role: Resource, identity: Identity, trusted: TrustGrant,
                 decision: Decision) -> Grant:
    """The ``assume`` grant of ``role`` to one identity that the trust (``trusted``) names and
    whose policies decide ``decision``, with the trust and the deciding statements."""
    principal = bt.resource_id(*identity)
    conditional = decision.verdict == CONDITIONAL or not trusted.unconditional
    metadata: dict[str, Any] = {
        "trust": _trust_text(trusted),
        "allowed_by": [ref.describe() for ref in decision.statements],
    }
    if not trusted.unconditional and trusted.conditions:
        conditions = trusted.conditions
        metadata["condition"] = conditions[0] if len(conditions) == 1 else conditions
    if conditional:
        metadata["conditional"] = True
    annotations: list[Any] = [bt.grant_metadata(metadata)]
    expandable = expandable_for(principal) if identity[0] == ids.ROLE else None
    if expandable is not None:
        annotations.insert(0, expandable)
    return slim_grant(ids.ROLE, role.id.resource, "assume", principal, annotations=annotations)


def _trust_text(trusted: TrustGrant) -> str:
    """``statement 1: acs:ram::<uid>:root`` (or the user's or role's own id)."""
    numbers = ", ".join(str(n) for n in trusted.statements)
    word = "statements" if len(trusted.statements) > 1 else "statement"
    who = f"acs:ram::{trusted.principal_id}:root" if trusted.principal_type == ids.ACCOUNT \
        else trusted.principal_id
    return f"{word} {numbers}: {who}"


def refused_rows(role: Resource) -> list[dict[str, object]]:
    """``inspect principals`` rows for the identities the role's trust names but whose own
    policies do not allow them to assume it (an empty list for any other resource)."""
    listed = role.profile.fields.get(REFUSED) if role.id.resource_type == ids.ROLE else None
    if listed is None:
        return []
    return [{"entitlement": "assume", "principal_type": ids.ROLE if ":role/" in pid else ids.USER,
             "principal": ids.name_of(pid),
             "path": "trusted, not permitted (its policies do not allow sts:AssumeRole here)",
             "principal_id": pid}
            for pid in (value.string_value for value in listed.list_value.values)]
