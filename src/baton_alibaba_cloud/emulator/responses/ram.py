"""RAM 2015-05-01: one small method per action, named after it (docs/alibaba.md §3)."""

from __future__ import annotations

from .._backend.users import UserChanges
from ..entities import User, format_time
from ._common import Wire, tags_match
from ._users import UserResponses
from ._wire import group_wire, optional, role_wire, user_wire

__all__ = ["RamResponses"]


class RamResponses(UserResponses):
    """RAM users, groups and roles; ``ram_policies.py`` adds policies and credentials."""

    SERVICE = "ram"
    ACTIONS = frozenset({
        "GetAccountAlias", "ListUsers", "GetUser", "CreateUser", "UpdateUser", "DeleteUser",
        "ListGroups", "GetGroup", "CreateGroup", "DeleteGroup", "ListUsersForGroup",
        "ListGroupsForUser", "AddUserToGroup", "RemoveUserFromGroup", "ListRoles", "GetRole",
        "ListPolicies", "GetPolicy", "GetPolicyVersion", "ListPolicyVersions",
        "ListEntitiesForPolicy", "ListPoliciesForUser", "ListPoliciesForGroup",
        "ListPoliciesForRole", "AttachPolicyToUser", "AttachPolicyToGroup", "AttachPolicyToRole",
        "DetachPolicyFromUser", "DetachPolicyFromGroup", "DetachPolicyFromRole",
        "ListAccessKeys", "GetAccessKeyLastUsed", "UpdateAccessKey", "GetLoginProfile",
        "UpdateLoginProfile", "GetUserMFAInfo",
    })
    USER_PARAM = "UserName"

    def _user(self) -> User:
        return self.backend.user(self.required("UserName"))

    def _full_user(self, user: User) -> Wire:
        return user_wire(self.backend, user, ims=False, fields=("UpdateDate",))

    # ---- account and users -----------------------------------------------------------------
    def get_account_alias(self) -> Wire:
        return {"AccountAlias": self.backend.account.alias}

    def list_users(self) -> Wire:
        page = self.backend.list_users(self.marker("ram.users"), self.max_items())
        items = [self._full_user(user) for user in page.items]
        return self.listing("ram.users", page, "Users", "User", items)

    def get_user(self) -> Wire:
        user = self._user()
        return {"User": user_wire(self.backend, user, ims=False,
                                  fields=("UpdateDate", "LastLoginDate"))}

    def create_user(self) -> Wire:
        user = self.backend.create_user(
            self.required("UserName"), self.param("DisplayName") or "",
            self.param("Comments") or "", self.param("Email") or "",
            self.param("MobilePhone") or "",
        )
        return {"User": user_wire(self.backend, user, ims=False)}

    def update_user(self) -> Wire:
        changes = UserChanges(
            name=self.param("NewUserName") or None, display_name=self.param("NewDisplayName"),
            comments=self.param("NewComments"), email=self.param("NewEmail"),
            mobile_phone=self.param("NewMobilePhone"),
        )
        return {"User": self._full_user(self.backend.update_user(self._user(), changes))}

    def delete_user(self) -> Wire:
        self.backend.delete_user(self._user())
        return {}

    # ---- groups and memberships ------------------------------------------------------------
    def list_groups(self) -> Wire:
        page = self.backend.groups.page(self.marker("ram.groups"), self.max_items())
        items = [group_wire(group, ims=False) for group in page.items]
        return self.listing("ram.groups", page, "Groups", "Group", items)

    def get_group(self) -> Wire:
        return {"Group": group_wire(self.backend.group(self.required("GroupName")), ims=False)}

    def create_group(self) -> Wire:
        group = self.backend.create_group(
            self.required("GroupName"), comments=self.param("Comments") or ""
        )
        wire = group_wire(group, ims=False)
        del wire["UpdateDate"]
        return {"Group": wire}

    def delete_group(self) -> Wire:
        self.backend.delete_group(self.backend.group(self.required("GroupName")))
        return {}

    def list_users_for_group(self) -> Wire:
        group = self.backend.group(self.required("GroupName"))
        scope = f"ram.members.{group.group_id}"
        page = self.backend.members_page(group, self.marker(scope), self.max_items())
        items = []
        for membership in page.items:
            user = self.backend.user_by_id(membership.user_id)
            items.append({"UserName": user.name, "DisplayName": user.display_name,
                          "JoinDate": format_time(membership.joined)})
        return self.listing(scope, page, "Users", "User", items)

    def list_groups_for_user(self) -> Wire:
        items = []
        for membership in self.backend.memberships_of_user(self._user()):
            group = self.backend.groups.get(membership.group_id)
            if group is not None:
                wire = {"GroupId": group.group_id, "GroupName": group.name,
                        "JoinDate": format_time(membership.joined)}
                items.append(optional(wire, "Comments", group.comments))
        return {"Groups": {"Group": items}}

    # ---- roles -----------------------------------------------------------------------------
    def list_roles(self) -> Wire:
        wanted = self.json_tags()
        page = self.backend.roles.page(
            self.marker("ram.roles"), self.max_items(),
            (lambda role: tags_match(role.tags, wanted)) if wanted else None,
        )
        items = [role_wire(self.backend, role, with_document=False) for role in page.items]
        return self.listing("ram.roles", page, "Roles", "Role", items)

    def get_role(self) -> Wire:
        role = self.backend.role(self.required("RoleName"))
        return {"Role": role_wire(self.backend, role, with_document=True)}
