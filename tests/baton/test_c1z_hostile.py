"""Crafted c1z files (issue 13 point 6): each is refused in one line, fast and in bounded memory,
through ``inspect`` and through a ``-p`` run, by the installed console script.

The files start from a genuine one written by ``C1zWriter`` and are changed with SQLite itself;
the crafted database is then wrapped as a c1z again. Time and peak memory are those of the
child process itself (``tests/measure.py``: forked from a small launcher, not from pytest).
"""

from __future__ import annotations

import functools
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import zstandard

from baton_alibaba_cloud.baton.c1z.format import C1Z_V1_MAGIC, compress_db, decompress_c1z
from tests.baton.test_c1z_writer import write_small
from tests.e2e.cli_helpers import SCRIPT, clean_env
from tests.measure import MeasuredProcess, start_measured

SECONDS = 5.0
MEMORY_MB = 300.0
ENTITLEMENT = "group:g:member"


@functools.cache
def startup_seconds() -> float:
    """How long the console script takes to start and print its version here, twice at once
    (as the runs below): a loaded machine takes seconds before the script does anything. The
    refusals must fit in SECONDS of wall time on top, and in SECONDS of CPU time."""
    with tempfile.TemporaryDirectory() as scratch:
        runs = run_measured_together([["--version"], ["--version"]], Path(scratch))
    return max(run.seconds for run in runs)


@dataclass
class Measured:
    code: int
    stderr: str
    seconds: float
    peak_mb: float
    cpu_seconds: float

    @property
    def lines(self) -> list[str]:
        """stderr's lines, a JSON record read as its ``msg`` (a JSON run's failure line)."""
        return [json.loads(ln)["msg"] if ln.startswith("{") else ln
                for ln in self.stderr.splitlines() if ln.strip()]


def _start(args: list[str], cwd: Path, env: dict[str, str] | None,
           tag: str = "usage") -> MeasuredProcess:
    return start_measured([str(SCRIPT), *args], cwd, env or clean_env(cwd), subprocess.DEVNULL,
                          subprocess.PIPE, cwd / f"{tag}.json")


def _finish(run: MeasuredProcess, start: float) -> Measured:
    _, stderr = run.proc.communicate(timeout=60)
    seconds = time.monotonic() - start
    usage = run.usage()
    assert usage is not None, stderr
    return Measured(run.proc.returncode, stderr, seconds, usage.peak_mb, usage.cpu_seconds)


def run_measured(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Run the console script; its exit status, stderr, wall time and peak RSS."""
    start = time.monotonic()
    return _finish(_start(args, cwd, env), start)


def run_measured_together(runs: list[list[str]], cwd: Path,
                          env: dict[str, str] | None = None) -> list[Measured]:
    """``run_measured`` for several runs at once (each measured on its own)."""
    start = time.monotonic()
    procs = [_start(args, cwd, env, f"usage{i}") for i, args in enumerate(runs)]
    return [_finish(proc, start) for proc in procs]


def craft(tmp_path: Path, name: str, change: Callable[[sqlite3.Connection], object]) -> Path:
    """A genuine small c1z, changed by ``change`` on its database, wrapped again."""
    genuine = tmp_path / f"{name}.genuine.c1z"
    write_small(genuine)
    db = tmp_path / f"{name}.db"
    decompress_c1z(genuine, db)
    con = sqlite3.connect(db, isolation_level=None)
    change(con)
    con.close()
    out = tmp_path / f"{name}.c1z"
    with out.open("wb") as fh:
        compress_db(db, fh)
    db.unlink()
    return out


def _replace_resources(con: sqlite3.Connection, body: str) -> None:
    con.execute("drop table v1_resources")
    con.execute(f"create view v1_resources as {body}")


RECURSIVE = ("with recursive r(n) as (select 1 union all select n + 1 from r) "
             "select n as id, 'user' as resource_type_id, 'u' as external_id, null as "
             "parent_resource_type_id, null as parent_resource_id, x'' as data, "
             "'s' as sync_id, '' as discovered_at from r")

CHANGES: dict[str, tuple[Callable[[sqlite3.Connection], object], str]] = {
    "view": (lambda con: _replace_resources(con, "select * from v1_grants"),
             "unexpected view 'v1_resources'"),
    "recursive-view": (lambda con: _replace_resources(con, RECURSIVE),
                       "unexpected view 'v1_resources'"),
    "trigger": (lambda con: con.execute(
        "create trigger forge after insert on v1_grants begin insert into v1_grants "
        "select * from v1_grants; end"), "unexpected trigger 'forge'"),
    "extra-table": (lambda con: con.execute("create table notes (t text)"),
                    "unexpected table 'notes'"),
    "extra-column": (lambda con: con.execute("alter table v1_grants add column note text"),
                     "unexpected column (note)"),
    "extra-index": (lambda con: con.execute("create index idx_x on v1_grants (length(data))"),
                    "unexpected index 'idx_x'"),
}


def _refused_both_ways(path: Path, tmp_path: Path, expect: str,
                       env: dict[str, str] | None = None) -> None:
    """``inspect stats`` and a ``-p`` grant: exit 1, one line naming the file and ``expect``,
    in under SECONDS with under MEMORY_MB."""
    runs = {
        "inspect": ["inspect", "stats", "-f", str(path)],
        "provisioning": ["-f", str(path), "-p", "--grant-entitlement", ENTITLEMENT,
                         "--grant-principal-type", "user", "--grant-principal", "u",
                         "--access-key-id", "LTAI-test", "--access-key-secret", "x",
                         "--ram-endpoint", "http://127.0.0.1:9", "--ims-endpoint",
                         "http://127.0.0.1:9", "--sts-endpoint", "http://127.0.0.1:9"],
    }
    results = run_measured_together(list(runs.values()), tmp_path, env)
    for how, got in zip(runs, results, strict=True):
        assert got.code == 1, (how, got.stderr)
        assert len(got.lines) == 1, (how, got.stderr)
        assert got.lines[0].startswith(f"Error: {path}"), (how, got.lines)
        assert expect in got.lines[0], (how, got.lines)
        assert "Error:" not in got.lines[0][6:] and "Traceback" not in got.stderr
        assert got.cpu_seconds < SECONDS, (how, got.cpu_seconds)
        assert got.seconds < SECONDS + startup_seconds(), (how, got.seconds)
        assert got.peak_mb < MEMORY_MB, (how, got.peak_mb)


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_a_crafted_schema_is_refused_before_any_query(tmp_path: Path, case: str) -> None:
    change, expect = CHANGES[case]
    _refused_both_ways(craft(tmp_path, case, change), tmp_path, expect)


def test_the_genuine_file_is_read(tmp_path: Path) -> None:
    """The same path with no change: the refusals above are about the change."""
    path = craft(tmp_path, "genuine", lambda con: None)
    got = run_measured(["inspect", "stats", "-f", str(path)], tmp_path)
    assert got.code == 0, got.stderr


_MAKE_BLOB = (
    "import sys\n"
    "from pathlib import Path\n"
    "from tests.baton.test_c1z_hostile import craft\n"
    "craft(Path(sys.argv[1]), 'blob', lambda con: con.execute(\n"
    "    \"update v1_resources set data = zeroblob(500 * 1024 * 1024) \"\n"
    "    \"where external_id = 'user:u'\"))\n"
)


@pytest.fixture(scope="module")
def huge_blob(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A c1z of a few hundred KB whose one resource holds a 500 MB blob. Written by a child
    process: SQLite holds the blob in memory to write it, and a peak in pytest's own memory
    would be inherited (across fork and exec) by the peak RSS of every later child measured."""
    tmp = tmp_path_factory.mktemp("blob")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", _MAKE_BLOB, str(tmp)], cwd=root, check=True,
                   timeout=120)
    return tmp / "blob.c1z"


def test_a_huge_blob_in_a_small_file_is_refused_before_decoding(
    tmp_path: Path, huge_blob: Path
) -> None:
    assert huge_blob.stat().st_size < 1024 * 1024
    _refused_both_ways(huge_blob, tmp_path, "exceeds the cap")


def test_a_huge_blob_is_refused_by_the_blob_cap_when_decoding_is_allowed(
    tmp_path: Path, huge_blob: Path
) -> None:
    """With the decoded-size cap raised on purpose, the value itself is refused (not loaded)."""
    env = clean_env(tmp_path, {"BATON_DECODER_MAX_DECODED_SIZE_MB": "1024",
                               "TMPDIR": str(tmp_path)})
    got = run_measured(["inspect", "resources", "-f", str(huge_blob)], tmp_path, env)
    assert got.code == 1, got.stderr
    assert len(got.lines) == 1 and "larger than the cap" in got.lines[0], got.stderr
    assert got.peak_mb < MEMORY_MB, got.peak_mb
    assert not list(tmp_path.glob("baton-c1z-*")), "the decoded copy was left behind"


def _zeros_frame(size: int) -> bytes:
    return zstandard.ZstdCompressor(level=3, write_content_size=False).compress(bytes(size))


def test_a_zstd_bomb_after_a_genuine_database_is_refused(tmp_path: Path) -> None:
    """A genuine database, then 512 frames of 8 MiB of zeros (4 GiB from a few hundred KB)."""
    genuine = tmp_path / "genuine.c1z"
    write_small(genuine)
    frame = _zeros_frame(8 * 1024 * 1024)
    bomb = tmp_path / "bomb.c1z"
    bomb.write_bytes(genuine.read_bytes() + frame * 512)
    _refused_both_ways(bomb, tmp_path, "runs past the")


def test_a_zstd_bomb_of_zeros_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "zeros.c1z"
    bomb.write_bytes(C1Z_V1_MAGIC + _zeros_frame(8 * 1024 * 1024) * 512)
    _refused_both_ways(bomb, tmp_path, "does not hold a SQLite database")


def test_a_header_declaring_a_huge_database_is_refused(tmp_path: Path) -> None:
    """A SQLite header announcing 4 GiB in a small file: refused before decoding further."""
    path = craft(tmp_path, "declared", lambda con: None)
    db = tmp_path / "declared.db"
    decompress_c1z(path, db)
    raw = bytearray(db.read_bytes())
    page_size = int.from_bytes(raw[16:18], "big")
    raw[28:32] = (4 * 1024 * 1024 * 1024 // page_size).to_bytes(4, "big")
    db.write_bytes(bytes(raw))
    with path.open("wb") as fh:
        compress_db(db, fh)
    _refused_both_ways(path, tmp_path, "exceeds the cap")
