"""A sync stopped by SIGTERM (a scheduler, ``docker stop``, Kubernetes) or Ctrl-C: one line,
the previous --file byte for byte, and no working copy or temp file left behind."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from baton_alibaba_cloud.emulator.accounts.generator import generate, parse_spec
from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
from tests.e2e.cli_helpers import SCRIPT, clean_env, emulator, endpoint_flags, key_flags, run_cli

# ``trap '' INT`` then ``exec``: the script starts with SIGINT ignored, as a background job of a
# non-interactive shell does.
IGNORING_SIGINT = ["sh", "-c", 'trap "" INT; exec "$0" "$@"']


def _wait_for_workdir(tmpdir: Path, proc: subprocess.Popen[str]) -> None:
    """Until the sync has opened its working copy (so the signal lands mid-sync)."""
    deadline = time.monotonic() + 30
    while not list(tmpdir.glob("baton-c1z-*")):
        assert proc.poll() is None, "the sync ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.2)


def _stop_a_second_sync(tmp_path: Path, tmpdir: Path, signum: int,
                        prefix: list[str]) -> tuple[subprocess.Popen[str], str, bytes]:
    """Sync once, start a second sync (slow answers keep it running), send ``signum`` to it;
    returns the stopped process, its stderr and the file as the first sync left it."""
    env = clean_env(tmp_path, {"TMPDIR": str(tmpdir)})
    slow = EmulatorOptions(faults=FaultOptions(latency_rate=1.0, latency_ms=(20, 20)))
    account = generate(parse_spec("users=40,groups=4,roles=4,memberships=40,seed=1"))
    with emulator(account, options=slow) as emu:
        args = [*endpoint_flags(emu), *key_flags((emu.access_key_id, emu.access_key_secret))]
        first = run_cli(args, tmp_path, env)
        assert first.code == 0, first.stderr
        before = (tmp_path / "sync.c1z").read_bytes()
        proc = subprocess.Popen([*prefix, str(SCRIPT), *args], cwd=tmp_path, env=env,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _wait_for_workdir(tmpdir, proc)
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
    return proc, stderr, before


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["sigterm", "sigint"])
def test_a_stopped_sync_cleans_up_and_keeps_the_previous_file(
    tmp_path: Path, signum: int, status: int
) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc, stderr, before = _stop_a_second_sync(tmp_path, tmpdir, signum, [])
    assert proc.returncode == status, stderr
    *_, last = [json.loads(ln) for ln in stderr.splitlines() if ln]  # all JSON, the last too
    assert (last["level"], last["msg"], last["exit_code"]) == (
        "error", "Interrupted; the previous --file was left as it was.", status)
    assert (tmp_path / "sync.c1z").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sync.c1z", "tmp"]
    assert list(tmpdir.iterdir()) == []


def test_sigterm_still_stops_a_sync_that_ignores_sigint(tmp_path: Path) -> None:
    """With SIGINT ignored there is no Ctrl-C handling to borrow; SIGTERM must still end the
    sync (as Python's default would), and the previous --file stays."""
    proc, stderr, before = _stop_a_second_sync(tmp_path, tmp_path, signal.SIGTERM,
                                               IGNORING_SIGINT)
    assert proc.returncode == -signal.SIGTERM, stderr
    assert (tmp_path / "sync.c1z").read_bytes() == before
