"""What RAM and IMS answer alike about a user: who a request names, its AccessKeys, its groups.

Why one class: the two services name a user by different parameters (RAM ``UserName``, IMS
``UserPrincipalName``) but fall back to the caller's own user, find a key among the user's (or
the root account's) keys and change group membership the same way; each subclass says only how
its parameter names a user.
"""

from __future__ import annotations

from typing import ClassVar

from ..entities import AccessKey, User
from ..errors import EmulatorError, missing_parameter
from ._common import BaseResponses, Wire

__all__ = ["UserResponses"]


class UserResponses(BaseResponses):
    """The user-scoped helpers and the membership actions RAM and IMS share."""

    USER_PARAM: ClassVar[str] = ""

    def _user(self) -> User:
        """The user the request names by ``USER_PARAM`` (each service resolves it its way)."""
        raise NotImplementedError

    def _user_or_caller(self) -> User | None:
        """Without ``USER_PARAM`` a RAM user means itself; None means the root account."""
        if self.param(self.USER_PARAM):
            return self._user()
        if self.caller.kind == "user":
            return self.backend.user(self.caller.name)
        if self.caller.kind == "root":
            return None
        raise missing_parameter(self.USER_PARAM)

    def _keys(self) -> list[AccessKey]:
        user = self._user_or_caller()
        if user is None:
            return [self.backend.access_keys[k] for k in self.backend.root_key_ids]
        return self.backend.keys_of(user)

    def _key(self) -> AccessKey:
        key_id = self.required("UserAccessKeyId")
        for key in self._keys():
            if key.access_key_id == key_id:
                return key
        raise EmulatorError("EntityNotExist.User.AccessKey", "The AccessKey does not exist.", 404)

    def update_access_key(self) -> Wire:
        self.backend.set_key_status(self._key(), self.required("Status"))
        return {}

    def add_user_to_group(self) -> Wire:
        group = self.backend.group(self.required("GroupName"))
        self.backend.add_user_to_group(self._user(), group)
        return {}

    def remove_user_from_group(self) -> Wire:
        group = self.backend.group(self.required("GroupName"))
        self.backend.remove_user_from_group(self._user(), group)
        return {}
