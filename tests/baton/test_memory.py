"""The sync hands the heap's free pages back between phases (glibc's ``malloc_trim``)."""

from __future__ import annotations

import os

import pytest

from baton_alibaba_cloud.baton.sync import _memory


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.skipif(_memory._TRIM is None or not os.path.exists("/proc/self/statm"),
                    reason="needs glibc's malloc_trim and /proc")
def test_free_pages_inside_the_heap_are_returned() -> None:
    """60 MB of 4 KB blocks are freed while a block allocated after them stays: glibc keeps
    the freed pages resident (only the heap's top can shrink by itself); the release gives
    them back."""
    blocks = [bytearray(4096) for _ in range(15_000)]
    pin = bytearray(4096)  # above them in the heap: the top cannot shrink past it
    del blocks
    kept = _rss_mb()
    _memory.release_free_memory()
    assert kept - _rss_mb() > 40
    assert len(pin) == 4096
