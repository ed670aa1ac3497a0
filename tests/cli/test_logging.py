"""Log formats, structured fields, levels and the scrubbing of secrets."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Iterator

import pytest

from baton_alibaba_cloud.cli._logging import Redactor, setup_logging


@pytest.fixture(autouse=True)
def _restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_time_level_message_and_fields() -> None:
    out = io.StringIO()
    setup_logging("info", "json", stream=out)
    logging.getLogger("baton_alibaba_cloud.alibaba").info(
        "request", extra={"sync_id": "2abc", "service": "ram", "action": "ListUsers",
                          "request_id": "R-1", "attempt": 2, "duration": 0.25})
    logging.getLogger("baton_alibaba_cloud.alibaba").debug("hidden at info")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    assert list(doc)[:5] == ["level", "ts", "logger", "caller", "msg"]  # zap's production order
    assert doc["level"] == "info" and doc["msg"] == "request"
    assert isinstance(doc["ts"], float) and abs(doc["ts"] - time.time()) < 60  # epoch seconds
    assert doc["logger"] == "baton_alibaba_cloud.alibaba"
    assert doc["caller"].startswith("cli/test_logging.py:")
    assert {k: doc[k] for k in ("sync_id", "service", "action", "request_id", "attempt",
                                "duration")} == {"sync_id": "2abc", "service": "ram",
                                                 "action": "ListUsers", "request_id": "R-1",
                                                 "attempt": 2, "duration": 0.25}


def test_console_format_is_one_readable_line() -> None:
    out = io.StringIO()
    setup_logging("warn", "console", stream=out)
    log = logging.getLogger("baton_alibaba_cloud.connector")
    log.info("not shown")
    log.warning("role trust not parsed", extra={"role": "admin"})
    (line,) = out.getvalue().splitlines()
    assert "WARN" in line and "role trust not parsed" in line and "role=admin" in line


def test_format_defaults_to_json_when_not_a_terminal() -> None:
    out = io.StringIO()
    setup_logging("info", None, stream=out)
    logging.getLogger("baton_alibaba_cloud").info("x")
    assert json.loads(out.getvalue())["msg"] == "x"


def test_registered_secrets_and_signatures_are_scrubbed_everywhere() -> None:
    out = io.StringIO()
    setup_logging("debug", "json", secrets=["SECRETabc123", "TOKENxyz789", None], stream=out)
    log = logging.getLogger("baton_alibaba_cloud.alibaba")
    log.debug("headers", extra={"authorization": "ACS3-HMAC-SHA256 Credential=LTAI1,"
                                "SignedHeaders=host,Signature=0a1b2c3d4e5f",
                                "x-acs-security-token": "TOKENxyz789"})
    log.debug("secret in message SECRETabc123")
    try:
        raise ValueError("boom TOKENxyz789")
    except ValueError:
        log.exception("failed")
    text = out.getvalue()
    assert "SECRETabc123" not in text and "TOKENxyz789" not in text
    assert "0a1b2c3d4e5f" not in text and "Signature=***" in text
    assert "LTAI1" in text  # the AccessKey id is not a secret


def test_redactor_patterns() -> None:
    r = Redactor()
    assert r.scrub('{"SecurityToken": "CAIS-long-token"}') == '{"SecurityToken": "***"}'
    assert r.scrub("x-acs-security-token: abc") == "x-acs-security-token: ***"
    r.add(["ab"])  # too short to mask safely
    assert r.scrub("abc") == "abc"


def test_records_go_to_the_stderr_of_the_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live display swaps sys.stderr while it runs; log lines must go through it."""
    setup_logging("info", "console")
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    logging.getLogger("baton_alibaba_cloud.test").info("through the display")
    assert "through the display" in later.getvalue()
