"""Resource Manager 2020-03-31: resource groups and policy attachments, one method per action.

Paging is by ``PageNumber``/``PageSize`` (1-100, default 10, from the API metadata) with
``TotalCount`` in every answer, not RAM's Markers. Attachments are listed account-wide
(``ResourceGroupId`` = the account id) and per resource group; principals are login-style
names (``alice@<alias>.onaliyun.com``).
"""

from __future__ import annotations

from typing import TypeVar

from ...alibaba import metadata
from .._backend.resource_groups import AttachmentFilter, AttachmentRecord
from ..entities import ResourceGroup, format_time
from ..errors import EmulatorError
from ._common import BaseResponses, Wire, invalid

__all__ = ["ResourceManagerResponses"]

T = TypeVar("T")


class ResourceManagerResponses(BaseResponses):
    """Resource groups (read) and policy attachments (read, attach, detach)."""

    SERVICE = "resourcemanager"
    ACTIONS = frozenset({
        "ListResourceGroups", "GetResourceGroup", "ListPolicyAttachments", "AttachPolicy",
        "DetachPolicy",
    })

    # ---- paging ----------------------------------------------------------------------------
    def _number(self, name: str) -> int:
        spec = metadata.load("resourcemanager").actions[self.action].parameters[name]
        text = self.param(name) or spec.default or "1"
        value = int(text) if text.lstrip("-").isdigit() else 0
        low, high = spec.minimum or 1, spec.maximum
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise invalid(name, f"The parameter {name} must be {bounds}.")
        return value

    def _page(self, items: list[T]) -> tuple[list[T], Wire]:
        """This page's slice and the ``TotalCount``/``PageNumber``/``PageSize`` fields."""
        number, size = self._number("PageNumber"), self._number("PageSize")
        start = (number - 1) * size
        head = {"TotalCount": len(items), "PageNumber": number, "PageSize": size}
        return items[start:start + size], head

    # ---- resource groups -------------------------------------------------------------------
    def _group_wire(self, group: ResourceGroup) -> Wire:
        return {"Id": group.group_id, "Name": group.name, "DisplayName": group.display_name,
                "Status": group.status, "AccountId": self.backend.account.uid,
                "CreateDate": format_time(group.created)}

    def list_resource_groups(self) -> Wire:
        ids = {v for k, v in self.params.items() if k.startswith("ResourceGroupIds.")}
        if self.param("ResourceGroupId"):
            ids.add(str(self.param("ResourceGroupId")))
        status, name = self.param("Status"), self.param("Name")
        display = self.param("DisplayName")
        found = [g for g in self.backend.resource_groups
                 if (not ids or g.group_id in ids) and (not status or g.status == status)
                 and (not name or g.name == name)
                 and (not display or display.lower() in g.display_name.lower())]
        page, head = self._page(found)
        return {**head, "ResourceGroups": {"ResourceGroup": [self._group_wire(g) for g in page]}}

    def get_resource_group(self) -> Wire:
        group = self.backend.resource_group(self.required("ResourceGroupId"))
        return {"ResourceGroup": self._group_wire(group)}

    # ---- policy attachments ----------------------------------------------------------------
    def _policy_type(self, required: bool) -> str | None:
        value = self.required("PolicyType") if required else (self.param("PolicyType") or None)
        if value is not None and value not in ("System", "Custom"):
            raise EmulatorError("InvalidParameter.PolicyType",
                                "The specified policy type is invalid.", 400)
        return value

    def _filter(self) -> AttachmentFilter:
        scope = self.param("ResourceGroupId") or None
        kind = self.backend.principal_kind(str(self.param("PrincipalType"))) \
            if self.param("PrincipalType") else None
        principal = None
        if self.param("PrincipalName"):
            if kind is None:
                raise EmulatorError("MissingPrincipalType", "PrincipalType is mandatory when "
                                    "PrincipalName is given.", 400)
            principal = self.backend.principal_by_login(kind, str(self.param("PrincipalName")))
        return AttachmentFilter(
            scope=self.backend.scope_of(scope) if scope else None,
            policy_type=self._policy_type(False), policy_name=self.param("PolicyName") or None,
            kind=kind, principal=principal)

    def _record_wire(self, record: AttachmentRecord, name: str) -> Wire:
        policy = self.backend.policies.get(f"{record.policy[0]}:{record.policy[1]}")
        return {"ResourceGroupId": record.scope, "PolicyName": record.policy[1],
                "PolicyType": record.policy[0], "PrincipalName": name,
                "PrincipalType": self.backend.principal_type(record.ref),
                "AttachDate": format_time(record.attached),
                "Description": policy.description if policy is not None else ""}

    def list_policy_attachments(self) -> Wire:
        named = [(r, self.backend.login_name(r.ref))
                 for r in self.backend.attachment_records(self._filter())]
        page, head = self._page([(r, n) for r, n in named if n is not None])
        items = [self._record_wire(record, name) for record, name in page]
        return {**head, "PolicyAttachments": {"PolicyAttachment": items}}

    def _change(self, attach: bool) -> Wire:
        """AttachPolicy / DetachPolicy: checks in the order the service reports them (scope,
        policy, principal)."""
        scope = self.backend.scope_of(self.required("ResourceGroupId"))
        policy = self.backend.policy(str(self._policy_type(True)), self.required("PolicyName"))
        kind = self.backend.principal_kind(self.required("PrincipalType"))
        ref = self.backend.principal_by_login(kind, self.required("PrincipalName"))
        if attach:
            self.backend.attach_in(scope, policy, ref)
        else:
            self.backend.detach_in(scope, policy, ref)
        return {}

    def attach_policy(self) -> Wire:
        return self._change(True)

    def detach_policy(self) -> Wire:
        return self._change(False)
