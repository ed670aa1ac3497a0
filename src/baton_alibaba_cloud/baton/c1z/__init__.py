"""The c1z file: a SQLite database of baton syncs, zstd-compressed behind a 5-byte header.

``C1zWriter`` writes one full sync atomically, ``C1zReader`` reads any v1 file (ours or the Go
SDK's). See ``docs/c1z-format.md`` for the format facts this package follows.
"""

from baton_alibaba_cloud.baton.c1z.format import C1zFormatError, UnsupportedC1zVersion
from baton_alibaba_cloud.baton.c1z.reader import C1zReader, C1zStats, SyncRun
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter

__all__ = [
    "C1zFormatError",
    "C1zReader",
    "C1zStats",
    "C1zWriter",
    "SyncRun",
    "UnsupportedC1zVersion",
]
