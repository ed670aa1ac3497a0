"""Imports of library modules that are still being written in parallel.

TODO(wire): each call site names the module it waits for; replace ``pending("x.y")`` with
``from x import y`` as soon as the module is committed, so mypy checks the call again.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["pending"]


def pending(module: str) -> Any:
    """``baton_alibaba_cloud.<module>``, imported at call time and typed as Any."""
    return importlib.import_module(f"baton_alibaba_cloud.{module}")
