"""The ``access_key`` type (``--sync-secrets`` only): a RAM user's AccessKeys, never the secret.

get → transform → load: the user builder lists a user's keys (IMS ListAccessKeys, which it may
need anyway to tell a service account) and calls ``key_resources``: one IMS
GetAccessKeyLastUsed per key, then ``transform_access_key``. Keys are children of their user;
this builder only declares the type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from baton_alibaba_cloud.alibaba import NotFoundError
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, Status
from baton_alibaba_cloud.connector import ids
from baton_alibaba_cloud.connector._context import Api
from baton_alibaba_cloud.connector._payload import compact, items, parse_time, required
from baton_alibaba_cloud.connector._syncer import DeclaredOnlySyncer

__all__ = ["AccessKeySyncer", "key_resources", "list_keys", "transform_access_key"]


class AccessKeySyncer(DeclaredOnlySyncer):
    """Declares ``access_key`` (SECRET); keys are listed per user, in the user builder's details,
    and offer no entitlements: a key is held by its user, which the SecretTrait says."""

    type_id = ids.ACCESS_KEY


async def list_keys(api: Api, upn: str) -> list[Mapping[str, Any]]:
    """A user's AccessKeys (IMS ListAccessKeys, not paginated: at most two per user)."""
    answer = await api.call("ims", "ListAccessKeys", {"UserPrincipalName": upn})
    return items(answer, "AccessKeys", "AccessKey")


async def key_resources(
    api: Api, upn: str, user: ResourceId, keys: Sequence[Mapping[str, Any]]
) -> list[Resource]:
    """Each key with when it was last used (one GetAccessKeyLastUsed per key)."""
    found = []
    for key in keys:
        key_id = required(key, "AccessKeyId", "access key")
        try:
            answer = await api.call(
                "ims", "GetAccessKeyLastUsed",
                {"UserAccessKeyId": key_id, "UserPrincipalName": upn},
            )
        except NotFoundError:
            continue  # deleted between the two calls
        used = answer.get("AccessKeyLastUsed")
        last = parse_time(used.get("LastUsedDate")) if isinstance(used, Mapping) else None
        found.append(transform_access_key(key, user, last))
    return found


def transform_access_key(
    payload: Mapping[str, Any], user: ResourceId, last_used: datetime | None
) -> Resource:
    """An AccessKey: SecretTrait identity = its user; Active/Inactive on ``Resource.status``."""
    key_id = required(payload, "AccessKeyId", "access key")
    status = required(payload, "Status", "access key")
    name = ids.name_of(user.resource)
    trait = bt.secret_trait(
        profile=compact({"access_key_id": key_id, "status": status, "user_name": name}),
        created_at=parse_time(payload.get("CreateDate")),
        last_used_at=last_used,
        identity=user,
        created_by=user,
        credential_detail="alibaba.access_key",
    )
    return bt.resource(
        ids.ACCESS_KEY,
        key_id,
        f"{key_id} ({name})",
        parent=user,
        status=Status.RESOURCE_STATUS_ENABLED if status == "Active"
        else Status.RESOURCE_STATUS_DISABLED,
        status_details=status,
        annotations=[trait],
    )
