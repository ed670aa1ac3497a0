"""The ``baton-alibaba-cloud`` command group and ``main``: exit statuses and the error line.

Why ``main`` catches everything itself: click's standalone mode prints a traceback for any
exception it does not know. A connector run by a scheduler must instead end with one line that
says what happened and what to do, and an exit status a script can branch on (docs/model.md §1).
"""

from __future__ import annotations

import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from types import FrameType
from typing import Any, NoReturn

import click

from baton_alibaba_cloud import __version__
from baton_alibaba_cloud.baton.table import escape
from baton_alibaba_cloud.cli import _emulator, _inspect, _meta, _review, _run, _serve, _validate
from baton_alibaba_cloud.cli._errors import describe
from baton_alibaba_cloud.cli._logging import debug_enabled, error_line, json_run, redactor
from baton_alibaba_cloud.cli._options import GROUPS, field_options

__all__ = ["cli", "main"]

PROG = "baton-alibaba-cloud"


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@field_options(GROUPS["all"])
@click.version_option(__version__, "-v", "--version", prog_name=PROG)
@click.pass_context
def cli(ctx: click.Context, /, **_: Any) -> None:
    """Sync an Alibaba Cloud account's RAM users, groups, roles, policies, role trust and
    AccessKeys into a baton c1z file.

    With no subcommand, sync into --file (or, with --grant-entitlement or --revoke-grant,
    change one grant). Every flag --foo-bar can also be set with the environment variable
    BATON_FOO_BAR.
    """
    if ctx.invoked_subcommand is None:
        _run.run_root(ctx)


for command in (
    _emulator.demo,
    _emulator.emulator,
    _inspect.inspect,
    _review.report_command,
    _validate.validate,
    _serve.serve_command,
    _meta.capabilities,
    _meta.config,
    _meta.permissions,
):
    cli.add_command(command)


_received: list[int] = []
"""The stopping signals received, for the exit status."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (a scheduler, ``docker stop``, Kubernetes) is handled as Ctrl-C is: asyncio
    cancels the sync, which aborts and removes its working copy and temp file, and the previous
    --file stays. Python's default would end the process on the spot and leave them behind.

    A process that ignores SIGINT (a background job of a non-interactive shell) has no Ctrl-C
    handling to borrow: there SIGTERM ends it as Python's default would (the previous --file
    is safe all the same, only the temp files remain)."""
    if not callable(signal.getsignal(signal.SIGINT)):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)
        return
    _received.append(signum)
    signal.raise_signal(signal.SIGINT)


def _interrupted(args: Sequence[str]) -> NoReturn:
    """One line, and 128 + the signal's number as shells report it (130 Ctrl-C, 143 SIGTERM)."""
    code = 128 + (signal.SIGTERM if signal.SIGTERM in _received else signal.SIGINT)
    _fail(args, "Interrupted; the previous --file was left as it was.", code)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line and exit: 0 ok, 1 the work failed, 2 bad usage or configuration."""
    _received.clear()
    args = list(argv) if argv is not None else sys.argv[1:]
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):  # click makes Ctrl-C an Abort
        _interrupted(args)
    except click.UsageError as exc:
        if not json_run(args):
            exc.show()
            sys.exit(exc.exit_code)
        _fail(args, f"Error: {exc.format_message()}", exc.exit_code)
    except Exception as exc:
        code, line = describe(exc)
        _fail(args, f"Error: {line}", code, exc)
    sys.exit(0)


def _fail(args: Sequence[str], line: str, code: int, exc: BaseException | None = None) -> NoReturn:
    """End with the failure line: in a JSON run one JSON log record (the traceback in its
    ``stacktrace`` field at debug), else the text line (after the traceback at debug)."""
    if json_run(args):
        click.echo(error_line(line, code, exc), err=True)
    else:
        if exc is not None and debug_enabled():
            click.echo(_scrub("".join(traceback.format_exception(exc))).rstrip(), err=True)
        click.echo(_scrub(escape(line)), err=True)  # API data in it: shown, never obeyed
    sys.exit(code)


def _scrub(text: str) -> str:
    return redactor().scrub(text)
