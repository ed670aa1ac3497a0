"""Assembly: the builders of one sync for a configuration.

Why an async constructor: every ARN needs the account uid, so STS GetCallerIdentity runs once
before any builder exists; the builders then share one ``Context`` (API, uid, phase-1 counts).
"""

from __future__ import annotations

from baton_alibaba_cloud.baton.builder import ResourceSyncer
from baton_alibaba_cloud.connector._context import Api, Context
from baton_alibaba_cloud.connector.access_key import AccessKeySyncer
from baton_alibaba_cloud.connector.account import AccountSyncer, caller_account_id
from baton_alibaba_cloud.connector.group import GroupSyncer
from baton_alibaba_cloud.connector.identity_provider import IdentityProviderSyncer
from baton_alibaba_cloud.connector.policy import PolicySyncer
from baton_alibaba_cloud.connector.resource_group import PolicyBindingSyncer, ResourceGroupSyncer
from baton_alibaba_cloud.connector.role import RoleSyncer
from baton_alibaba_cloud.connector.service import ServiceSyncer
from baton_alibaba_cloud.connector.user import UserSyncer

__all__ = ["Connector"]


class Connector:
    """The syncers of one account; ``access_key`` only with ``sync_secrets``."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @classmethod
    async def open(cls, api: Api, *, sync_secrets: bool = False) -> Connector:
        """Read the account uid of the credentials and build the shared context."""
        return cls(Context(api=api, uid=await caller_account_id(api), sync_secrets=sync_secrets))

    def syncers(self) -> list[ResourceSyncer]:
        """Every builder, in the order of ``resource_types.RESOURCE_TYPES``."""
        ctx = self.ctx
        found: list[ResourceSyncer] = [
            AccountSyncer(ctx),
            UserSyncer(ctx),
            GroupSyncer(ctx),
            RoleSyncer(ctx),
            PolicySyncer(ctx),
            ResourceGroupSyncer(ctx),
            PolicyBindingSyncer(ctx),
            IdentityProviderSyncer(ctx),
            ServiceSyncer(),
        ]
        if ctx.sync_secrets:
            found.append(AccessKeySyncer())
        return found
