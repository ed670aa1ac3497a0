"""Grant and revoke: group membership and policy attachment (RAM write actions).

What is provisionable: ``group:<g>:member`` to a user (RAM AddUserToGroup /
RemoveUserFromGroup) and ``policy:<p>:attached`` to a user, group or role (RAM
AttachPolicyTo* / DetachPolicyFrom*). ``role:<r>:assume`` is not provisionable: it is read from
the role's trust policy, a whole JSON document whose edits (and Deny/Condition semantics) a
single grant cannot express safely; baton-aws makes the same choice.

Honest answers, because a reviewer acts on them:

* Idempotent like baton expects, but never on the error code's word alone: an
  ``EntityAlreadyExists.*`` answer to a grant, or ``EntityNotExist.*`` to a revoke, is success
  (``GrantAlreadyExists`` / ``GrantAlreadyRevoked``) only after a re-read of the edge
  (ListGroupsForUser, ListPoliciesForUser/Group/Role) shows the wanted state. The same code
  also means "the user does not exist", which must not read as "revoked".
* An expanded grant (held through a group or a role) has no API call of its own: revoking it
  is refused by ``inherited_refusal`` with the direct grants to change instead.
* Every grant and revoke done logs one info line: the RAM action, the entitlement, the
  principal, the outcome and the RequestId of the write call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from baton_alibaba_cloud.alibaba import AlibabaError, AlreadyExistsError, NotFoundError
from baton_alibaba_cloud.baton.pb.annotations_pb2 import (
    GrantAlreadyExists,
    GrantAlreadyRevoked,
    RequestId,
)
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceId
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import Api, expandable_for, slim_grant
from baton_alibaba_cloud.connector._payload import items

__all__ = ["Provisioned", "ProvisioningError", "grant", "inherited_refusal", "revoke"]

log = logging.getLogger(__name__)

_KIND = {ids.USER: "User", ids.GROUP: "Group", ids.ROLE: "Role"}


class ProvisioningError(Exception):
    """A grant or revoke the connector cannot do; the message says why and what to do."""


@dataclass(frozen=True)
class Provisioned:
    """The grant as baton stores it, the annotations of the answer, and what happened:
    ``outcome`` is ``granted``, ``already granted``, ``revoked`` or ``already revoked``."""

    grant: Grant
    annotations: list[Message] = field(default_factory=list)
    outcome: str = ""
    request_id: str | None = None


async def grant(api: Api, entitlement: Entitlement, principal: ResourceId) -> Provisioned:
    """Grant ``entitlement`` to ``principal``; already granted is success once re-read."""
    action, params = _call_for(entitlement, principal, grant=True)
    made = _grant_message(entitlement, principal)
    try:
        answer = await api.call("ram", action, params)
    except AlreadyExistsError as exc:
        await _confirm(api, entitlement, principal, held=True, answer=exc)
        done = Provisioned(made, [GrantAlreadyExists(), *_ids(exc.request_id)],
                           "already granted", exc.request_id)
    else:
        rid = _request_id(answer)
        done = Provisioned(made, _ids(rid), "granted", rid)
    _log(action, entitlement.id, principal, done)
    return done


async def revoke(api: Api, existing: Grant) -> Provisioned:
    """Revoke a direct grant; already revoked is success once a re-read shows it gone."""
    entitlement, principal = existing.entitlement, existing.principal.id
    action, params = _call_for(entitlement, principal, grant=False)
    try:
        answer = await api.call("ram", action, params)
    except NotFoundError as exc:
        await _confirm(api, entitlement, principal, held=False, answer=exc)
        done = Provisioned(existing, [GrantAlreadyRevoked(), *_ids(exc.request_id)],
                           "already revoked", exc.request_id)
    else:
        rid = _request_id(answer)
        done = Provisioned(existing, _ids(rid), "revoked", rid)
    _log(action, entitlement.id, principal, done)
    return done


def inherited_refusal(existing: Grant, name: Callable[[ResourceId], str]) -> str | None:
    """Why ``existing`` cannot be revoked, naming the direct grants to change, or ``None``.

    A grant with ``sources`` that does not list its own entitlement exists only by expansion:
    alice holds dev-ecs-access because group developers holds it and alice is a member. No
    API call removes that edge; the group's attachment or alice's membership must go.
    ``name`` gives a resource's display name (from the c1z)."""
    own = existing.entitlement.id
    sources = [src for src in sorted(existing.sources.sources) if src != own]
    if not sources or own in existing.sources.sources:
        return None
    who = existing.principal.id
    held = existing.entitlement.resource.id
    ways = []
    for src in sources:
        kind, via_id, slug = _split_entitlement(src)
        via = ResourceId(resource_type=kind, resource=via_id)
        ways.append(f"revoke the {kind} {name(via)}'s grant {own}:{kind}:{via_id} or "
                    f"{name(who)}'s {slug} grant {src}:{who.resource_type}:{who.resource}")
    vias = " and ".join(f"{_split_entitlement(s)[0]} {name(_owner(s))}" for s in sources)
    return (f"{name(who)} holds {name(held)} {existing.entitlement.slug or own} only via "
            f"{vias}, not directly, so no API call can revoke it alone: " + "; or ".join(ways))


def _split_entitlement(entitlement_id: str) -> tuple[str, str, str]:
    """``(resource type, resource id, slug)`` of ``<type>:<id>:<slug>`` (the id has colons)."""
    kind, rest = entitlement_id.split(":", 1)
    resource_id, _, slug = rest.rpartition(":")
    return kind, resource_id, slug


def _owner(entitlement_id: str) -> ResourceId:
    kind, resource_id, _ = _split_entitlement(entitlement_id)
    return ResourceId(resource_type=kind, resource=resource_id)


async def _confirm(api: Api, entitlement: Entitlement, principal: ResourceId, *, held: bool,
                   answer: AlibabaError) -> None:
    """Re-read the edge after an "already" answer; a contradiction is a ``ProvisioningError``.

    A principal that no longer exists holds nothing: for a revoke, that confirms the edge is
    gone; for a grant it cannot happen (the write call would have said EntityNotExist)."""
    try:
        reread, present = await _edge_present(api, entitlement, principal)
    except NotFoundError:
        if held:
            raise
        log.debug("re-read: %s no longer exists, so holds nothing", principal.resource)
        return
    if present == held:
        log.debug("re-read with %s confirms the edge is %s", reread,
                  "present" if held else "absent")
        return
    state = "absent" if held else "still present"
    raise ProvisioningError(
        f"RAM answered {answer.code} to {entitlement.id} for {principal.resource} but "
        f"{reread} shows the edge {state}; nothing was changed: check the principal still "
        "exists (sync again) and retry")


async def _edge_present(
    api: Api, entitlement: Entitlement, principal: ResourceId
) -> tuple[str, bool]:
    """``(the RAM action read, whether the principal holds the entitlement directly)``."""
    target = entitlement.resource.id
    who = ids.name_of(principal.resource)
    if target.resource_type == ids.GROUP:
        answer = await api.call("ram", "ListGroupsForUser", {"UserName": who})
        groups = {g.get("GroupName") for g in items(answer, "Groups", "Group")}
        return "ListGroupsForUser", ids.name_of(target.resource) in groups
    kind = _KIND[principal.resource_type]
    action = f"ListPoliciesFor{kind}"
    answer = await api.call("ram", action, {f"{kind}Name": who})
    attached = {(p.get("PolicyType"), p.get("PolicyName"))
                for p in items(answer, "Policies", "Policy")}
    return action, ids.policy_ref(target.resource) in attached


def _log(action: str, entitlement_id: str, principal: ResourceId, done: Provisioned) -> None:
    who = f"{principal.resource_type}:{principal.resource}"
    prep = "from" if done.outcome.endswith("revoked") else "to"
    log.info("%s %s %s %s (%s, request id %s)", done.outcome, entitlement_id, prep, who,
             action, done.request_id or "-",
             extra={"action": action, "entitlement": entitlement_id, "principal": who,
                    "outcome": done.outcome, "request_id": done.request_id})


def _call_for(
    entitlement: Entitlement, principal: ResourceId, *, grant: bool
) -> tuple[str, dict[str, str]]:
    """The RAM action and parameters for one grant or revoke, or a ``ProvisioningError``."""
    target = entitlement.resource.id
    slug = entitlement.slug or entitlement.id.rsplit(":", 1)[-1]
    who = f"{principal.resource_type}:{principal.resource}"
    if target.resource_type == ids.ROLE and slug == "assume":
        raise ProvisioningError(
            f"{entitlement.id} is not provisionable: who may assume a role comes from its trust "
            "policy; edit the trust policy in the RAM console or with UpdateRole instead"
        )
    if target.resource_type == ids.GROUP and slug == "member":
        if principal.resource_type != ids.USER:
            raise ProvisioningError(f"only users can be group members, not {who}")
        verb = "AddUserToGroup" if grant else "RemoveUserFromGroup"
        return verb, {"GroupName": ids.name_of(target.resource),
                      "UserName": ids.name_of(principal.resource)}
    if target.resource_type == ids.POLICY and slug == "attached":
        kind = _KIND.get(principal.resource_type)
        if kind is None:
            raise ProvisioningError(f"policies attach to users, groups and roles, not {who}")
        policy_type, name = ids.policy_ref(target.resource)
        verb = f"AttachPolicyTo{kind}" if grant else f"DetachPolicyFrom{kind}"
        return verb, {"PolicyName": name, "PolicyType": policy_type,
                      f"{kind}Name": ids.name_of(principal.resource)}
    raise ProvisioningError(f"{entitlement.id} is not provisionable by this connector")


def _grant_message(entitlement: Entitlement, principal: ResourceId) -> Grant:
    """The grant a sync would write for this pair (same id and expansion annotations)."""
    target = entitlement.resource.id
    slug = entitlement.slug or entitlement.id.rsplit(":", 1)[-1]
    annotations: list[Any] = []
    if target.resource_type == ids.POLICY:
        expandable = expandable_for(principal)
        annotations = [] if expandable is None else [expandable]
    made = slim_grant(target.resource_type, target.resource, slug, principal,
                      annotations=annotations)
    assert made.entitlement.id == entitlement.id, "entitlement id rule mismatch"
    return made


def _request_id(answer: dict[str, Any]) -> str | None:
    request_id = answer.get("RequestId")
    return str(request_id) if request_id else None


def _ids(request_id: str | None) -> list[Message]:
    """The ``RequestId`` annotation baton carries in a provisioning answer."""
    return [RequestId(request_id=request_id)] if request_id else []

