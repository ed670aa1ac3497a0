"""Turn an exception into an exit status and one line a person can act on.

Why here: the library raises precise exceptions (the Alibaba errors carry the wire code and an
actionable ``str()``); the command line only decides the exit status (1 = the work failed,
2 = bad usage or configuration) and prints that one line, never a traceback unless debugging.
"""

from __future__ import annotations

import errno

import click

__all__ = ["ConfigurationError", "WorkFailed", "describe"]


class ConfigurationError(click.UsageError):
    """The configuration cannot work (exit 2): a bad endpoint, a missing credential source."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class WorkFailed(click.ClickException):
    """The work was done and found wanting (exit 1): e.g. ``validate`` found missing actions."""

    exit_code = 1


def _os_error(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    hint = ""
    if exc.errno in (errno.EACCES, errno.EPERM):
        hint = "; check the file's permissions or choose another --file"
    elif exc.errno == errno.ENOSPC:
        hint = "; free some disk space"
    elif exc.errno == errno.ENOENT:
        hint = "; check the path (run a sync first to create the file)"
    return f"cannot use{where}: {reason}{hint}"


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit status and the single line to print for a failure."""
    if isinstance(exc, click.ClickException):
        return exc.exit_code, exc.format_message()
    if _is_config_error(exc):
        return 2, str(exc)
    if isinstance(exc, OSError) and not _is_network_error(exc):
        return 1, _os_error(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if _is_library_error(exc):
        return 1, text
    return 1, f"{type(exc).__name__}: {text} (re-run with --log-level debug for details)"


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _is_config_error(exc: BaseException) -> bool:
    # The connector's and the client's configuration errors are ValueErrors named so.
    return bool(_names(exc) & {"ConfigError", "ConfigurationError", "EndpointError"})


def _is_library_error(exc: BaseException) -> bool:
    # Their str() is a designed one-liner (what happened, what to do): print it as it is.
    return bool(_names(exc) & {"AlibabaError", "C1zError", "CredentialsError", "SyncError",
                               "ProvisioningError", "EmulatorError"})


def _is_network_error(exc: OSError) -> bool:
    return bool(_names(exc) & {"ClientError", "ClientConnectorError", "TimeoutError"})
