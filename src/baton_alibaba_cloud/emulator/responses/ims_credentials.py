"""IMS 2019-08-15 credentials, MFA, the credential report, IdPs and the account summary."""

from __future__ import annotations

import base64
import copy
import csv
import io

from .._backend.credentials import LoginChanges
from .._backend.report import REPORT_COLUMNS
from ..entities import User, format_time
from ..errors import missing_parameter
from ._common import Wire
from ._wire import optional
from .ims import ImsResponses

__all__ = ["ImsCredentialResponses"]


class ImsCredentialResponses(ImsResponses):
    """The rest of IMS: AccessKeys, login profiles, MFA, report, providers, summary."""

    # ---- AccessKeys ------------------------------------------------------------------------
    def list_access_keys(self) -> Wire:
        items = [{"AccessKeyId": k.access_key_id, "Status": k.status,
                  "CreateDate": format_time(k.created), "UpdateDate": format_time(k.updated)}
                 for k in self._keys()]
        return {"AccessKeys": {"AccessKey": items}}

    def get_access_key_last_used(self) -> Wire:
        key = self._key()
        wire = optional({}, "LastUsedDate", key.last_used)
        return {"AccessKeyLastUsed": optional(wire, "ServiceName", key.last_used_service)}

    # ---- login profile and MFA -------------------------------------------------------------
    def _login_wire(self, user: User, *, last_login: bool) -> Wire:
        profile = self.backend.login_profile(user)
        wire: Wire = {
            "UserPrincipalName": self.backend.upn(user), "Status": profile.status,
            "MFABindRequired": profile.mfa_bind_required,
            "PasswordResetRequired": profile.password_reset_required,
            "UpdateDate": format_time(profile.updated), "AutoDisableLoginStatus": "false",
            "PasswordStatus": "NotInitial",
        }
        return optional(wire, "LastLoginTime", profile.last_login) if last_login else wire

    def get_login_profile(self) -> Wire:
        return {"LoginProfile": self._login_wire(self._user(), last_login=True)}

    def update_login_profile(self) -> Wire:
        user = self._user()
        changes = LoginChanges(
            status=self.param("Status") or None,
            mfa_bind_required=self.flag("MFABindRequired"),
            password_reset_required=self.flag("PasswordResetRequired"),
            password=self.param("Password") or None,
        )
        self.backend.update_login_profile(user, changes)
        return {"LoginProfile": self._login_wire(user, last_login=False)}

    def get_user_mfa_info(self) -> Wire:
        user = self._user_or_caller()
        if user is None:
            raise missing_parameter("UserPrincipalName")
        device = self.backend.mfa_device_of(user)
        if device is None:
            return {"IsMFAEnable": False}
        return {"IsMFAEnable": True,
                "MFADevice": {"SerialNumber": device.serial, "Type": device.device_type}}

    def list_virtual_mfa_devices(self) -> Wire:
        page = self.backend.mfa_devices.page(
            self.marker("ims.mfa"), self.max_items(),
            lambda device: device.device_type == "VMFA",
        )
        items = []
        for device in page.items:
            user = self.backend.user_by_id(device.user_id)
            items.append({"SerialNumber": device.serial,
                          "ActivateDate": format_time(device.activated),
                          "User": {"UserId": user.user_id, "DisplayName": user.display_name,
                                   "UserPrincipalName": self.backend.upn(user)}})
        return self.listing("ims.mfa", page, "VirtualMFADevices", "VirtualMFADevice", items)

    # ---- credential report -----------------------------------------------------------------
    def generate_credential_report(self) -> Wire:
        return {"State": self.backend.generate_credential_report()}

    def get_credential_report(self) -> Wire:
        """Base64 CSV pages of ``MaxItems`` users; every page starts with the header row."""
        report = self.backend.credential_report()
        generated, rows = report.ready_at, report.rows
        limit = self.max_items()
        scope = f"ims.report.{format_time(generated)}"
        start = self.backend.markers.decode(scope, self.param("NextToken"))
        chunk = rows[start:start + limit]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(chunk)
        wire: Wire = {"Content": base64.b64encode(buffer.getvalue().encode()).decode(),
                      "GeneratedTime": format_time(generated)}
        more = start + limit < len(rows)
        wire["IsTruncated"] = "true" if more else "false"
        if more:
            wire["NextToken"] = self.backend.markers.encode(scope, start + limit)
        return wire

    # ---- identity providers, domain, summary -----------------------------------------------
    def list_saml_providers(self) -> Wire:
        uid = self.backend.account_id
        page = self.backend.saml_providers.page(self.marker("ims.saml"), self.max_items())
        items = [optional({"SAMLProviderName": p.name,
                           "Arn": f"acs:ram::{uid}:saml-provider/{p.name}",
                           "CreateDate": format_time(p.created),
                           "UpdateDate": format_time(p.updated)}, "Description", p.description)
                 for p in page.items]
        return self.listing("ims.saml", page, "SAMLProviders", "SAMLProvider", items)

    def list_oidc_providers(self) -> Wire:
        uid = self.backend.account_id
        page = self.backend.oidc_providers.page(self.marker("ims.oidc"), self.max_items())
        items = []
        for p in page.items:
            created, updated = format_time(p.created), format_time(p.updated)
            items.append(optional({
                "OIDCProviderName": p.name, "Arn": f"acs:ram::{uid}:oidc-provider/{p.name}",
                "IssuerUrl": p.issuer_url, "ClientIds": ",".join(p.client_ids),
                "Fingerprints": ",".join(p.fingerprints),
                "IssuanceLimitTime": p.issuance_limit_time,
                "CreateDate": created, "UpdateDate": updated, "GmtCreate": created,
                "GmtModified": updated,
            }, "Description", p.description))
        return self.listing("ims.oidc", page, "OIDCProviders", "OIDCProvider", items)

    def get_default_domain(self) -> Wire:
        return {"DefaultDomainName": self.backend.account.default_domain}

    def get_password_policy(self) -> Wire:
        return {"PasswordPolicy": dict(self.backend.account.password_policy)}

    def get_security_preference(self) -> Wire:
        return {"SecurityPreference": copy.deepcopy(self.backend.account.security_preference)}

    def get_account_summary(self) -> Wire:
        backend = self.backend
        custom = sum(1 for p in backend.policies if p.policy_type == "Custom")
        in_use = len(backend.mfa_of_user)
        summary: Wire = dict(backend.account.quotas)
        summary.update({"Users": len(backend.users), "Groups": len(backend.groups),
                        "Roles": len(backend.roles), "Policies": custom,
                        "MFADevices": len(backend.mfa_devices), "MFADevicesInUse": in_use})
        return {"SummaryMap": summary}
