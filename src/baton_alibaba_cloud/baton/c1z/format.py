"""The c1z envelope: ``C1ZF\\0`` + one zstd frame of a SQLite file (``docs/c1z-format.md`` §1).

We write what the Go SDK writes: zstd level 3 (its ``SpeedDefault``), the frame content size in
the header and a content checksum, window well under the 128 MiB the Go reader allows. Reading
mirrors the Go reader's guards: the decoded size is capped (10 GiB by default, or
``BATON_DECODER_MAX_DECODED_SIZE_MB``) and a frame header that announces more fails before any
work; the window is capped at 128 MiB (``BATON_DECODER_MAX_MEMORY_MB``).

Beyond the Go reader, a crafted file must fail fast, not after gigabytes of disk: the decoded data
must start with a SQLite header, and the database size that header declares (or, without one,
the bytes decoded so far) may exceed neither the cap nor, unless the cap was set explicitly,
``MAX_RATIO`` times the compressed file (a zstd bomb of zeros compresses far beyond any real c1z).
The file is opened without blocking and must be a regular file (a FIFO or a device is refused).

A v3 file (``C1Z3\\0``, a Pebble checkpoint written by baton-sdk >= v0.25.0 by default) is
recognised and refused with the fix: re-run the producing connector with
``--storage-engine sqlite``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Literal

import zstandard

__all__ = [
    "C1Z_V1_MAGIC",
    "C1Z_V3_MAGIC",
    "MAX_RATIO",
    "RATIO_FLOOR",
    "ZSTD_LEVEL",
    "C1zFormatError",
    "UnsupportedC1zVersion",
    "compress_db",
    "decompress_c1z",
    "detect_format",
    "open_regular",
]

C1Z_V1_MAGIC = b"C1ZF\x00"
C1Z_V3_MAGIC = b"C1Z3\x00"
ZSTD_LEVEL = 3
_MiB = 1024 * 1024
_CHUNK = 1 * _MiB
MAX_RATIO = 100
"""Decoded bytes allowed per compressed byte by default; real c1z files compress 3-10x."""
RATIO_FLOOR = 256 * _MiB
"""Below this decoded size the ratio is not checked (small files can compress very well)."""
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_HEADER = 100


class C1zFormatError(Exception):
    """The file is not a c1z we can read (bad header, corrupt or oversized frame)."""


class UnsupportedC1zVersion(C1zFormatError):
    """A c1z v3 (Pebble) file: readable only by the Go SDK."""


def open_regular(path: Path) -> BinaryIO | None:
    """``path`` opened for reading, or ``None`` if it does not exist. Opened without blocking
    (a FIFO would wait for a writer forever) and refused unless it is a regular file, so a
    device, FIFO, socket or directory named by ``-f`` is never read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise C1zFormatError(f"{path} is a directory, not a c1z file; choose a file path") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise C1zFormatError(f"{path} is {describe_mode(mode)}, not a regular file; choose a "
                             "file path")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def describe_mode(mode: int) -> str:
    """What a non-regular file is, in words."""
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def detect_format(path: Path) -> Literal["empty", "v1", "v3"]:
    """Which envelope ``path`` holds; a missing or zero-length file is ``"empty"`` (a new
    file, as the Go SDK treats it)."""
    fh = open_regular(path)
    if fh is None:
        return "empty"
    with fh:
        head = fh.read(len(C1Z_V1_MAGIC))
    if not head:
        return "empty"
    if head == C1Z_V1_MAGIC:
        return "v1"
    if head == C1Z_V3_MAGIC:
        return "v3"
    raise C1zFormatError(f"{path}: not a c1z file (header {head!r}, expected {C1Z_V1_MAGIC!r})")


def _env_mib(name: str, default_mib: int) -> int:
    raw = os.environ.get(name, "")
    return (int(raw) if raw.strip().isdigit() else default_mib) * _MiB


def _refuse_v3(path: Path) -> UnsupportedC1zVersion:
    return UnsupportedC1zVersion(
        f"{path} is a c1z v3 (Pebble) file, which this tool cannot read; re-run the connector "
        "that produced it with --storage-engine sqlite to write a v1 (SQLite) c1z"
    )


def decompress_c1z(src: Path, dst: Path, *, max_decoded_size: int | None = None) -> None:
    """Decode the v1 file ``src`` into the SQLite file ``dst``, streaming (bounded memory)."""
    kind = detect_format(src)
    if kind == "v3":
        raise _refuse_v3(src)
    if kind == "empty":
        raise C1zFormatError(f"{src}: empty or missing c1z file")
    window = _env_mib("BATON_DECODER_MAX_MEMORY_MB", 128)
    fh = open_regular(src)
    if fh is None:
        raise C1zFormatError(f"{src}: empty or missing c1z file")
    with fh:
        cap = _decoded_cap(max_decoded_size, os.fstat(fh.fileno()).st_size)
        fh.seek(len(C1Z_V1_MAGIC))
        _check_frame_header(src, fh.read(18), cap)
        fh.seek(len(C1Z_V1_MAGIC))
        dctx = zstandard.ZstdDecompressor(max_window_size=window)
        try:
            _copy_capped(dctx.stream_reader(fh, read_across_frames=True), dst, cap, src)
        except zstandard.ZstdError as exc:
            raise C1zFormatError(f"{src}: corrupt zstd data ({exc})") from exc


def _decoded_cap(explicit: int | None, compressed: int) -> int:
    """The decoded-size cap: an explicit one (argument or environment) as given, else the
    10 GiB default lowered to ``MAX_RATIO`` times the compressed size (at least
    ``RATIO_FLOOR``)."""
    if explicit:
        return explicit
    if os.environ.get("BATON_DECODER_MAX_DECODED_SIZE_MB", "").strip().isdigit():
        return _env_mib("BATON_DECODER_MAX_DECODED_SIZE_MB", 0)
    return min(10 * 1024 * _MiB, max(RATIO_FLOOR, MAX_RATIO * compressed))


def _check_frame_header(src: Path, header: bytes, cap: int) -> None:
    """Fail fast, before decoding, on a frame that announces more than ``cap`` bytes."""
    try:
        params = zstandard.get_frame_parameters(header)
    except zstandard.ZstdError as exc:
        raise C1zFormatError(f"{src}: no zstd frame after the c1z header ({exc})") from exc
    if params.content_size != zstandard.CONTENTSIZE_UNKNOWN and params.content_size > cap:
        raise _too_big(src, params.content_size, cap)


def _too_big(src: Path, size: int, cap: int) -> C1zFormatError:
    return C1zFormatError(
        f"{src}: decoded size {'over ' if size < 0 else ''}{abs(size)} bytes exceeds the cap of "
        f"{cap} bytes; if the file is genuine, set BATON_DECODER_MAX_DECODED_SIZE_MB higher"
    )


def _declared_db_size(src: Path, header: bytes) -> int | None:
    """The database size a SQLite header declares (page size x page count), ``None`` when the
    header does not vouch for it; refuses data that is not a SQLite database at all."""
    if len(header) < _SQLITE_HEADER or not header.startswith(_SQLITE_MAGIC):
        raise C1zFormatError(f"{src}: the c1z does not hold a SQLite database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96] and pages > 0
    return page_size * pages if valid else None


def _copy_capped(reader: BinaryIO, dst: Path, cap: int, src: Path) -> None:
    written, limit = 0, cap
    with dst.open("wb") as out:
        while chunk := reader.read(_CHUNK):
            if written == 0:
                declared = _declared_db_size(src, chunk[:_SQLITE_HEADER])
                if declared is not None and declared > cap:
                    raise _too_big(src, declared, cap)
                limit = min(cap, declared or cap)
            written += len(chunk)
            if written > limit and limit < cap:
                raise C1zFormatError(
                    f"{src}: the decoded data runs past the {limit} bytes its SQLite header "
                    "declares (a zstd bomb, or a damaged file); refusing it"
                )
            if written > limit:
                raise _too_big(src, -written, limit)
            out.write(chunk)


def compress_db(db: Path, out: BinaryIO) -> None:
    """Write ``C1ZF\\0`` + one zstd frame (level 3, content size, checksum) of ``db`` to ``out``."""
    size = db.stat().st_size
    out.write(C1Z_V1_MAGIC)
    cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True, write_checksum=True)
    # Chunk by chunk from Python (not one ``copy_stream`` call): Ctrl-C is seen between chunks.
    with db.open("rb") as src, cctx.stream_writer(out, size=size, closefd=False,
                                                  write_size=_CHUNK) as writer:
        while chunk := src.read(_CHUNK):
            writer.write(chunk)
