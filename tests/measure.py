"""Run a command and measure its *own* peak memory and CPU time.

Why a launcher: Linux carries a process's peak RSS across ``exec`` (``ru_maxrss`` of a child
forked from pytest starts at pytest's own peak, which grows as the suite runs), so a child
started straight from pytest reports the test process's memory, not its own. The command is
forked from a small Python launcher instead, which waits for it with ``os.wait4`` and writes
that child's rusage to a file. The launcher leads its own process group, so ``kill`` stops
the command too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["MeasuredProcess", "Usage", "start_measured"]

_LAUNCHER = """\
import json, os, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    json.dump({"maxrss_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, out)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass(frozen=True)
class Usage:
    """What the measured command used: peak RSS in MB and CPU seconds (user + system)."""

    peak_mb: float
    cpu_seconds: float


class MeasuredProcess:
    """A command running under the launcher; ``usage()`` once it has ended."""

    def __init__(self, proc: subprocess.Popen[str], report: Path) -> None:
        self.proc = proc
        self._report = report

    def kill(self) -> None:
        """Kill the launcher and the command (one process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def usage(self) -> Usage | None:
        """The command's usage, or ``None`` when the launcher was killed before it wrote it."""
        try:
            data = json.loads(self._report.read_text())
        except (OSError, ValueError):
            return None
        return Usage(data["maxrss_kb"] / 1024, float(data["cpu"]))


def start_measured(argv: list[str], cwd: Path, env: dict[str, str] | None,
                   stdout: IO[str] | IO[bytes] | int | None,
                   stderr: IO[str] | IO[bytes] | int | None,
                   report: Path) -> MeasuredProcess:
    """Start ``argv`` (an executable path first) forked from the launcher; its usage goes to
    ``report`` when it ends."""
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(report), *argv], cwd=cwd,
                            env=env, stdout=stdout, stderr=stderr, text=True,
                            start_new_session=True)
    return MeasuredProcess(proc, report)
