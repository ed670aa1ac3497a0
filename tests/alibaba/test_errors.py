"""Error classes chosen by the wire code, and their one-line messages."""

from __future__ import annotations

import pytest

from baton_alibaba_cloud.alibaba import (
    AlibabaError,
    AlreadyExistsError,
    AuthenticationError,
    ClockSkewError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ThrottlingError,
)
from baton_alibaba_cloud.alibaba._errors import error_class_for, error_from_body


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("InvalidAccessKeyId.NotFound", 404, AuthenticationError),
        ("InvalidAccessKeyId.Inactive", 400, AuthenticationError),
        ("SignatureDoesNotMatch", 400, AuthenticationError),
        ("IncompleteSignature", 400, AuthenticationError),
        ("InvalidSecurityToken.Expired", 400, AuthenticationError),
        ("MissingSecurityToken", 400, AuthenticationError),
        ("InvalidTimeStamp.Expired", 400, ClockSkewError),
        ("NoPermission", 403, PermissionDeniedError),
        ("Forbidden.RAM", 403, PermissionDeniedError),
        ("EntityNotExist.Role", 403, NotFoundError),
        ("EntityAlreadyExists.User.Group", 409, AlreadyExistsError),
        ("DeleteConflict.Group.User", 409, ConflictError),
        ("LimitExceeded.User.Group", 409, ConflictError),
        ("Throttling", 400, ThrottlingError),
        ("Throttling.User", 400, ThrottlingError),
        ("InternalError", 500, ServerError),
        ("ServiceUnavailable", 503, ServerError),
        ("SomethingOdd", 502, ServerError),
        ("InvalidParameter", 400, AlibabaError),
    ],
)
def test_class_by_code(code: str, status: int, cls: type[AlibabaError]) -> None:
    assert error_class_for(code, status) is cls
    assert cls.retryable == (cls in (ThrottlingError, ServerError))


def test_permission_uses_auth_action_and_principal() -> None:
    error = error_from_body(
        {"Code": "NoPermission", "Message": "denied\nsecond line", "RequestId": "R",
         "AccessDeniedDetail": {"AuthAction": "ram:ListPoliciesForUser",
                                "AuthPrincipalDisplayName": "sync-bot"}},
        service="ram", action="ListPoliciesForUser", http_status=403,
    )
    assert isinstance(error, PermissionDeniedError)
    assert error.permission == "ram:ListPoliciesForUser"
    assert str(error) == (
        "RAM ListPoliciesForUser failed: NoPermission: denied second line (HTTP 403, request id R)"
        " — grant the RAM permission ram:ListPoliciesForUser to sync-bot"
    )
    assert "\n" not in str(error)


def test_sts_permission_and_missing_fields() -> None:
    error = error_from_body({}, service="sts", action="AssumeRole", http_status=403,
                            request_id="hdr")
    assert error.code == "HTTP403" and error.request_id == "hdr"
    sts = PermissionDeniedError("NoPermission", "x", service="sts", action="AssumeRole")
    assert sts.permission == "sts:AssumeRole"


def test_retry_after_without_a_known_code_is_throttling() -> None:
    error = error_from_body({"Code": "Flow"}, service="ram", action="ListUsers", http_status=400,
                            retry_after=1.0)
    assert isinstance(error, ThrottlingError) and error.retry_after == 1.0


def test_messages_for_keys_and_tokens() -> None:
    token = AuthenticationError("InvalidSecurityToken.Expired", "expired", service="ram",
                                action="ListUsers", http_status=400)
    assert "STS security token" in str(token)
    inactive = AuthenticationError("InvalidAccessKeyId.Inactive", "disabled", service="ram",
                                   action="ListUsers", access_key_id="LTAI1")
    assert "AccessKey LTAI1 is disabled" in str(inactive)
    assert repr(inactive) == (
        "AuthenticationError('InvalidAccessKeyId.Inactive', action='ListUsers')"
    )
