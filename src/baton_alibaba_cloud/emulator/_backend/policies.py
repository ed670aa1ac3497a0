"""Roles, policies and attachments (docs/alibaba.md §3.4, §3.5, §3.8).

Attachments are keyed by the principal's stable id and indexed both ways, so AttachmentCount,
ListEntitiesForPolicy and ListPoliciesFor* are O(answer), and renames never orphan them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..entities import Attachment, Policy, PolicyKey, PolicyVersion, PrincipalKind, Role
from ..errors import EmulatorError
from .state import PrincipalRef, State, not_found

__all__ = ["PoliciesMixin"]

_KIND_WORD: dict[PrincipalKind, str] = {"user": "User", "group": "Group", "role": "Role"}


class PoliciesMixin(State):
    """Role and policy lookups plus attach/detach with their quotas."""

    # ---- roles and policies ----------------------------------------------------------------
    def add_role(self, role: Role) -> None:
        self.roles.add(role.role_id, role)
        self.role_by_name[role.name] = role.role_id

    def add_policy(self, policy: Policy) -> None:
        self.policies.add(f"{policy.policy_type}:{policy.name}", policy)

    def principal_ref(self, kind: PrincipalKind, name: str) -> PrincipalRef:
        """Resolve a UserName/GroupName/RoleName to the stable reference attachments use."""
        if kind == "user":
            return ("user", self.user(name).user_id)
        if kind == "group":
            return ("group", self.group(name).group_id)
        return ("role", self.role(name).role_id)

    def policy_version(self, policy: Policy, version_id: str) -> PolicyVersion:
        version = policy.versions.get(version_id)
        if version is None:
            raise not_found("EntityNotExist.Policy.Version", "The policy version does not exist.")
        return version

    def parsed_default_document(self, key: PolicyKey) -> dict[str, Any] | None:
        """The default version's document as a dict, or None when it does not parse."""
        policy = self.policies.get(f"{key[0]}:{key[1]}")
        if policy is None:
            return None
        try:
            document = json.loads(policy.versions[policy.default_version].document)
        except (ValueError, KeyError):
            return None
        return document if isinstance(document, dict) else None

    # ---- attachments -----------------------------------------------------------------------
    def attach(self, policy: Policy, ref: PrincipalRef) -> Attachment:
        kind = ref[0]
        word = _KIND_WORD[kind]
        current = self.attached_to.get(ref, {})
        if policy.key in current:
            raise EmulatorError(
                f"EntityAlreadyExists.{word}.Policy",
                f"The policy is already attached to the {kind}.", 409,
            )
        self._check_attach_quota(policy, kind, current)
        return self.link_attachment(policy.key, ref, self.now())

    def _check_attach_quota(
        self, policy: Policy, kind: PrincipalKind, current: dict[PolicyKey, Attachment]
    ) -> None:
        word = _KIND_WORD[kind]
        if policy.policy_type == "System":
            quota = self.quota(f"AttachedSystemPoliciesPer{word}Quota")
        else:
            quota = self.quota(f"AttachedPoliciesPer{word}Quota")
        same_type = sum(1 for key in current if key[0] == policy.policy_type)
        if same_type >= quota:
            raise EmulatorError(
                f"LimitExceeded.{word}.Policy",
                f"The count of {policy.policy_type} policies attached to the {kind} "
                "beyond the current limits.", 409,
            )

    def link_attachment(self, key: PolicyKey, ref: PrincipalRef, when: datetime) -> Attachment:
        """Record an attachment in both indexes without business checks (loader path)."""
        attachment = Attachment(policy=key, kind=ref[0], principal_id=ref[1], attached=when)
        self.attached_to.setdefault(ref, {})[key] = attachment
        self.attached_by_policy.setdefault(key, {})[ref] = attachment
        return attachment

    def detach(self, policy: Policy, ref: PrincipalRef) -> None:
        current = self.attached_to.get(ref, {})
        if policy.key not in current:
            raise not_found(
                f"EntityNotExist.{_KIND_WORD[ref[0]]}.Policy",
                f"The policy is not attached to the {ref[0]}.",
            )
        del current[policy.key]
        del self.attached_by_policy[policy.key][ref]

    def policies_of(self, ref: PrincipalRef) -> list[tuple[Policy, Attachment]]:
        """Directly attached policies with their attachment, in attach order."""
        found: list[tuple[Policy, Attachment]] = []
        for key, attachment in self.attached_to.get(ref, {}).items():
            policy = self.policies.get(f"{key[0]}:{key[1]}")
            if policy is not None:
                found.append((policy, attachment))
        return found

    def entities_for(self, policy: Policy) -> list[Attachment]:
        return list(self.attached_by_policy.get(policy.key, {}).values())
