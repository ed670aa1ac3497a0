"""KSUIDs and the SQLite timestamp text."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from baton_alibaba_cloud.baton.c1z.ids import KSUID_EPOCH, ksuid_time, new_ksuid, sqlite_time


def test_ksuid_format_and_bounds() -> None:
    ksuid = new_ksuid()
    assert re.fullmatch(r"[0-9A-Za-z]{27}", ksuid)
    assert new_ksuid(KSUID_EPOCH, bytes(16)) == "0" * 27
    assert new_ksuid(KSUID_EPOCH + 2**32 - 1, b"\xff" * 16) == "aWgEPTl1tmebfsQzFP4bxwgy80V"


def test_ksuid_time_round_trips_and_orders() -> None:
    assert ksuid_time(new_ksuid(1_800_000_000)) == 1_800_000_000
    earlier = new_ksuid(1_800_000_000, b"\xff" * 16)
    later = new_ksuid(1_800_000_001, bytes(16))
    assert earlier < later
    # The Go fixture's sync id decodes to its sync's day (2025-12-17).
    when = datetime.fromtimestamp(ksuid_time("36zfOAoWMxQdISbixanQCRBiX7E"), UTC)
    assert when.date().isoformat() == "2025-12-17"
    with pytest.raises(ValueError):
        ksuid_time("short")


def test_sqlite_time_trims_trailing_zeros() -> None:
    assert sqlite_time(datetime(2025, 12, 17, 16, 31, 25, 58720)) == "2025-12-17 16:31:25.05872"
    assert sqlite_time(datetime(2025, 12, 17, 16, 31, 25, 58715)) == "2025-12-17 16:31:25.058715"
    assert sqlite_time(datetime(2025, 12, 17, 16, 31, 25)) == "2025-12-17 16:31:25"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d*[1-9])?", sqlite_time())


def test_sqlite_time_converts_aware_to_local() -> None:
    aware = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert sqlite_time(aware) == sqlite_time(aware.astimezone().replace(tzinfo=None))
