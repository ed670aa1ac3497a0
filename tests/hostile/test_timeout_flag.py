"""``--request-timeout`` (and ``BATON_REQUEST_TIMEOUT``) sets the client's timeout; the 0.1.0
name ``--http-timeout-seconds`` still works when the new one is not given."""

from __future__ import annotations

from typing import Any

import pytest

from baton_alibaba_cloud.cli._run import connector_config


@pytest.mark.parametrize(("values", "expected"), [
    ({"request-timeout": 30}, 30.0),
    ({"request-timeout": 7}, 7.0),
    ({"request-timeout": 30, "http-timeout-seconds": 12}, 12.0),
    ({"request-timeout": 7, "http-timeout-seconds": 12}, 7.0),
])
def test_the_timeout_flag_and_its_old_name(values: dict[str, Any], expected: float) -> None:
    assert connector_config(values).timeout == expected
