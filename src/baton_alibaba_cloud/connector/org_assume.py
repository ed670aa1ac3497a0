"""Who of another account of the organization may really assume a role.

In a single-account sync, a role whose trust names another account can only be granted to that
account as a whole: its users and roles are not in the file. In an organization they are: the
management account's identities, say, and ``ResourceDirectoryAccountAccessRole`` in every member
trusts the management account. Alibaba lets one of them in only when the trust names its
account (or it by name) AND its own policies allow ``sts:AssumeRole`` on the role's ARN
(docs/policy-evaluation.md), exactly as within one account; so after phase 2, with every
account's rows written, each such trust is evaluated against the trusted account's identities
(``assume.load_identities`` over that account's rows) and the ones permitted get their own
``assume`` grant. The account-level grant stays: it is what the trust says, and it is what a
single-account file of the member holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from baton_alibaba_cloud.alibaba.policy import ALLOW, CONDITIONAL, Decision, evaluate_statements
from baton_alibaba_cloud.baton.builder import SyncItems, SyncView
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector.assume import (
    ASSUME_ACTION,
    Identities,
    assume_grant,
    load_identities,
)
from baton_alibaba_cloud.connector.trust import TrustGrant, TrustResult, parse_trust

__all__ = ["cross_account_assume"]

Identity = tuple[str, str]
Narrow = Callable[[SyncView, str, set[str]], SyncView]
_BATCH = 1000


def cross_account_assume(view: SyncView, synced: list[str],
                         account_view: Narrow) -> Iterator[SyncItems]:
    """The ``assume`` grants of every role of a synced account to the identities of another
    synced account that its trust names and whose policies allow it. ``account_view(view, uid,
    uids)`` narrows ``view`` to one account's rows."""
    uids = set(synced)
    loaded: dict[str, Identities] = {}

    def identities_of(uid: str) -> Identities:
        if uid not in loaded:
            loaded[uid] = load_identities(account_view(view, uid, uids))
        return loaded[uid]

    grants: list[Grant] = []
    for uid in synced:
        for chunk in account_view(view, uid, uids).resources(ids.ROLE):
            for role in chunk:
                grants += _role_grants(role, uid, uids, identities_of)
                if len(grants) >= _BATCH:
                    yield SyncItems(grants=grants)
                    grants = []
    if grants:
        yield SyncItems(grants=grants)


def _role_grants(role: Resource, uid: str, uids: set[str],
                 identities_of: Callable[[str], Identities]) -> list[Grant]:
    document = role.profile.fields.get("assume_role_policy_document")
    if document is None:
        return []
    trust = parse_trust(document.string_value, role=ids.name_of(role.id.resource), uid=uid)
    found: list[Grant] = []
    for trusted in trust.grants:
        other = trusted.principal_id
        if trusted.principal_type != ids.ACCOUNT or other == uid or other not in uids:
            continue
        found += _permitted(role, trusted, trust, identities_of(other))
    return found


def _permitted(role: Resource, trusted: TrustGrant, trust: TrustResult,
               identities: Identities) -> list[Grant]:
    """Grants to the identities of the trusted account that the trust names (all of them when
    it names the account) and whose own policies allow or may allow the assume."""
    decisions: dict[tuple[str, ...], Decision] = {}

    def decide(identity: Identity) -> Decision:
        key = identities.key_of.get(identity, ())
        if key not in decisions:
            decisions[key] = evaluate_statements(identities.statements_for(key),
                                                 ASSUME_ACTION, role.id.resource)
        return decisions[key]

    named: dict[Identity, str] = {}
    for arn in trusted.principal_arns:
        identity = _identity(arn)
        if identity is not None:
            named[identity] = arn
    if trusted.whole_account:
        candidates = [i for key, group in identities.by_key.items() if key
                      and decide(group[0]).verdict in (ALLOW, CONDITIONAL) for i in group]
    else:
        candidates = [i for i in named if i in identities.key_of]
    grants: list[Grant] = []
    for identity in candidates:
        if (identity[1].lower(),) in trust.blocked or trust.denies(*identity):
            continue
        decision = decide(identity)
        if decision.verdict not in (ALLOW, CONDITIONAL):
            continue
        how = trusted if trusted.whole_account else _by_name(trusted, named[identity])
        grants.append(assume_grant(role, identity, how, decision))
    return grants


def _identity(arn: str) -> Identity | None:
    """The user or role id an ARN of another account names (our ids are its ARN)."""
    parsed = ids.parse_arn(arn)
    if parsed is None or parsed.kind not in ("user", "role"):
        return None
    if parsed.kind == "user":
        return ids.USER, ids.user_id(parsed.account, parsed.name)
    return ids.ROLE, ids.role_id(parsed.account, parsed.name)


def _by_name(trusted: TrustGrant, arn: str) -> TrustGrant:
    """The trust of one named identity: the account's statements and conditions, its ARN."""
    kind = ids.ROLE if ":role/" in arn.lower() else ids.USER
    return TrustGrant(kind, arn, conditions=list(trusted.conditions),
                      unconditional=trusted.unconditional, statements=list(trusted.statements))
