"""A private temporary directory holding the decompressed SQLite file of a c1z.

SQLite needs a real file, and a WAL-mode database (as older Go writers produced) needs to create
its ``-wal``/``-shm`` side files next to it, so each open gets its own directory.

A killed run (``kill -9``, a crash) cannot remove its directory, which holds a whole decoded
database. So every directory is named ``baton-c1z-*`` and holds a ``lock`` file that its live
owner keeps locked (``flock``; the kernel drops the lock when the process dies). Each new open
sweeps the temp dir: a ``baton-c1z-*`` directory of ours whose lock can be taken belongs to no
live process and is removed; one that a live process holds is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

from baton_alibaba_cloud.baton.c1z.format import decompress_c1z, detect_format

__all__ = ["PREFIX", "make_workdir", "remove_workdir", "sweep_workdirs", "unpack_into"]

DB_NAME = "db"
PREFIX = "baton-c1z-"
_LOCK = "lock"
_GRACE_SECONDS = 3600.0
"""A directory without a lock file is only removed once this old: it may be starting, or belong
to an older version of this tool (which did not lock) still running."""
_held: dict[Path, int] = {}


def make_workdir() -> Path:
    """A fresh private directory under the system temp dir (``TMPDIR``), locked for this
    process; the name says only what it is, never anything about the sync's content or
    credentials. Dead runs' directories are swept first."""
    sweep_workdirs()
    workdir = Path(tempfile.mkdtemp(prefix=PREFIX))
    # Locked under another name, then renamed: a sweeper never sees an unlocked "lock".
    fd = os.open(workdir / "lock.new", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(workdir / "lock.new", workdir / _LOCK)
    _held[workdir] = fd
    return workdir


def sweep_workdirs() -> list[Path]:
    """Remove the work directories that no live process holds; returns them."""
    removed: list[Path] = []
    root = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError), os.scandir(root) as entries:
        for entry in entries:
            if entry.name.startswith(PREFIX) and _abandoned(Path(entry.path)):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
    return removed


def _abandoned(workdir: Path) -> bool:
    try:
        info = workdir.lstat()
        if not os.path.isdir(workdir) or workdir.is_symlink() or info.st_uid != os.getuid():
            return False
        fd = os.open(workdir / _LOCK, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return time.time() - _mtime(workdir) > _GRACE_SECONDS
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return workdir not in _held


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()


def unpack_into(workdir: Path, c1z: Path) -> tuple[Path, bool]:
    """Decompress ``c1z`` into ``workdir``; returns the DB path and whether it existed
    (a missing or empty file gives a DB path that does not exist yet)."""
    db = workdir / DB_NAME
    if detect_format(c1z) == "empty":
        return db, False
    decompress_c1z(c1z, db)
    return db, True


def remove_workdir(workdir: Path) -> None:
    """Delete the directory and everything in it, then let go of its lock; missing is fine."""
    shutil.rmtree(workdir, ignore_errors=True)
    fd = _held.pop(workdir, None)
    if fd is not None:
        os.close(fd)
