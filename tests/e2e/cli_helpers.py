"""Run the installed console script against an emulator thread, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baton_alibaba_cloud.alibaba import AlibabaClient, Endpoints, StaticProvider
from baton_alibaba_cloud.emulator.server import EmulatorThread, RunningEmulator
from tests.cli import accounts

SCRIPT = Path(sys.executable).parent / "baton-alibaba-cloud"


@dataclass
class Result:
    """What a run left: status, output streams."""

    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        """The failure lines: stderr lines that are not JSON, and the ``msg`` of the final
        JSON record of a JSON run (the one with an ``exit_code``)."""
        lines = []
        for ln in self.stderr.splitlines():
            if ln.startswith("{"):
                record = json.loads(ln)
                if "exit_code" in record:
                    lines.append(record["msg"])
            elif ln:
                lines.append(ln)
        return lines

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every stderr line as a JSON log record (fails on a line that is not JSON)."""
        return [json.loads(ln) for ln in self.stderr.splitlines() if ln]


def clean_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment without any BATON_/ALIBABA_CLOUD_ setting, HOME at ``home`` and
    the ECS metadata step off (it would wait on 100.100.100.200)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BATON_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.update({"HOME": str(home), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
                "COLUMNS": "200"})
    env.update(extra or {})
    return env


def run_cli(args: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 60) -> Result:
    """Run ``baton-alibaba-cloud args`` and collect its exit status and output."""
    proc = subprocess.run([str(SCRIPT), *args], cwd=cwd, env=dict(env), capture_output=True,
                          text=True, timeout=timeout, check=False)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def endpoint_flags(emu: RunningEmulator) -> list[str]:
    """Point RAM, IMS and STS at the emulator."""
    return ["--endpoint", emu.url]


def key_flags(key: tuple[str, str]) -> list[str]:
    """An AccessKey pair as flags."""
    return ["--access-key-id", key[0], "--access-key-secret", key[1]]


@contextmanager
def emulator(account: Mapping[str, Any] | None = None, **kwargs: Any) -> Iterator[RunningEmulator]:
    """The emulator on a thread of the test process, on a free loopback port."""
    with EmulatorThread(dict(account) if account is not None else None, **kwargs) as emu:
        yield emu


async def sync_role_session(url: str, session_name: str) -> dict[str, Any]:
    """STS credentials (``AccessKeyId``, ``AccessKeySecret``, ``SecurityToken``…) of the
    ``tests.cli.accounts`` sync role, assumed by its deployer user on the emulator at ``url``."""
    async with AlibabaClient(StaticProvider(*accounts.DEPLOYER_KEY), Endpoints.single(url)) as c:
        answer = await c.call("sts", "AssumeRole", {"RoleArn": accounts.SYNC_ROLE_ARN,
                                                    "RoleSessionName": session_name})
    return dict(answer["Credentials"])
