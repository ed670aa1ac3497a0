"""Shared test configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton_alibaba_cloud.alibaba import _client

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(autouse=True, scope="session")
def validate_client_requests() -> None:
    """Every request our client builds in a test is checked against the API metadata first
    (CONTRACT §5: "the client (in tests and with --log-level debug) validates")."""
    _client.VALIDATE_REQUESTS = True
