"""Shared test configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baton_alibaba_cloud.alibaba import _client

ROOT = Path(__file__).resolve().parents[1]
#: Fixtures kept outside the repository (baton-sdk's Go-written c1z files, the official SDK's
#: captured requests): ``../shared`` beside the checkout, or ``BATON_TEST_FIXTURES_DIR``.
SHARED = Path(os.environ.get("BATON_TEST_FIXTURES_DIR") or ROOT.parent / "shared")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The outside fixtures; tests that need them skip, with one line, when they are absent."""
    if not SHARED.is_dir():
        pytest.skip(f"outside fixtures not present ({SHARED})")
    return SHARED


@pytest.fixture(autouse=True, scope="session")
def validate_client_requests() -> None:
    """Every request our client builds in a test is checked against the API metadata first
    (docs/model.md §5: "the client (in tests and with --log-level debug) validates")."""
    _client.VALIDATE_REQUESTS = True
