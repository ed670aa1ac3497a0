"""The Go programs of ``cmd/`` for the tests: built once (cached) by scripts/go_tools.sh.

Without ``go`` the tests that need it are skipped with one line, except under ``CI=true``,
where a missing toolchain is a failure (the check would otherwise pass without running)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 1800
"""A first build compiles baton-sdk and its dependencies: minutes on a busy 2-core machine."""


def go_tool(name: str) -> Path:
    """The path of a built Go program (``connector``), building it if needed."""
    if shutil.which("go") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("go is not installed, and CI=true requires the baton-sdk tests to run")
        pytest.skip("go is not installed: the baton-sdk tests need the Go toolchain")
    built = subprocess.run(["bash", str(ROOT / "scripts" / "go_tools.sh"), name],
                           capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    if built.returncode != 0:
        pytest.fail(f"scripts/go_tools.sh {name} failed:\n{built.stderr[-3000:]}")
    return Path(built.stdout.strip().splitlines()[-1])
