"""Account files: the documented JSON format (docs/emulator.md), the sample and the generator."""

from __future__ import annotations

from pathlib import Path

__all__ = ["SAMPLE_ACCOUNT"]

SAMPLE_ACCOUNT = Path(__file__).with_name("sample.json")
"""The bundled demo account."""
