"""Users and groups: lifecycle, memberships, their conflict rules (docs/alibaba.md §3.2, §3.8)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..entities import Group, Membership, User
from ..errors import EmulatorError
from .paging import OrderedTable, Page
from .state import State, not_found
from .validate import check_comments, check_display_name, check_email, check_mobile, check_name

__all__ = ["UserChanges", "UsersMixin"]


def _conflict(code: str, message: str) -> EmulatorError:
    return EmulatorError(code, message, 409)


@dataclass(frozen=True)
class UserChanges:
    """UpdateUser's optional ``New*`` fields; ``None`` leaves a field as it is."""

    name: str | None = None
    display_name: str | None = None
    comments: str | None = None
    email: str | None = None
    mobile_phone: str | None = None


class UsersMixin(State):
    """User and group rules; every method raises the code the real service answers."""

    # ---- users -----------------------------------------------------------------------------
    def create_user(
        self, name: str, display_name: str = "", comments: str = "", email: str = "",
        mobile_phone: str = "", tags: dict[str, str] | None = None,
    ) -> User:
        check_name("UserName", name)
        check_display_name("DisplayName", display_name or name)
        check_comments("Comments", comments)
        check_email(email)
        check_mobile(mobile_phone)
        if name in self.user_by_name:
            raise _conflict("EntityAlreadyExists.User", "The user does already EXIST.")
        if len(self.users) >= self.quota("UsersQuota"):
            raise _conflict("LimitExceeded.User", "The count of users beyond the current limits.")
        now = self.now()
        user = User(
            user_id=self._fresh_id(self.users), name=name, display_name=display_name or name,
            created=now, updated=now, comments=comments, email=email,
            mobile_phone=mobile_phone, tags=dict(tags or {}),
        )
        self.add_user(user)
        return user

    def add_user(self, user: User) -> None:
        """Index a user without business checks (the account loader's path)."""
        self.users.add(user.user_id, user)
        self.user_by_name[user.name] = user.user_id

    def update_user(self, user: User, changes: UserChanges) -> User:
        if changes.name is not None and changes.name != user.name:
            check_name("NewUserName", changes.name)
            if changes.name in self.user_by_name:
                raise _conflict("EntityAlreadyExists.User", "The user does already EXIST.")
            del self.user_by_name[user.name]
            self.user_by_name[changes.name] = user.user_id
            user.name = changes.name
        if changes.display_name is not None:
            check_display_name("NewDisplayName", changes.display_name)
            user.display_name = changes.display_name
        if changes.comments is not None:
            check_comments("NewComments", changes.comments)
            user.comments = changes.comments
        if changes.email is not None:
            check_email(changes.email)
            user.email = changes.email
        if changes.mobile_phone is not None:
            check_mobile(changes.mobile_phone)
            user.mobile_phone = changes.mobile_phone
        user.updated = self.now()
        return user

    def delete_user(self, user: User) -> None:
        """RAM refuses while anything still hangs off the user (DeleteConflict.User.*)."""
        checks: list[tuple[bool, str, str]] = [
            (bool(self.groups_of_user.get(user.user_id)), "Group", "joined groups"),
            (bool(self.keys_of_user.get(user.user_id)), "AccessKey", "AccessKeys"),
            (user.user_id in self.login_profiles, "LoginProfile", "a login profile"),
            (user.user_id in self.mfa_of_user, "MFADevice", "an MFA device"),
            (bool(self.attached_to.get(("user", user.user_id))), "Policy", "attached policies"),
        ]
        for present, what, label in checks:
            if present:
                raise _conflict(
                    f"DeleteConflict.User.{what}", f"The user still has {label}; remove them first."
                )
        self.users.remove(user.user_id)
        del self.user_by_name[user.name]

    def list_users(
        self, after: int, limit: int, keep: Callable[[User], bool] | None = None
    ) -> Page[User]:
        return self.users.page(after, limit, keep)

    # ---- groups ----------------------------------------------------------------------------
    def create_group(self, name: str, display_name: str = "", comments: str = "") -> Group:
        check_name("GroupName", name)
        check_comments("Comments", comments)
        if name in self.group_by_name:
            raise _conflict("EntityAlreadyExists.Group", "The group does already EXIST.")
        if len(self.groups) >= self.quota("GroupsQuota"):
            raise _conflict("LimitExceeded.Group", "The count of groups beyond the current limits.")
        now = self.now()
        group = Group(
            group_id=self._fresh_id(self.groups), name=name, display_name=display_name or name,
            created=now, updated=now, comments=comments,
        )
        self.add_group(group)
        return group

    def add_group(self, group: Group) -> None:
        self.groups.add(group.group_id, group)
        self.group_by_name[group.name] = group.group_id
        self.members[group.group_id] = OrderedTable()

    def delete_group(self, group: Group) -> None:
        if len(self.members[group.group_id]):
            raise _conflict("DeleteConflict.Group.User", "The group still has members.")
        if self.attached_to.get(("group", group.group_id)):
            raise _conflict("DeleteConflict.Group.Policy", "The group still has policies.")
        self.groups.remove(group.group_id)
        del self.group_by_name[group.name]
        del self.members[group.group_id]

    # ---- memberships -----------------------------------------------------------------------
    def add_user_to_group(self, user: User, group: Group) -> Membership:
        joined = self.groups_of_user.get(user.user_id, {})
        if group.group_id in joined:
            raise _conflict(
                "EntityAlreadyExists.User.Group", "The user has already joined the group."
            )
        if len(joined) >= self.quota("GroupsPerUserQuota"):
            raise _conflict(
                "LimitExceeded.User.Group", "The count of groups for the user beyond the limits."
            )
        return self.link_member(user.user_id, group.group_id, self.now())

    def link_member(self, user_id: str, group_id: str, joined: datetime) -> Membership:
        """Record a membership in both indexes without business checks (loader path)."""
        membership = Membership(user_id=user_id, group_id=group_id, joined=joined)
        self.members[group_id].add(user_id, membership)
        self.groups_of_user.setdefault(user_id, {})[group_id] = membership
        return membership

    def remove_user_from_group(self, user: User, group: Group) -> None:
        joined = self.groups_of_user.get(user.user_id, {})
        if group.group_id not in joined:
            raise not_found("EntityNotExist.User.Group", "The user has not joined the group.")
        del joined[group.group_id]
        self.members[group.group_id].remove(user.user_id)

    def memberships_of_user(self, user: User) -> list[Membership]:
        return list(self.groups_of_user.get(user.user_id, {}).values())

    def members_page(self, group: Group, after: int, limit: int) -> Page[Membership]:
        return self.members[group.group_id].page(after, limit)

    def _fresh_id(self, table: OrderedTable[User] | OrderedTable[Group]) -> str:
        while True:
            candidate = self.new_numeric_id()
            if candidate not in table:
                return candidate
