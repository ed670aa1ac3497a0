"""The file a sync writes: resolved, checked and locked before any work starts.

Why each step, in order:

* Symlinks are resolved: ``-f`` naming a link writes to the link's target and the link stays.
* Anything but a regular file (a directory, FIFO, device, socket) is refused by ``stat``, which
  never opens it (opening a FIFO blocks until a writer comes).
* An exclusive ``flock`` on ``.<name>.lock`` beside the file: a second sync of the same file fails
  at once naming the holder's pid, instead of both finishing and one being silently lost. The
  kernel releases the lock when its process ends, however it ends. Creating that lock file is
  also the write-access test, and the free space is checked next: a read-only or full directory
  is reported before the first API call, not after the whole sync.
* Holding the lock, the ``.<name>.*.tmp`` files a killed sync left beside the target are removed:
  no live process can own them, as a live one would hold the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from baton_alibaba_cloud.baton.c1z.format import C1zFormatError, describe_mode

__all__ = ["C1zTargetError", "Target", "claim_target", "temp_prefix"]

MIN_FREE = 1024 * 1024
"""Free space a directory must have for a new file (a replaced one needs its current size)."""


class C1zTargetError(C1zFormatError):
    """The output file cannot be used (not a regular file, or locked by another sync)."""


@dataclass
class Target:
    """A claimed output file: ``path`` is the real file (symlinks resolved)."""

    path: Path
    _lock_path: Path
    _fd: int | None

    def release(self) -> None:
        """Remove the lock file and let go of the lock (idempotent)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self._lock_path.unlink()
        os.close(self._fd)
        self._fd = None


def temp_prefix(target: Path) -> str:
    """The prefix of the temp file written beside ``target`` before the rename."""
    return f".{target.name}."


def claim_target(path: Path) -> Target:
    """Resolve, check and lock ``path`` for a sync; see the module docstring."""
    real = Path(os.path.realpath(path))
    _check_kind(path, real)
    if not real.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(real.parent))
    lock_path = real.parent / f".{real.name}.lock"
    target = Target(real, lock_path, _lock(lock_path, path))
    try:
        _check_space(real)
        _remove_leftovers(real)
    except BaseException:
        target.release()
        raise
    return target


def _check_kind(given: Path, real: Path) -> None:
    try:
        mode = real.stat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise C1zTargetError(
            f"{given} is {describe_mode(mode)}, not a regular file; choose a file path for --file"
        )


def _lock(lock_path: Path, given: Path) -> int:
    """Take the lock file's lock; retry if another process removed the file meanwhile (then
    our lock would be on a file nobody else can find)."""
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise C1zTargetError(
                f"{given} is being written by another sync (pid {holder}); wait for it to end "
                "or choose another --file"
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock_path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)


def _check_space(real: Path) -> None:
    """At least the current file's size (the new one is about as big), and ``MIN_FREE``."""
    try:
        need = max(MIN_FREE, real.stat().st_size)
    except FileNotFoundError:
        need = MIN_FREE
    fs = os.statvfs(real.parent)
    free = fs.f_bavail * fs.f_frsize
    if free < need:
        raise OSError(errno.ENOSPC, f"only {free} bytes free where the new file needs about "
                      f"{need}", str(real.parent))


def _remove_leftovers(real: Path) -> list[Path]:
    """The temp files (``mkstemp`` names: 8 characters) a killed sync left beside ``real``."""
    pattern = re.compile(re.escape(temp_prefix(real)) + r"[a-z0-9_]{8}\.tmp")
    removed: list[Path] = []
    for entry in os.scandir(real.parent):
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed
