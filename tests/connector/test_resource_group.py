"""The resource-group builder's mapping of ListPolicyAttachments rows (the parts the emulator
cannot produce: principal names of another form, rows of another scope).

The front-door behaviour (exact grants, expansion, the denied case) is
tests/e2e/test_scoped_attachments.py; here a scripted API answers one page, so each odd row
is checked for what it becomes: a grant, a skip with one warning naming it, or nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceId
from baton_alibaba_cloud.connector._context import Context, Params, ServiceName
from baton_alibaba_cloud.connector.resource_group import (
    ResourceGroupSyncer,
    principal_of,
    transform_resource_group,
)

UID = "1234567890123456"
GROUP = {"Id": "rg-aek2test", "Name": "prod", "DisplayName": "rg-prod", "Status": "OK",
         "AccountId": UID, "CreateDate": "2024-01-01T00:00:00Z"}


def _row(name: str, kind: str = "IMSUser", scope: str = "rg-aek2test",
         policy: str = "AdministratorAccess") -> dict[str, str]:
    return {"PolicyName": policy, "PolicyType": "System", "PrincipalName": name,
            "PrincipalType": kind, "ResourceGroupId": scope, "AttachDate": "2024-01-01T00:00:00Z"}


class OnePage:
    """Answers ListPolicyAttachments with ``rows`` on one page."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.rows = rows

    async def call(self, service: ServiceName, action: str,
                   params: Params | None = None) -> dict[str, Any]:
        raise AssertionError(action)

    def pages(self, service: ServiceName, action: str,
              params: Params | None = None) -> AsyncIterator[dict[str, Any]]:
        raise AssertionError(action)

    async def numbered_pages(self, service: ServiceName, action: str,
                             params: Params | None = None) -> AsyncIterator[dict[str, Any]]:
        assert (service, action, dict(params or {})) == (
            "resourcemanager", "ListPolicyAttachments", {"ResourceGroupId": "rg-aek2test"})
        yield {"TotalCount": len(self.rows), "PolicyAttachments": {"PolicyAttachment": self.rows}}


def _ids(found: ResourceId | None) -> tuple[str, str] | None:
    return None if found is None else (found.resource_type, found.resource)


def test_principal_names_map_to_our_ids() -> None:
    assert _ids(principal_of(UID, _row("alice@acme.onaliyun.com"))) == (
        "user", f"acs:ram::{UID}:user/alice")
    assert _ids(principal_of(UID, _row("dev@group.acme.onaliyun.com", "IMSGroup"))) == (
        "group", f"acs:ram::{UID}:group/dev")
    assert _ids(principal_of(UID, _row("ops@role.acme.onaliyun.com", "ServiceRole"))) == (
        "role", f"acs:ram::{UID}:role/ops")
    for odd in (_row("alice"), _row("dev@acme.onaliyun.com", "IMSGroup"),
                _row("x@role.acme.onaliyun.com", "CloudSSOUser"), _row("@acme.onaliyun.com")):
        assert principal_of(UID, odd) is None, odd


async def test_odd_rows_warn_once_each_and_other_scopes_are_ignored() -> None:
    rows = [_row("alice@acme.onaliyun.com"), _row("bob@acme.onaliyun.com"),
            _row("weird-name", policy="ReadOnlyAccess"),
            _row("carol@acme.onaliyun.com", scope=UID)]  # account-wide: RAM's grant, not ours
    ctx = Context(api=OnePage(rows), uid=UID)
    # Their documents are the policy builder's (attached account-wide too): no GetPolicy here.
    ctx.documents.update(f"acs:ram::system:policy/{p}" for p in ("AdministratorAccess",
                                                                  "ReadOnlyAccess"))
    syncer = ResourceGroupSyncer(ctx)
    group = transform_resource_group(GROUP, UID)
    steps = syncer.details(group)
    assert steps is not None
    items = [step async for step in steps]
    bindings = [r.display_name for step in items for r in step.resources]
    grants = [g.id for step in items for g in step.grants]
    warnings = [w for step in items for w in step.warnings]
    scope = f"acs:resourcemanager::{UID}:resourcegroup/rg-aek2test"
    admin = f"policy_binding:acs:ram::system:policy/AdministratorAccess@{scope}:attached"
    assert bindings == ["AdministratorAccess on resource group rg-prod",
                        "ReadOnlyAccess on resource group rg-prod"]
    assert grants == [f"{admin}:user:acs:ram::{UID}:user/alice",
                      f"{admin}:user:acs:ram::{UID}:user/bob"]
    assert warnings == ["resource group rg-prod: ReadOnlyAccess is attached to IMSUser "
                        "'weird-name', which is not a RAM user, group or role name of this "
                        "account; skipped"]
