"""Logging for the command line: JSON lines or console text, with secrets scrubbed.

Why a scrubbing formatter and not only careful call sites: the client logs each request at
debug level, errors may quote a server's answer, and a third-party library may log a URL. The
formatter replaces every registered secret value (the AccessKey secret, the STS token, an OIDC
token) and anything that looks like a signature or a token header, whatever logged it, so that
a debug log can be attached to a bug report as it is.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from baton_alibaba_cloud.connector.run import LOG_FIELDS

__all__ = [
    "ConsoleFormatter",
    "JsonFormatter",
    "Redactor",
    "debug_enabled",
    "redactor",
    "setup_logging",
]

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
          "error": logging.ERROR}
MASK = "***"
_PATTERNS = (
    re.compile(r"(Signature=)[0-9A-Fa-f]+"),
    re.compile(r"((?:x-acs-security-token|SecurityToken|AccessKeySecret)[\"']?\s*[:=]\s*[\"']?)"
               r"[^\s\"',}]+", re.IGNORECASE),
)
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


class Redactor:
    """Replaces registered secret values and secret-looking patterns in text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, values: Iterable[str | None]) -> None:
        """Register values to hide; short ones are ignored so that "a" does not mask the log."""
        self._secrets.update(v for v in values if v and len(v) >= 4)

    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text


_REDACTOR = Redactor()
_DEBUG = False


def redactor() -> Redactor:
    """The process-wide redactor the handlers use (the CLI registers secrets on it)."""
    return _REDACTOR


def debug_enabled() -> bool:
    """True when ``--log-level debug`` was chosen: failures then print a traceback too."""
    return _DEBUG


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """The run's fields (``sync_id``), then the record's own ``extra=`` fields."""
    own = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
    return {**LOG_FIELDS.get(), **own}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower().replace("warning", "warn"),
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update(_fields(record))
        if record.exc_info:
            doc["traceback"] = self.formatException(record.exc_info)
        return _REDACTOR.scrub(json.dumps(doc, default=str, ensure_ascii=False))


class ConsoleFormatter(logging.Formatter):
    """``12:00:01 INFO  message key=value ...`` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        level = record.levelname.replace("WARNING", "WARN")
        extras = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        line = f"{stamp} {level:<5} {record.getMessage()}" + (f"  {extras}" if extras else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return _REDACTOR.scrub(line)


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a record is written, not when logging was set up: the
    live display replaces it while it runs, so that log lines appear above the display instead
    of being drawn over it."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def setup_logging(level: str, fmt: str | None, secrets: Iterable[str | None] = (),
                  stream: TextIO | None = None) -> None:
    """Route every ``baton_alibaba_cloud`` logger (and warnings) to ``stream`` (stderr).

    ``fmt`` None picks console on a terminal and json otherwise, as baton connectors do.
    """
    global _DEBUG
    out: Any = stream if stream is not None else _CurrentStderr()
    _REDACTOR.add(secrets)
    _DEBUG = level.lower() == "debug"
    if fmt is None:
        fmt = "console" if out.isatty() else "json"
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if fmt == "json" else ConsoleFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_baton_cli", False):
            root.removeHandler(old)
    handler._baton_cli = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(LEVELS[level.lower()])
    # Third-party libraries stay quiet unless debugging.
    logging.getLogger("aiohttp").setLevel(logging.DEBUG if _DEBUG else logging.WARNING)
    logging.getLogger("asyncio").setLevel(logging.INFO if _DEBUG else logging.WARNING)
    logging.captureWarnings(True)
