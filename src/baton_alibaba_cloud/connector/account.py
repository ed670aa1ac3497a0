"""The ``account`` type: this Alibaba Cloud account, and external accounts named by trust.

get → transform → load: STS GetCallerIdentity gives the uid (read once, before the builders
exist, since every ARN needs it), RAM GetAccountAlias the display name; ``transform_*`` build
the resources; the engine loads them. External accounts are discovered by the role builder.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import AppTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import Api, with_profile
from baton_alibaba_cloud.connector._payload import PayloadError, compact, optional
from baton_alibaba_cloud.connector._syncer import ContextSyncer

__all__ = [
    "AccountSyncer",
    "caller_account_id",
    "transform_account",
    "transform_external_account",
]


class AccountSyncer(ContextSyncer):
    """Lists the one account; accounts offer no entitlements and have details only to record
    what the sync could not read."""

    type_id = ids.ACCOUNT

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """One page: this account, named by its alias when it has one, with its password
        policy and security preference on the profile (what the findings check)."""
        api = self.ctx.api
        alias, policy, preference = await asyncio.gather(
            api.call("ram", "GetAccountAlias", {}), api.call("ims", "GetPasswordPolicy", {}),
            api.call("ims", "GetSecurityPreference", {}))
        yield [transform_account(self.ctx.uid, optional(alias, "AccountAlias"),
                                 policy.get("PasswordPolicy"),
                                 preference.get("SecurityPreference"))]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """None (docs/model.md §3 gives accounts none)."""
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Only when phase 1 could not read something: the mark on this account and a warning
        (a security tool must not let "unreadable" pass for "none")."""
        if resource.id.resource != self.ctx.uid or not self.ctx.unavailable:
            return None
        return self._mark(resource)

    async def _mark(self, resource: Resource) -> AsyncIterator[SyncItems]:
        marks = dict(sorted(self.ctx.unavailable.items()))
        warnings = [f"account {self.ctx.uid}: {key.replace('_', ' ')} {reason}; its grants "
                    "are missing from this sync" for key, reason in marks.items()]
        yield SyncItems(resources=[with_profile(resource, AppTrait, marks)], warnings=warnings)


async def caller_account_id(api: Api) -> str:
    """The account uid of the credentials in use (STS GetCallerIdentity ``AccountId``)."""
    answer = await api.call("sts", "GetCallerIdentity", {})
    uid = optional(answer, "AccountId")
    if uid is None:
        raise PayloadError("STS GetCallerIdentity answered without an AccountId")
    return uid


def transform_account(uid: str, alias: str | None, password_policy: object = None,
                      security_preference: object = None) -> Resource:
    """The synced account: display name the alias, else the uid; the password policy and
    security preference as IMS answers them (wire names), when they are objects."""
    profile = compact({
        "account_id": uid, "account_alias": alias, "external": False,
        "password_policy": password_policy if isinstance(password_policy, Mapping) else None,
        "security_preference": security_preference
        if isinstance(security_preference, Mapping) else None,
    })
    return bt.resource(
        ids.ACCOUNT,
        uid,
        alias or uid,
        description=f"Alibaba Cloud account {uid}",
        annotations=[bt.app_trait(profile=profile)],
    )


def transform_external_account(uid: str) -> Resource:
    """Another account trusted by a role: no parent, ``external: true`` (docs/model.md §3)."""
    profile = {"account_id": uid, "external": True}
    return bt.resource(
        ids.ACCOUNT,
        uid,
        f"External account {uid}",
        annotations=[bt.app_trait(profile=profile)],
    )
