"""STS: who a key belongs to, AssumeRole, AssumeRoleWithOIDC and the sessions they issue.

Sessions live in memory only; a session dies when it expires (the core checks ``expires_at``)
or when its role is deleted, which is how a leaked token is neutralised (docs/alibaba.md §6).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..entities import OIDCProvider, Role, StsSession
from ..errors import EmulatorError
from ..identity import Caller, ResolvedKey
from .jwt import OIDCClaims, check_oidc_token
from .policies import PoliciesMixin
from .state import PrincipalRef
from .trust import TrustRequest, trust_allows

__all__ = ["AssumeRequest", "StsMixin"]

_ROLE_ARN = re.compile(r"^acs:ram::(\d+):role/([A-Za-z0-9.\-_]+)$", re.IGNORECASE)
_OIDC_ARN = re.compile(r"^acs:ram::(\d+):oidc-provider/(.+)$", re.IGNORECASE)
_SESSION_NAME = re.compile(r"^[\w.@\-]{2,64}$")
_EXTERNAL_ID = re.compile(r"^[\w=,.@:/\-]{2,1224}$")
_NO_TRUST = (
    "You are not authorized to do this action. No permission perform sts:AssumeRole on this "
    "Role. Maybe you are not authorized to perform sts:AssumeRole or the specified role does "
    "not trust you."
)


@dataclass(frozen=True)
class AssumeRequest:
    """AssumeRole's parameters, already parsed from the wire."""

    role_arn: str
    session_name: str
    duration: str | None = None
    external_id: str | None = None
    policy: str | None = None


def _iso(now: datetime) -> str:
    """``acs:CurrentTime`` as conditions compare it (ISO 8601, UTC)."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bad(code: str, message: str) -> EmulatorError:
    return EmulatorError(code, message, 400)


class StsMixin(PoliciesMixin):
    """Keys to callers, callers to policies, and the two AssumeRole flows."""

    def resolve_access_key(self, access_key_id: str) -> ResolvedKey | None:
        session = self.sessions.get(access_key_id)
        if session is not None:
            return self._resolve_session(session)
        key = self.access_keys.get(access_key_id)
        if key is None:
            return None
        uid = self.account.uid
        if key.user_id is None:
            caller = Caller(uid, "root", "", self.account.root_arn, uid, access_key_id)
        else:
            user = self.users.get(key.user_id)
            if user is None:
                return None
            arn = f"acs:ram::{uid}:user/{user.name}"
            caller = Caller(uid, "user", user.name, arn, user.user_id, access_key_id)
        return ResolvedKey(access_key_id, key.secret, caller, status=key.status)

    def _resolve_session(self, session: StsSession) -> ResolvedKey | None:
        role = self.roles.get(session.role_id)
        if role is None:
            return None
        uid = self.account.uid
        caller = Caller(
            uid, "role", role.name,
            f"acs:ram::{uid}:assumed-role/{role.name}/{session.session_name}",
            f"{role.role_id}:{session.session_name}", session.access_key_id,
            session_name=session.session_name,
        )
        return ResolvedKey(
            session.access_key_id, session.secret, caller,
            security_token=session.security_token, expires_at=session.expires,
        )

    def identity_policy_documents(self, caller: Caller) -> list[dict[str, Any]]:
        """A user's direct and group policies, a role session's role policies; root has none."""
        refs: list[PrincipalRef] = []
        if caller.kind == "user" and caller.name in self.user_by_name:
            user_id = self.user_by_name[caller.name]
            refs.append(("user", user_id))
            refs.extend(("group", group_id) for group_id in self.groups_of_user.get(user_id, {}))
        elif caller.kind == "role" and caller.name in self.role_by_name:
            refs.append(("role", self.role_by_name[caller.name]))
        documents: list[dict[str, Any]] = []
        for ref in refs:
            for key in self.attached_to.get(ref, {}):
                document = self.parsed_default_document(key)
                if document is not None:
                    documents.append(document)
        return documents

    # ---- AssumeRole ------------------------------------------------------------------------
    def assume_role(self, caller: Caller, request: AssumeRequest) -> tuple[StsSession, Role]:
        if caller.kind == "root":
            raise EmulatorError("NoPermission", "Roles may not be assumed by root accounts.", 403)
        role = self._role_from_arn(request.role_arn)
        self._check_session_name(request.session_name)
        if request.external_id is not None and not _EXTERNAL_ID.match(request.external_id):
            raise _bad("InvalidParameter.ExternalId", "The parameter ExternalId is wrongly formed.")
        duration = self._duration(role, request.duration)
        policy = self._session_policy(request.policy)
        # The trust policy names the caller's account, which in a Resource Directory is
        # another account than the role's (the management account entering a member).
        uid = caller.account_id
        names = {uid, f"acs:ram::{uid}:root"}
        if caller.kind == "user":
            names.add(f"acs:ram::{uid}:user/{caller.name}")
        else:
            names.add(f"acs:ram::{uid}:role/{caller.name}")
        context = {"acs:MFAPresent": "false", "acs:CurrentTime": _iso(self.now())}
        if request.external_id is not None:
            context["sts:ExternalId"] = request.external_id
        trust = TrustRequest("RAM", frozenset(n.lower() for n in names), context)
        if not trust_allows(role.trust_policy, trust):
            raise EmulatorError("NoPermission", _NO_TRUST, 403)
        return self._issue(role, request.session_name, duration, policy, caller.arn), role

    def assume_role_with_oidc(
        self, provider_arn: str, token: str, request: AssumeRequest
    ) -> tuple[StsSession, Role, OIDCClaims]:
        provider = self._oidc_provider(provider_arn)
        claims = check_oidc_token(token, provider, self.now())
        role = self._role_from_arn(request.role_arn)
        self._check_session_name(request.session_name)
        duration = self._duration(role, request.duration)
        policy = self._session_policy(request.policy)
        context = {"oidc:iss": claims.issuer, "oidc:sub": claims.subject,
                   "acs:CurrentTime": _iso(self.now())}
        if claims.audiences:
            context["oidc:aud"] = claims.audiences[0]
        trust = TrustRequest("Federated", frozenset({provider_arn.lower()}), context)
        if not trust_allows(role.trust_policy, trust):
            raise EmulatorError("AuthenticationFail.NoPermission", "There is no permission", 401)
        session = self._issue(role, request.session_name, duration, policy, claims.subject)
        return session, role, claims

    def _oidc_provider(self, provider_arn: str) -> OIDCProvider:
        match = _OIDC_ARN.match(provider_arn)
        provider = None
        if match and match.group(1) == self.account.uid:
            provider = self.oidc_providers.get(match.group(2))
        if provider is None:
            raise EmulatorError(
                "AuthenticationFail.NoPermission", "No such OIDC Provider registered.", 401
            )
        return provider

    def _role_from_arn(self, role_arn: str) -> Role:
        match = _ROLE_ARN.match(role_arn)
        if not match:
            raise _bad("InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.")
        if match.group(1) != self.account.uid:
            raise EmulatorError("EntityNotExist.Role", "The role does not exist.", 404)
        return self.role(match.group(2))

    @staticmethod
    def _check_session_name(name: str) -> None:
        if not _SESSION_NAME.match(name):
            raise _bad(
                "InvalidParameter.RoleSessionName",
                "The parameter RoleSessionName is wrongly formed.",
            )

    @staticmethod
    def _duration(role: Role, text: str | None) -> int:
        try:
            duration = 3600 if text in (None, "") else int(str(text))
        except ValueError:
            duration = -1
        if not 900 <= duration <= role.max_session_duration:
            raise _bad(
                "InvalidParameter.DurationSeconds",
                f"The parameter DurationSeconds must be between 900 and the role's "
                f"MaxSessionDuration ({role.max_session_duration}).",
            )
        return duration

    @staticmethod
    def _session_policy(text: str | None) -> str | None:
        if text is None or text == "":
            return None
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise _bad(
                "InvalidParameter.PolicyGrammar",
                "The parameter Policy has not passed grammar check.",
            )
        return text

    def _issue(
        self, role: Role, session_name: str, duration: int, policy: str | None, source: str
    ) -> StsSession:
        now = self.now()
        session = StsSession(
            access_key_id="STS." + self.new_token(28),
            secret=self.new_token(44),
            security_token="CAIS" + self.new_token(300),
            role_id=role.role_id,
            session_name=session_name,
            expires=now + timedelta(seconds=duration),
            session_policy=policy,
            source=source,
        )
        self._purge_expired(now)
        self.sessions[session.access_key_id] = session
        return session

    def _purge_expired(self, now: Any) -> None:
        """Drop sessions that expired over a day ago, so a long-running emulator stays small."""
        horizon = now - timedelta(days=1)
        for key in [k for k, s in self.sessions.items() if s.expires < horizon]:
            del self.sessions[key]
