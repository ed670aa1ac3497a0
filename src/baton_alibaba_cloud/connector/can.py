"""``inspect can``: who may do an action (on a resource), from the policy documents in a sync.

Why in the connector: it is Alibaba's logic (``alibaba.policy``) applied to what the sync
wrote: the documents on the policy resources, the ``attached`` and ``member`` grants, and the
``assume`` grants (expanded ones too, so a chain of roles counts). An identity's own answer is
its policies evaluated together (a user's direct and its groups' ones: a Deny in a group's
policy blocks a direct Allow, as in Alibaba); each role it may assume is evaluated on that
role's policies and shown as its own path. Without a resource, an Allow on any resource counts
and only a Deny on every resource (``*``) blocks: the question is then "on some resource".
A CloudSSO user holds no RAM policy of its own: its paths are the ``AliyunReservedSSO-<name>``
roles its access assignments let it assume (the expanded ``assume`` grants), one per account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.alibaba.policy import (
    CONDITIONAL,
    Decision,
    NamedPolicy,
    StatementRef,
    evaluate_statements,
    relevant,
)
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable, GrantMetadata
from baton_alibaba_cloud.connector import hygiene, ids

__all__ = ["Answer", "Graph", "Path", "load_graph", "paths_for", "who_can"]

Identity = tuple[str, str]
ANY = "*"
UNKNOWN = "unknown"


@dataclass
class Graph:
    """What ``inspect can`` needs of a sync, read once."""

    documents: dict[str, NamedPolicy] = field(default_factory=dict)
    attached: dict[Identity, set[str]] = field(default_factory=lambda: defaultdict(set))
    groups_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    assumable: dict[Identity, dict[str, bool]] = field(default_factory=lambda: defaultdict(dict))
    names: dict[str, str] = field(default_factory=dict)
    identities: list[Identity] = field(default_factory=list)
    bindings: dict[str, tuple[str, str]] = field(default_factory=dict)
    """policy_binding id -> (policy id, resource group name): a resource-group-scoped attachment"""
    scoped: dict[Identity, set[str]] = field(default_factory=lambda: defaultdict(set))
    accounts: dict[str, str] = field(default_factory=dict)
    """uid → name of the synced accounts: with several (an organization), a role's name is
    followed by its account's, as every member has its ``ResourceDirectoryAccountAccessRole``"""


@dataclass(frozen=True)
class Path:
    """One way an identity may (or may not) do the action: ``direct`` (its own policies,
    groups included) or ``via role R``."""

    principal_type: str
    principal_id: str
    principal: str
    path: str
    answer: str
    statements: tuple[str, ...]

    def row(self) -> dict[str, Any]:
        return {"principal_type": self.principal_type, "principal_id": self.principal_id,
                "principal": self.principal, "answer": self.answer, "path": self.path,
                "statements": list(self.statements)}


@dataclass(frozen=True)
class Answer:
    """One principal's answer: yes when a path says yes, conditional when one is conditional."""

    answer: str
    paths: tuple[Path, ...]


def load_graph(reader: C1zReader) -> Graph:
    """Policies with documents, attachments, memberships, assume grants and identities."""
    graph = Graph(accounts=hygiene.synced_accounts(reader))
    for policy in reader.resources(ids.POLICY):
        document = policy.profile.fields.get("policy_document")
        if document is not None:
            graph.documents[policy.id.resource] = NamedPolicy(policy.display_name,
                                                              document.string_value)
    for kind in (ids.USER, ids.ROLE, ids.GROUP, ids.SSO_USER):
        for resource in reader.resources(kind):
            graph.names[resource.id.resource] = resource.display_name
            if kind != ids.GROUP:
                graph.identities.append((kind, resource.id.resource))
    for grant in reader.grants(resource_type=ids.POLICY):
        principal = (grant.principal.id.resource_type, grant.principal.id.resource)
        if grant.entitlement.id.endswith(":attached") and not grant.sources.sources:
            graph.attached[principal].add(grant.entitlement.resource.id.resource)
        elif grant.entitlement.id.endswith(":attached"):
            _direct_only(graph, grant, principal)
    _load_scoped(reader, graph)
    for grant in reader.grants(resource_type=ids.GROUP):
        if grant.principal.id.resource_type == ids.USER:
            graph.groups_of[grant.principal.id.resource].add(grant.entitlement.resource.id.resource)
    for grant in reader.grants(resource_type=ids.ROLE):
        principal = (grant.principal.id.resource_type, grant.principal.id.resource)
        if bt.has_annotation(grant.annotations, GrantImmutable) and principal[0] != ids.SSO_USER:
            continue  # expansion collapses cycles; the chains are followed in ``_reachable``
        # (a CloudSSO user reaches its reserved roles only by expansion, through its groups
        # and access assignments: those expanded grants are its way in)
        graph.assumable[principal][grant.entitlement.resource.id.resource] = _conditional(grant)
    return graph


def _role_name(graph: Graph, role: str) -> str:
    name = graph.names.get(role, ids.name_of(role))
    if len(graph.accounts) < 2:
        return name
    uid = hygiene.account_of(role)
    return f"{name} in {graph.accounts.get(uid, uid)}" if uid else name


def _reachable(graph: Graph, identity: Identity) -> dict[str, bool]:
    """Every role an identity may assume, directly or through a chain of roles, and whether
    every way to it passes a conditional grant (breadth first: the shortest chains win)."""
    found: dict[str, bool] = {}
    frontier = list(graph.assumable.get(identity, {}).items())
    while frontier:
        following: list[tuple[str, bool]] = []
        for role, conditional in frontier:
            if role in found and (conditional or not found[role]):
                continue
            found[role] = conditional
            following += [(nxt, conditional or c)
                          for nxt, c in graph.assumable.get((ids.ROLE, role), {}).items()]
        frontier = following
    found.pop(identity[1], None)
    return found


def _load_scoped(reader: C1zReader, graph: Graph) -> None:
    """Resource-group-scoped attachments: the bindings and who holds them directly."""
    for binding in reader.resources(ids.POLICY_BINDING):
        fields = binding.profile.fields
        if "role" in fields and "scope" in fields:
            scope = reader.get_resource(ids.RESOURCE_GROUP, fields["scope"].string_value)
            name = scope.display_name if scope is not None else fields["scope"].string_value
            graph.bindings[binding.id.resource] = (fields["role"].string_value, name)
    for grant in reader.grants(resource_type=ids.POLICY_BINDING):
        if bt.has_annotation(grant.annotations, GrantImmutable):
            continue
        principal = (grant.principal.id.resource_type, grant.principal.id.resource)
        graph.scoped[principal].add(grant.entitlement.resource.id.resource)


def _direct_only(graph: Graph, grant: Any, principal: Identity) -> None:
    """A grant that expansion reached may also be a direct attachment (its own id among its
    sources); a purely expanded one is held through a group or a role, not attached."""
    if grant.entitlement.id in grant.sources.sources:
        graph.attached[principal].add(grant.entitlement.resource.id.resource)


def _conditional(grant: Any) -> bool:
    metadata = bt.unpack_annotation(grant.annotations, GrantMetadata)
    if metadata is None:
        return False
    fields = MessageToDict(metadata.metadata)
    return bool(fields.get("conditional") or fields.get("condition"))


def _own_policies(graph: Graph, identity: Identity) -> list[tuple[str, str]]:
    """(policy id, how held) of an identity's own policies: direct, then via its groups."""
    found = [(p, "direct") for p in sorted(graph.attached.get(identity, ()))]
    if identity[0] == ids.USER:
        for group in sorted(graph.groups_of.get(identity[1], ())):
            name = graph.names.get(group, ids.name_of(group))
            found += [(p, f"via group {name}")
                      for p in sorted(graph.attached.get((ids.GROUP, group), ()))]
    return found


def _decide(graph: Graph, held: Iterable[tuple[str, str]], action: str,
            resource: str | None) -> tuple[Decision, dict[str, str], list[str]]:
    """The decision of the held policies' documents, how each is held, and the held policies
    whose document the file lacks."""
    how: dict[str, str] = {}
    pairs: list[tuple[StatementRef, Any]] = []
    missing: list[str] = []
    for policy_id, label in held:
        policy = graph.documents.get(policy_id)
        if policy is None:
            missing.append(policy_id)
            continue
        how.setdefault(policy.name, label)
        pairs += [_anywhere(pair) if resource is None else pair
                  for pair in relevant([policy], action)]
    return evaluate_statements(pairs, action, resource or ANY), how, missing


def _anywhere(pair: tuple[StatementRef, Any]) -> tuple[StatementRef, Any]:
    """Without a resource: an Allow counts on any resource; a Deny keeps its own resources
    (so only a Deny on ``*`` blocks everything)."""
    ref, statement = pair
    if ref.effect != "Allow":
        return pair
    widened = {k: v for k, v in statement.items() if k not in ("Resource", "NotResource")}
    return ref, {**widened, "Resource": "*"}


def _principal_name(graph: Graph, identity: Identity) -> str:
    """Its name; in an organization file a user's or role's is followed by its account's."""
    if identity[0] == ids.ROLE:
        return _role_name(graph, identity[1])
    name = graph.names.get(identity[1], identity[1])
    uid = hygiene.account_of(identity[1]) if len(graph.accounts) > 1 else None
    return f"{name} in {graph.accounts.get(uid, uid)}" if uid else name


def paths_for(graph: Graph, identity: Identity, action: str, resource: str | None) -> Answer:
    """Every path of one identity, the overall answer first."""
    name = _principal_name(graph, identity)
    decision, how, missing = _decide(graph, _own_policies(graph, identity), action, resource)
    found = [_path(identity, name, "direct", decision, how, missing)]
    for role, conditional in sorted(_reachable(graph, identity).items()):
        held = [(p, "") for p in sorted(graph.attached.get((ids.ROLE, role), ()))]
        via, _, missing = _decide(graph, held, action, resource)
        label = f"via role {_role_name(graph, role)}"
        path = _path(identity, name, label, via, {}, missing)
        if conditional and path.answer == "yes":
            path = Path(*identity, name, label + " (conditional assume)", CONDITIONAL,
                        path.statements)
        found.append(path)
    found += _scoped_paths(graph, identity, name, action, resource)
    answers = {p.answer for p in found}
    overall = next((a for a in ("yes", CONDITIONAL, UNKNOWN) if a in answers), "no")
    return Answer(overall, tuple(found))


def _scoped_paths(graph: Graph, identity: Identity, name: str, action: str,
                  resource: str | None) -> list[Path]:
    """Policies attached within a resource group apply to that group's resources only: a path
    of its own, ``conditional`` on the resource being in the group. RAM and STS resources (users,
    roles...) are in no resource group, so RAM and STS actions get none. A role the identity may
    assume brings its own scoped attachments (evaluated with that role's policies, as a session
    of the role is), so a role held only within a resource group still answers."""
    if action.lower().startswith(("ram:", "sts:")):
        return []
    holders = [(identity, "")]
    if identity[0] == ids.USER:
        holders += [((ids.GROUP, g), f", via group {graph.names.get(g, ids.name_of(g))}")
                    for g in sorted(graph.groups_of.get(identity[1], ()))]
    found = _scoped_held(graph, identity, name, _own_policies(graph, identity), holders,
                         (action, resource), "")
    for role in sorted(_reachable(graph, identity)):
        own = [(p, "") for p in sorted(graph.attached.get((ids.ROLE, role), ()))]
        prefix = f"via role {_role_name(graph, role)}, "
        found += _scoped_held(graph, identity, name, own, [((ids.ROLE, role), "")],
                              (action, resource), prefix)
    return found


def _scoped_held(graph: Graph, identity: Identity, name: str, own: list[tuple[str, str]],
                 holders: list[tuple[Identity, str]], question: tuple[str, str | None],
                 prefix: str) -> list[Path]:
    """The scoped paths of the bindings ``holders`` hold, each evaluated with ``own`` (the
    policies that apply everywhere to the same session) so that a Deny there still wins."""
    action, resource = question
    found: list[Path] = []
    for holder, via in holders:
        for binding in sorted(graph.scoped.get(holder, ())):
            policy_id, group = graph.bindings.get(binding, ("", ""))
            decision, how, missing = _decide(
                graph, [*own, (policy_id, f"on resource group {group}")], action, resource)
            if policy_id in missing:
                path = _path(identity, name, f"{prefix}on resource group {group}{via}",
                             decision, how, missing)
                found.append(Path(*identity, name, path.path, UNKNOWN, path.statements))
                continue
            if decision.answer == "no" or not any(
                    how.get(ref.policy, "").startswith("on resource group")
                    for ref in decision.statements):
                continue
            path = _path(identity, name,
                         f"{prefix}on resource group {group} (its resources only){via}",
                         decision, how)
            found.append(Path(*identity, name, path.path, CONDITIONAL, path.statements))
    return found


def _path(identity: Identity, name: str, label: str, decision: Decision,
          how: dict[str, str], missing: Sequence[str] = ()) -> Path:
    """A held policy whose document is not in the file turns a "no" into ``unknown``: nothing
    that was read allows it, but that policy was not read (never a silent no)."""
    statements = tuple(
        ref.describe() + (f" ({how[ref.policy]})" if how.get(ref.policy) else "")
        for ref in decision.statements)
    statements += tuple(f"{ids.name_of(p)}: its document is not in the file" for p in missing)
    answer = UNKNOWN if decision.answer == "no" and missing else decision.answer
    return Path(*identity, name, label, answer, statements)


def who_can(graph: Graph, action: str, resource: str | None) -> list[Path]:
    """Every path by which an identity may do it (yes or conditional), identities in order."""
    rows: list[Path] = []
    for identity in sorted(graph.identities):
        answer = paths_for(graph, identity, action, resource)
        rows += [p for p in answer.paths if p.answer != "no"]
    return rows
