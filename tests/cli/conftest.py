"""Helpers for the CLI tests: a CliRunner that keeps stderr apart from stdout."""

from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    """A runner with stdout and stderr kept apart (click >= 8.2 always separates them)."""
    return CliRunner()
