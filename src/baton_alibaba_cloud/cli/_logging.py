"""Logging for the command line: JSON lines or console text, with secrets scrubbed.

Why a scrubbing formatter and not only careful call sites: the client logs each request at
debug level, errors may quote a server's answer, and a third-party library may log a URL. The
formatter replaces every registered secret value (the AccessKey secret, the STS token, an OIDC
token) and anything that looks like a signature or a token header, whatever logged it, so that
a debug log can be attached to a bug report as it is.

Why zap's names: baton connectors log through baton-sdk's zap production config, so a log
pipeline that reads baton logs expects ``level``, ``ts`` (epoch seconds), ``logger``, ``caller``,
``msg`` and then the fields, one JSON object per line, and a stack trace in ``stacktrace``. We
write the same, and the default format follows baton-sdk's rule (console when stdout is a
terminal, else json).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from baton_alibaba_cloud.baton.table import escape, json_safe
from baton_alibaba_cloud.connector.run import LOG_FIELDS

__all__ = [
    "ConsoleFormatter",
    "JsonFormatter",
    "Redactor",
    "debug_enabled",
    "error_line",
    "json_run",
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
_FORMAT: str | None = None
"""The format ``setup_logging`` chose, None before it ran."""


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


def _caller(record: logging.LogRecord) -> str:
    """zap's short caller: the file's directory and name, and the line."""
    path = Path(record.pathname)
    return f"{path.parent.name}/{path.name}:{record.lineno}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, as zap's production encoder writes it: ``level``, ``ts``,
    ``logger``, ``caller``, ``msg``, the structured fields, and ``stacktrace`` for an
    exception (a field, so that every line stays JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "level": record.levelname.lower().replace("warning", "warn"),
            "ts": record.created,
            "logger": record.name,
            "caller": _caller(record),
            "msg": record.getMessage(),
        }
        doc.update(_fields(record))
        if record.exc_info:
            doc["stacktrace"] = self.formatException(record.exc_info)
        return _REDACTOR.scrub(json_safe(json.dumps(doc, default=str, ensure_ascii=False)))


class ConsoleFormatter(logging.Formatter):
    """``12:00:01 INFO  message key=value ...`` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        level = record.levelname.replace("WARNING", "WARN")
        extras = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        # API data (a user's display name) may hold ESC or NUL: shown, never obeyed
        line = escape(f"{stamp} {level:<5} {record.getMessage()}" + (f"  {extras}" if extras
                                                                      else ""))
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

    ``fmt`` None picks console when stdout is a terminal and json otherwise, as baton-sdk does.
    """
    global _DEBUG, _FORMAT
    out: Any = stream if stream is not None else _CurrentStderr()
    _REDACTOR.add(secrets)
    _DEBUG = level.lower() == "debug"
    if fmt is None:
        fmt = _default_format()
    _FORMAT = fmt
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


def _default_format() -> str:
    """baton-sdk's default: console when stdout is a terminal, else json."""
    return "console" if sys.stdout.isatty() else "json"


def json_run(argv: Sequence[str]) -> bool:
    """Whether this run logs JSON: the format logging was set up with, else the one the
    arguments or ``BATON_LOG_FORMAT`` ask for (a failure can come before the set-up), else the
    default."""
    if _FORMAT is not None:
        return _FORMAT == "json"
    fmt = os.environ.get("BATON_LOG_FORMAT") or None
    for i, arg in enumerate(argv):
        if arg == "--log-format" and i + 1 < len(argv):
            fmt = argv[i + 1]
        elif arg.startswith("--log-format="):
            fmt = arg.partition("=")[2]
    return (fmt or _default_format()) == "json"


def error_line(line: str, exit_code: int, exc: BaseException | None = None) -> str:
    """The final failure of a JSON run as one log record: ``msg`` is the line a person would
    read, ``exit_code`` the status, ``caller`` where the failure was raised and, at debug,
    ``stacktrace`` the traceback."""
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc is not None else []
    path, lineno = (where[0].filename, where[0].lineno or 0) if where else (__file__, 0)
    record = logging.LogRecord("baton_alibaba_cloud.cli", logging.ERROR, path, lineno, line,
                               None, (type(exc), exc, exc.__traceback__)
                               if exc is not None and _DEBUG else None)
    record.exit_code = exit_code
    return JsonFormatter().format(record)
