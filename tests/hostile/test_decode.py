"""What an answer is taken for, before any page is used: Alibaba's answer, Alibaba's error, a
transient gateway failure, or some other server (named, with its URL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from baton_alibaba_cloud.alibaba import ServerError, ThrottlingError, TransportError
from baton_alibaba_cloud.alibaba._errors import NotAlibabaError, PermissionDeniedError
from baton_alibaba_cloud.alibaba._transport import NONSENSE_ATTEMPTS, Answer, decode

ORIGIN = "http://127.0.0.1:9"


def answer(status: int, body: bytes | dict[str, Any], content_type: str = "application/json",
           **headers: str) -> Answer:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    return Answer(status, raw, CIMultiDictProxy(CIMultiDict(
        {"Content-Type": content_type, **headers})))


def decoded(ans: Answer, action: str = "ListUsers") -> dict[str, Any]:
    return decode("ims", action, ans, ORIGIN, access_key_id="LTAIx")


def test_an_alibaba_page_is_returned_as_is() -> None:
    body = {"RequestId": "r", "IsTruncated": False, "Users": {"User": []}}
    assert decoded(answer(200, body)) == body


@pytest.mark.parametrize(("ans", "described"), [
    (answer(200, {"hello": "world"}), "a JSON body of another API"),
    (answer(404, {"error": "not found"}), "a JSON body of another API"),
    (answer(501, b"<html>Unsupported method</html>", "text/html"), "a body (text/html, 31 bytes)"),
    (answer(200, b"<html>welcome</html>", "text/html"), "a body (text/html"),
    (answer(200, b"", "text/plain"), "an empty body (text/plain)"),
])
def test_another_server_is_named_with_its_url(ans: Answer, described: str) -> None:
    with pytest.raises(NotAlibabaError) as caught:
        decoded(ans)
    line = str(caught.value)
    assert caught.value.code == "NotAlibabaAPI" and ORIGIN in line and described in line
    assert "not Alibaba Cloud's API" in line and "server-side error" not in line
    assert caught.value.max_attempts == NONSENSE_ATTEMPTS


def test_a_gateway_failure_without_request_id_is_a_server_error() -> None:
    with pytest.raises(ServerError):
        decoded(answer(502, b"<html>bad gateway</html>", "text/html"))
    with pytest.raises(ThrottlingError):
        decoded(answer(503, b"busy", "text/plain", **{"x-acs-retry-after": "500"}))


def test_an_error_body_with_status_200_is_a_retried_error() -> None:
    body = {"RequestId": "r", "Code": "NoPermission", "Message": "You are not authorized"}
    with pytest.raises(TransportError) as caught:
        decoded(answer(200, body))
    assert caught.value.code == "InvalidResponse" and caught.value.retryable
    assert "HTTP 200 carrying the error NoPermission: You are not authorized" in str(caught.value)
    with pytest.raises(PermissionDeniedError):  # the same body with its real status
        decoded(answer(403, body))


def test_an_answer_too_deep_to_parse_is_invalid_not_a_crash() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(TransportError) as caught:
        decoded(answer(200, deep, **{"x-acs-request-id": "r"}))
    assert caught.value.code == "InvalidResponse"
