"""CloudSSO 2021-05-15: the directory's reads, group membership and access assignments.

Shapes are the SDK's response models (the metadata snapshot): flat arrays (``"Users": [...]``,
not RAM's ``{"Users": {"User": [...]}}``), ``NextToken``/``MaxResults`` paging with
``IsTruncated``, ``TotalCounts`` and ``MaxResults`` in every list answer, and ``NextToken``
only when there is a next page. Who sees the directory: the management account's identities;
a caller from a member account, or an organization without a ``cloudsso`` block, sees none
(``ListDirectories`` answers an empty list, everything else ``EntityNotExists.Directory``).
Every request first completes the tasks that are due (``CloudSSO.settle``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from ...alibaba import metadata
from ..backend import Backend
from ..cloudsso import (
    AccessConfiguration,
    AssignmentKey,
    CloudSSO,
    PrincipalType,
    SsoUser,
    Target,
    Task,
)
from ..cloudsso_provision import saml_provider_name
from ..entities import format_time
from ..errors import EmulatorError
from ..identity import Caller
from ._common import BaseResponses, Wire, invalid

__all__ = ["CloudSSOResponses"]

T = TypeVar("T")
_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda have, want: have == want, "sw": lambda have, want: have.startswith(want)}


class CloudSSOResponses(BaseResponses):
    """One CloudSSO request; ``sso`` is the caller's directory, None when it has none."""

    SERVICE = "cloudsso"
    ACTIONS = frozenset({
        "ListDirectories", "GetDirectory", "ListUsers", "GetUser", "ListGroups", "GetGroup",
        "ListGroupMembers", "ListJoinedGroupsForUser", "ListAccessConfigurations",
        "GetAccessConfiguration", "ListPermissionPoliciesInAccessConfiguration",
        "ListAccessAssignments", "ListAccessConfigurationProvisionings", "AddUserToGroup",
        "RemoveUserFromGroup", "CreateAccessAssignment", "DeleteAccessAssignment",
        "GetTaskStatus", "GetTask", "ListTasks",
    })

    def __init__(self, backend: Backend, params: dict[str, str], caller: Caller,
                 sso: CloudSSO | None = None) -> None:
        super().__init__(backend, params, caller)
        self._sso = sso
        self._settled = False

    # ---- the directory, paging and filters ---------------------------------------------------
    @property
    def sso(self) -> CloudSSO:
        """The directory ``DirectoryId`` names, its due tasks completed (once per request, so a
        task started by this request is never completed by it)."""
        if self._sso is None:
            raise EmulatorError("EntityNotExists.Directory",
                                "The specified directory does not exist.", 404)
        if not self._settled:
            self._sso.check_directory(self.required("DirectoryId"))
            self._sso.settle()
            self._settled = True
        return self._sso

    def _page(self, items: list[T]) -> tuple[list[T], Wire]:
        spec = metadata.load("cloudsso").actions[self.action].parameters["MaxResults"]
        size = int(self.param("MaxResults") or spec.default or 10)
        scope = f"cloudsso:{self.action}"
        try:
            start = self.backend.markers.decode(scope, self.param("NextToken"))
        except EmulatorError:
            raise invalid("NextToken", "The specified NextToken is invalid.") from None
        head: Wire = {"IsTruncated": start + size < len(items), "MaxResults": size,
                      "TotalCounts": len(items)}
        if head["IsTruncated"]:
            head["NextToken"] = self.backend.markers.encode(scope, start + size)
        return items[start:start + size], head

    def _filtered(self, items: Iterable[T], attribute: str, name: Callable[[T], str]) -> list[T]:
        """``Filter="<attribute> eq|sw <value>"``, case-insensitive, as Alibaba documents."""
        text = (self.param("Filter") or "").strip()
        if not text:
            return list(items)
        parts = text.split(None, 2)
        if len(parts) != 3 or parts[0].lower() != attribute.lower() \
                or parts[1].lower() not in _OPERATORS:
            raise invalid("Filter", f"The Filter must be '{attribute} eq|sw <value>'.")
        test, want = _OPERATORS[parts[1].lower()], parts[2].strip("'\"").lower()
        return [item for item in items if test(name(item).lower(), want)]

    def _equal(self, name: str, value: str) -> bool:
        wanted = self.param(name)
        return not wanted or wanted == value

    def _directory_wire(self, sso: CloudSSO) -> Wire:
        d = sso.directory
        return {"DirectoryId": d.directory_id, "DirectoryName": d.name, "Region": d.region,
                "CreateTime": format_time(d.created), "UpdateTime": format_time(d.created)}

    # ---- directory -------------------------------------------------------------------------
    def list_directories(self) -> Wire:
        found = [] if self._sso is None else [self._directory_wire(self._sso)]
        return {"Directories": found, "TotalCounts": len(found)}

    def get_directory(self) -> Wire:
        return {"Directory": self._directory_wire(self.sso)}

    # ---- users and groups ------------------------------------------------------------------
    @staticmethod
    def _user_wire(user: SsoUser) -> Wire:
        return {"UserId": user.user_id, "UserName": user.name, "DisplayName": user.display_name,
                "Email": user.email, "FirstName": user.first_name, "LastName": user.last_name,
                "Description": user.description, "Status": user.status,
                "ProvisionType": user.provision_type, "CreateTime": format_time(user.created),
                "UpdateTime": format_time(user.created), "Tags": []}

    def list_users(self) -> Wire:
        found = [u for u in self._filtered(self.sso.users, "UserName", lambda u: u.name)
                 if self._equal("Status", u.status)
                 and self._equal("ProvisionType", u.provision_type)]
        page, head = self._page(found)
        return {**head, "Users": [self._user_wire(u) for u in page]}

    def get_user(self) -> Wire:
        return {"User": self._user_wire(self.sso.user(self.required("UserId")))}

    def _group_wire(self, group_id: str) -> Wire:
        group = self.sso.group(group_id)
        return {"GroupId": group.group_id, "GroupName": group.name,
                "Description": group.description, "ProvisionType": group.provision_type,
                "CreateTime": format_time(group.created),
                "UpdateTime": format_time(group.created)}

    def list_groups(self) -> Wire:
        found = [g for g in self._filtered(self.sso.groups, "GroupName", lambda g: g.name)
                 if self._equal("ProvisionType", g.provision_type)]
        page, head = self._page(found)
        return {**head, "Groups": [self._group_wire(g.group_id) for g in page]}

    def get_group(self) -> Wire:
        return {"Group": self._group_wire(self.required("GroupId"))}

    def list_group_members(self) -> Wire:
        group = self.sso.group(self.required("GroupId"))
        page, head = self._page(list(group.members.items()))
        members = []
        for user_id, joined in page:
            user = self.sso.user(user_id)
            members.append({
                "GroupId": group.group_id, "UserId": user.user_id, "UserName": user.name,
                "DisplayName": user.display_name, "Email": user.email,
                "Description": user.description, "Status": user.status,
                "ProvisionType": user.provision_type, "JoinTime": format_time(joined)})
        return {**head, "GroupMembers": members}

    def list_joined_groups_for_user(self) -> Wire:
        user = self.sso.user(self.required("UserId"))
        page, head = self._page(self.sso.groups_of(user.user_id))
        joined = [{"UserId": user.user_id, "GroupId": g.group_id, "GroupName": g.name,
                   "Description": g.description, "ProvisionType": g.provision_type,
                   "JoinTime": format_time(when)} for g, when in page]
        return {**head, "JoinedGroups": joined}

    def add_user_to_group(self) -> Wire:
        self.sso.add_user_to_group(self.required("GroupId"), self.required("UserId"))
        return {}

    def remove_user_from_group(self) -> Wire:
        self.sso.remove_user_from_group(self.required("GroupId"), self.required("UserId"))
        return {}

    # ---- access configurations -------------------------------------------------------------
    @staticmethod
    def _config_wire(config: AccessConfiguration) -> Wire:
        return {"AccessConfigurationId": config.config_id,
                "AccessConfigurationName": config.name, "Description": config.description,
                "SessionDuration": config.session_duration, "RelayState": config.relay_state,
                "StatusNotifications": [], "Tags": [],
                "CreateTime": format_time(config.created),
                "UpdateTime": format_time(config.created)}

    def list_access_configurations(self) -> Wire:
        found = self._filtered(self.sso.configurations, "AccessConfigurationName",
                               lambda c: c.name)
        page, head = self._page(found)
        return {**head, "AccessConfigurations": [self._config_wire(c) for c in page]}

    def get_access_configuration(self) -> Wire:
        config = self.sso.configuration(self.required("AccessConfigurationId"))
        return {"AccessConfiguration": self._config_wire(config)}

    def list_permission_policies_in_access_configuration(self) -> Wire:
        config = self.sso.configuration(self.required("AccessConfigurationId"))
        policies: list[Wire] = []
        for policy in config.policies:
            if not self._equal("PermissionPolicyType", policy.policy_type):
                continue
            wire: Wire = {"PermissionPolicyName": policy.name,
                          "PermissionPolicyType": policy.policy_type,
                          "AddTime": format_time(config.created)}
            if policy.document is not None:
                wire["PermissionPolicyDocument"] = policy.document
            policies.append(wire)
        return {"PermissionPolicies": policies, "TotalCounts": len(policies)}

    # ---- assignments, provisionings and tasks ----------------------------------------------
    def _target_wire(self, target: Target) -> Wire:
        return {"TargetId": target.uid, "TargetName": target.name, "TargetPath": target.path,
                "TargetPathName": target.path_name, "TargetType": "RD-Account"}

    def _key_wire(self, key: AssignmentKey) -> Wire:
        config = self.sso.configuration(key.config_id)
        return {"AccessConfigurationId": config.config_id,
                "AccessConfigurationName": config.name, "PrincipalId": key.principal_id,
                "PrincipalName": self.sso.principal_name(key.principal_type, key.principal_id),
                "PrincipalType": key.principal_type,
                **self._target_wire(self.sso.targets[key.target_id])}

    def _matches(self, key: AssignmentKey) -> bool:
        """The documented filters; a target or principal filter needs both of its halves."""
        target = self.param("TargetType") and self.param("TargetId")
        principal = self.param("PrincipalType") and self.param("PrincipalId")
        return (self._equal("AccessConfigurationId", key.config_id)
                and (not target or (self.param("TargetType") == "RD-Account"
                                    and self.param("TargetId") == key.target_id))
                and (not principal or (self.param("PrincipalType") == key.principal_type
                                       and self.param("PrincipalId") == key.principal_id)))

    def list_access_assignments(self) -> Wire:
        found = [a for a in self.sso.assignments.values() if self._matches(a.key)]
        page, head = self._page(found)
        items = [{**self._key_wire(a.key), "CreateTime": format_time(a.created)} for a in page]
        return {**head, "AccessAssignments": items}

    def list_access_configuration_provisionings(self) -> Wire:
        sso = self.sso
        found = [(pair, when) for pair, when in sso.provisioned.items()
                 if self._equal("AccessConfigurationId", pair[0])
                 and (not self.param("TargetId") or self.param("TargetId") == pair[1])
                 and self._equal("ProvisioningStatus", "Provisioned")]
        page, head = self._page(found)
        items = []
        for (config_id, uid), when in page:
            config = sso.configuration(config_id)
            role = sso.reserved_role(config_id, uid) or ""
            names = [p.name for p in config.policies if p.policy_type == "System"]
            items.append({
                "AccessConfigurationId": config_id, "AccessConfigurationName": config.name,
                **self._target_wire(sso.targets[uid]), "Status": "Provisioned",
                "CreateTime": format_time(when), "UpdateTime": format_time(when),
                "RAMRoleName": role, "RAMPolicyNames": names,
                "SAMLProviderName": saml_provider_name(sso.directory.directory_id)})
        return {**head, "AccessConfigurationProvisionings": items}

    def _assignment_key(self) -> AssignmentKey:
        sso = self.sso
        target = sso.target(self.required("TargetType"), self.required("TargetId"))
        kind = self.required("PrincipalType")
        if kind not in ("User", "Group"):
            raise invalid("PrincipalType", "The PrincipalType must be User or Group.")
        return AssignmentKey(self.required("AccessConfigurationId"), target.uid,
                             cast(PrincipalType, kind), self.required("PrincipalId"))

    def _task_wire(self, task: Task, detail: bool) -> Wire:
        wire: Wire = {**self._key_wire(task.key), "TaskId": task.task_id,
                      "TaskType": task.task_type, "Status": task.status}
        if detail:
            wire.update(self._times(task))
        return wire

    @staticmethod
    def _times(task: Task) -> Wire:
        wire: Wire = {"StartTime": format_time(task.started)}
        if task.ended is not None:
            wire["EndTime"] = format_time(task.ended)
        if task.status == "Failed":
            wire["FailureReason"] = task.failure_reason
        return wire

    def create_access_assignment(self) -> Wire:
        task = self.sso.start("CreateAccessAssignment", self._assignment_key())
        return {"Task": self._task_wire(task, False)}

    def delete_access_assignment(self) -> Wire:
        last = self.param("DeprovisionStrategy") == "DeprovisionForLastAccessAssignmentOnAccount"
        task = self.sso.start("DeleteAccessAssignment", self._assignment_key(),
                              deprovision_last=last)
        return {"Task": self._task_wire(task, False)}

    def get_task_status(self) -> Wire:
        task = self.sso.task(self.required("TaskId"))
        return {"TaskStatus": {"TaskId": task.task_id, "TaskType": task.task_type,
                               "Status": task.status, **self._times(task)}}

    def get_task(self) -> Wire:
        return {"Task": self._task_wire(self.sso.task(self.required("TaskId")), True)}

    def list_tasks(self) -> Wire:
        found = [t for t in self.sso.tasks.values() if self._matches(t.key)
                 and self._equal("Status", t.status) and self._equal("TaskType", t.task_type)]
        found.reverse()  # newest first, as the console lists them
        page, head = self._page(found)
        return {**head, "Tasks": [self._task_wire(t, True) for t in page]}
