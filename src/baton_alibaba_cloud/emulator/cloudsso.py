"""CloudSSO's state in an emulated Resource Directory: one directory, its users, groups, access
configurations, assignments and asynchronous tasks (docs/emulator.md, "CloudSSO").

Why tasks settle lazily: Alibaba answers CreateAccessAssignment / DeleteAccessAssignment with a
task that is ``InProgress`` for a while; the change (and the reserved role in the member) only
exists once it completes. Here a task is due ``task_delay`` after it starts on the emulator's
clock, and every CloudSSO request first completes the tasks that are due (:meth:`settle`), so
the outcome is deterministic under a fake clock and needs no background thread.

Errors are Alibaba's CloudSSO codes (``EntityNotExists.<Kind>`` 404, ``OperationConflict.Task``
409); where Alibaba's pages do not name one the choice is in docs/emulator.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from ._backend.paging import OrderedTable
from .backend import Backend
from .cloudsso_provision import (
    ReservedPolicy,
    deprovision,
    provision,
    provisioning_conflict,
    role_name,
)
from .errors import EmulatorError

__all__ = ["AccessConfiguration", "Assignment", "AssignmentKey", "CloudSSO", "Directory",
           "PrincipalType", "SsoGroup", "SsoUser", "Target", "Task", "sso_id"]

PrincipalType = Literal["User", "Group"]
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def sso_id(prefix: str, text: str, length: int = 20) -> str:
    """A stable id in Alibaba's CloudSSO shape (``u-`` + 20 lower-case letters and digits)."""
    number = int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 36)
        chars.append(_ALPHABET[digit])
    return prefix + "".join(chars)


@dataclass(frozen=True)
class Directory:
    directory_id: str
    name: str
    region: str
    created: datetime


@dataclass
class SsoUser:
    user_id: str
    name: str
    display_name: str
    email: str
    status: str
    provision_type: str
    created: datetime
    first_name: str = ""
    last_name: str = ""
    description: str = ""


@dataclass
class SsoGroup:
    group_id: str
    name: str
    description: str
    created: datetime
    provision_type: str = "Manual"
    members: dict[str, datetime] = field(default_factory=dict)
    """user id → when the user joined, in join order."""


@dataclass
class AccessConfiguration:
    config_id: str
    name: str
    description: str
    session_duration: int
    created: datetime
    policies: list[ReservedPolicy]
    relay_state: str = ""


@dataclass(frozen=True)
class Target:
    """A member account as CloudSSO names it (``RD-Account``) and the backend it lives in."""

    uid: str
    name: str
    path: str
    path_name: str
    backend: Backend


@dataclass(frozen=True)
class AssignmentKey:
    config_id: str
    target_id: str
    principal_type: PrincipalType
    principal_id: str


@dataclass
class Assignment:
    key: AssignmentKey
    created: datetime


@dataclass
class Task:
    task_id: str
    task_type: str  # CreateAccessAssignment / DeleteAccessAssignment
    key: AssignmentKey
    started: datetime
    due: datetime
    deprovision: bool = False
    status: str = "InProgress"
    ended: datetime | None = None
    failure_reason: str = ""


def _not_found(kind: str, what: str) -> EmulatorError:
    return EmulatorError(f"EntityNotExists.{kind}", f"The specified {what} does not exist.", 404)


class CloudSSO:
    """The directory's tables and rules; ``targets`` are the accounts assignments may name."""

    def __init__(self, directory: Directory, targets: Mapping[str, Target], management: Backend,
                 now: Callable[[], datetime], task_delay: timedelta) -> None:
        self.directory = directory
        self.targets = dict(targets)
        self.management = management
        self.now = now
        self.task_delay = task_delay
        self.users: OrderedTable[SsoUser] = OrderedTable()
        self.groups: OrderedTable[SsoGroup] = OrderedTable()
        self.configurations: OrderedTable[AccessConfiguration] = OrderedTable()
        self.assignments: dict[AssignmentKey, Assignment] = {}
        self.provisioned: dict[tuple[str, str], datetime] = {}
        """(configuration id, account) → when CloudSSO provisioned it (and owns its role)."""
        self.tasks: dict[str, Task] = {}
        self._pending: list[str] = []

    # ---- lookups ---------------------------------------------------------------------------
    def check_directory(self, directory_id: str) -> None:
        if directory_id != self.directory.directory_id:
            raise _not_found("Directory", "directory")

    def user(self, user_id: str) -> SsoUser:
        found = self.users.get(user_id)
        if found is None:
            raise _not_found("User", "user")
        return found

    def group(self, group_id: str) -> SsoGroup:
        found = self.groups.get(group_id)
        if found is None:
            raise _not_found("Group", "group")
        return found

    def configuration(self, config_id: str) -> AccessConfiguration:
        found = self.configurations.get(config_id)
        if found is None:
            raise _not_found("AccessConfiguration", "access configuration")
        return found

    def target(self, target_type: str, target_id: str) -> Target:
        if target_type != "RD-Account":
            raise EmulatorError("InvalidParameter.TargetType",
                                "The TargetType must be RD-Account.", 400)
        found = self.targets.get(target_id)
        if found is None:
            raise _not_found("Target", "account in the resource directory")
        return found

    def task(self, task_id: str) -> Task:
        found = self.tasks.get(task_id)
        if found is None:
            raise _not_found("Task", "task")
        return found

    def principal_name(self, principal_type: str, principal_id: str) -> str:
        if principal_type == "User":
            return self.user(principal_id).name
        if principal_type == "Group":
            return self.group(principal_id).name
        raise EmulatorError("InvalidParameter.PrincipalType",
                            "The PrincipalType must be User or Group.", 400)

    def groups_of(self, user_id: str) -> list[tuple[SsoGroup, datetime]]:
        return [(g, g.members[user_id]) for g in self.groups if user_id in g.members]

    # ---- memberships (immediate) -----------------------------------------------------------
    def add_user_to_group(self, group_id: str, user_id: str) -> None:
        group, user = self.group(group_id), self.user(user_id)
        if user.user_id in group.members:
            raise EmulatorError("EntityAlreadyExists.GroupMember",
                                "The user is already a member of the group.", 409)
        group.members[user.user_id] = self.now()

    def remove_user_from_group(self, group_id: str, user_id: str) -> None:
        group, user = self.group(group_id), self.user(user_id)
        if group.members.pop(user.user_id, None) is None:
            raise _not_found("GroupMember", "group member")

    # ---- assignments (asynchronous) --------------------------------------------------------
    def start(self, task_type: str, key: AssignmentKey, deprovision_last: bool = False) -> Task:
        """Check the request now (Alibaba refuses a bad one synchronously) and queue its task."""
        self.configuration(key.config_id)
        self.principal_name(key.principal_type, key.principal_id)
        if any(self.tasks[t].key == key for t in self._pending):
            raise EmulatorError("OperationConflict.Task", "Another task is operating on the "
                                "same access assignment; retry when it has finished.", 409)
        exists = key in self.assignments
        if task_type == "CreateAccessAssignment" and exists:
            raise EmulatorError("EntityAlreadyExists.AccessAssignment",
                                "The access assignment already exists.", 409)
        if task_type == "DeleteAccessAssignment" and not exists:
            raise _not_found("AccessAssignment", "access assignment")
        now = self.now()
        task = Task(sso_id("t-", f"{self.directory.directory_id}:task:{len(self.tasks)}"),
                    task_type, key, now, now + self.task_delay, deprovision_last)
        self.tasks[task.task_id] = task
        self._pending.append(task.task_id)
        return task

    def settle(self) -> None:
        """Complete every task that is due, in the order they started."""
        if not self._pending:
            return
        now = self.now()
        while self._pending and self.tasks[self._pending[0]].due <= now:
            task = self.tasks[self._pending.pop(0)]
            if task.task_type == "CreateAccessAssignment":
                task.failure_reason = self.assign(task.key, task.due) or ""
            else:
                self.unassign(task.key, task.deprovision)
            task.status = "Failed" if task.failure_reason else "Success"
            task.ended = task.due

    def assign(self, key: AssignmentKey, when: datetime) -> str | None:
        """Create the assignment, provisioning its configuration on the account first when it
        is not yet there; the failure reason when provisioning is refused (nothing changes)."""
        config = self.configuration(key.config_id)
        target = self.targets[key.target_id]
        if (config.config_id, target.uid) not in self.provisioned:
            has_inline = any(p.policy_type == "Inline" for p in config.policies)
            reason = provisioning_conflict(target.backend, config.name, has_inline)
            if reason is not None:
                return reason
            provision(target.backend, self.management, self.directory.directory_id,
                      config.name, config.policies, config.session_duration, when)
            self.provisioned[(config.config_id, target.uid)] = when
        self.assignments[key] = Assignment(key, when)
        return None

    def unassign(self, key: AssignmentKey, deprovision_last: bool) -> None:
        """Remove the assignment. The last one of its configuration on its account takes the
        reserved role with it only when the caller asked for it
        (``DeprovisionStrategy=DeprovisionForLastAccessAssignmentOnAccount``); Alibaba's
        default, ``None``, leaves the configuration provisioned."""
        self.assignments.pop(key, None)
        pair = (key.config_id, key.target_id)
        if not deprovision_last or pair not in self.provisioned or any(
                (k.config_id, k.target_id) == pair for k in self.assignments):
            return
        del self.provisioned[pair]
        others = any(uid == key.target_id for _, uid in self.provisioned)
        config = self.configuration(key.config_id)
        deprovision(self.targets[key.target_id].backend, self.directory.directory_id,
                    config.name, keep_provider=others)

    def reserved_role(self, config_id: str, target_id: str) -> str | None:
        """The name of the role CloudSSO provisioned for ``config_id`` on the account, if any."""
        if (config_id, target_id) not in self.provisioned:
            return None
        return role_name(self.configuration(config_id).name)
