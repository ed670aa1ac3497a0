"""A Resource Directory: one management account, member accounts and folders on one server.

Why one server for many accounts: an organization's sync enters each member with STS
``AssumeRole`` from the management account, so the emulator must hold every account's RAM/IMS
state side by side and route each request to the account of its caller. Each account keeps its
own :class:`~.backend.Backend` (its users, roles, keys, sessions and quotas); this module only
adds the directory (folders, member records) and the routing.

The organization file (``docs/emulator.md``)::

    {"version": 1, "organization": {"resource_directory_id", "root_folder_id", "created",
     "folders": [{"id", "name", "parent", "created"}],
     "accounts": [{"management": true, "display_name", "folder", "type", "join_method",
                   "access_role", "document": {<a single-account file>}}],
     "cloudsso": {<the CloudSSO directory, accounts/cloudsso_file.py>}}}

Every member gets the role ``ResourceDirectoryAccountAccessRole`` (trusting the management
account, holding ``AdministratorAccess``) as the Resource Directory creates it, unless its entry
says ``"access_role": false`` (a customer deleted it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ._backend.report import DEFAULT_REPORT_DELAY
from .accounts.cloudsso_file import build_cloudsso
from .accounts.schema import AccountFileError
from .backend import Backend
from .cloudsso import CloudSSO, Target
from .entities import parse_time
from .identity import Caller, ResolvedKey

__all__ = ["ACCESS_ROLE", "Folder", "Member", "OrganizationBackend", "build_organization",
           "is_organization"]

ACCESS_ROLE = "ResourceDirectoryAccountAccessRole"
_ENTRY_KEYS = frozenset({"management", "display_name", "folder", "type", "join_method",
                         "access_role", "document", "status"})
_ORG_KEYS = frozenset({"resource_directory_id", "root_folder_id", "created", "folders",
                       "accounts", "cloudsso"})
DEFAULT_TASK_DELAY = timedelta(seconds=1)


@dataclass(frozen=True)
class Folder:
    """A folder of the directory; the root folder has no parent."""

    folder_id: str
    name: str
    parent_id: str | None
    created: datetime


@dataclass(frozen=True)
class Member:
    """One account's record in the directory (the management account is one too)."""

    uid: str
    display_name: str
    folder_id: str
    account_type: str
    join_method: str
    joined: datetime
    status: str


class OrganizationBackend:
    """Every account's backend, the directory, and routing of keys and callers to accounts."""

    def __init__(self, directory_id: str, root: Folder, folders: list[Folder],
                 members: list[Member], backends: dict[str, Backend], management: str) -> None:
        self.directory_id = directory_id
        self.root = root
        self.folders = {f.folder_id: f for f in [root, *folders]}
        self.members = {m.uid: m for m in members}
        self.backends = backends
        self.management = management
        self._key_owner: dict[str, str] = {}
        self.cloudsso: CloudSSO | None = None
        """The CloudSSO directory, when the file has a ``cloudsso`` block."""

    # ---- the seam with app.py --------------------------------------------------------------
    @property
    def account_id(self) -> str:
        return self.management

    @property
    def account(self) -> Any:
        """The management account (what single-account code reads as ``backend.account``)."""
        return self.backends[self.management].account

    def resolve_access_key(self, access_key_id: str) -> ResolvedKey | None:
        """The key's owner in whichever account holds it; remembered, rechecked on every use
        (a key or session can be deleted, and STS keys appear at run time)."""
        owner = self._key_owner.get(access_key_id)
        if owner is not None:
            found = self.backends[owner].resolve_access_key(access_key_id)
            if found is not None:
                return found
        for uid, backend in self.backends.items():
            found = backend.resolve_access_key(access_key_id)
            if found is not None:
                self._key_owner[access_key_id] = uid
                return found
        return None

    def identity_policy_documents(self, caller: Caller) -> list[dict[str, Any]]:
        return self.for_caller(caller).identity_policy_documents(caller)

    def admin_credentials(self) -> tuple[str, str] | None:
        """The management account's administrator (a RAM user, so it can assume member roles)."""
        return self.backends[self.management].admin_credentials()

    def for_caller(self, caller: Caller) -> Backend:
        return self.backends.get(caller.account_id) or self.backends[self.management]

    # ---- the directory ---------------------------------------------------------------------
    def child_folders(self, parent_id: str) -> list[Folder]:
        return [f for f in self.folders.values() if f.parent_id == parent_id]

    def accounts_in(self, folder_id: str) -> list[Member]:
        return [m for m in self.members.values() if m.folder_id == folder_id]

    def path_of(self, folder_id: str) -> str:
        """``rd-x/r-y/fd-z``: the directory id and folder ids from the root down."""
        chain: list[str] = []
        current: str | None = folder_id
        while current is not None:
            chain.append(current)
            current = self.folders[current].parent_id
        return "/".join([self.directory_id, *reversed(chain)])

    def sso_targets(self) -> dict[str, Target]:
        """Every account as CloudSSO names it: ``rd/r/fd/<uid>`` and ``rd/root/<folder>/<name>``
        (Alibaba's TargetPath / TargetPathName)."""
        targets: dict[str, Target] = {}
        for member in self.members.values():
            ids = self.path_of(member.folder_id).split("/")[1:]
            names = ["root" if i == self.root.folder_id else self.folders[i].name for i in ids]
            targets[member.uid] = Target(
                member.uid, member.display_name, f"{self.path_of(member.folder_id)}/{member.uid}",
                "/".join([self.directory_id, *names, member.display_name]),
                self.backends[member.uid])
        return targets


def is_organization(data: Mapping[str, Any]) -> bool:
    """An organization file has a top-level ``organization`` object instead of ``account``."""
    return "organization" in data


def _stable(prefix: str, text: str, length: int = 10) -> str:
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:length]


def _access_role(document: dict[str, Any], management: str) -> dict[str, Any]:
    """The member's document with the access role the Resource Directory creates in it."""
    roles = list(document.get("roles", []))
    if any(r.get("name") == ACCESS_ROLE for r in roles):
        return document
    principal = {"RAM": [f"acs:ram::{management}:root"]}
    trust = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                             "Principal": principal}]}
    roles.append({"name": ACCESS_ROLE, "description": "Created by the Resource Directory for "
                  "access from the management account", "trust_policy": trust})
    attachments = [*document.get("attachments", []),
                   {"policy": "AdministratorAccess", "policy_type": "System",
                    "principal_type": "role", "principal": ACCESS_ROLE}]
    return {**document, "roles": roles, "attachments": attachments}


def _check_shape(org: Any, problems: list[str]) -> None:
    if not isinstance(org, dict):
        problems.append("organization: must be an object")
        return
    problems += [f"organization.{k}: unknown field" for k in sorted(set(org) - _ORG_KEYS)]
    accounts = org.get("accounts")
    if not isinstance(accounts, list) or not accounts:
        problems.append("organization.accounts: must be a non-empty list")
        return
    for index, entry in enumerate(accounts):
        where = f"organization.accounts[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("document"), dict):
            problems.append(f"{where}.document: must be an account file object")
            continue
        problems += [f"{where}.{k}: unknown field" for k in sorted(set(entry) - _ENTRY_KEYS)]
    managers = [e for e in accounts if isinstance(e, dict) and e.get("management") is True]
    if len(managers) != 1:
        problems.append(f"organization.accounts: exactly one entry must have \"management\": "
                        f"true; found {len(managers)}")


def _folders(org: dict[str, Any], root_id: str, created: datetime,
             problems: list[str]) -> list[Folder]:
    folders: list[Folder] = []
    known = {root_id}
    for index, item in enumerate(org.get("folders", [])):
        where = f"organization.folders[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            problems.append(f"{where}: must be an object with a name")
            continue
        folder_id = str(item.get("id") or _stable("fd-", item["name"]))
        parent = str(item.get("parent") or root_id)
        if parent not in known:
            problems.append(f"{where}.parent: no folder {parent!r} listed before it")
        when = parse_time(item["created"]) if isinstance(item.get("created"), str) else created
        folders.append(Folder(folder_id, item["name"], parent, when))
        known.add(folder_id)
    return folders


def _member(entry: dict[str, Any], backend: Backend, folder: str) -> Member:
    """The directory's record of one entry (defaults: docs/emulator.md)."""
    join = entry.get("join_method") or "created"
    return Member(backend.account.uid, str(entry.get("display_name") or backend.account.alias),
                  folder, str(entry.get("type") or "CloudAccount"), str(join),
                  backend.account.created, str(entry.get("status") or "CreateSuccess"))


def _accounts(entries: list[dict[str, Any]], management: str, known: set[str], root: str,
              build: Callable[[dict[str, Any]], Backend], problems: list[str]
              ) -> tuple[list[Member], dict[str, Backend]]:
    """Each entry's backend (the member access role added) and its directory record."""
    members: list[Member] = []
    backends: dict[str, Backend] = {}
    for index, entry in enumerate(entries):
        where = f"organization.accounts[{index}]"
        document = entry["document"]
        if not entry.get("management") and entry.get("access_role", True) is not False:
            document = _access_role(document, management)
        try:
            backend = build(document)
        except AccountFileError as exc:
            problems += [f"{where}.document: {p}" for p in exc.problems]
            continue
        if backend.account.uid in backends:
            problems.append(f"{where}: account {backend.account.uid} is listed twice")
        folder = str(entry.get("folder") or root)
        if folder not in known:
            problems.append(f"{where}.folder: no such folder {folder!r}")
        backends[backend.account.uid] = backend
        members.append(_member(entry, backend, folder))
    return members, backends


def build_organization(
    data: Mapping[str, Any], *, now: Callable[[], datetime] | None = None,
    report_delay: timedelta = DEFAULT_REPORT_DELAY, task_delay: timedelta = DEFAULT_TASK_DELAY,
) -> OrganizationBackend:
    """Validate an organization file and build one backend per account (``AccountFileError``
    lists every problem, each account's prefixed with its entry)."""
    problems: list[str] = []
    org = data.get("organization")
    _check_shape(org, problems)
    if problems:
        raise AccountFileError(problems)
    assert isinstance(org, dict)
    entries: list[dict[str, Any]] = org["accounts"]
    manager = next(e for e in entries if e.get("management") is True)
    management = str(manager["document"].get("account", {}).get("id", ""))
    directory_id = str(org.get("resource_directory_id") or _stable("rd-", management))
    created = parse_time(org.get("created", "2024-01-01T00:00:00Z"))
    root = Folder(str(org.get("root_folder_id") or _stable("r-", directory_id)), "Root", None,
                  created)
    folders = _folders(org, root.folder_id, created, problems)
    known = {root.folder_id, *(f.folder_id for f in folders)}

    def build(document: dict[str, Any]) -> Backend:
        return Backend.from_account(document, now=now, report_delay=report_delay)

    members, backends = _accounts(entries, management, known, root.folder_id, build, problems)
    if problems:
        raise AccountFileError(problems)
    built = OrganizationBackend(directory_id, root, folders, members, backends, management)
    if "cloudsso" in org:
        built.cloudsso = build_cloudsso(org["cloudsso"], built.sso_targets(),
                                        backends[management], now or _utcnow, task_delay,
                                        problems)
        if problems:
            raise AccountFileError(problems)
    return built


def _utcnow() -> datetime:
    return datetime.now(UTC)
