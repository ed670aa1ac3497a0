"""IMS 2019-08-15 users and groups, keyed by UserPrincipalName (docs/alibaba.md §3.2-3.3)."""

from __future__ import annotations

from .._backend.users import UserChanges
from ..entities import User, format_time
from ..errors import missing_parameter
from ._common import Wire, invalid, tags_match
from ._users import UserResponses
from ._wire import group_wire, user_wire

__all__ = ["ImsResponses"]

_LIST_FIELDS = ("Status", "LastLoginDate", "ProvisionType", "Tags", "UpdateDate")
_STATUSES = {"active", "freeze"}


class ImsResponses(UserResponses):
    """IMS user and group actions; ``ims_credentials.py`` adds keys, MFA, report, IdPs."""

    SERVICE = "ims"
    ACTIONS = frozenset({
        "ListUsers", "ListUserBasicInfos", "GetUser", "CreateUser", "UpdateUser", "DeleteUser",
        "ListGroups", "GetGroup", "ListUsersForGroup", "ListGroupsForUser", "AddUserToGroup",
        "RemoveUserFromGroup", "ListAccessKeys", "GetAccessKeyLastUsed", "UpdateAccessKey",
        "GetLoginProfile", "UpdateLoginProfile", "GetUserMFAInfo", "ListVirtualMFADevices",
        "GenerateCredentialReport", "GetCredentialReport", "ListSAMLProviders",
        "ListOIDCProviders", "GetDefaultDomain", "GetAccountSummary", "GetPasswordPolicy",
        "GetSecurityPreference",
    })
    USER_PARAM = "UserPrincipalName"

    def _user(self) -> User:
        """The user named by ``UserPrincipalName`` (or ``UserId`` where the action allows)."""
        upn = self.param("UserPrincipalName")
        if upn:
            return self.backend.user_by_upn(upn)
        user_id = self.param("UserId")
        if user_id:
            return self.backend.user_by_id(user_id)
        raise missing_parameter("UserPrincipalName")

    def _statuses(self) -> set[str] | None:
        """``Status``: only ``active`` when absent; ``Tag`` returns both and excludes Status."""
        text = self.param("Status")
        if self.repeat_tags():
            if text:
                raise invalid("Status", "Status cannot be specified together with Tag.")
            return None
        if not text:
            return {"active"}
        wanted = {part.strip() for part in text.split(",")}
        if not wanted <= _STATUSES:
            raise invalid("Status", 'The parameter "Status" must be active, freeze or both.')
        return wanted

    def _user_page(self) -> tuple[list[User], Wire]:
        """The filtered page of users and its truncation fields (Status and Tag filters)."""
        statuses, tags = self._statuses(), self.repeat_tags()
        page = self.backend.list_users(
            self.marker("ims.users"), self.max_items(),
            lambda u: (statuses is None or u.status in statuses) and tags_match(u.tags, tags),
        )
        return page.items, self.truncation("ims.users", page)

    def list_users(self) -> Wire:
        users, result = self._user_page()
        items = [user_wire(self.backend, u, ims=True, fields=_LIST_FIELDS) for u in users]
        return {"Users": {"User": items}, **result}

    def list_user_basic_infos(self) -> Wire:
        users, result = self._user_page()
        items = [{"UserId": u.user_id, "UserPrincipalName": self.backend.upn(u),
                  "DisplayName": u.display_name, "Status": u.status} for u in users]
        return {"UserBasicInfos": {"UserBasicInfo": items}, **result}

    def get_user(self) -> Wire:
        key_id = self.param("UserAccessKeyId")
        user = self.backend.owner_of_key(key_id) if key_id else self._user()
        fields = ("UserName", "LastLoginDate", "ProvisionType", "Tags", "UpdateDate")
        return {"User": user_wire(self.backend, user, ims=True, fields=fields)}

    def create_user(self) -> Wire:
        upn = self.required("UserPrincipalName")
        name, _, domain = upn.rpartition("@")
        if not name or domain.lower() != self.backend.account.default_domain.lower():
            domain = self.backend.account.default_domain
            raise invalid("UserPrincipalName", f"The UserPrincipalName must end with @{domain}.")
        tags = {k: v or "" for k, v in self.repeat_tags().items()}
        user = self.backend.create_user(
            name, self.required("DisplayName"), self.param("Comments") or "",
            self.param("Email") or "", self.param("MobilePhone") or "", tags,
        )
        fields = ("LastLoginDate", "ProvisionType", "Tags", "UpdateDate")
        return {"User": user_wire(self.backend, user, ims=True, fields=fields)}

    def update_user(self) -> Wire:
        new_upn = self.param("NewUserPrincipalName")
        new_name = new_upn.rpartition("@")[0] if new_upn else None
        changes = UserChanges(
            name=new_name or None, display_name=self.param("NewDisplayName"),
            comments=self.param("NewComments"), email=self.param("NewEmail"),
            mobile_phone=self.param("NewMobilePhone"),
        )
        user = self.backend.update_user(self._user(), changes)
        fields = ("LastLoginDate", "ProvisionType", "UpdateDate")
        return {"User": user_wire(self.backend, user, ims=True, fields=fields)}

    def delete_user(self) -> Wire:
        self.backend.delete_user(self._user())
        return {}

    # ---- groups ----------------------------------------------------------------------------
    def list_groups(self) -> Wire:
        page = self.backend.groups.page(self.marker("ims.groups"), self.max_items())
        items = [group_wire(group, ims=True) for group in page.items]
        return self.listing("ims.groups", page, "Groups", "Group", items)

    def get_group(self) -> Wire:
        return {"Group": group_wire(self.backend.group(self.required("GroupName")), ims=True)}

    def list_users_for_group(self) -> Wire:
        group = self.backend.group(self.required("GroupName"))
        scope = f"ims.members.{group.group_id}"
        page = self.backend.members_page(group, self.marker(scope), self.max_items())
        items = []
        for membership in page.items:
            user = self.backend.user_by_id(membership.user_id)
            items.append({"UserId": user.user_id, "UserPrincipalName": self.backend.upn(user),
                          "DisplayName": user.display_name,
                          "JoinDate": format_time(membership.joined)})
        return self.listing(scope, page, "Users", "User", items)

    def list_groups_for_user(self) -> Wire:
        items = []
        for membership in self.backend.memberships_of_user(self._user()):
            group = self.backend.groups.get(membership.group_id)
            if group is not None:
                wire = group_wire(group, ims=True)
                for key in ("CreateDate", "UpdateDate"):
                    del wire[key]
                wire["JoinDate"] = format_time(membership.joined)
                items.append(wire)
        return {"Groups": {"Group": items}}
