"""A --file that cannot be written is found before the sync starts, not after an hour of API
calls: exit 1, one line naming the directory (not our temp file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton_alibaba_cloud.baton.c1z import C1zWriter
from tests.cli import accounts
from tests.e2e.cli_helpers import clean_env, emulator, endpoint_flags, key_flags, run_cli


def test_writer_refuses_a_missing_directory_at_open(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        C1zWriter.open(tmp_path / "missing" / "sync.c1z")
    assert caught.value.filename == str(tmp_path / "missing")
    assert list(tmp_path.iterdir()) == []


def test_sync_into_a_missing_directory_fails_before_listing(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "sync.c1z"
    with emulator(accounts.account()) as emu:
        result = run_cli([*endpoint_flags(emu), *key_flags(accounts.ROOT_KEY), "-f", str(target)],
                         tmp_path, clean_env(tmp_path))
        listed = emu.request_log.count("ListUsers")
    assert result.code == 1, result.stderr
    assert result.error_lines == [
        f"Error: cannot use {target.parent}: No such file or directory; check the path"]
    assert listed == 0
