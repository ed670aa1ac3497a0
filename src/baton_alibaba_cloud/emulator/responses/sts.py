"""STS 2015-04-01: GetCallerIdentity, AssumeRole and AssumeRoleWithOIDC."""

from __future__ import annotations

from .._backend.jwt import OIDCClaims
from .._backend.sts import AssumeRequest
from ..entities import Role, StsSession, format_time
from ._common import BaseResponses, Wire

__all__ = ["StsResponses"]

_IDENTITY_TYPES = {"root": "Account", "user": "RAMUser", "role": "AssumedRoleUser"}


class StsResponses(BaseResponses):
    """Who am I, and temporary credentials for a role."""

    SERVICE = "sts"
    ACTIONS = frozenset({"GetCallerIdentity", "AssumeRole", "AssumeRoleWithOIDC"})

    def get_caller_identity(self) -> Wire:
        caller = self.caller
        wire: Wire = {"AccountId": caller.account_id, "Arn": caller.arn,
                      "IdentityType": _IDENTITY_TYPES[caller.kind],
                      "PrincipalId": caller.principal_id}
        if caller.kind == "role":
            wire["RoleId"] = caller.principal_id.split(":", 1)[0]
        else:
            wire["UserId"] = caller.principal_id
        return wire

    def _request(self) -> AssumeRequest:
        return AssumeRequest(
            role_arn=self.required("RoleArn"), session_name=self.required("RoleSessionName"),
            duration=self.param("DurationSeconds"), external_id=self.param("ExternalId"),
            policy=self.param("Policy"),
        )

    def _credentials(self, session: StsSession, role: Role) -> Wire:
        uid = self.backend.account_id
        return {
            "Credentials": {
                "AccessKeyId": session.access_key_id, "AccessKeySecret": session.secret,
                "SecurityToken": session.security_token,
                "Expiration": format_time(session.expires),
            },
            "AssumedRoleUser": {
                "Arn": f"acs:ram::{uid}:assumed-role/{role.name}/{session.session_name}",
                "AssumedRoleId": f"{role.role_id}:{session.session_name}",
            },
        }

    def assume_role(self) -> Wire:
        session, role = self.backend.assume_role(self.caller, self._request())
        return self._credentials(session, role)

    def assume_role_with_oidc(self) -> Wire:
        """Anonymous in production: the OIDC token, not a signature, proves who asks."""
        session, role, claims = self.backend.assume_role_with_oidc(
            self.required("OIDCProviderArn"), self.required("OIDCToken"), self._request()
        )
        wire = self._credentials(session, role)
        wire["OIDCTokenInfo"] = _token_info(claims)
        return wire


def _token_info(claims: OIDCClaims) -> Wire:
    wire: Wire = {"Issuer": claims.issuer, "Subject": claims.subject,
                  "ClientIds": ",".join(claims.audiences)}
    if claims.issued_at is not None:
        wire["IssuanceTime"] = format_time(claims.issued_at)
    if claims.expires_at is not None:
        wire["ExpirationTime"] = format_time(claims.expires_at)
    return wire
