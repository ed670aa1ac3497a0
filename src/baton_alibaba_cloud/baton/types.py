"""Typed builders for ``c1.connector.v2`` messages, with the frozen baton id rules.

Ids are external contracts (``docs/model.md`` §3, ``docs/c1z-format.md`` §5): C1 and the
``baton`` tools key history on them, so every connector builds them here and nowhere else.
Optional arguments are ``None`` (never ``""``) and leave the proto field unset. Naive datetimes
are taken as UTC.

The API:

* ids: ``entitlement_id(resource_type, resource_id, slug)``,
  ``grant_id(entitlement_id, principal_type, principal_id)``, ``resource_id(type, id)``
* annotations: ``pack_any(msg)``, ``unpack_annotation(annotations, MsgType)``,
  ``has_annotation(annotations, MsgType)``, ``to_struct(mapping)``
* ``resource_type(id, display_name, traits=(), *, description=None, annotations=())``
* ``resource(resource_type, id, display_name, *, parent=None, description=None,
  created_at=None, profile=None, status=None, status_details=None, annotations=())``:
  trait messages among ``annotations`` are packed, and their profile/status/created_at/icon are
  copied onto ``Resource`` fields 9-12 when not given, as the Go SDK's ``With*Trait`` options
  do (PR #996).
* traits (re-exported from ``_traits``): ``user_trait``, ``group_trait``, ``role_trait``,
  ``app_trait``, ``secret_trait``, ``non_human_identity_trait``
* ``entitlement(resource, slug, purpose, *, display_name=None, description=None,
  grantable_to=(), annotations=())`` and ``assignment_entitlement(...)`` (purpose ASSIGNMENT)
* ``grant(entitlement, principal, *, annotations=())``, shaped like Go's ``grant.NewGrant``
* ``grant_expandable(entitlement_ids, *, shallow=False)``, ``grant_metadata(mapping)``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TypeVar

from google.protobuf import any_pb2
from google.protobuf.message import Message

from baton_alibaba_cloud.baton._traits import (
    app_trait,
    group_trait,
    non_human_identity_trait,
    role_trait,
    secret_trait,
    timestamp,
    to_struct,
    user_trait,
)
from baton_alibaba_cloud.baton.pb import annotation_trait_pb2 as traits_pb
from baton_alibaba_cloud.baton.pb import annotations_pb2 as ann_pb
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId, ResourceType, Status

__all__ = [
    "Entitlement",
    "Grant",
    "Resource",
    "ResourceId",
    "ResourceType",
    "Status",
    "app_trait",
    "assignment_entitlement",
    "entitlement",
    "entitlement_id",
    "grant",
    "grant_expandable",
    "grant_id",
    "grant_metadata",
    "group_trait",
    "has_annotation",
    "non_human_identity_trait",
    "pack_any",
    "resource",
    "resource_id",
    "resource_type",
    "role_trait",
    "secret_trait",
    "to_struct",
    "unpack_annotation",
    "user_trait",
]

M = TypeVar("M", bound=Message)

Trait = ResourceType.Trait
Purpose = Entitlement.PurposeValue


# --- ids -------------------------------------------------------------------------------------


def entitlement_id(resource_type: str, resource_id: str, slug: str) -> str:
    """``<type>:<resource id>:<slug>``, Go's ``NewEntitlementID`` (lossy by design: ids may hold
    ``:``; storage keeps the structured columns)."""
    return f"{resource_type}:{resource_id}:{slug}"


def grant_id(entitlement_id: str, principal_type: str, principal_id: str) -> str:
    """``<entitlement id>:<principal type>:<principal id>``, Go's ``NewGrantID``."""
    return f"{entitlement_id}:{principal_type}:{principal_id}"


def resource_id(resource_type: str, resource: str) -> ResourceId:
    """A ``ResourceId``; both parts must be non-empty (the syncer drops such resources)."""
    if not resource_type or not resource:
        raise ValueError(f"resource id needs a type and an id, got {resource_type!r}:{resource!r}")
    return ResourceId(resource_type=resource_type, resource=resource)


# --- annotations -----------------------------------------------------------------------------


def pack_any(msg: Message) -> any_pb2.Any:
    """Wrap a message as ``Any`` (``type.googleapis.com/c1.connector.v2.<Msg>``); an ``Any`` is
    returned unchanged so callers can mix packed and unpacked annotations.

    Packed deterministically: the value is opaque bytes to the outer message, so a trait's
    profile (a map) would otherwise be written in a different order by each sync, and
    ``baton diff`` would report every resource of an unchanged account as modified."""
    if isinstance(msg, any_pb2.Any):
        return msg
    packed = any_pb2.Any()
    packed.Pack(msg, deterministic=True)
    return packed


def unpack_annotation(annotations: Iterable[any_pb2.Any], msg_type: type[M]) -> M | None:
    """The first annotation of ``msg_type`` (Go's ``annotations.Pick``), else ``None``."""
    for item in annotations:
        if item.TypeName() == msg_type.DESCRIPTOR.full_name:
            found = msg_type()
            item.Unpack(found)
            return found
    return None


def has_annotation(annotations: Iterable[any_pb2.Any], msg_type: type[Message]) -> bool:
    """Whether any annotation is a ``msg_type`` (cheap: compares type URLs only)."""
    name = msg_type.DESCRIPTOR.full_name
    return any(item.TypeName() == name for item in annotations)


def grant_expandable(
    entitlement_ids: Iterable[str], *, shallow: bool = False
) -> ann_pb.GrantExpandable:
    """``GrantExpandable``: holders of ``entitlement_ids`` inherit the annotated grant."""
    return ann_pb.GrantExpandable(entitlement_ids=list(entitlement_ids), shallow=shallow)


def grant_metadata(metadata: Mapping[str, object]) -> ann_pb.GrantMetadata:
    """``GrantMetadata`` carrying a JSON-like mapping as a ``Struct``."""
    return ann_pb.GrantMetadata(metadata=to_struct(metadata))


# --- resource types and resources ------------------------------------------------------------


def resource_type(
    id: str,
    display_name: str,
    traits: Iterable[ResourceType.Trait] = (),
    *,
    description: str | None = None,
    annotations: Iterable[Message] = (),
) -> ResourceType:
    """A ``ResourceType``; resources of a type with a trait must carry that trait annotation."""
    msg = ResourceType(id=id, display_name=display_name, traits=list(traits))
    if description is not None:
        msg.description = description
    msg.annotations.extend(pack_any(a) for a in annotations)
    return msg


def resource(
    resource_type: str | ResourceType,
    id: str,
    display_name: str,
    *,
    parent: ResourceId | Resource | None = None,
    description: str | None = None,
    created_at: datetime | None = None,
    profile: Mapping[str, object] | None = None,
    status: Status.ResourceStatus | None = None,
    status_details: str | None = None,
    annotations: Iterable[Message] = (),
) -> Resource:
    """A ``Resource``. Trait annotations fill profile, status, created_at and icon when those
    are not given, so the new fields (9-12) and the deprecated trait fields agree."""
    type_id = resource_type.id if isinstance(resource_type, ResourceType) else resource_type
    msg = Resource(id=resource_id(type_id, id), display_name=display_name)
    if parent is not None:
        msg.parent_resource_id.CopyFrom(parent.id if isinstance(parent, Resource) else parent)
    if description is not None:
        msg.description = description
    if created_at is not None:
        msg.created_at.CopyFrom(timestamp(created_at))
    if profile is not None:
        msg.profile.CopyFrom(to_struct(profile))
    if status is not None:
        msg.status.status = status
        if status_details is not None:
            msg.status.details = status_details
    items = list(annotations)
    msg.annotations.extend(pack_any(a) for a in items)
    for item in items:
        _copy_trait_fields(msg, item)
    return msg


_USER_TO_RESOURCE_STATUS: dict[traits_pb.UserTrait.Status.Status, Status.ResourceStatus] = {
    traits_pb.UserTrait.Status.STATUS_UNSPECIFIED: Status.RESOURCE_STATUS_UNSPECIFIED,
    traits_pb.UserTrait.Status.STATUS_ENABLED: Status.RESOURCE_STATUS_ENABLED,
    traits_pb.UserTrait.Status.STATUS_DISABLED: Status.RESOURCE_STATUS_DISABLED,
    traits_pb.UserTrait.Status.STATUS_DELETED: Status.RESOURCE_STATUS_DELETED,
}


def _copy_trait_fields(res: Resource, trait: Message) -> None:
    """Go SDK convention: a trait's deprecated fields also land on the resource when unset."""
    if isinstance(trait, traits_pb.UserTrait):
        if trait.HasField("status") and not res.HasField("status"):
            res.status.status = _USER_TO_RESOURCE_STATUS[trait.status.status]
            if trait.status.details:
                res.status.details = trait.status.details
        _copy_common(res, trait, "profile", "created_at", "icon")
    elif isinstance(trait, traits_pb.SecretTrait):
        _copy_common(res, trait, "profile", "created_at")
    elif isinstance(trait, traits_pb.GroupTrait | traits_pb.AppTrait):
        _copy_common(res, trait, "profile", "icon")
    elif isinstance(trait, traits_pb.RoleTrait):
        _copy_common(res, trait, "profile")


def _copy_common(res: Resource, trait: Message, *fields: str) -> None:
    for name in fields:
        if trait.HasField(name) and not res.HasField(name):
            getattr(res, name).CopyFrom(getattr(trait, name))


# --- entitlements and grants -----------------------------------------------------------------


def entitlement(
    resource: Resource,
    slug: str,
    purpose: Entitlement.PurposeValue,
    *,
    display_name: str | None = None,
    description: str | None = None,
    grantable_to: Iterable[ResourceType] = (),
    annotations: Iterable[Message] = (),
) -> Entitlement:
    """An ``Entitlement`` on ``resource`` with id ``<type>:<rid>:<slug>``; the display name
    defaults to the slug, as Go's ``NewAssignmentEntitlement`` does."""
    msg = Entitlement(
        id=entitlement_id(resource.id.resource_type, resource.id.resource, slug),
        display_name=display_name if display_name is not None else slug,
        slug=slug,
        purpose=purpose,
        grantable_to=list(grantable_to),
    )
    msg.resource.CopyFrom(resource)
    if description is not None:
        msg.description = description
    msg.annotations.extend(pack_any(a) for a in annotations)
    return msg


def assignment_entitlement(
    resource: Resource,
    slug: str,
    display_name: str | None = None,
    description: str | None = None,
    grantable_to: Iterable[ResourceType] = (),
    *,
    annotations: Iterable[Message] = (),
) -> Entitlement:
    """An ASSIGNMENT entitlement (membership, attachment, assume): see ``entitlement``."""
    return entitlement(
        resource,
        slug,
        Purpose.PURPOSE_VALUE_ASSIGNMENT,
        display_name=display_name,
        description=description,
        grantable_to=grantable_to,
        annotations=annotations,
    )


def grant(
    entitlement: Entitlement,
    principal: Resource | ResourceId,
    *,
    annotations: Iterable[Message] = (),
) -> Grant:
    """A ``Grant`` of ``entitlement`` to ``principal``, shaped like Go's ``grant.NewGrant``: the
    embedded entitlement is only ``{id, resource}`` (readers look the full one up by id), and a
    bare ``ResourceId`` principal becomes ``Resource{id}``."""
    principal_res = principal if isinstance(principal, Resource) else Resource(id=principal)
    pid = principal_res.id
    msg = Grant(id=grant_id(entitlement.id, pid.resource_type, pid.resource))
    msg.entitlement.id = entitlement.id
    msg.entitlement.resource.CopyFrom(entitlement.resource)
    msg.principal.CopyFrom(principal_res)
    msg.annotations.extend(pack_any(a) for a in annotations)
    return msg
