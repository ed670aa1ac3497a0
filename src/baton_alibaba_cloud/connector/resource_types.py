"""Every resource type of the connector and the exact API actions it needs, as one public table.

Why a table: the ``permissions`` command (least-privilege RAM policy), the ``validate`` command
(one call per action) and the docs are generated from it, so what the code calls and what an
administrator grants cannot drift apart. IMS and STS actions are authorised under ``ram:`` /
``sts:`` names (docs/alibaba.md §8), Resource Manager's under ``resourcemanager:``; STS
GetCallerIdentity needs no permission at all.

Features: ``sync`` (always), ``sync-secrets`` (``--sync-secrets``), ``provisioning`` (``-p``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.annotations_pb2 import (
    SkipEntitlementsAndGrants,
    TypeScopedEntitlements,
    TypeScopedGrants,
)
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceType
from baton_alibaba_cloud.connector import ids

__all__ = [
    "FEATURES",
    "RESOURCE_TYPES",
    "ApiAction",
    "Feature",
    "ResourceTypeSpec",
    "actions_for",
    "by_id",
    "declaration",
    "message",
]

Feature = Literal["sync", "sync-secrets", "provisioning"]
FEATURES: tuple[Feature, ...] = ("sync", "sync-secrets", "provisioning")
Trait = ResourceType.Trait


@dataclass(frozen=True)
class ApiAction:
    """One API action: where it goes, the permission it is authorised under, and why we call it.

    ``permission`` is ``None`` for an action every caller may make (STS GetCallerIdentity).
    """

    service: Literal["ram", "ims", "sts", "resourcemanager", "cloudsso"]
    action: str
    permission: str | None
    why: str


def _ram(action: str, why: str) -> ApiAction:
    return ApiAction("ram", action, f"ram:{action}", why)


def _ims(action: str, why: str) -> ApiAction:
    return ApiAction("ims", action, f"ram:{action}", why)


def _rm(action: str, why: str) -> ApiAction:
    return ApiAction("resourcemanager", action, f"resourcemanager:{action}", why)


@dataclass(frozen=True)
class ResourceTypeSpec:
    """A resource type (docs/model.md §2) and its API actions per feature."""

    id: str
    display_name: str
    trait: ResourceType.Trait | None
    description: str
    actions: dict[Feature, tuple[ApiAction, ...]] = field(default_factory=dict)
    holds_entitlements: bool = False
    """Whether resources of the type have entitlements (and so grants on them). The others are
    declared with ``SkipEntitlementsAndGrants``: baton-sdk's syncer (and ConductorOne) then
    skip the two calls per resource that would answer nothing (5,000 users: 10,000 calls)."""


_ATTACH = tuple(
    _ram(f"{verb}Policy{prep}{kind}", f"{verb.lower()} a policy {prep.lower()} a {kind.lower()}")
    for verb, prep in (("Attach", "To"), ("Detach", "From"))
    for kind in ("User", "Group", "Role")
) + tuple(
    _ram(f"ListPoliciesFor{kind}", f"re-read a {kind.lower()}'s policies after an 'already' answer")
    for kind in ("User", "Group", "Role")
)

RESOURCE_TYPES: tuple[ResourceTypeSpec, ...] = (
    ResourceTypeSpec(
        ids.ACCOUNT, "Account", Trait.TRAIT_APP,
        "The Alibaba Cloud account (and external accounts trusted by its roles)",
        {"sync": (
            ApiAction("sts", "GetCallerIdentity", None, "the account uid for every ARN"),
            _ram("GetAccountAlias", "the account's display name"),
            _ims("GetPasswordPolicy", "the account's password policy (findings)"),
            _ims("GetSecurityPreference", "the account's security preference (findings)"),
        )},
    ),
    ResourceTypeSpec(
        ids.USER, "User", Trait.TRAIT_USER, "A RAM user",
        {"sync": (
            _ims("ListUsers", "users, active and frozen (Status=active,freeze)"),
            _ims("GenerateCredentialReport", "login and MFA facts for every user in one report"),
            _ims("GetCredentialReport", "read the credential report"),
            _ims("GetLoginProfile", "console login and MFABindRequired"),
            _ims("ListVirtualMFADevices", "virtual MFA devices of every user, 100 a page"),
            _ims("GetUserMFAInfo", "MFA of a console user without a virtual MFA device (U2F)"),
            _ims("ListAccessKeys", "whether a user without console login is a service account"),
            _ram("ListPoliciesForUser", "policies attached to a user (per-principal plan)"),
        )},
    ),
    ResourceTypeSpec(
        ids.GROUP, "Group", Trait.TRAIT_GROUP, "A RAM user group",
        {
            "sync": (
                _ims("ListGroups", "groups"),
                _ims("ListUsersForGroup", "group members"),
                _ram("ListPoliciesForGroup", "policies attached to a group (per-principal plan)"),
            ),
            "provisioning": (
                _ram("AddUserToGroup", "grant group membership"),
                _ram("RemoveUserFromGroup", "revoke group membership"),
                _ram("ListGroupsForUser", "re-read a membership after an 'already' answer"),
            ),
        },
        holds_entitlements=True,
    ),
    ResourceTypeSpec(
        ids.ROLE, "Role", Trait.TRAIT_ROLE, "A RAM role; its trust policy says who may assume it",
        {"sync": (
            _ram("ListRoles", "roles"),
            _ram("GetRole", "the role's trust policy"),
            _ram("ListPoliciesForRole", "policies attached to a role (per-principal plan)"),
        )},
        holds_entitlements=True,
    ),
    ResourceTypeSpec(
        ids.POLICY, "Policy", Trait.TRAIT_ROLE, "A RAM policy, system or custom",
        {
            "sync": (
                _ram("ListPolicies", "system and custom policies"),
                _ram("GetPolicy", "a custom policy's default document"),
                _ram("ListEntitiesForPolicy", "principals of an attached policy (per-policy plan)"),
            ),
            "provisioning": _ATTACH,
        },
        holds_entitlements=True,
    ),
    ResourceTypeSpec(
        ids.RESOURCE_GROUP, "Resource Group", None,
        "A Resource Manager resource group: the scope of the policies attached within it",
        {"sync": (
            _rm("ListResourceGroups", "resource groups"),
            _rm("ListPolicyAttachments", "policies attached within a resource group"),
        )},
    ),
    ResourceTypeSpec(
        ids.POLICY_BINDING, "Policy Binding", Trait.TRAIT_SCOPE_BINDING,
        "A policy attached within one resource group (its principals hold it there only)", {},
        holds_entitlements=True,
    ),
    ResourceTypeSpec(
        ids.IDENTITY_PROVIDER, "Identity Provider", Trait.TRAIT_APP,
        "A SAML or OIDC identity provider that roles may trust",
        {"sync": (
            _ims("ListSAMLProviders", "SAML identity providers"),
            _ims("ListOIDCProviders", "OIDC identity providers"),
        )},
    ),
    ResourceTypeSpec(
        ids.SERVICE, "Service", None, "An Alibaba Cloud service trusted by a role", {},
    ),
    ResourceTypeSpec(
        ids.ACCESS_KEY, "Access Key", Trait.TRAIT_SECRET,
        "A RAM user's AccessKey (never the secret)",
        {"sync-secrets": (
            _ims("ListAccessKeys", "a user's AccessKeys"),
            _ims("GetAccessKeyLastUsed", "when an AccessKey was last used"),
        )},
    ),
)

_BY_ID = {spec.id: spec for spec in RESOURCE_TYPES}


def by_id(type_id: str) -> ResourceTypeSpec:
    """The spec of a type id (``KeyError`` for an unknown one)."""
    return _BY_ID[type_id]


def message(type_id: str) -> ResourceType:
    """The ``c1.connector.v2.ResourceType`` message of a type id (as named in an
    entitlement's ``grantable_to``)."""
    spec = _BY_ID[type_id]
    traits = () if spec.trait is None else (spec.trait,)
    return bt.resource_type(spec.id, spec.display_name, traits, description=spec.description)


def declaration(type_id: str) -> ResourceType:
    """The type as its syncer declares it: ``message`` plus ``SkipEntitlementsAndGrants`` for
    a type whose resources hold no entitlements, and ``TypeScopedEntitlements`` and
    ``TypeScopedGrants`` for the others: baton-sdk's syncer then asks ``serve`` for the whole
    type's entitlements and grants in large pages instead of two calls per resource (the
    snapshot answers either way; per resource, an account's policies, groups and roles cost
    thousands of Go-to-Python round trips)."""
    spec = _BY_ID[type_id]
    declared = message(type_id)
    markers = ((TypeScopedEntitlements(), TypeScopedGrants()) if spec.holds_entitlements
               else (SkipEntitlementsAndGrants(),))
    declared.annotations.extend(bt.pack_any(marker) for marker in markers)
    return declared


def actions_for(features: Iterable[Feature]) -> list[ApiAction]:
    """Every distinct action the features need, in table order (``sync`` is always included)."""
    wanted = {"sync", *features}
    seen: dict[tuple[str, str], ApiAction] = {}
    for spec in RESOURCE_TYPES:
        for feature in FEATURES:
            if feature in wanted:
                for action in spec.actions.get(feature, ()):
                    seen.setdefault((action.service, action.action), action)
    return list(seen.values())
