"""A private temporary directory holding the decompressed SQLite file of a c1z.

SQLite needs a real file, and a WAL-mode database (as older Go writers produced) needs to create
its ``-wal``/``-shm`` side files next to it, so each open gets its own directory.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from baton_alibaba_cloud.baton.c1z.format import decompress_c1z, detect_format

__all__ = ["make_workdir", "remove_workdir", "unpack_into"]

DB_NAME = "db"


def make_workdir() -> Path:
    """A fresh private directory under the system temp dir (``TMPDIR``); the name says only
    what it is, never anything about the sync's content or credentials."""
    return Path(tempfile.mkdtemp(prefix="baton-c1z-"))


def unpack_into(workdir: Path, c1z: Path) -> tuple[Path, bool]:
    """Decompress ``c1z`` into ``workdir``; returns the DB path and whether it existed
    (a missing or empty file gives a DB path that does not exist yet)."""
    db = workdir / DB_NAME
    if detect_format(c1z) == "empty":
        return db, False
    decompress_c1z(c1z, db)
    return db, True


def remove_workdir(workdir: Path) -> None:
    """Delete the directory and everything in it; missing is fine."""
    shutil.rmtree(workdir, ignore_errors=True)
