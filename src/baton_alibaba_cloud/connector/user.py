"""The ``user`` type: RAM users, active and frozen, enriched with login, MFA and service facts.

get → transform → load: IMS ListUsers with ``Status=active,freeze`` (pages of 1000) →
``transform_user`` (UserTrait exactly per docs/model.md §2). Phase 2 (``details``) re-upserts each
user enriched by ``_login.LoginFactsSource`` (credential report or per-user calls, whichever is
cheaper), adds its AccessKeys with ``--sync-secrets``, and, in the per-principal attachment
plan, its ``attached`` policy grants. Users offer no entitlements.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from baton_alibaba_cloud.alibaba import NotFoundError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import UserTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceType
from baton_alibaba_cloud.connector import access_key, ids, policy, resource_types
from baton_alibaba_cloud.connector._context import Context, with_profile
from baton_alibaba_cloud.connector._login import REPORT_MAX_USERS, LoginFacts, LoginFactsSource
from baton_alibaba_cloud.connector._payload import (
    compact,
    items,
    optional,
    parse_time,
    required,
    tags,
)

__all__ = ["UserSyncer", "enrich_user", "transform_user"]

log = logging.getLogger(__name__)

_STATUS = {
    "active": (UserTrait.Status.STATUS_ENABLED, None),
    "freeze": (UserTrait.Status.STATUS_DISABLED, "frozen"),
}


class UserSyncer:
    """Lists users; details enrich them (and list keys and attachments when asked)."""

    details_concurrency = 1024
    """Users being enriched at once. In the per-user plan every user's MFA facts wait for the
    one ListVirtualMFADevices listing (a chain of Markers, 100 devices a page: large's 121
    pages end 4-6 s into phase 2); meanwhile the other users must keep GetLoginProfile, the
    action that bounds the sync, at its quota. 1024 is ten seconds of it; a waiting user costs
    its resource and one answer."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.logins = LoginFactsSource(ctx)

    @property
    def resource_type(self) -> ResourceType:
        """``user`` (USER)."""
        return resource_types.declaration(ids.USER)

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """Every user, active and frozen, a page of up to 1000 at a time."""
        async for page in self.ctx.api.pages("ims", "ListUsers", {"Status": "active,freeze"}):
            users = [transform_user(u, self.ctx.uid) for u in _users(page)]
            self.ctx.counts.users += len(users)
            if self.ctx.counts.users > REPORT_MAX_USERS:
                self.logins.prefetch_virtual_mfa()  # the per-user plan: its MFA list, early
            yield users
        self.logins.prefetch_report()  # every user counted: the report builds while others list

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """None: users are principals."""
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Every user is enriched."""
        return self._details(resource)

    async def _details(self, resource: Resource) -> AsyncIterator[SyncItems]:
        trait = bt.unpack_annotation(resource.annotations, UserTrait)
        upn = trait.login if trait is not None else ""
        try:
            facts, keys_known = await self.logins.facts(upn)
            keys = None
            if self.ctx.sync_secrets or not (facts.console_login or keys_known):
                keys = await access_key.list_keys(self.ctx.api, upn)
            has_keys = bool(keys) if keys is not None else facts.has_access_keys
            found = [enrich_user(resource, facts, has_keys)]
            if self.ctx.sync_secrets and keys:
                found += await access_key.key_resources(self.ctx.api, upn, resource.id, keys)
            grants = []
            if not self.ctx.counts.attachments_by_policy:
                grants = await policy.attachment_grants(self.ctx, resource.id)
        except NotFoundError as exc:
            yield SyncItems(warnings=[f"user {upn} vanished during the sync: {exc.code}"])
            return
        yield SyncItems(resources=found, grants=grants)


def _users(page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return items(page, "Users", "User")


def transform_user(payload: Mapping[str, Any], uid: str) -> Resource:
    """A user from IMS ListUsers; its RAM name is the UPN's part before ``@``."""
    upn = required(payload, "UserPrincipalName", "user")
    name = ids.user_name(upn)
    raw_status = optional(payload, "Status") or ""
    if raw_status not in _STATUS:
        log.warning("user %s has an unknown Status %r; synced with an unspecified status",
                    upn, raw_status[:64])
    status, details = _STATUS.get(
        raw_status, (UserTrait.Status.STATUS_UNSPECIFIED, f"unknown status {raw_status[:64]}"))
    email = optional(payload, "Email")
    comments = optional(payload, "Comments")
    profile = compact({
        "user_id": required(payload, "UserId", "user"),
        "user_principal_name": upn,
        "user_name": name,
        "display_name": optional(payload, "DisplayName"),
        "email": email,
        "comments": comments,
        "provision_type": optional(payload, "ProvisionType"),
        "status": raw_status,
        "tags": tags(payload),
        "update_date": optional(payload, "UpdateDate"),
    })
    trait = bt.user_trait(
        login=upn,
        login_aliases=[name],
        emails=[email] if email else [],
        status=status,
        status_details=details,
        profile=profile,
        created_at=parse_time(payload.get("CreateDate"), f"user {upn} CreateDate"),
        last_login=parse_time(payload.get("LastLoginDate"), f"user {upn} LastLoginDate"),
    )
    return bt.resource(
        ids.USER,
        ids.user_id(uid, name),
        optional(payload, "DisplayName") or name,
        parent=bt.resource_id(ids.ACCOUNT, uid),
        description=comments,
        annotations=[trait],
    )


def enrich_user(resource: Resource, facts: LoginFacts, has_access_keys: bool | None) -> Resource:
    """The user with MFA, console login, MFABindRequired and service-account facts.

    A user who cannot log in to the console and has AccessKeys is a SERVICE account.
    """
    updated = with_profile(resource, UserTrait, {
        "console_login_enabled": facts.console_login,
        "mfa_bind_required": facts.mfa_bind_required,
        "mfa_enabled": facts.mfa_enabled,
        "has_access_keys": has_access_keys,
    })
    for item in updated.annotations:
        if item.TypeName() != UserTrait.DESCRIPTOR.full_name:
            continue
        trait = UserTrait()
        item.Unpack(trait)
        if facts.mfa_enabled is not None:
            trait.mfa_status.mfa_enabled = facts.mfa_enabled
        if not facts.console_login and has_access_keys:
            trait.account_type = UserTrait.AccountType.ACCOUNT_TYPE_SERVICE
        if facts.last_login is not None and not trait.HasField("last_login"):
            trait.last_login.FromDatetime(facts.last_login)
        item.Pack(trait, deterministic=True)
    return updated
