"""``inspect export csv``: one row per principal × entitlement, as the ``baton`` CLI's
``export csv`` writes it, with two columns more: whether the grant is direct or inherited, and
the path of an inherited one.

Why the same columns: reviewers already have spreadsheets and scripts built on baton's export;
they should open ours unchanged. The baton columns come first, in baton's order; ``Grant`` and
``Path`` follow. Rows stream from the grants table (entitlements and principals looked up once
each), so a large file is exported in bounded memory per distinct object.

Public API: ``BATON_COLUMNS``, ``COLUMNS``, ``export_rows(reader) -> Iterator[list[str]]``.
"""

from __future__ import annotations

from collections.abc import Iterator

from baton_alibaba_cloud.baton.access import AccessPath, held_paths
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import UserTrait
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource, ResourceId
from baton_alibaba_cloud.baton.types import unpack_annotation

__all__ = ["BATON_COLUMNS", "COLUMNS", "export_rows"]

BATON_COLUMNS = (
    "Type", "Last Name", "First Name", "User ID", "User Status", "Email Address",
    "Entitlement Display Name", "Entitlement", "Resource Type", "Resource Name",
    "Entitlement Description", "Entitlement Slug",
)
COLUMNS = (*BATON_COLUMNS, "Grant", "Path")

_STATUS = {
    UserTrait.Status.STATUS_ENABLED: "enabled",
    UserTrait.Status.STATUS_DISABLED: "disabled",
    UserTrait.Status.STATUS_DELETED: "deleted",
}


class _Lookups:
    def __init__(self, reader: C1zReader) -> None:
        self.reader = reader
        self.resources: dict[tuple[str, str], Resource | None] = {}
        self.entitlements: dict[str, Entitlement | None] = {}

    def resource(self, rid: ResourceId) -> Resource | None:
        key = (rid.resource_type, rid.resource)
        if key not in self.resources:
            self.resources[key] = self.reader.get_resource(*key)
        return self.resources[key]

    def entitlement(self, grant: Grant) -> Entitlement:
        ent_id = grant.entitlement.id
        if ent_id not in self.entitlements:
            self.entitlements[ent_id] = self.reader.get_entitlement(ent_id)
        return self.entitlements[ent_id] or grant.entitlement


def _person(principal: Resource | None) -> list[str]:
    """Last name, first name, status and email of a user principal (blank for others)."""
    trait = unpack_annotation(principal.annotations, UserTrait) if principal else None
    if trait is None:
        return ["", "", "", ""]
    profile = principal.profile.fields if principal is not None else {}
    last = profile["last_name"].string_value if "last_name" in profile else ""
    first = profile["first_name"].string_value if "first_name" in profile else ""
    email = next((e.address for e in trait.emails if e.is_primary), "") or (
        trait.emails[0].address if trait.emails else "")
    return [last, first, _STATUS.get(trait.status.status, ""), email]


def _path(reader: C1zReader, grant: Grant) -> tuple[str, str]:
    sources = grant.sources.sources
    if not sources or grant.entitlement.id in sources:
        return "direct", ""
    paths = held_paths(reader, grant.principal.id, [grant.entitlement.id]).get(
        grant.entitlement.id) or [AccessPath()]
    return "inherited", "; ".join(p.label() for p in paths)


def export_rows(reader: C1zReader) -> Iterator[list[str]]:
    """One row per grant of the sync (expanded grants included), in ``COLUMNS`` order."""
    look = _Lookups(reader)
    for grant in reader.grants():
        ent = look.entitlement(grant)
        principal = look.resource(grant.principal.id)
        owner = look.resource(ent.resource.id)
        last, first, status, email = _person(principal)
        how, path = _path(reader, grant)
        yield [
            grant.principal.id.resource_type, last, first, grant.principal.id.resource, status,
            email, ent.display_name, ent.id, ent.resource.id.resource_type,
            owner.display_name if owner is not None else ent.resource.id.resource,
            ent.description, ent.slug, how, path,
        ]
