"""The ``identity_provider`` type: SAML and OIDC providers that roles may trust.

get → transform → load: IMS ListSAMLProviders and ListOIDCProviders (Marker pages of 100),
``transform_*_provider``; id = the provider ARN, the same string a trust policy's ``Federated``
principal names, so trust grants join them. No parent (docs/model.md §3).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.builder import SyncItems
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import AppTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._payload import (
    compact,
    items,
    optional,
    parse_time,
    required,
)
from baton_alibaba_cloud.connector._syncer import ContextSyncer

__all__ = ["IdentityProviderSyncer", "transform_oidc_provider", "transform_saml_provider"]


class IdentityProviderSyncer(ContextSyncer):
    """Lists both kinds of provider; they offer no entitlements (they are principals)."""

    type_id = ids.IDENTITY_PROVIDER

    async def list(self) -> AsyncIterator[Sequence[Resource]]:
        """SAML providers, then OIDC providers, a page at a time."""
        async for page in self.ctx.api.pages("ims", "ListSAMLProviders", {}):
            yield [transform_saml_provider(p) for p in items(page, "SAMLProviders", "SAMLProvider")]
        async for page in self.ctx.api.pages("ims", "ListOIDCProviders", {}):
            yield [transform_oidc_provider(p) for p in items(page, "OIDCProviders", "OIDCProvider")]

    def entitlements(self, resource: Resource) -> Sequence[Entitlement]:
        """None."""
        return ()

    def details(self, resource: Resource) -> AsyncIterator[SyncItems] | None:
        """Nothing more to fetch."""
        return None


def transform_saml_provider(payload: Mapping[str, Any]) -> Resource:
    """A SAML provider from ListSAMLProviders."""
    profile = {"provider_type": "SAML", "arn": required(payload, "Arn", "SAML provider")}
    return _provider(payload, "SAMLProviderName", profile, AppTrait.APP_FLAG_SAML)


def transform_oidc_provider(payload: Mapping[str, Any]) -> Resource:
    """An OIDC provider from ListOIDCProviders (issuer and client ids on the profile)."""
    client_ids = optional(payload, "ClientIds")
    profile = {
        "provider_type": "OIDC",
        "arn": required(payload, "Arn", "OIDC provider"),
        "issuer_url": optional(payload, "IssuerUrl"),
        "client_ids": client_ids.split(",") if client_ids else None,
    }
    return _provider(payload, "OIDCProviderName", profile, AppTrait.APP_FLAG_OIDC)


def _provider(
    payload: Mapping[str, Any], name_key: str, profile: dict[str, Any], flag: AppTrait.AppFlag
) -> Resource:
    arn = str(profile["arn"])
    name = required(payload, name_key, "identity provider")
    description = optional(payload, "Description")
    full = compact({**profile, "name": name, "description": description})
    return bt.resource(
        ids.IDENTITY_PROVIDER,
        arn,
        name,
        description=description,
        created_at=parse_time(payload.get("CreateDate"), f"identity provider {name} CreateDate"),
        annotations=[bt.app_trait(profile=full, flags=[flag])],
    )
