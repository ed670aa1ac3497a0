"""The raw-body checker used by the SDK conformance test catches what the SDK model hides."""

from __future__ import annotations

from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import metadata

from .wire_check import wire_problems

GOOD: dict[str, Any] = {
    "RequestId": "r", "IsTruncated": True, "Marker": "m",
    "Roles": {"Role": [{"RoleName": "r", "MaxSessionDuration": 3600,
                        "CreateDate": "2024-01-01T00:00:00Z"}]},
}


def _problems(body: dict[str, Any]) -> list[str]:
    return wire_problems(body, metadata.load("ram").actions["ListRoles"].response, "ListRoles")


def test_a_conforming_body_passes() -> None:
    assert _problems(GOOD) == []
    last_page = {k: v for k, v in GOOD.items() if k != "Marker"}
    assert _problems({**last_page, "IsTruncated": False}) == []


@pytest.mark.parametrize("role", [
    {"RoleName": "r", "Colour": "blue"},
    {"RoleName": "r", "MaxSessionDuration": "3600"},
    {"RoleName": "r", "MaxSessionDuration": True},
    {"RoleName": "r", "CreateDate": "2024-01-01 00:00:00"},
    {"RoleName": 7},
])
def test_wrong_fields_types_and_timestamps_are_found(role: dict[str, Any]) -> None:
    assert _problems({**GOOD, "Roles": {"Role": [role]}})


def test_marker_only_when_truncated() -> None:
    assert _problems({**GOOD, "IsTruncated": False})
    assert _problems({k: v for k, v in GOOD.items() if k != "Marker"})
    assert _problems({k: v for k, v in GOOD.items() if k != "IsTruncated"})
