"""RAM 2015-05-01 policy, attachment and credential actions (the second half of ``ram``)."""

from __future__ import annotations

from .._backend.credentials import LoginChanges
from ..entities import PolicyVersion, PrincipalKind, format_time
from ..errors import EmulatorError
from ._common import Wire, tags_match
from ._wire import optional, policy_wire
from .ram import RamResponses

__all__ = ["RamPolicyResponses"]

_NAME_PARAM: dict[PrincipalKind, str] = {"user": "UserName", "group": "GroupName",
                                         "role": "RoleName"}


def _version_wire(policy_default: str, version: PolicyVersion) -> Wire:
    return {"VersionId": version.version_id,
            "IsDefaultVersion": version.version_id == policy_default,
            "PolicyDocument": version.document, "CreateDate": format_time(version.created)}


class RamPolicyResponses(RamResponses):
    """Policies, attachments, AccessKeys, login profiles and MFA."""

    def _policy(self) -> tuple[str, str]:
        return self.required("PolicyType"), self.required("PolicyName")

    # ---- policies --------------------------------------------------------------------------
    def list_policies(self) -> Wire:
        policy_type = self.param("PolicyType") or None
        if policy_type not in (None, "System", "Custom"):
            raise EmulatorError("InvalidParameter.PolicyType",
                                'The parameter "PolicyType" is invalid.', 400)
        wanted = self.json_tags()
        page = self.backend.policies.page(
            self.marker("ram.policies"), self.max_items(),
            lambda p: (policy_type is None or p.policy_type == policy_type)
            and tags_match(p.tags, wanted),
        )
        items = []
        for policy in page.items:
            wire = policy_wire(self.backend, policy)
            wire["Tags"] = {"Tag": [{"TagKey": k, "TagValue": v} for k, v in policy.tags.items()]}
            items.append(wire)
        return self.listing("ram.policies", page, "Policies", "Policy", items)

    def get_policy(self) -> Wire:
        policy = self.backend.policy(*self._policy())
        default = policy.versions[policy.default_version]
        wire = policy_wire(self.backend, policy)
        wire["PolicyDocument"] = "N/A"
        version = _version_wire(policy.default_version, default)
        return {"Policy": wire, "DefaultPolicyVersion": version}

    def get_policy_version(self) -> Wire:
        policy = self.backend.policy(*self._policy())
        version = self.backend.policy_version(policy, self.required("VersionId"))
        return {"PolicyVersion": _version_wire(policy.default_version, version)}

    def list_policy_versions(self) -> Wire:
        policy = self.backend.policy(*self._policy())
        items = [_version_wire(policy.default_version, v) for v in policy.versions.values()]
        return {"PolicyVersions": {"PolicyVersion": items}}

    def list_entities_for_policy(self) -> Wire:
        policy = self.backend.policy(*self._policy())
        found: dict[str, list[Wire]] = {"user": [], "group": [], "role": []}
        for attachment in self.backend.entities_for(policy):
            when = format_time(attachment.attached)
            found[attachment.kind].append(self._entity_wire(attachment.kind,
                                                            attachment.principal_id, when))
        return {"Users": {"User": found["user"]}, "Groups": {"Group": found["group"]},
                "Roles": {"Role": found["role"]}}

    def _entity_wire(self, kind: PrincipalKind, principal_id: str, when: str) -> Wire:
        backend = self.backend
        if kind == "user":
            user = backend.user_by_id(principal_id)
            return {"UserName": user.name, "UserId": user.user_id,
                    "DisplayName": user.display_name, "AttachDate": when}
        if kind == "group":
            group = backend.groups.get(principal_id)
            assert group is not None
            return optional({"GroupName": group.name, "AttachDate": when}, "Comments",
                            group.comments)
        role = backend.roles.get(principal_id)
        assert role is not None
        wire = {"RoleName": role.name, "RoleId": role.role_id, "Arn": backend.role_arn(role),
                "AttachDate": when}
        return optional(wire, "Description", role.description)

    def _policies_for(self, kind: PrincipalKind) -> Wire:
        ref = self.backend.principal_ref(kind, self.required(_NAME_PARAM[kind]))
        items = []
        for policy, attachment in self.backend.policies_of(ref):
            wire = {"PolicyName": policy.name, "PolicyType": policy.policy_type,
                    "DefaultVersion": policy.default_version,
                    "AttachDate": format_time(attachment.attached)}
            items.append(optional(wire, "Description", policy.description))
        return {"Policies": {"Policy": items}}

    def list_policies_for_user(self) -> Wire:
        return self._policies_for("user")

    def list_policies_for_group(self) -> Wire:
        return self._policies_for("group")

    def list_policies_for_role(self) -> Wire:
        return self._policies_for("role")

    # ---- attachments -----------------------------------------------------------------------
    def _attach(self, kind: PrincipalKind, attach: bool) -> Wire:
        policy = self.backend.policy(*self._policy())
        ref = self.backend.principal_ref(kind, self.required(_NAME_PARAM[kind]))
        if attach:
            self.backend.attach(policy, ref)
        else:
            self.backend.detach(policy, ref)
        return {}

    def attach_policy_to_user(self) -> Wire:
        return self._attach("user", True)

    def attach_policy_to_group(self) -> Wire:
        return self._attach("group", True)

    def attach_policy_to_role(self) -> Wire:
        return self._attach("role", True)

    def detach_policy_from_user(self) -> Wire:
        return self._attach("user", False)

    def detach_policy_from_group(self) -> Wire:
        return self._attach("group", False)

    def detach_policy_from_role(self) -> Wire:
        return self._attach("role", False)

    # ---- credentials -----------------------------------------------------------------------
    def list_access_keys(self) -> Wire:
        items = [{"AccessKeyId": k.access_key_id, "Status": k.status,
                  "CreateDate": format_time(k.created)} for k in self._keys()]
        return {"AccessKeys": {"AccessKey": items}}

    def get_access_key_last_used(self) -> Wire:
        return {"AccessKeyLastUsed": optional({}, "LastUsedDate", self._key().last_used)}

    def get_login_profile(self) -> Wire:
        user = self._user()
        profile = self.backend.login_profile(user)
        return {"LoginProfile": {
            "UserName": user.name, "CreateDate": format_time(profile.created),
            "MFABindRequired": profile.mfa_bind_required,
            "PasswordResetRequired": profile.password_reset_required,
        }}

    def update_login_profile(self) -> Wire:
        changes = LoginChanges(
            mfa_bind_required=self.flag("MFABindRequired"),
            password_reset_required=self.flag("PasswordResetRequired"),
            password=self.param("Password") or None,
        )
        self.backend.update_login_profile(self._user(), changes)
        return {}

    def get_user_mfa_info(self) -> Wire:
        device = self.backend.mfa_device_of(self._user())
        if device is None:
            raise EmulatorError("EntityNotExist.User.MFADevice",
                                "The MFA device of the user does not exist.", 404)
        return {"MFADevice": {"SerialNumber": device.serial, "Type": device.device_type}}
