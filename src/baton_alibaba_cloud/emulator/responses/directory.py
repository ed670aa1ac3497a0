"""Resource Directory reads (Resource Manager 2020-03-31) and the routing of an organization.

``organization_dispatch`` is the organization's seam with ``app.py``: Resource Directory
actions are answered from the directory; STS ``AssumeRole`` goes to the account that owns the
role named by ``RoleArn`` (which checks that role's trust policy against the caller's account;
the caller's own ``sts:AssumeRole`` permission was already checked by the gateway in the
caller's account); everything else goes to the caller's own account.

CloudSSO actions go to the organization's CloudSSO directory when the caller belongs to the
management account; any other caller sees no directory (``responses/cloudsso.py``).

Who may read the directory: ``GetResourceDirectory`` answers any account of the directory; the
list actions answer the management account only, and any other caller gets
``EntityNotExists.ResourceDirectory`` (as an account outside every directory does).
"""

from __future__ import annotations

import re

from ..entities import format_time
from ..errors import EmulatorError
from ..identity import Caller
from ..organization import Folder, Member, OrganizationBackend
from . import dispatch, implemented_actions
from ._common import Wire
from .cloudsso import CloudSSOResponses
from .resourcemanager import ResourceManagerResponses

__all__ = ["DirectoryResponses", "organization_actions", "organization_dispatch"]

_ROLE_ACCOUNT = re.compile(r"^acs:ram::(\d+):role/", re.IGNORECASE)


def _no_directory() -> EmulatorError:
    return EmulatorError("EntityNotExists.ResourceDirectory",
                         "The resource directory does not exist.", 404)


class DirectoryResponses(ResourceManagerResponses):
    """GetResourceDirectory, ListFoldersForParent, ListAccountsForParent, ListAccounts."""

    ACTIONS = frozenset({"GetResourceDirectory", "ListFoldersForParent",
                         "ListAccountsForParent", "ListAccounts"})

    def __init__(self, org: OrganizationBackend, params: dict[str, str], caller: Caller) -> None:
        super().__init__(org.backends[org.management], params, caller)
        self.org = org

    def _management_only(self) -> None:
        if self.caller.account_id != self.org.management:
            raise _no_directory()

    def _folder(self, name: str) -> Folder:
        folder_id = self.param(name) or self.org.root.folder_id
        folder = self.org.folders.get(folder_id)
        if folder is None:
            raise EmulatorError("EntityNotExists.Folder", "The folder does not exist.", 404)
        return folder

    def _keyword(self, text: str) -> bool:
        keyword = (self.param("QueryKeyword") or "").lower()
        return not keyword or keyword in text.lower()

    def _account_wire(self, member: Member, path: bool) -> Wire:
        wire: Wire = {
            "AccountId": member.uid, "DisplayName": member.display_name,
            "FolderId": member.folder_id, "JoinMethod": member.join_method,
            "JoinTime": format_time(member.joined), "ModifyTime": format_time(member.joined),
            "ResourceDirectoryId": self.org.directory_id, "Status": member.status,
            "Type": member.account_type}
        if path:
            wire["ResourceDirectoryPath"] = self.org.path_of(member.folder_id)
        return wire

    def get_resource_directory(self) -> Wire:
        if self.caller.account_id not in self.org.members:
            raise _no_directory()
        manager = self.org.members[self.org.management]
        return {"ResourceDirectory": {
            "ResourceDirectoryId": self.org.directory_id, "RootFolderId": self.org.root.folder_id,
            "MasterAccountId": manager.uid, "MasterAccountName": manager.display_name,
            "CreateTime": format_time(self.org.root.created), "ControlPolicyStatus": "Disabled",
            "MemberDeletionStatus": "Disabled"}}

    def list_folders_for_parent(self) -> Wire:
        self._management_only()
        parent = self._folder("ParentFolderId")
        found = [f for f in self.org.child_folders(parent.folder_id) if self._keyword(f.name)]
        page, head = self._page(found)
        items = [{"FolderId": f.folder_id, "FolderName": f.name,
                  "CreateTime": format_time(f.created)} for f in page]
        return {**head, "Folders": {"Folder": items}}

    def list_accounts_for_parent(self) -> Wire:
        self._management_only()
        parent = self._folder("ParentFolderId")
        found = [m for m in self.org.accounts_in(parent.folder_id)
                 if self._keyword(m.display_name) or self._keyword(m.uid)]
        page, head = self._page(found)
        return {**head, "Accounts": {"Account": [self._account_wire(m, False) for m in page]}}

    def list_accounts(self) -> Wire:
        self._management_only()
        page, head = self._page(list(self.org.members.values()))
        return {**head, "Accounts": {"Account": [self._account_wire(m, True) for m in page]}}


def organization_dispatch(org: OrganizationBackend, service: str, action: str,
                          params: dict[str, str], caller: Caller) -> Wire:
    """Run one action for ``caller`` in the account it concerns (see the module docstring)."""
    if service == "resourcemanager" and action in DirectoryResponses.ACTIONS:
        return DirectoryResponses(org, params, caller).call(action)
    if service == "cloudsso":
        sso = org.cloudsso if caller.account_id == org.management else None
        return CloudSSOResponses(org.for_caller(caller), params, caller, sso).call(action)
    target = org.for_caller(caller)
    if service == "sts" and action == "AssumeRole":
        match = _ROLE_ACCOUNT.match(params.get("RoleArn", ""))
        if match and match.group(1) in org.backends:
            target = org.backends[match.group(1)]
    return dispatch(target, service, action, params, caller)


def organization_actions() -> set[tuple[str, str]]:
    """What an organization serves: every single-account action and the directory reads."""
    return implemented_actions() | {("resourcemanager", a) for a in DirectoryResponses.ACTIONS}
