"""Business-rule checks on names and fields, with RAM's documented ``InvalidParameter.*`` codes.

``alibaba.metadata`` already refused unknown parameters; these are the value rules the
reference error list names (docs/alibaba.md §4.3), so a client sees the same code as in production.
"""

from __future__ import annotations

import re

from ..errors import EmulatorError

__all__ = ["check_comments", "check_display_name", "check_email", "check_mobile", "check_name"]

_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^\d{1,3}-\d{4,16}\**$")


def _invalid(parameter: str, what: str, detail: str) -> EmulatorError:
    return EmulatorError(
        f"InvalidParameter.{parameter}.{what}", f'The parameter - "{parameter}" {detail}', 400
    )


def check_name(parameter: str, value: str, max_length: int = 64) -> None:
    """UserName/GroupName/RoleName: 1-64 characters of letters, digits, ``.``, ``_``, ``-``."""
    if not 1 <= len(value) <= max_length:
        raise _invalid(parameter, "Length", "beyond the length limit.")
    if not _NAME.match(value):
        raise _invalid(parameter, "InvalidChars", "contains invalid chars.")


def check_display_name(parameter: str, value: str, max_length: int = 128) -> None:
    if not 1 <= len(value) <= max_length:
        raise _invalid(parameter, "Length", "beyond the length limit.")


def check_comments(parameter: str, value: str) -> None:
    if len(value) > 128:
        raise _invalid(parameter, "Length", "beyond the length limit.")


def check_email(value: str) -> None:
    if value and not _EMAIL.match(value):
        raise EmulatorError("InvalidParameter.Email.Format", "The email format is invalid.", 400)


def check_mobile(value: str) -> None:
    if value and not _MOBILE.match(value):
        raise EmulatorError(
            "InvalidParameter.MobilePhone.Format", "The mobile phone format is invalid.", 400
        )
