"""What CloudSSO creates in a member account when it provisions an access configuration there.

Why: a CloudSSO user signs in to a member by assuming a RAM role CloudSSO made in that member,
so the connector's ordinary sync of the member must see that role, its trust and its policies
like any other. Alibaba documents the pieces (docs/alibaba.md, CloudSSO): the role
``AliyunReservedSSO-<configuration name>``, trusting the SAML provider
``AliyunReservedSSO-<directory id>`` of the same account; the configuration's system policies
attached to it; its inline policy as the custom policy
``AliyunReservedSSO-<configuration name>-InlinePolicy``, attached too.

Ownership: CloudSSO refuses to take over a role or policy of that name it did not create (the
realistic failure of a provisioning task); the caller (``cloudsso.CloudSSO``) remembers what it
created, so de-provisioning removes only its own pieces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from ._backend.state import PrincipalRef
from .accounts.loader import stable_id
from .backend import Backend
from .entities import Policy, PolicyVersion, Role, SAMLProvider

__all__ = ["SIGN_IN_RECIPIENT", "ReservedPolicy", "deprovision", "inline_policy_name",
           "provision", "provisioning_conflict", "role_name", "saml_provider_name"]

SIGN_IN_RECIPIENT = "https://signin.alibabacloud.com/saml-role/sso"


@dataclass(frozen=True)
class ReservedPolicy:
    """One permission policy of an access configuration, as provisioning needs it."""

    policy_type: str  # "System" or "Inline"
    name: str
    document: str | None = None


def role_name(configuration: str) -> str:
    return f"AliyunReservedSSO-{configuration}"


def inline_policy_name(configuration: str) -> str:
    return f"AliyunReservedSSO-{configuration}-InlinePolicy"


def saml_provider_name(directory_id: str) -> str:
    return f"AliyunReservedSSO-{directory_id}"


def _trust(account: str, directory_id: str) -> str:
    provider = f"acs:ram::{account}:saml-provider/{saml_provider_name(directory_id)}"
    return json.dumps({"Version": "1", "Statement": [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Federated": [provider]},
        "Condition": {"StringEquals": {"saml:recipient": SIGN_IN_RECIPIENT}}}]},
        separators=(",", ":"))


def provisioning_conflict(member: Backend, configuration: str, has_inline: bool) -> str | None:
    """Why provisioning ``configuration`` on ``member`` must fail (a role or policy of the
    reserved name exists there already), or None. Only called when CloudSSO has not
    provisioned it there itself."""
    name = role_name(configuration)
    if name in member.role_by_name:
        return (f"The RAM role {name} already exists in account {member.account_id} and was "
                "not created by CloudSSO; delete or rename it, then retry the assignment.")
    inline = inline_policy_name(configuration)
    if has_inline and f"Custom:{inline}" in member.policies:
        return (f"The RAM policy {inline} already exists in account {member.account_id} and "
                "was not created by CloudSSO; delete or rename it, then retry the assignment.")
    return None


def provision(member: Backend, management: Backend, directory_id: str, configuration: str,
              policies: list[ReservedPolicy], session_duration: int, when: datetime) -> None:
    """Create the SAML provider (if absent), the reserved role and its policies in ``member``.

    System policies the member lacks are copied from the management account (every account
    sees the same System policies in Alibaba Cloud)."""
    provider = saml_provider_name(directory_id)
    if provider not in member.saml_providers:
        member.saml_providers.add(provider, SAMLProvider(
            name=provider, created=when, updated=when,
            description="Created by CloudSSO; do not modify."))
    name = role_name(configuration)
    role = Role(role_id=stable_id("role", f"{member.account_id}:{name}", 19), name=name,
                trust_policy=_trust(member.account_id, directory_id), created=when,
                updated=when, max_session_duration=session_duration,
                description=f"Created by CloudSSO for access configuration {configuration}.")
    member.add_role(role)
    for policy in policies:
        key = _ensure_policy(member, management, configuration, policy, when)
        member.link_attachment(key, ("role", role.role_id), when)


def _ensure_policy(member: Backend, management: Backend, configuration: str,
                   policy: ReservedPolicy, when: datetime) -> tuple[str, str]:
    if policy.policy_type == "Inline":
        name = inline_policy_name(configuration)
        member.add_policy(Policy(
            name=name, policy_type="Custom", created=when, updated=when, default_version="v1",
            versions={"v1": PolicyVersion("v1", policy.document or "{}", when)},
            description=f"Inline policy of CloudSSO access configuration {configuration}."))
        return ("Custom", name)
    if f"System:{policy.name}" not in member.policies:
        source = management.policies.get(f"System:{policy.name}")
        if source is not None:
            member.add_policy(replace(source))
    return ("System", policy.name)


def deprovision(member: Backend, directory_id: str, configuration: str,
                keep_provider: bool) -> None:
    """Remove the reserved role, its attachments and inline policy; the SAML provider too
    unless another configuration of the directory stays provisioned on ``member``."""
    role_id = member.role_by_name.pop(role_name(configuration), None)
    if role_id is not None:
        ref: PrincipalRef = ("role", role_id)
        for key in list(member.attached_to.pop(ref, {})):
            member.attached_by_policy.get(key, {}).pop(ref, None)
        member.roles.remove(role_id)
    inline = f"Custom:{inline_policy_name(configuration)}"
    if inline in member.policies:
        member.policies.remove(inline)
    if not keep_provider and saml_provider_name(directory_id) in member.saml_providers:
        member.saml_providers.remove(saml_provider_name(directory_id))
