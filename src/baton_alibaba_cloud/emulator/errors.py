"""The one exception the emulator raises: an Alibaba error code with its HTTP status.

The backend raises it for business rules (``EntityNotExist.User``), the app for gateway checks
(``SignatureDoesNotMatch``); ``app.py`` turns it into Alibaba's JSON error body.
"""

from __future__ import annotations

__all__ = ["EmulatorError", "missing_parameter"]


class EmulatorError(Exception):
    """An error answer: wire ``code``, ``message`` and the HTTP status the real service uses."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status


def missing_parameter(name: str) -> EmulatorError:
    """``Missing<Name>`` (400): the same code the metadata check gives for a required parameter,
    so a parameter the handler needs but the snapshot marks optional fails the same way."""
    return EmulatorError(f"Missing{name}", f"{name} is mandatory for this action.", 400)
