"""CloudSSO in organization mode: the directory, its users and groups (with members).

CloudSSO (2021-05-15) is the organization's single sign-on: a directory of its own users and
groups, read from the management account (or a delegated administrator) through the CloudSSO
endpoint of the directory's region (cn-shanghai or us-west-1). What they may do in each member
account comes from access configurations and their assignments (``cloudsso_access.py``).

Why org-level syncers rather than one more per-account builder: the directory belongs to the
organization, not to an account; it is read once with the management account's client and
written beside the accounts' fan-outs. A CloudSSO listing that is refused never fails the
organization sync: the refusal is named in one warning and marked on the directory (or, for
``ListDirectories``, on the management account), like an unreadable Resource Manager.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from baton_alibaba_cloud.alibaba import PermissionDeniedError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import UserTrait
from baton_alibaba_cloud.baton.pb.annotations_pb2 import (
    SkipEntitlementsAndGrants,
    TypeScopedEntitlements,
    TypeScopedGrants,
)
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, ResourceType
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import slim_grant
from baton_alibaba_cloud.connector._payload import compact, optional, parse_time, required

__all__ = [
    "MEMBER",
    "READ_ACTIONS",
    "UNAVAILABLE",
    "WRITE_ACTIONS",
    "CloudSso",
    "SsoApi",
    "SsoDirectory",
    "find_directory",
    "member_of",
    "page_items",
    "sso_type",
    "unavailable",
]

READ_ACTIONS = tuple(f"cloudsso:{a}" for a in (
    "ListDirectories", "ListUsers", "ListGroups", "ListGroupMembers", "ListAccessConfigurations",
    "ListPermissionPoliciesInAccessConfiguration", "ListAccessAssignments"))
"""What an organization sync reads of CloudSSO, with the management account's identity."""
WRITE_ACTIONS = tuple(f"cloudsso:{a}" for a in (
    "AddUserToGroup", "RemoveUserFromGroup", "CreateAccessAssignment", "DeleteAccessAssignment",
    "GetTaskStatus"))
"""What ``-p`` adds: membership and assignment writes, and polling the assignment tasks (the
re-reads are the listings above)."""
MEMBER = "member"
UNAVAILABLE = "cloudsso"
"""The management account's profile key that says CloudSSO could not be read (and why)."""
Params = Mapping[str, str | int | bool]
_STATUS = {"Enabled": (UserTrait.Status.STATUS_ENABLED, None),
           "Disabled": (UserTrait.Status.STATUS_DISABLED, "disabled in CloudSSO")}


class SsoApi(Protocol):
    """The calls CloudSSO needs (``alibaba.AlibabaClient`` satisfies it)."""

    async def call(self, service: Literal["cloudsso"], action: str,
                   params: Params | None = None) -> dict[str, Any]: ...

    def token_pages(self, service: Literal["cloudsso"], action: str,
                    params: Params | None = None) -> AsyncIterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class SsoDirectory:
    """The directory ListDirectories found, and the management account that owns it."""

    directory_id: str
    name: str
    region: str
    management: str
    created: str | None = None

    @property
    def arn(self) -> str:
        return ids.sso_directory_id(self.region, self.management, self.directory_id)


@dataclass
class CloudSso:
    """What the CloudSSO syncers of one sync share."""

    api: SsoApi
    directory: SsoDirectory
    accounts: Mapping[str, str] = field(default_factory=dict)
    """The organization's accounts in this file (uid → display name): an assignment's binding
    hangs under its account when the account is here, else under the directory."""
    denied: dict[str, str] = field(default_factory=dict)
    """Phase-1 listings CloudSSO refused (what → reason), reported on the directory."""

    def params(self, **extra: str) -> dict[str, str | int | bool]:
        return {"DirectoryId": self.directory.directory_id, **extra}


async def find_directory(api: SsoApi, management: str, region: str) -> SsoDirectory | None:
    """The CloudSSO directory of the caller's organization in ``region``, or None when there is
    none (CloudSSO not enabled there). ``PermissionDeniedError`` goes to the caller."""
    answer = await api.call("cloudsso", "ListDirectories", {})
    found = [d for d in answer.get("Directories") or [] if isinstance(d, Mapping)]
    if not found:
        return None
    first = found[0]
    return SsoDirectory(required(first, "DirectoryId", "CloudSSO directory"),
                        optional(first, "DirectoryName") or "", optional(first, "Region") or region,
                        management, optional(first, "CreateTime"))


def unavailable(exc: PermissionDeniedError) -> str:
    """``not readable: <code> (grant <permission>)``: what a mark and its warning say."""
    return f"not readable: {exc.code} (grant {exc.permission})"


async def page_items(sso: CloudSso, action: str, key: str, **extra: str
                     ) -> AsyncIterator[list[Mapping[str, Any]]]:
    """The items under ``key`` of every page of a NextToken listing in the directory."""
    async for page in sso.api.token_pages("cloudsso", action, sso.params(**extra)):
        yield [item for item in page.get(key) or [] if isinstance(item, Mapping)]


def sso_type(type_id: str, name: str, trait: ResourceType.Trait | None, description: str,
             *, holds_entitlements: bool = False) -> ResourceType:
    """A CloudSSO type as its syncer declares it (the markers ``resource_types`` gives RAM's)."""
    markers = ((TypeScopedEntitlements(), TypeScopedGrants()) if holds_entitlements
               else (SkipEntitlementsAndGrants(),))
    return bt.resource_type(type_id, name, () if trait is None else (trait,),
                            description=description, annotations=markers)


def _plain(type_id: str) -> ResourceType:
    return bt.resource_type(type_id, type_id)


def transform_directory(directory: SsoDirectory) -> Resource:
    """The directory: child of the management account."""
    profile = compact({"directory_id": directory.directory_id, "name": directory.name,
                       "region": directory.region})
    return bt.resource(
        ids.SSO_DIRECTORY, directory.arn, directory.name or directory.directory_id,
        parent=bt.resource_id(ids.ACCOUNT, directory.management),
        description=f"CloudSSO directory {directory.directory_id} ({directory.region})",
        created_at=parse_time(directory.created), profile=profile,
        annotations=[bt.app_trait(profile=profile)])


def transform_user(payload: Mapping[str, Any], directory: SsoDirectory) -> Resource:
    """A CloudSSO user (USER trait): login its UserName, status Enabled/Disabled."""
    user_id = required(payload, "UserId", "CloudSSO user")
    name = optional(payload, "UserName") or user_id
    status, details = _STATUS.get(str(payload.get("Status")),
                                  (UserTrait.Status.STATUS_UNSPECIFIED, None))
    profile = compact({"user_id": user_id, "user_name": name,
                       "email": optional(payload, "Email"),
                       "provision_type": optional(payload, "ProvisionType"),
                       "status": optional(payload, "Status"), "directory_id":
                       directory.directory_id})
    email = optional(payload, "Email")
    created = parse_time(payload.get("CreateTime"), f"CloudSSO user {name} CreateTime")
    trait = bt.user_trait(login=name, login_aliases=[name], emails=[email] if email else [],
                          status=status, status_details=details, profile=profile,
                          created_at=created)
    return bt.resource(
        ids.SSO_USER, ids.sso_id(directory.arn, ids.SSO_USER, user_id),
        optional(payload, "DisplayName") or name, parent=bt.resource_id(
            ids.SSO_DIRECTORY, directory.arn),
        description=optional(payload, "Description"), profile=profile, annotations=[trait])


def transform_group(payload: Mapping[str, Any], directory: SsoDirectory) -> Resource:
    """A CloudSSO group (GROUP trait)."""
    group_id = required(payload, "GroupId", "CloudSSO group")
    name = optional(payload, "GroupName") or group_id
    profile = compact({"group_id": group_id, "group_name": name,
                       "provision_type": optional(payload, "ProvisionType"),
                       "directory_id": directory.directory_id})
    return bt.resource(
        ids.SSO_GROUP, ids.sso_id(directory.arn, ids.SSO_GROUP, group_id), name,
        parent=bt.resource_id(ids.SSO_DIRECTORY, directory.arn),
        description=optional(payload, "Description"),
        created_at=parse_time(payload.get("CreateTime"), f"CloudSSO group {name} CreateTime"),
        profile=profile, annotations=[bt.group_trait(profile=profile)])


def member_of(group: str, user: str) -> Grant:
    """``sso_group:<g>:member`` held by a CloudSSO user."""
    return slim_grant(ids.SSO_GROUP, group, MEMBER, bt.resource_id(ids.SSO_USER, user))


def marked(resource: Resource, key: str, reason: str) -> Resource:
    """A copy of ``resource`` whose profile says what could not be read about it."""
    copy = Resource()
    copy.CopyFrom(resource)
    copy.profile.update({key: reason})
    return copy


class DirectorySyncer:
    """The directory resource; its details report the listings CloudSSO refused."""

    def __init__(self, sso: CloudSso) -> None:
        self.sso = sso

    @property
    def resource_type(self) -> ResourceType:
        return sso_type(ids.SSO_DIRECTORY, "CloudSSO Directory", ResourceType.Trait.TRAIT_APP,
                        "The organization's CloudSSO directory: its users, groups and access "
                        "configurations are its children")

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        yield [transform_directory(self.sso.directory)]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return self._report(resource) if self.sso.denied else None

    async def _report(self, resource: Resource) -> AsyncIterator[SyncItems]:
        copy = Resource()
        copy.CopyFrom(resource)
        copy.profile.update(dict(sorted(self.sso.denied.items())))
        warnings = [f"CloudSSO directory {self.sso.directory.directory_id}: {what} {reason}; "
                    "they are missing from this sync" for what, reason in
                    sorted(self.sso.denied.items())]
        yield SyncItems(resources=[copy], warnings=warnings)


class SsoUserSyncer:
    """CloudSSO users (ListUsers, 100 a page)."""

    def __init__(self, sso: CloudSso) -> None:
        self.sso = sso

    @property
    def resource_type(self) -> ResourceType:
        return sso_type(ids.SSO_USER, "CloudSSO User", ResourceType.Trait.TRAIT_USER,
                        "A user of the CloudSSO directory")

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        try:
            async for rows in page_items(self.sso, "ListUsers", "Users"):
                yield [transform_user(r, self.sso.directory) for r in rows]
        except PermissionDeniedError as exc:
            self.sso.denied["users"] = unavailable(exc)

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return None


class SsoGroupSyncer:
    """CloudSSO groups (ListGroups); each group's details are its members (ListGroupMembers)."""

    def __init__(self, sso: CloudSso) -> None:
        self.sso = sso

    @property
    def resource_type(self) -> ResourceType:
        return sso_type(ids.SSO_GROUP, "CloudSSO Group", ResourceType.Trait.TRAIT_GROUP,
                        "A group of the CloudSSO directory", holds_entitlements=True)

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        try:
            async for rows in page_items(self.sso, "ListGroups", "Groups"):
                yield [transform_group(r, self.sso.directory) for r in rows]
        except PermissionDeniedError as exc:
            self.sso.denied["groups"] = unavailable(exc)

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """``member``, grantable to CloudSSO users."""
        name = resource.display_name
        return [bt.assignment_entitlement(resource, MEMBER, f"{name} member",
                                          f"Member of the CloudSSO group {name}",
                                          [_plain(ids.SSO_USER)])]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return self._members(resource)

    async def _members(self, group: Resource) -> AsyncIterator[SyncItems]:
        group_id = group.profile.fields["group_id"].string_value
        try:
            async for rows in page_items(self.sso, "ListGroupMembers", "GroupMembers",
                                         GroupId=group_id):
                users = [ids.sso_id(self.sso.directory.arn, ids.SSO_USER,
                                    required(r, "UserId", "CloudSSO group member"))
                         for r in rows]
                yield SyncItems(grants=[member_of(group.id.resource, u) for u in users])
        except PermissionDeniedError as exc:
            reason = unavailable(exc)
            yield SyncItems(resources=[marked(group, "members", reason)], warnings=[
                f"CloudSSO group {group.display_name} ({group_id}): its members are "
                f"unknown, {reason}"])


def principal_id(directory: SsoDirectory, principal_type: str, principal: str
                 ) -> ResourceId | None:
    """An assignment's principal (``User``/``Group`` + id) as our resource id."""
    kind = {"User": ids.SSO_USER, "Group": ids.SSO_GROUP}.get(principal_type)
    if kind is None or not principal:
        return None
    return bt.resource_id(kind, ids.sso_id(directory.arn, kind, principal))
