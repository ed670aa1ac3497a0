"""Turn an exception into an exit status and one line a person can act on.

Why here: the library raises precise exceptions (the Alibaba errors carry the wire code and an
actionable ``str()``); the command line only decides the exit status (1 = the work failed,
2 = bad usage or configuration) and prints that one line, never a traceback unless debugging.
"""

from __future__ import annotations

import errno

import click

from baton_alibaba_cloud.alibaba import AlibabaError
from baton_alibaba_cloud.baton.c1z.format import C1zFormatError
from baton_alibaba_cloud.connector.file_account import AccountMismatchError
from baton_alibaba_cloud.connector.provisioning import ProvisioningError
from baton_alibaba_cloud.emulator.accounts.schema import AccountFileError

__all__ = ["DESIGNED", "ConfigurationError", "WorkFailed", "describe"]


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
        hint = "; check the path"
    return f"cannot use{where}: {reason}{hint}"


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit status and the single line to print for a failure."""
    if isinstance(exc, BaseExceptionGroup):
        return describe(_root_cause(exc))
    if isinstance(exc, click.ClickException):
        return exc.exit_code, exc.format_message()
    if isinstance(exc, DESIGNED):
        return 1, _first_line(str(exc))
    if isinstance(exc, OSError):
        return 1, _os_error(exc)
    text = _first_line(str(exc)) or "an internal error without a message"
    return 1, f"unexpected failure: {text} (re-run with --log-level debug for details)"


DESIGNED: tuple[type[BaseException], ...] = (
    AlibabaError, ProvisioningError, C1zFormatError, AccountFileError, AccountMismatchError)
"""Errors whose ``str()`` is already the one actionable line (what happened, what to do)."""


def _root_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The failure a task group stands for: the first designed error, else the first leaf.

    The sync runs its builders in a ``TaskGroup``; when one fails the group wraps the error,
    and the person wants the API's error line, not "unhandled errors in a TaskGroup".
    """
    leaves: list[BaseException] = []
    stack: list[BaseException] = [group]
    while stack:
        current = stack.pop(0)
        if isinstance(current, BaseExceptionGroup):
            stack[:0] = list(current.exceptions)
        else:
            leaves.append(current)
    designed = [e for e in leaves if isinstance(e, DESIGNED)]
    return (designed or leaves or [group])[0]


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
