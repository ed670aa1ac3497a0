"""AccessKeys, login profiles and MFA devices of users (docs/alibaba.md §3.7)."""

from __future__ import annotations

from ..entities import AccessKey, LoginProfile, MFADevice, User
from ..errors import EmulatorError
from .state import State, not_found

__all__ = ["CredentialsMixin", "LoginChanges"]

_KEY_STATUSES = ("Active", "Inactive")


class LoginChanges:
    """UpdateLoginProfile's optional fields; ``None`` leaves a field as it is."""

    def __init__(
        self, status: str | None = None, mfa_bind_required: bool | None = None,
        password_reset_required: bool | None = None, password: str | None = None,
    ) -> None:
        self.status = status
        self.mfa_bind_required = mfa_bind_required
        self.password_reset_required = password_reset_required
        self.password = password


class CredentialsMixin(State):
    """Key, login profile and MFA rules."""

    def add_access_key(self, key: AccessKey) -> None:
        self.access_keys[key.access_key_id] = key
        if key.user_id is None:
            self.root_key_ids.append(key.access_key_id)
        else:
            self.keys_of_user.setdefault(key.user_id, {})[key.access_key_id] = key

    def keys_of(self, user: User) -> list[AccessKey]:
        return list(self.keys_of_user.get(user.user_id, {}).values())

    def owner_of_key(self, access_key_id: str) -> User:
        """IMS GetUser by ``UserAccessKeyId``: the user who owns a key."""
        key = self.access_keys.get(access_key_id)
        if key is None or key.user_id is None:
            raise not_found("EntityNotExist.User.AccessKey", "The AccessKey does not exist.")
        return self.user_by_id(key.user_id)

    def set_key_status(self, key: AccessKey, status: str) -> None:
        if status not in _KEY_STATUSES:
            raise EmulatorError(
                "InvalidParameter.Status", 'The parameter "Status" must be Active or Inactive.', 400
            )
        key.status = status
        key.updated = self.now()

    def login_profile(self, user: User) -> LoginProfile:
        profile = self.login_profiles.get(user.user_id)
        if profile is None:
            raise not_found(
                "EntityNotExist.User.LoginProfile", "The login profile of the user does not exist."
            )
        return profile

    def update_login_profile(self, user: User, changes: LoginChanges) -> LoginProfile:
        profile = self.login_profile(user)
        if changes.status is not None:
            if changes.status not in _KEY_STATUSES:
                raise EmulatorError(
                    "InvalidParameter.Status",
                    'The parameter "Status" must be Active or Inactive.', 400,
                )
            profile.status = changes.status
        if changes.mfa_bind_required is not None:
            profile.mfa_bind_required = changes.mfa_bind_required
        if changes.password_reset_required is not None:
            profile.password_reset_required = changes.password_reset_required
        if changes.password is not None:
            if len(changes.password) < 8:
                raise EmulatorError(
                    "InvalidParameter.Password.TooWeak", "The password is too weak.", 400
                )
            profile.password_last_changed = self.now()
        profile.updated = self.now()
        return profile

    def add_mfa_device(self, device: MFADevice) -> None:
        self.mfa_devices.add(device.serial, device)
        self.mfa_of_user[device.user_id] = device.serial

    def mfa_device_of(self, user: User) -> MFADevice | None:
        serial = self.mfa_of_user.get(user.user_id)
        return self.mfa_devices.get(serial) if serial else None
