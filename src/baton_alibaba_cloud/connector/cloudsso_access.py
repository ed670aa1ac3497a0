"""CloudSSO access: access configurations, their assignments on accounts, and the member roles.

An access configuration is a set of policies (system policies and one inline policy); assigning
it to a user or group on an account *provisions* it there: CloudSSO creates the RAM role
``AliyunReservedSSO-<configuration name>`` in that account with those policies, and the user
signs in to the account as that role.

The model is baton-sdk's for a role bound to a scope, as for policies within a resource group:
each (configuration, account) pair that is assigned is an ``access_assignment`` resource with
the SCOPE_BINDING trait (role: the configuration, scope: the account), child of the account,
whose ``assigned`` entitlement is granted to each CloudSSO user and group it is assigned to (a
group's grant expands to its members). The link to the account: the role
``AliyunReservedSSO-<name>`` grants its ``assume`` to the binding, expandable through
``assigned``, so a CloudSSO user reaches, by expansion, the role and every policy it holds in
that account (``inspect access``).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any

from baton_alibaba_cloud.alibaba import PermissionDeniedError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems, SyncView
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import ScopeBindingTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, ResourceType
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import slim_grant
from baton_alibaba_cloud.connector._payload import compact, optional, parse_time, required
from baton_alibaba_cloud.connector.cloudsso import (
    MEMBER,
    CloudSso,
    SsoDirectory,
    marked,
    page_items,
    principal_id,
    sso_type,
    unavailable,
)

__all__ = ["ASSIGNED", "RESERVED_PREFIX", "AccessAssignmentSyncer", "AccessConfigurationSyncer",
           "assigned_grant", "binding_resource", "reserved_role"]

ASSIGNED = "assigned"
RESERVED_PREFIX = "AliyunReservedSSO-"


def reserved_role(configuration_name: str) -> str:
    """The RAM role CloudSSO provisions for a configuration in each account it is assigned on."""
    return f"{RESERVED_PREFIX}{configuration_name}"


def transform_configuration(payload: Mapping[str, Any], directory: SsoDirectory) -> Resource:
    """An access configuration (ROLE trait), child of the directory."""
    config_id = required(payload, "AccessConfigurationId", "CloudSSO access configuration")
    name = optional(payload, "AccessConfigurationName") or config_id
    duration = payload.get("SessionDuration")
    profile = compact({"access_configuration_id": config_id, "name": name,
                       "session_duration": duration if isinstance(duration, int) else None,
                       "relay_state": optional(payload, "RelayState"),
                       "role_name": reserved_role(name)})
    return bt.resource(
        ids.ACCESS_CONFIGURATION, ids.sso_id(directory.arn, ids.ACCESS_CONFIGURATION, config_id),
        name, parent=bt.resource_id(ids.SSO_DIRECTORY, directory.arn),
        description=optional(payload, "Description"),
        created_at=parse_time(payload.get("CreateTime"), f"access configuration {name}"),
        profile=profile, annotations=[bt.role_trait(profile=profile)])


def binding_resource(configuration: ResourceId, name: str, uid: str, account_name: str,
                     parent: ResourceId) -> Resource:
    """``<configuration> on account <name>``: SCOPE_BINDING of the configuration to the
    account (``ids.binding_id``: the configuration's id ``@`` the account uid)."""
    scope = bt.resource_id(ids.ACCOUNT, uid)
    trait = ScopeBindingTrait(role_id=configuration, scope_resource_id=scope)
    return bt.resource(
        ids.ACCESS_ASSIGNMENT, ids.binding_id(configuration.resource, uid),
        f"{name} on account {account_name}", parent=parent,
        description=f"CloudSSO access configuration {name} assigned on account {account_name} "
        f"({uid}), through the role {reserved_role(name)}",
        profile={"access_configuration": configuration.resource, "configuration_name": name,
                 "account_id": uid, "role": ids.role_id(uid, reserved_role(name))},
        annotations=[trait])


def assigned_grant(binding: str, principal: ResourceId) -> Grant:
    """``access_assignment:<b>:assigned`` to a CloudSSO user, or to a group (its members hold
    it: shallow expansion, like a RAM group's policies)."""
    annotations = []
    if principal.resource_type == ids.SSO_GROUP:
        annotations = [bt.grant_expandable(
            [bt.entitlement_id(ids.SSO_GROUP, principal.resource, MEMBER)], shallow=True)]
    return slim_grant(ids.ACCESS_ASSIGNMENT, binding, ASSIGNED, principal,
                      annotations=annotations)


def _policies(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The configuration's policies as its profile records them (the inline document parsed
    when it is JSON, else kept as text)."""
    found = []
    for row in rows:
        entry: dict[str, Any] = {"type": str(row.get("PermissionPolicyType") or ""),
                                 "name": str(row.get("PermissionPolicyName") or "")}
        document = row.get("PermissionPolicyDocument")
        if isinstance(document, str) and document:
            try:
                entry["document"] = json.loads(document)
            except ValueError:
                entry["document"] = document
        found.append(entry)
    return found


class AccessConfigurationSyncer:
    """Access configurations; each one's details are its policies and its assignments."""

    def __init__(self, sso: CloudSso) -> None:
        self.sso = sso

    @property
    def resource_type(self) -> ResourceType:
        return sso_type(ids.ACCESS_CONFIGURATION, "CloudSSO Access Configuration",
                        ResourceType.Trait.TRAIT_ROLE,
                        "A CloudSSO access configuration: policies a user gets in an account "
                        "it is assigned on")

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        try:
            async for rows in page_items(self.sso, "ListAccessConfigurations",
                                         "AccessConfigurations"):
                yield [transform_configuration(r, self.sso.directory) for r in rows]
        except PermissionDeniedError as exc:
            self.sso.denied["access_configurations"] = unavailable(exc)

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """None: it is held through its assignments (``access_assignment``)."""
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return self._details(resource)

    async def _details(self, config: Resource) -> AsyncIterator[SyncItems]:
        config_id = config.profile.fields["access_configuration_id"].string_value
        try:
            answer = await self.sso.api.call(
                "cloudsso", "ListPermissionPoliciesInAccessConfiguration",
                self.sso.params(AccessConfigurationId=config_id))
            rows = [r for r in answer.get("PermissionPolicies") or [] if isinstance(r, Mapping)]
            copy = Resource()
            copy.CopyFrom(config)
            copy.profile.update({"policies": _policies(rows)})
            yield SyncItems(resources=[copy])
        except PermissionDeniedError as exc:
            yield self._unknown(config, "policies", unavailable(exc))
        try:
            seen: set[str] = set()
            async for rows in page_items(self.sso, "ListAccessAssignments", "AccessAssignments",
                                         AccessConfigurationId=config_id):
                yield self._assignments(config, rows, seen)
        except PermissionDeniedError as exc:
            yield self._unknown(config, "assignments", unavailable(exc))

    def _unknown(self, config: Resource, what: str, reason: str) -> SyncItems:
        return SyncItems(resources=[marked(config, what, reason)], warnings=[
            f"CloudSSO access configuration {config.display_name}: its {what} are unknown, "
            f"{reason}"])

    def _assignments(self, config: Resource, rows: Sequence[Mapping[str, Any]],
                     seen: set[str]) -> SyncItems:
        """One page of assignments: the new bindings and their grants."""
        bindings: list[Resource] = []
        grants: list[Grant] = []
        warnings: list[str] = []
        directory = self.sso.directory
        for row in rows:
            if optional(row, "TargetType") not in (None, "RD-Account"):
                continue
            uid = required(row, "TargetId", "CloudSSO access assignment")
            binding = ids.binding_id(config.id.resource, uid)
            if binding not in seen:
                seen.add(binding)
                in_file = uid in self.sso.accounts
                parent = (bt.resource_id(ids.ACCOUNT, uid) if in_file
                          else bt.resource_id(ids.SSO_DIRECTORY, directory.arn))
                name = self.sso.accounts.get(uid) or optional(row, "TargetName") or uid
                bindings.append(binding_resource(config.id, config.display_name, uid, name,
                                                 parent))
            who = principal_id(directory, str(row.get("PrincipalType")),
                               str(row.get("PrincipalId") or ""))
            if who is None:
                warnings.append(f"CloudSSO access configuration {config.display_name} on "
                                f"{uid}: principal {row.get('PrincipalType')!r} "
                                f"{row.get('PrincipalId')!r} is not a user or group; skipped")
                continue
            grants.append(assigned_grant(binding, who))
        return SyncItems(resources=bindings, grants=grants, warnings=warnings)


class AccessAssignmentSyncer:
    """Declares ``access_assignment`` (the configuration builder yields the resources) and,
    once every account is written, links each binding to its account's reserved role."""

    def __init__(self, sso: CloudSso, synced: Callable[[str], bool]) -> None:
        self.sso = sso
        self.synced = synced
        """Whether an account (uid) was synced in full, so that its roles are all here."""

    @property
    def resource_type(self) -> ResourceType:
        return sso_type(ids.ACCESS_ASSIGNMENT, "CloudSSO Access Assignment",
                        ResourceType.Trait.TRAIT_SCOPE_BINDING,
                        "An access configuration assigned on one account (its holders sign in "
                        "there as the configuration's role)", holds_entitlements=True)

    def list(self) -> AsyncIterator[Sequence[Resource]]:
        """No pages of its own."""
        return _nothing()

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """``assigned``, grantable to CloudSSO users and groups."""
        name = resource.display_name
        return [bt.assignment_entitlement(
            resource, ASSIGNED, name, f"Has {name}",
            [bt.resource_type(t, t) for t in (ids.SSO_USER, ids.SSO_GROUP)])]

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        return None

    def after_details(self, view: SyncView) -> Iterator[SyncItems]:
        """``role:<AliyunReservedSSO-name>:assume`` granted to each binding whose account holds
        that role; a binding on a synced account without it gets a warning (the
        configuration is not provisioned there: its users cannot sign in)."""
        wanted: dict[str, tuple[str, str]] = {}
        for chunk in view.resources(ids.ACCESS_ASSIGNMENT):
            for binding in chunk:
                fields = binding.profile.fields
                wanted[fields["role"].string_value] = (
                    binding.id.resource, fields["configuration_name"].string_value)
        if not wanted:
            return
        grants: builtins.list[Grant] = []
        for chunk in view.resources(ids.ROLE):
            for role in chunk:
                found = wanted.pop(role.id.resource, None)
                if found is not None:
                    grants.append(_link(role.id.resource, found[0]))
        yield SyncItems(grants=grants, warnings=self._missing(wanted))

    def _missing(self, left: Mapping[str, tuple[str, str]]) -> builtins.list[str]:
        warnings = []
        for role, (_, name) in sorted(left.items()):
            uid = role.split(":")[3]
            if self.synced(uid):
                warnings.append(
                    f"CloudSSO access configuration {name} is assigned on account {uid}, but "
                    f"the account has no role {reserved_role(name)}: it is not provisioned "
                    "there (re-provision it in CloudSSO)")
        return warnings


async def _nothing() -> AsyncIterator[Sequence[Resource]]:
    empty: tuple[Sequence[Resource], ...] = ()
    for page in empty:
        yield page


def _link(role: str, binding: str) -> Grant:
    """The reserved role's ``assume`` held by the binding, expanded to its holders."""
    return slim_grant(ids.ROLE, role, "assume", bt.resource_id(ids.ACCESS_ASSIGNMENT, binding),
                      annotations=[bt.grant_expandable(
                          [bt.entitlement_id(ids.ACCESS_ASSIGNMENT, binding, ASSIGNED)]),
                          bt.grant_metadata({"via": "CloudSSO access assignment"})])
