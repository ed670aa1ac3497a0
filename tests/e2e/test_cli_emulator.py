"""The ``emulator`` subcommand: one JSON line when ready, serves the connector, Ctrl-C exits."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from tests.e2e.cli_helpers import SCRIPT, clean_env, run_cli


def _serve(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([str(SCRIPT), "emulator", "--port", "0", *args], cwd=tmp_path,
                            env=clean_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, json.loads(line)


def test_emulator_prints_its_url_and_key_serves_a_sync_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    proc, ready = _serve(tmp_path, "--synthetic", "users=100,groups=5,roles=3")
    try:
        assert set(ready) == {"url", "access_key_id", "access_key_secret"}
        assert ready["url"].startswith("http://127.0.0.1:")
        url = ready["url"]
        result = run_cli(["--ram-endpoint", url, "--ims-endpoint", url, "--sts-endpoint", url,
                          "--access-key-id", ready["access_key_id"],
                          "--access-key-secret", ready["access_key_secret"]],
                         tmp_path, clean_env(tmp_path))
        assert result.code == 0, result.stderr[-2000:]
        assert '"resources": 3' not in result.stderr  # the synthetic account, not empty
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_emulator_refuses_a_bad_synthetic_spec_with_exit_2(tmp_path: Path) -> None:
    result = run_cli(["emulator", "--synthetic", "users=lots"], tmp_path, clean_env(tmp_path))
    assert result.code == 2 and "users" in result.stderr and "Traceback" not in result.stderr
