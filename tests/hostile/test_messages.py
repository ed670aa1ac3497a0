"""A failure nobody designed for still prints one line without a Python class name (the
credential report's ``binascii.Error`` once read ``Error: Error: Incorrect padding``)."""

from __future__ import annotations

import binascii

import pytest

from baton_alibaba_cloud.cli._errors import describe


@pytest.mark.parametrize("exc", [
    binascii.Error("Incorrect padding"),
    RecursionError("maximum recursion depth exceeded"),
    TypeError("'NoneType' object is not subscriptable"),
    ValueError(""),
])
def test_an_unexpected_failure_names_no_exception_class(exc: Exception) -> None:
    code, line = describe(exc)
    assert code == 1
    assert type(exc).__name__ not in line and not line.startswith("Error")
    assert line.startswith("unexpected failure: ")
    assert "\n" not in line
