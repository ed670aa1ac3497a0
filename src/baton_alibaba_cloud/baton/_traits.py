"""Trait builders (``annotation_trait.proto``) and the Struct/Timestamp conversions they share.

Defaults follow the Go SDK (``pkg/types/resource/user_trait.go``): a user is ENABLED and HUMAN
unless told otherwise. Optional arguments are ``None`` and leave fields unset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from google.protobuf import struct_pb2, timestamp_pb2

from baton_alibaba_cloud.baton.pb import annotation_trait_pb2 as pb
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceId

__all__ = [
    "app_trait",
    "group_trait",
    "non_human_identity_trait",
    "role_trait",
    "secret_trait",
    "timestamp",
    "to_struct",
    "user_trait",
]

UserStatus = pb.UserTrait.Status.Status
AccountType = pb.UserTrait.AccountType


def to_struct(mapping: Mapping[str, object]) -> struct_pb2.Struct:
    """A ``Struct`` from a JSON-like mapping (str, int, float, bool, None, lists, dicts)."""
    msg = struct_pb2.Struct()
    msg.update(cast(dict[str, Any], dict(mapping)))
    return msg


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    """A ``Timestamp``; a naive datetime is taken as UTC (what the APIs return)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    msg = timestamp_pb2.Timestamp()
    msg.FromDatetime(value)
    return msg


def user_trait(
    *,
    login: str | None = None,
    login_aliases: Iterable[str] = (),
    emails: Iterable[str | pb.UserTrait.Email] = (),
    status: pb.UserTrait.Status.Status = UserStatus.STATUS_ENABLED,
    status_details: str | None = None,
    account_type: pb.UserTrait.AccountType = AccountType.ACCOUNT_TYPE_HUMAN,
    profile: Mapping[str, object] | None = None,
    created_at: datetime | None = None,
    last_login: datetime | None = None,
    mfa_enabled: bool | None = None,
    employee_ids: Iterable[str] = (),
) -> pb.UserTrait:
    """A ``UserTrait``. A plain string email is primary when it comes first."""
    msg = pb.UserTrait(account_type=account_type, login_aliases=list(login_aliases))
    for n, email in enumerate(emails):
        if isinstance(email, str):
            email = pb.UserTrait.Email(address=email, is_primary=n == 0)
        msg.emails.append(email)
    msg.status.status = status
    if status_details is not None:
        msg.status.details = status_details
    if login is not None:
        msg.login = login
    if profile is not None:
        msg.profile.CopyFrom(to_struct(profile))
    if created_at is not None:
        msg.created_at.CopyFrom(timestamp(created_at))
    if last_login is not None:
        msg.last_login.CopyFrom(timestamp(last_login))
    if mfa_enabled is not None:
        msg.mfa_status.mfa_enabled = mfa_enabled
    msg.employee_ids.extend(employee_ids)
    return msg


def group_trait(*, profile: Mapping[str, object] | None = None) -> pb.GroupTrait:
    """A ``GroupTrait`` with an optional profile."""
    msg = pb.GroupTrait()
    if profile is not None:
        msg.profile.CopyFrom(to_struct(profile))
    return msg


def role_trait(*, profile: Mapping[str, object] | None = None) -> pb.RoleTrait:
    """A ``RoleTrait`` with an optional profile."""
    msg = pb.RoleTrait()
    if profile is not None:
        msg.profile.CopyFrom(to_struct(profile))
    return msg


def app_trait(
    *,
    profile: Mapping[str, object] | None = None,
    help_url: str | None = None,
    flags: Iterable[pb.AppTrait.AppFlag] = (),
) -> pb.AppTrait:
    """An ``AppTrait`` (our account and identity-provider resources)."""
    msg = pb.AppTrait(flags=list(flags))
    if profile is not None:
        msg.profile.CopyFrom(to_struct(profile))
    if help_url is not None:
        msg.help_url = help_url
    return msg


def secret_trait(
    *,
    profile: Mapping[str, object] | None = None,
    created_at: datetime | None = None,
    expires_at: datetime | None = None,
    last_used_at: datetime | None = None,
    created_by: ResourceId | None = None,
    identity: ResourceId | None = None,
    credential_type: pb.SecretTrait.CredentialType = (
        pb.SecretTrait.CredentialType.CREDENTIAL_TYPE_STATIC_SECRET
    ),
    credential_detail: str | None = None,
) -> pb.SecretTrait:
    """A ``SecretTrait`` (AccessKeys: a static secret whose identity is its user)."""
    msg = pb.SecretTrait(credential_type=credential_type)
    if profile is not None:
        msg.profile.CopyFrom(to_struct(profile))
    for name, value in (
        ("created_at", created_at),
        ("expires_at", expires_at),
        ("last_used_at", last_used_at),
    ):
        if value is not None:
            getattr(msg, name).CopyFrom(timestamp(value))
    if created_by is not None:
        msg.created_by_id.CopyFrom(created_by)
    if identity is not None:
        msg.identity_id.CopyFrom(identity)
    if credential_detail is not None:
        msg.credential_detail = credential_detail
    return msg


def non_human_identity_trait(
    nhi_type: pb.NonHumanIdentityTrait.NhiType, detail: str | None = None
) -> pb.NonHumanIdentityTrait:
    """A ``NonHumanIdentityTrait`` (e.g. ASSUMABLE_ROLE for a RAM role)."""
    msg = pb.NonHumanIdentityTrait(nhi_type=nhi_type)
    if detail is not None:
        msg.nhi_detail = detail
    return msg
