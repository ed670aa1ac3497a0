"""Grant and revoke: group membership and policy attachment (RAM write actions).

What is provisionable (CONTRACT §3): ``group:<g>:member`` to a user (RAM AddUserToGroup /
RemoveUserFromGroup) and ``policy:<p>:attached`` to a user, group or role (RAM
AttachPolicyTo* / DetachPolicyFrom*). Idempotent like baton expects: ``EntityAlreadyExists.*``
on grant and ``EntityNotExist.*`` on revoke are success, marked ``GrantAlreadyExists`` /
``GrantAlreadyRevoked``. ``role:<r>:assume`` is not provisionable: it is read from the role's
trust policy, a whole JSON document whose edits (and Deny/Condition semantics) a single grant
cannot express safely; baton-aws makes the same choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from baton_alibaba_cloud.alibaba import AlreadyExistsError, NotFoundError
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

__all__ = ["Provisioned", "ProvisioningError", "grant", "revoke"]

_KIND = {ids.USER: "User", ids.GROUP: "Group", ids.ROLE: "Role"}


class ProvisioningError(Exception):
    """A grant or revoke the connector cannot do; the message says why and what to do."""


@dataclass(frozen=True)
class Provisioned:
    """The grant as baton stores it, and the annotations of the answer."""

    grant: Grant
    annotations: list[Message] = field(default_factory=list)


async def grant(api: Api, entitlement: Entitlement, principal: ResourceId) -> Provisioned:
    """Grant ``entitlement`` to ``principal``; already granted is success."""
    action, params = _call_for(entitlement, principal, grant=True)
    made = _grant_message(entitlement, principal)
    try:
        answer = await api.call("ram", action, params)
    except AlreadyExistsError:
        return Provisioned(made, [GrantAlreadyExists()])
    return Provisioned(made, _request_id(answer))


async def revoke(api: Api, existing: Grant) -> Provisioned:
    """Revoke a grant; already revoked (``EntityNotExist.*``) is success."""
    action, params = _call_for(existing.entitlement, existing.principal.id, grant=False)
    try:
        answer = await api.call("ram", action, params)
    except NotFoundError:
        return Provisioned(existing, [GrantAlreadyRevoked()])
    return Provisioned(existing, _request_id(answer))


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


def _request_id(answer: dict[str, Any]) -> list[Message]:
    request_id = answer.get("RequestId")
    return [RequestId(request_id=str(request_id))] if request_id else []

