"""The output path (issue 13 point 7), through the console script against the emulator: the
lock, the checks before any API call, symlinks, non-regular files, leftovers of killed runs,
and a sync into a crafted file that must produce exactly the fresh data."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton_alibaba_cloud.baton.c1z import C1zReader
from baton_alibaba_cloud.baton.c1z.format import compress_db, decompress_c1z
from baton_alibaba_cloud.emulator.accounts.generator import generate, parse_spec
from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
from baton_alibaba_cloud.emulator.server import RunningEmulator
from tests.e2e.cli_helpers import (
    SCRIPT,
    Result,
    clean_env,
    emulator,
    endpoint_flags,
    key_flags,
    run_cli,
)

ACCOUNT = "users=30,groups=3,roles=3,memberships=30,seed=7"


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with emulator(generate(parse_spec(ACCOUNT))) as running:
        yield running


def _flags(emu: RunningEmulator) -> list[str]:
    return [*endpoint_flags(emu), *key_flags((emu.access_key_id, emu.access_key_secret))]


def _errors(stderr: str) -> list[str]:
    return Result(1, "", stderr).error_lines


def _content(path: Path) -> tuple[set[str], set[str], set[str]]:
    """The latest sync's resource, entitlement and grant ids."""
    with C1zReader.open(path) as reader:
        return ({f"{r.id.resource_type}:{r.id.resource}" for r in reader.resources()},
                {e.id for e in reader.entitlements()}, {g.id for g in reader.grants()})


def test_two_syncs_on_one_file_the_second_fails_at_once(tmp_path: Path) -> None:
    slow = EmulatorOptions(faults=FaultOptions(latency_rate=1.0, latency_ms=(800, 800)))
    env = clean_env(tmp_path)
    with emulator(generate(parse_spec(ACCOUNT)), options=slow) as emu:
        first = subprocess.Popen([str(SCRIPT), *_flags(emu), "-f", "sync.c1z"], cwd=tmp_path,
                                 env=env, text=True, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        lock = tmp_path / ".sync.c1z.lock"
        deadline = time.monotonic() + 30
        while not (lock.exists() and lock.read_text().strip()):
            assert first.poll() is None and time.monotonic() < deadline, first.stderr
            time.sleep(0.02)
        started = time.monotonic()
        second = run_cli([*_flags(emu), "-f", "sync.c1z"], tmp_path, env)
        took = time.monotonic() - started
        assert first.poll() is None, "the first sync ended before the second was refused"
        _, first_err = first.communicate(timeout=120)
    assert second.code == 1, second.stderr
    assert _errors(second.stderr) == [
        f"Error: sync.c1z is being written by another sync (pid {first.pid}); wait for it to "
        "end or choose another --file"]
    assert took < 5 + _startup_seconds(), took
    assert first.returncode == 0, first_err
    assert len(_content(tmp_path / "sync.c1z")[0]) > 30
    assert not lock.exists()


def _no_dac_override() -> list[str]:
    """Root writes anywhere; without CAP_DAC_OVERRIDE it obeys the directory's mode."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only directory is writable")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]


def test_a_read_only_directory_is_reported_before_any_request(
    tmp_path: Path, emu: RunningEmulator
) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    emu.request_log.reset()
    started = time.monotonic()
    proc = subprocess.run([*_no_dac_override(), str(SCRIPT), *_flags(emu), "-f",
                           str(out / "sync.c1z")], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=60, check=False)
    took = time.monotonic() - started
    out.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    assert _errors(proc.stderr) == [
        f"Error: cannot use {out}/.sync.c1z.lock: Permission denied; check the file's "
        "permissions or choose another --file"]
    assert took < 5 + _startup_seconds(), took
    assert emu.request_log.total == 0
    assert list(out.iterdir()) == []


def _startup_seconds() -> float:
    """How long the console script takes to start and print its version on this machine
    (a loaded CI box takes seconds); the checks themselves must fit in the 2 s on top."""
    started = time.monotonic()
    subprocess.run([str(SCRIPT), "--version"], capture_output=True, check=True, timeout=60)
    return time.monotonic() - started


def test_a_symlinked_file_is_written_through_and_the_link_stays(
    tmp_path: Path, emu: RunningEmulator
) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    link = tmp_path / "link.c1z"
    link.symlink_to(real_dir / "sync.c1z")
    result = run_cli([*_flags(emu), "-f", str(link)], tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real_dir / "sync.c1z")
    assert stat.S_IMODE((real_dir / "sync.c1z").stat().st_mode) == 0o600
    assert len(_content(link)[0]) > 30
    assert sorted(p.name for p in real_dir.iterdir()) == ["sync.c1z"]


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_a_file_that_is_not_regular_is_refused_without_blocking(
    tmp_path: Path, emu: RunningEmulator, kind: str
) -> None:
    target = tmp_path / "target"
    if kind == "device":
        target.symlink_to("/dev/null")
        expect = "a character device"
    elif kind == "fifo":
        os.mkfifo(target)
        expect = "a FIFO (named pipe)"
    else:
        target.mkdir()
        expect = "a directory"
    emu.request_log.reset()
    env = clean_env(tmp_path)
    sync = run_cli([*_flags(emu), "-f", str(target)], tmp_path, env, timeout=30)
    read = run_cli(["inspect", "stats", "-f", str(target)], tmp_path, env, timeout=30)
    if kind == "directory":  # inspect's -f refuses a directory as a usage error (exit 2)
        assert read.code == 2 and "is a directory" in read.stderr, read.stderr
    for result in (sync, read) if kind != "directory" else (sync,):
        assert result.code == 1, result.stderr
        lines = _errors(result.stderr)
        assert len(lines) == 1 and expect in lines[0] and str(target) in lines[0], lines
    assert emu.request_log.total == 0
    if kind == "device":
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_kill_9_leftovers_are_removed_by_the_next_run(tmp_path: Path) -> None:
    """A sync killed with SIGKILL leaves its work directory (and, late, a temp file beside the
    target); the next sync of that file removes both, and never a live run's directory."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = clean_env(tmp_path, {"TMPDIR": str(tmpdir)})
    slow = EmulatorOptions(faults=FaultOptions(latency_rate=1.0, latency_ms=(400, 400)))
    with emulator(generate(parse_spec(ACCOUNT)), options=slow) as emu:
        proc = subprocess.Popen([str(SCRIPT), *_flags(emu)], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not list(tmpdir.glob("baton-c1z-*/db")):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        left = list(tmpdir.glob("baton-c1z-*"))
        assert left, "the killed sync left no work directory to clean"
        # A kill after the temp file was created (as mkstemp names it) leaves this one too.
        stale_tmp = tmp_path / ".sync.c1z.k1ll3d_x.tmp"
        stale_tmp.write_bytes(b"partial")
        live = tmpdir / "baton-c1z-live"  # a directory a live process holds: never removed
        live.mkdir()
        holder = subprocess.Popen(["flock", str(live / "lock"), "sleep", "60"])
        try:
            while not (live / "lock").exists():
                time.sleep(0.01)
            time.sleep(0.2)
            again = run_cli(_flags(emu), tmp_path, env)
            assert again.code == 0, again.stderr
            assert [p.name for p in tmpdir.iterdir()] == ["baton-c1z-live"]
        finally:
            holder.kill()
            holder.wait()
    assert not stale_tmp.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sync.c1z", "tmp"]


FORGE = (
    "create trigger forge after insert on v1_grants begin "
    "insert or ignore into v1_grants (resource_type_id, resource_id, entitlement_id, "
    "principal_resource_type_id, principal_resource_id, external_id, data, sync_id, "
    "discovered_at) values (new.resource_type_id, new.resource_id, new.entitlement_id, 'user', "
    "'mallory', 'forged:' || new.external_id, new.data, new.sync_id, new.discovered_at); end"
)


def _craft(path: Path, tmp_path: Path) -> None:
    """Add a grant-forging trigger, a view and a table to the c1z at ``path``."""
    db = tmp_path / "craft.db"
    decompress_c1z(path, db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute(FORGE)
    con.execute("create view v1_everything as select * from v1_grants")
    con.execute("create table notes (text)")
    con.close()
    with path.open("wb") as fh:
        compress_db(db, fh)
    db.unlink()


def test_a_sync_into_a_crafted_file_produces_exactly_the_fresh_data(
    tmp_path: Path, emu: RunningEmulator
) -> None:
    env = clean_env(tmp_path)
    assert run_cli([*_flags(emu), "-f", "crafted.c1z"], tmp_path, env).code == 0
    _craft(tmp_path / "crafted.c1z", tmp_path)
    crafted = run_cli([*_flags(emu), "-f", "crafted.c1z"], tmp_path, env)
    fresh = run_cli([*_flags(emu), "-f", "fresh.c1z"], tmp_path, env)
    assert crafted.code == 0 and fresh.code == 0, crafted.stderr + fresh.stderr
    assert "trigger 'forge'" in crafted.stderr
    got, want = _content(tmp_path / "crafted.c1z"), _content(tmp_path / "fresh.c1z")
    assert got == want
    assert not any(g.startswith("forged:") for g in got[2])
    with C1zReader.open(tmp_path / "crafted.c1z") as reader:
        assert len(reader.sync_runs()) == 2  # the previous full sync is carried forward
    stats = run_cli(["inspect", "stats", "-f", "crafted.c1z"], tmp_path, env)
    assert stats.code == 0, stats.stderr  # nothing crafted reached the new file


def _small_filesystem(directory: Path) -> list[str]:
    """A command prefix that runs the rest with a 512 KiB tmpfs mounted on ``directory`` (in a
    private mount namespace); skips where mounting is not allowed."""
    unshare = shutil.which("unshare")
    probe = [unshare or "unshare", "-m", "sh", "-c",
             'mount -t tmpfs -o size=512k tmpfs "$0"', str(directory)]
    if unshare is None or subprocess.run(probe, capture_output=True, check=False).returncode:
        pytest.skip("cannot mount a small filesystem here (needs unshare and CAP_SYS_ADMIN)")
    return [unshare, "-m", "sh", "-c", 'mount -t tmpfs -o size=512k tmpfs "$0" && exec "$@"',
            str(directory)]


def test_a_full_directory_is_reported_before_any_request(
    tmp_path: Path, emu: RunningEmulator
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    emu.request_log.reset()
    proc = subprocess.run([*_small_filesystem(small), str(SCRIPT), *_flags(emu), "-f",
                           str(small / "sync.c1z")], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    lines = _errors(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot use {small}: only "), lines
    assert lines[0].endswith("where the new file needs about 1048576; free some disk space")
    assert emu.request_log.total == 0
