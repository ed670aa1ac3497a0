"""Errors as classes that carry the wire code, and say in one line what to do.

Why classes chosen by code: callers (retry, the connector, the CLI) branch on the kind of
failure, never on message text; the original ``code`` stays on the object for the exact cases.
``str(err)`` is what a person reads at the end of a failed run, so it names the service, action,
code, message, request id and the fix, on one line, and never a secret (none is ever passed in).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .endpoints import product_name

__all__ = [
    "AlibabaError",
    "AlreadyExistsError",
    "AuthenticationError",
    "ClockSkewError",
    "ConflictError",
    "NotAlibabaError",
    "NotFoundError",
    "PagingError",
    "PermissionDeniedError",
    "ServerError",
    "ThrottlingError",
    "TransportError",
    "error_class_for",
    "error_from_body",
]

_STS_ACTIONS_PREFIX = {"ram": "ram", "ims": "ram", "sts": "sts"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


class AlibabaError(Exception):
    """A failed call to RAM, IMS or STS, with the API's code and message."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        code: str,
        message: str,
        *,
        action: str = "",
        service: str = "",
        http_status: int | None = None,
        request_id: str | None = None,
        recommend: str | None = None,
        access_denied_detail: Mapping[str, Any] | None = None,
        access_key_id: str | None = None,
        retry_after: float | None = None,
        max_attempts: int | None = None,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.action = action
        self.service = service
        self.http_status = http_status
        self.request_id = request_id
        self.recommend = recommend
        self.access_denied_detail = dict(access_denied_detail or {})
        self.access_key_id = access_key_id
        self.retry_after = retry_after
        self.max_attempts = max_attempts
        """At most this many attempts of the request (the policy's own bound when ``None``):
        an answer that made no sense, or a silent endpoint, is asked again only a few times."""

    def hint(self) -> str:
        """What the person should do; subclasses know better than the base class."""
        return ""

    def __str__(self) -> str:
        where = " ".join(p for p in (product_name(self.service), self.action) if p)
        where = where or "Alibaba Cloud"
        parts = [f"{where} failed: {self.code}: {_one_line(self.message)}".rstrip(": ")]
        extra = []
        if self.http_status is not None:
            extra.append(f"HTTP {self.http_status}")
        if self.request_id:
            extra.append(f"request id {self.request_id}")
        if extra:
            parts.append(f"({', '.join(extra)})")
        hint = self.hint()
        if hint:
            parts.append(f"— {hint}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, action={self.action!r})"


class AuthenticationError(AlibabaError):
    """The AccessKey, its secret or the STS token was refused."""

    def hint(self) -> str:
        key = f" {self.access_key_id}" if self.access_key_id else ""
        if self.code.startswith("InvalidAccessKeyId.NotFound"):
            return f"the AccessKey id{key} does not exist; check the AccessKey id you configured"
        if self.code.startswith("InvalidAccessKeyId.Inactive") or "Disabled" in self.code:
            return f"the AccessKey{key} is disabled; enable it in the RAM console or use another"
        if self.code == "SignatureDoesNotMatch":
            return (f"the AccessKey secret is wrong for AccessKey id{key}; "
                    "check the secret (or a proxy altered the request)")
        if self.code == "InvalidSecurityToken.Expired":
            return ("the STS security token expired; a fixed --security-token must be replaced "
                    "(--role-arn, a RamRoleArn profile, OIDC and the ECS role renew themselves)")
        if self.code.startswith("InvalidSecurityToken") or self.code == "MissingSecurityToken":
            return "the STS security token is missing, expired or not for this AccessKey; renew it"
        if self.code.startswith("AuthenticationFail.OIDCToken"):
            return ("the OIDC token was refused (expired, or its issuer or audience is not the "
                    "OIDC provider's); check ALIBABA_CLOUD_OIDC_TOKEN_FILE and the provider")
        if self.code.startswith("AuthenticationFail"):
            return ("the role does not trust this OIDC provider (or the token's subject); check "
                    "ALIBABA_CLOUD_ROLE_ARN and the role's trust policy")
        return "check the configured credentials"


class ClockSkewError(AlibabaError):
    """The request date was refused: the local clock is off by more than 15 minutes."""

    def hint(self) -> str:
        if self.code.endswith(".Format"):
            return "the request date was malformed; this is a client bug, please report it"
        return ("the local clock differs from Alibaba Cloud's by more than 15 minutes; "
                "sync it (NTP) and retry")


class PermissionDeniedError(AlibabaError):
    """The caller is authenticated but not allowed to perform the action."""

    @property
    def permission(self) -> str:
        """The RAM action to grant: AccessDeniedDetail.AuthAction, else ``ram:<Action>``."""
        auth = self.access_denied_detail.get("AuthAction")
        if isinstance(auth, str) and auth:
            return auth
        return f"{_STS_ACTIONS_PREFIX.get(self.service, self.service)}:{self.action}"

    def hint(self) -> str:
        who = self.access_denied_detail.get("AuthPrincipalDisplayName")
        target = f" to {who}" if isinstance(who, str) and who else " to the identity in use"
        if self.action == "AssumeRole":
            return (f"grant the RAM permission {self.permission}{target}, and check that the "
                    "role's trust policy names it (with the --external-id it requires)")
        return f"grant the RAM permission {self.permission}{target}"


class NotFoundError(AlibabaError):
    """The named entity does not exist (``EntityNotExist.*``; CloudSSO: ``EntityNotExists.*``)."""

    def hint(self) -> str:
        return "the named entity does not exist; check the name"


class AlreadyExistsError(AlibabaError):
    """The entity or relationship already exists (``EntityAlreadyExists.*``)."""

    def hint(self) -> str:
        return "it already exists; nothing to do"


class ConflictError(AlibabaError):
    """The change conflicts with the account state (``DeleteConflict.*``, ``LimitExceeded.*``)."""

    def hint(self) -> str:
        if self.code.startswith("LimitExceeded"):
            return "an account limit was reached; remove something or raise the quota"
        return "detach or delete what still depends on it first"


class ThrottlingError(AlibabaError):
    """The per-account quota of the action was exceeded; retried with backoff."""

    retryable = True

    def hint(self) -> str:
        return "requests were throttled; lower the request rate or retry later"


class ServerError(AlibabaError):
    """Alibaba Cloud failed on its side (5xx, ``InternalError``, ``ServiceUnavailable``)."""

    retryable = True

    def hint(self) -> str:
        return "Alibaba Cloud had a server-side error; retry later"


class TransportError(AlibabaError):
    """No usable answer: timeout, dropped connection, truncated or non-JSON body."""

    retryable = True

    def hint(self) -> str:
        return "the endpoint did not answer properly; check the network and the endpoint URL"


class PagingError(TransportError):
    """A listing that cannot be real: a repeated token, or more pages or bytes than any
    account holds. Not retried: asking again walks the same endless listing."""

    retryable = False

    def hint(self) -> str:
        return ("the endpoint does not end the listing as Alibaba Cloud does; check the "
                "endpoint URL and any proxy in between")


class NotAlibabaError(TransportError):
    """The endpoint answered, but not as Alibaba Cloud's API does (no RequestId, a web page, a
    JSON body of another API): a wrong endpoint URL or a proxy in the way."""

    def hint(self) -> str:
        return ("check --endpoint, or --ram-endpoint, --ims-endpoint, --sts-endpoint and "
                "--resource-manager-endpoint (and any proxy in between)")


_EXACT: dict[str, type[AlibabaError]] = {
    "SignatureDoesNotMatch": AuthenticationError,
    "IncompleteSignature": AuthenticationError,
    "MissingSecurityToken": AuthenticationError,
    "Forbidden.AccessKeyDisabled": AuthenticationError,
    "NoPermission": PermissionDeniedError,
    "Throttling": ThrottlingError,
    "InternalError": ServerError,
    "ServiceUnavailable": ServerError,
}
_PREFIX: tuple[tuple[str, type[AlibabaError]], ...] = (
    ("InvalidAccessKeyId.", AuthenticationError),
    ("InvalidSecurityToken.", AuthenticationError),
    ("AuthenticationFail", AuthenticationError),
    ("InvalidTimeStamp.", ClockSkewError),
    ("Throttling.", ThrottlingError),
    ("Rejected.Throttling", ThrottlingError),
    ("Forbidden", PermissionDeniedError),
    ("EntityNotExist.", NotFoundError),
    ("EntityNotExists.", NotFoundError),  # CloudSSO's spelling (EntityNotExists.User)
    ("EntityAlreadyExists.", AlreadyExistsError),
    ("DeleteConflict.", ConflictError),
    ("LimitExceeded.", ConflictError),
)


def error_class_for(code: str, http_status: int | None) -> type[AlibabaError]:
    """The class for a wire code; an unknown code falls back on the HTTP status (5xx → server)."""
    if code in _EXACT:
        return _EXACT[code]
    for prefix, cls in _PREFIX:
        if code.startswith(prefix):
            return cls
    if http_status is not None and http_status >= 500:
        return ServerError
    return AlibabaError


def error_from_body(
    body: Mapping[str, Any],
    *,
    service: str,
    action: str,
    http_status: int,
    request_id: str | None = None,
    access_key_id: str | None = None,
    retry_after: float | None = None,
) -> AlibabaError:
    """Build the error for an error answer (``Code``/``Message``/``RequestId``/``Recommend``)."""
    code = str(body.get("Code") or f"HTTP{http_status}")
    message = str(body.get("Message") or "no message")
    detail = body.get("AccessDeniedDetail") or body.get("accessDeniedDetail")
    cls = error_class_for(code, http_status)
    if retry_after is not None and cls is AlibabaError:
        cls = ThrottlingError  # the SDK treats x-acs-retry-after itself as throttling
    return cls(
        code,
        message,
        action=action,
        service=service,
        http_status=http_status,
        request_id=str(body.get("RequestId") or request_id or "") or None,
        recommend=str(body["Recommend"]) if body.get("Recommend") else None,
        access_denied_detail=detail if isinstance(detail, Mapping) else None,
        access_key_id=access_key_id,
        retry_after=retry_after,
    )
