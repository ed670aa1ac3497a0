"""Findings: a fixed, documented set of checks computed from a c1z (``inspect findings``).

Why fixed: a reviewer must be able to say what was checked and why each finding matters, and
compare two runs. Each check has an id, a severity, the objects it names, the reason, and the
public recommendation it comes from (``CHECKS``; docs/findings.md explains each one). The
password policy and security preference checks follow the IAM section of the CIS Alibaba Cloud
Foundations Benchmark v1.0.0; the others follow Alibaba Cloud's RAM security best practices.

Public API: ``CHECKS``, ``SEVERITIES``, ``Finding``, ``find(reader) -> list[Finding]``,
``finding_rows`` and ``findings_json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.alibaba.policy import parse_document
from baton_alibaba_cloud.baton import principals as reverse
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantMetadata
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.connector import _cis, hygiene, ids

__all__ = [
    "CHECKS", "SEVERITIES", "Check", "Finding", "admin_targets", "find", "finding_rows",
    "findings_json",
]

SEVERITIES = ("critical", "high", "medium", "low", "info")
ADMIN_SYSTEM_POLICIES = ("AdministratorAccess",)
DAYS = 90


@dataclass(frozen=True)
class Check:
    """One check: its id, severity, title and the recommendation it follows."""

    id: str
    severity: str
    title: str
    source: str


def _check(id_: str, severity: str, title: str, source: str) -> Check:
    return Check(id_, severity, title, source)


_BEST = "Alibaba Cloud RAM security best practices (help/en/ram/security-best-practices)"
CHECKS: dict[str, Check] = {c.id: c for c in (
    _check("console-user-without-mfa", "high", "Console user without MFA",
           "CIS Alibaba Cloud Foundations Benchmark v1.0.0, 1.4"),
    _check("access-key-older-than-90-days", "medium", "AccessKey older than 90 days",
           "CIS Alibaba Cloud Foundations Benchmark v1.0.0, 1.6"),
    _check("access-key-unused-90-days", "medium", "Active AccessKey unused for 90 days",
           "Cloud Config rule ram-user-ak-used-expired-check; " + _BEST),
    _check("access-key-active-on-frozen-user", "high", "Active AccessKey on a frozen user",
           _BEST),
    _check("admin-reachable", "high", "Identity can reach administrator access", _BEST),
    _check("custom-policy-full-admin", "critical", "Custom policy allows * on *",
           "CIS Alibaba Cloud Foundations Benchmark v1.0.0, 1.16"),
    _check("custom-policy-wildcard-action", "medium", "Custom policy allows every action of "
           "a service or all services (* in Action)", _BEST),
    _check("role-trusts-other-account", "high", "Role trusts another account", _BEST),
    _check("role-trusts-own-root", "low", "Role trusts the whole own account (root)", _BEST),
    _check("role-trusts-federated-without-condition", "high",
           "Role trusts an identity provider without a condition", _BEST),
    _check("account-settings-not-synced", "info", "Password policy and security preference "
           "were not in the file (synced by an older version)", "-"),
    *(Check(*row) for row in _cis.CHECKS),
)}


@dataclass
class Finding:
    """One finding: the check, the object it is about, why, and the paths where relevant."""

    check: Check
    object_type: str
    object_id: str
    object_name: str
    reason: str
    paths: list[str] = field(default_factory=list)
    subject: tuple[str, str] | None = None
    """For trust findings: the principal (type, id) the role trusts."""
    account: str = ""
    """In an organization file, the name of the account the object belongs to."""


def _finding(check_id: str, res_type: str, res_id: str, name: str, reason: str,
             paths: list[str] | None = None) -> Finding:
    return Finding(CHECKS[check_id], res_type, res_id, name, reason, paths or [])


def _user_findings(state: hygiene.Hygiene) -> Iterator[Finding]:
    as_of = state.as_of
    for user in sorted(state.users.values(), key=lambda u: u.name):
        if user.console_login and user.mfa is not True:
            yield _finding("console-user-without-mfa", ids.USER, user.user_id, user.name,
                           "can log in to the console without a second factor")
        for key in user.keys:
            age = (as_of - key.created).days if key.created else None
            unused_since = key.last_used or key.created
            unused = (as_of - unused_since).days if unused_since else None
            label = f"{key.key_id} ({user.name})"
            if key.status == "Active" and age is not None and age > DAYS:
                yield _finding("access-key-older-than-90-days", ids.ACCESS_KEY, key.key_id,
                               label, f"active and created {age} days ago; rotate it")
            if key.status == "Active" and unused is not None and unused > DAYS:
                why = (f"never used, created {unused} days ago" if key.last_used is None
                       else f"last used {unused} days ago")
                yield _finding("access-key-unused-90-days", ids.ACCESS_KEY, key.key_id, label,
                               f"{why}; disable or delete it")
            if key.status == "Active" and user.frozen:
                yield _finding("access-key-active-on-frozen-user", ids.ACCESS_KEY, key.key_id,
                               label, "the user is frozen but the key still works for API "
                               "calls; disable it")


def _allows_everything(document: object) -> tuple[bool, bool]:
    """(allows ``*`` on ``*``, allows a wildcard action) for Allow statements."""
    full = wildcard = False
    for statement in parse_document(document):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        starred = [a for a in actions if isinstance(a, str) and a.endswith("*")]
        wildcard = wildcard or bool(starred)
        full = full or ("*" in actions and "*" in resources)
    return full, wildcard


def _policy_findings(reader: C1zReader) -> tuple[list[Finding], list[str]]:
    """The custom policy findings and the ids of every admin policy (system and custom)."""
    found: list[Finding] = []
    admin: list[str] = []
    for res in reader.resources(ids.POLICY):
        profile = res.profile.fields
        name = res.display_name
        if profile["policy_type"].string_value == "System":
            if ids.name_of(res.id.resource) in ADMIN_SYSTEM_POLICIES:
                admin.append(res.id.resource)
            continue
        full, wildcard = _allows_everything(profile["policy_document"].string_value)
        if full:
            admin.append(res.id.resource)
            found.append(_finding("custom-policy-full-admin", ids.POLICY, res.id.resource, name,
                                  "an Allow statement with Action * and Resource *"))
        elif wildcard:
            found.append(_finding("custom-policy-wildcard-action", ids.POLICY, res.id.resource,
                                  name, "an Allow statement whose Action ends in *"))
    return found, admin


def admin_targets(reader: C1zReader, admin: list[str]) -> list[Resource]:
    """The admin policies, and their attachments within resource groups (``policy_binding``
    resources, ``<policy id>@<resource group id>``): admin over that group's resources."""
    found = [p for p in (reader.get_resource(ids.POLICY, pid) for pid in admin) if p]
    if reader.get_resource_type(ids.POLICY_BINDING) is not None:
        wanted = tuple(f"{pid}@" for pid in admin)
        found += [b for b in reader.resources(ids.POLICY_BINDING)
                  if wanted and b.id.resource.startswith(wanted)]
    return found


def _admin_findings(reader: C1zReader, admin: list[str]) -> Iterator[Finding]:
    """Every identity (not a group: groups are how users get there) holding an admin policy,
    account-wide or within a resource group, with its paths."""
    for policy in admin_targets(reader, admin):
        for holder in reverse.holders(reader, policy, "attached"):
            if holder.principal_type == ids.GROUP:
                continue
            yield _finding("admin-reachable", holder.principal_type, holder.principal_id,
                           holder.display_name, f"holds {policy.display_name}",
                           [p.label() for p in holder.paths])


def _condition(grant_annotations: object) -> object:
    meta = bt.unpack_annotation(grant_annotations, GrantMetadata)  # type: ignore[arg-type]
    return MessageToDict(meta.metadata).get("condition") if meta is not None else None


def _trusts_own_root(document: str, own: str | None) -> bool:
    """Whether an Allow statement of the trust policy names the own account (its root)."""
    roots = {f"acs:ram::{own}:root", own} if own else set()
    for statement in parse_document(document):
        principal = statement.get("Principal")
        ram = principal.get("RAM", []) if isinstance(principal, dict) else []
        ram = [ram] if isinstance(ram, str) else ram
        if statement.get("Effect") == "Allow" and roots & set(ram):
            return True
    return False


def _trust_findings(reader: C1zReader, accounts: dict[str, str]) -> Iterator[Finding]:
    """Trust of other accounts and unconditioned providers (from the assume grants, which name
    them), and of the own root (from the trust document: the grants go to the identities
    allowed sts:AssumeRole instead). "Own" is the role's account (an organization file holds
    several)."""
    names: dict[str, str] = {}
    for res in reader.resources(ids.ROLE):
        names[res.id.resource] = res.display_name
        document = res.profile.fields["assume_role_policy_document"].string_value
        if _trusts_own_root(document, hygiene.account_of(res.id.resource)):
            yield _finding("role-trusts-own-root", ids.ROLE, res.id.resource, res.display_name,
                           "every RAM identity of the account allowed sts:AssumeRole may "
                           "assume it")
    for grant in reader.grants(resource_type=ids.ROLE):
        if not hygiene.is_direct(grant):
            continue
        role = grant.entitlement.resource.id.resource
        ptype, pid = grant.principal.id.resource_type, grant.principal.id.resource
        name = names.get(role, role)
        cond = _condition(grant.annotations)
        with_cond = " (with a condition)" if cond else " without any condition"
        if ptype == ids.ACCOUNT and pid != hygiene.account_of(role):
            which = f"account {pid}" + (f" ({accounts[pid]}, in this file)"
                                        if pid in accounts else "")
            found = _finding("role-trusts-other-account", ids.ROLE, role, name,
                             f"{which} may assume it{with_cond}")
            found.subject = (ptype, pid)
            yield found
        elif ptype == ids.IDENTITY_PROVIDER and not cond:
            found = _finding("role-trusts-federated-without-condition", ids.ROLE, role, name,
                             f"any identity of {ids.name_of(pid)} may assume it")
            found.subject = (ptype, pid)
            yield found


def find(reader: C1zReader, state: hygiene.Hygiene | None = None) -> list[Finding]:
    """Every finding of the file's sync, sorted by severity, check and object (ages at the
    end of the sync, as ``inspect users`` counts them)."""
    accounts = hygiene.synced_accounts(reader)
    policy_found, admin = _policy_findings(reader)
    state = state if state is not None else hygiene.load_hygiene(reader)
    found = [*_user_findings(state), *policy_found, *_admin_findings(reader, admin),
             *_trust_findings(reader, accounts)]
    for uid in accounts or {"-": "-"}:
        found += _settings_findings(reader.get_resource(ids.ACCOUNT, uid), uid)
    if len(accounts) > 1:
        _name_accounts(found, state)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(found, key=lambda f: (order[f.check.severity], f.check.id, f.object_name,
                                        f.object_id))


def _settings_findings(account: Resource | None, uid: str) -> list[Finding]:
    """The CIS checks of one account's password policy and security preference; a member of
    an organization that was not synced says so instead of passing them."""
    settings = MessageToDict(account.profile) if account is not None else {}
    name = account.display_name if account is not None else uid
    status = settings.get("sync_status")
    if status in ("failed", "skipped"):
        return [_finding("account-settings-not-synced", ids.ACCOUNT, uid, name,
                         f"the account {'failed' if status == 'failed' else 'was skipped'} in "
                         "this sync; its settings are unknown")]
    if "password_policy" not in settings and "security_preference" not in settings:
        return [_finding("account-settings-not-synced", ids.ACCOUNT, uid, uid,
                         "sync again with this version to check them")]
    return [_finding(check_id, ids.ACCOUNT, uid, name, reason)
            for check_id, reason in _cis.evaluate(settings)]


def _name_accounts(found: list[Finding], state: hygiene.Hygiene) -> None:
    """In an organization file, each finding names its object's account (names repeat:
    every member has its ``ResourceDirectoryAccountAccessRole``)."""
    key_owner = {key.key_id: user.user_id for user in state.users.values() for key in user.keys}
    for f in found:
        if f.object_type == ids.ACCOUNT:
            uid: str | None = f.object_id
        else:
            uid = hygiene.account_of(key_owner.get(f.object_id, f.object_id))
        f.account = state.accounts.get(uid, uid) if uid else "-"


def _at_least(found: list[Finding], min_severity: str) -> list[Finding]:
    limit = SEVERITIES.index(min_severity)
    return [f for f in found if SEVERITIES.index(f.check.severity) <= limit]


def finding_rows(found: list[Finding], min_severity: str = "info") -> list[dict[str, object]]:
    """One row per finding at or above ``min_severity``."""
    named = any(f.account for f in found)
    return [
        {"severity": f.check.severity, "check": f.check.id, "object_type": f.object_type,
         **({"account": f.account} if named else {}),
         "object": f.object_name, "reason": f.reason, "paths": f.paths,
         "object_id": f.object_id, "source": f.check.source}
        for f in _at_least(found, min_severity)
    ]


def findings_json(found: list[Finding], min_severity: str = "info") -> dict[str, object]:
    """Counts per severity, then the findings."""
    kept = _at_least(found, min_severity)
    counts = {s: sum(1 for f in kept if f.check.severity == s) for s in SEVERITIES}
    return {"counts": counts, "findings": finding_rows(kept)}

