"""Grant and revoke in CloudSSO: group membership and access assignments.

What is provisionable: ``sso_group:<g>:member`` to a CloudSSO user (AddUserToGroup /
RemoveUserFromGroup, which act at once) and ``access_assignment:<configuration>@<uid>:assigned``
to a CloudSSO user or group (CreateAccessAssignment / DeleteAccessAssignment). An assignment
write answers with a task: CloudSSO provisions (or de-provisions) the configuration's role in
the account meanwhile, so the task is polled with GetTaskStatus until it succeeds or fails,
within a bounded wait; a failed task is one line naming it and CloudSSO's FailureReason.

Honest like the RAM edges (``provisioning.py``): every change is confirmed by a re-read of the
edge (ListGroupMembers, ListAccessAssignments), an "already" answer counts only once the re-read
shows the wanted state, and each change logs one info line with the write's RequestId.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from baton_alibaba_cloud.alibaba import AlreadyExistsError, NotFoundError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.annotations_pb2 import (
    GrantAlreadyExists,
    GrantAlreadyRevoked,
    RequestId,
)
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector.cloudsso import MEMBER, SsoApi
from baton_alibaba_cloud.connector.cloudsso_access import (
    ASSIGNED,
    assigned_grant,
    binding_resource,
)
from baton_alibaba_cloud.connector.cloudsso_directory_ops import (
    EdgeRef,
    assignment_present,
    member_present,
)
from baton_alibaba_cloud.connector.provisioning import Provisioned, ProvisioningError

__all__ = ["TASK_WAIT", "TaskWait", "grant", "handles", "new_binding", "region_of", "revoke"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskWait:
    """How long an assignment task is polled: ``first`` s, doubling up to ``most`` s between
    polls, ``limit`` s in all."""

    limit: float = 120.0
    first: float = 0.2
    most: float = 2.0


TASK_WAIT = TaskWait()
DEPROVISION = "DeprovisionForLastAccessAssignmentOnAccount"
"""Removing the last assignment of a configuration on an account also removes the reserved role
CloudSSO made there (Alibaba's default leaves it): a revoke takes the access away, and a role
with the configuration's policies that nobody may sign in to is left-over access."""


def handles(entitlement: Entitlement) -> bool:
    """Whether this entitlement is CloudSSO's (a group's members or an assignment)."""
    return entitlement.resource.id.resource_type in (ids.SSO_GROUP, ids.ACCESS_ASSIGNMENT)


def new_binding(entitlement_id: str, get: Callable[[str, str], Resource | None]
                ) -> Entitlement | None:
    """The ``assigned`` entitlement of a configuration on an account where it is not assigned
    yet (so not in the file), when both the configuration and the account are in the file
    (``get(type, id)``); None for any other id. Why: assigning a configuration on a new
    account is the common request, and the binding exists only once something is assigned."""
    kind, _, rest = entitlement_id.partition(":")
    binding, _, slug = rest.rpartition(":")
    config_id, _, uid = binding.rpartition("@")
    if kind != ids.ACCESS_ASSIGNMENT or slug != ASSIGNED or not uid.isdigit():
        return None
    config = get(ids.ACCESS_CONFIGURATION, config_id)
    account = get(ids.ACCOUNT, uid)
    if config is None or account is None:
        return None
    made = binding_resource(config.id, config.display_name, uid,
                            account.display_name or uid, account.id)
    return bt.assignment_entitlement(made, ASSIGNED, made.display_name)


def region_of(entitlement: Entitlement) -> str | None:
    """The CloudSSO region in the entitlement's id (where its directory lives)."""
    ref = _edge(entitlement, None)
    return ref.region if ref is not None else None


def _edge(entitlement: Entitlement, principal: ResourceId | None) -> EdgeRef | None:
    """The directory, target and principal ids of an edge, or None for a malformed id."""
    target = entitlement.resource.id
    slug = entitlement.slug or entitlement.id.rsplit(":", 1)[-1]
    if target.resource_type == ids.SSO_GROUP and slug == MEMBER:
        group = ids.parse_sso_arn(target.resource)
        return None if group is None or group.kind != "group" else EdgeRef(
            "member", group.directory_id, group.region, group=group.item,
            principal=_principal(principal, group.directory))
    if target.resource_type == ids.ACCESS_ASSIGNMENT and slug == ASSIGNED:
        config_id, _, uid = target.resource.rpartition("@")
        config = ids.parse_sso_arn(config_id)
        if config is None or config.kind != "access-configuration" or not uid.isdigit():
            return None
        return EdgeRef("assignment", config.directory_id, config.region,
                       configuration=config.item, account=uid,
                       principal=_principal(principal, config.directory))
    return None


def _principal(principal: ResourceId | None, directory: str) -> tuple[str, str] | None:
    """``("User" | "Group", id)`` of a CloudSSO principal of the same directory."""
    if principal is None:
        return None
    arn = ids.parse_sso_arn(principal.resource)
    kind = {ids.SSO_USER: "User", ids.SSO_GROUP: "Group"}.get(principal.resource_type)
    if arn is None or kind is None or arn.directory != directory or arn.kind != kind.lower():
        raise ProvisioningError(
            f"{principal.resource_type}:{principal.resource} is not a CloudSSO user or group "
            f"of the directory {directory}; only they can hold CloudSSO entitlements")
    return kind, arn.item


def _checked(entitlement: Entitlement, principal: ResourceId) -> EdgeRef:
    ref = _edge(entitlement, principal)
    if ref is None or ref.principal is None:
        raise ProvisioningError(f"{entitlement.id} is not provisionable by this connector")
    if ref.kind == "member" and ref.principal[0] != "User":
        raise ProvisioningError("only CloudSSO users can be CloudSSO group members, not "
                                f"{principal.resource_type}:{principal.resource}")
    return ref


async def grant(api: SsoApi, entitlement: Entitlement, principal: ResourceId,
                wait: TaskWait = TASK_WAIT) -> Provisioned:
    """Grant a CloudSSO entitlement; already granted is success once re-read."""
    ref = _checked(entitlement, principal)
    made = (assigned_grant(entitlement.resource.id.resource, principal)
            if ref.kind == "assignment" else
            bt.grant(_slim(entitlement), principal))
    action = "AddUserToGroup" if ref.kind == "member" else "CreateAccessAssignment"
    done = await _write(api, ref, action, made, held=True, wait=wait)
    _log(action, entitlement.id, principal, done)
    return done


async def revoke(api: SsoApi, existing: Grant, wait: TaskWait = TASK_WAIT) -> Provisioned:
    """Revoke a direct CloudSSO grant; already revoked is success once re-read."""
    principal = existing.principal.id
    ref = _checked(existing.entitlement, principal)
    action = "RemoveUserFromGroup" if ref.kind == "member" else "DeleteAccessAssignment"
    done = await _write(api, ref, action, existing, held=False, wait=wait)
    _log(action, existing.entitlement.id, principal, done)
    return done


def _slim(entitlement: Entitlement) -> Entitlement:
    slim = Entitlement(id=entitlement.id)
    slim.resource.id.CopyFrom(entitlement.resource.id)
    return slim


async def _write(api: SsoApi, ref: EdgeRef, action: str, made: Grant, *, held: bool,
                 wait: TaskWait) -> Provisioned:
    """The write, its task when it has one, and the re-read that confirms the edge."""
    outcome = "granted" if held else "revoked"
    marker: Any = GrantAlreadyExists() if held else GrantAlreadyRevoked()
    if ref.kind == "assignment" and await assignment_present(api, ref) == held:
        return Provisioned(made, [marker], f"already {outcome}", None)
    try:
        params = ref.write_params()
        if action == "DeleteAccessAssignment":
            params["DeprovisionStrategy"] = DEPROVISION
        answer = await api.call("cloudsso", action, params)
    except (AlreadyExistsError, NotFoundError) as exc:
        if isinstance(exc, NotFoundError) == held:
            raise
        await _confirm(api, ref, action, held, exc.code)
        return Provisioned(made, [marker, *_ids(exc.request_id)], f"already {outcome}",
                           exc.request_id)
    rid = str(answer.get("RequestId") or "") or None
    if ref.kind == "assignment":
        await _task(api, ref, action, answer, wait)
    await _confirm(api, ref, action, held, "success")
    return Provisioned(made, _ids(rid), outcome, rid)


async def _task(api: SsoApi, ref: EdgeRef, action: str, answer: Mapping[str, Any],
                wait: TaskWait) -> None:
    """Poll the write's task until Success; Failed or the time limit is a one-line error."""
    task = answer.get("Task") or answer.get("TaskStatus") or {}
    task_id = str(task.get("TaskId") or "") if isinstance(task, Mapping) else ""
    if not task_id:
        raise ProvisioningError(f"CloudSSO {action} answered without a TaskId (request id "
                                f"{answer.get('RequestId') or '-'}); sync to see the outcome")
    status = str(task.get("Status") or "InProgress")
    reason = str(task.get("FailureReason") or "")
    deadline, pause = time.monotonic() + wait.limit, wait.first
    while status == "InProgress":
        if time.monotonic() + pause > deadline:
            raise ProvisioningError(
                f"CloudSSO task {task_id} ({action} {ref.describe()}) is still InProgress after "
                f"{wait.limit:g} s; check it with GetTaskStatus and sync again")
        await asyncio.sleep(pause)
        pause = min(pause * 2, wait.most)
        polled = await api.call("cloudsso", "GetTaskStatus",
                                {"DirectoryId": ref.directory, "TaskId": task_id})
        found = polled.get("TaskStatus") or {}
        status = str(found.get("Status") or "InProgress") if isinstance(found, Mapping) else ""
        reason = str(found.get("FailureReason") or "") if isinstance(found, Mapping) else ""
    if status != "Success":
        raise ProvisioningError(
            f"CloudSSO task {task_id} ({action} {ref.describe()}) {status or 'ended'}: "
            f"{reason.rstrip('.') or 'no FailureReason given'}; nothing was changed")


async def _confirm(api: SsoApi, ref: EdgeRef, action: str, held: bool, answer: str) -> None:
    """Re-read the edge; a contradiction is a ``ProvisioningError``."""
    read = member_present if ref.kind == "member" else assignment_present
    if await read(api, ref) == held:
        return
    state = "absent" if held else "still present"
    raise ProvisioningError(
        f"CloudSSO answered {answer} to {action} {ref.describe()} but a re-read shows the edge "
        f"{state}; sync again and retry")


def _log(action: str, entitlement_id: str, principal: ResourceId, done: Provisioned) -> None:
    who = f"{principal.resource_type}:{principal.resource}"
    prep = "from" if done.outcome.endswith("revoked") else "to"
    log.info("%s %s %s %s (CloudSSO %s, request id %s)", done.outcome, entitlement_id, prep,
             who, action, done.request_id or "-",
             extra={"action": action, "entitlement": entitlement_id, "principal": who,
                    "outcome": done.outcome, "request_id": done.request_id})


def _ids(request_id: str | None) -> list[Any]:
    return [RequestId(request_id=request_id)] if request_id else []
