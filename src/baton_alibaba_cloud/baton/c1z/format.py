"""The c1z envelope: ``C1ZF\\0`` + one zstd frame of a SQLite file (``docs/c1z-format.md`` §1).

We write what the Go SDK writes: zstd level 3 (its ``SpeedDefault``), the frame content size in
the header and a content checksum, window well under the 128 MiB the Go reader allows. Reading
mirrors the Go reader's guards: the decoded size is capped (10 GiB by default, or
``BATON_DECODER_MAX_DECODED_SIZE_MB``) and a frame header that announces more fails before any
work; the window is capped at 128 MiB (``BATON_DECODER_MAX_MEMORY_MB``).

A v3 file (``C1Z3\\0``, a Pebble checkpoint written by baton-sdk >= v0.25.0 by default) is
recognised and refused with the fix: re-run the producing connector with
``--storage-engine sqlite``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Literal

import zstandard

__all__ = [
    "C1Z_V1_MAGIC",
    "C1Z_V3_MAGIC",
    "ZSTD_LEVEL",
    "C1zFormatError",
    "UnsupportedC1zVersion",
    "compress_db",
    "decompress_c1z",
    "detect_format",
]

C1Z_V1_MAGIC = b"C1ZF\x00"
C1Z_V3_MAGIC = b"C1Z3\x00"
ZSTD_LEVEL = 3
_MiB = 1024 * 1024
_CHUNK = 1 * _MiB


class C1zFormatError(Exception):
    """The file is not a c1z we can read (bad header, corrupt or oversized frame)."""


class UnsupportedC1zVersion(C1zFormatError):
    """A c1z v3 (Pebble) file: readable only by the Go SDK."""


def detect_format(path: Path) -> Literal["empty", "v1", "v3"]:
    """Which envelope ``path`` holds; a missing or zero-length file is ``"empty"`` (a new
    file, as the Go SDK treats it)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(C1Z_V1_MAGIC))
    except FileNotFoundError:
        return "empty"
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
    cap = max_decoded_size or _env_mib("BATON_DECODER_MAX_DECODED_SIZE_MB", 10 * 1024)
    window = _env_mib("BATON_DECODER_MAX_MEMORY_MB", 128)
    with src.open("rb") as fh:
        fh.seek(len(C1Z_V1_MAGIC))
        _check_frame_header(src, fh.read(18), cap)
        fh.seek(len(C1Z_V1_MAGIC))
        dctx = zstandard.ZstdDecompressor(max_window_size=window)
        try:
            _copy_capped(dctx.stream_reader(fh, read_across_frames=True), dst, cap, src)
        except zstandard.ZstdError as exc:
            raise C1zFormatError(f"{src}: corrupt zstd data ({exc})") from exc


def _check_frame_header(src: Path, header: bytes, cap: int) -> None:
    """Fail fast, before decoding, on a frame that announces more than ``cap`` bytes."""
    try:
        params = zstandard.get_frame_parameters(header)
    except zstandard.ZstdError as exc:
        raise C1zFormatError(f"{src}: no zstd frame after the c1z header ({exc})") from exc
    if params.content_size != zstandard.CONTENTSIZE_UNKNOWN and params.content_size > cap:
        raise C1zFormatError(
            f"{src}: decoded size {params.content_size} exceeds the cap of {cap} bytes "
            "(raise BATON_DECODER_MAX_DECODED_SIZE_MB)"
        )


def _copy_capped(reader: BinaryIO, dst: Path, cap: int, src: Path) -> None:
    written = 0
    with dst.open("wb") as out:
        while chunk := reader.read(_CHUNK):
            written += len(chunk)
            if written > cap:
                raise C1zFormatError(f"{src}: decoded data exceeds the cap of {cap} bytes")
            out.write(chunk)


def compress_db(db: Path, out: BinaryIO) -> None:
    """Write ``C1ZF\\0`` + one zstd frame (level 3, content size, checksum) of ``db`` to ``out``."""
    size = db.stat().st_size
    out.write(C1Z_V1_MAGIC)
    cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True, write_checksum=True)
    with db.open("rb") as src:
        cctx.copy_stream(src, out, size=size, read_size=_CHUNK, write_size=_CHUNK)
