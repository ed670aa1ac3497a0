"""The ``emulator`` subcommand with CloudSSO: ``--synthetic-org`` items and
``--cloudsso-task-delay``, judged through the official CloudSSO SDK; an impossible spec is a
usage error (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alibabacloud_tea_openapi.utils_models import Config
from yarl import URL

from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.test_cli_emulator import _serve, _stop
from tests.emulator.test_sdk_conformance import PROXY_VARIABLES, sdk_call

SPEC = ("accounts=3,folders=1,users=3,groups=1,roles=1,memberships=1,attachments=1,"
        "resource_groups=0,scoped_attachments=0,sso_users=4,sso_groups=2,"
        "access_configurations=2,assignments=5")


async def _call(config: Config, action: str, **kwargs: Any) -> dict[str, Any]:
    answer = await sdk_call(config, "cloudsso", action, kwargs, "async")
    body: dict[str, Any] = answer.body.to_map()
    return body


async def test_synthetic_org_serves_cloudsso_with_the_task_delay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    proc, ready = _serve(tmp_path, "--synthetic-org", SPEC, "--cloudsso-task-delay", "0")
    try:
        url = URL(ready["url"])
        config = Config(access_key_id=ready["access_key_id"],
                        access_key_secret=ready["access_key_secret"],
                        endpoint=f"{url.host}:{url.port}", protocol="http")
        directory = (await _call(config, "ListDirectories"))["Directories"][0]["DirectoryId"]
        users = await _call(config, "ListUsers", directory_id=directory, max_results=100)
        assigned = await _call(config, "ListAccessAssignments", directory_id=directory,
                               max_results=20)
        assert users["TotalCounts"] == 4 and assigned["TotalCounts"] == 5
        configs = await _call(config, "ListAccessConfigurations", directory_id=directory)
        task = (await _call(
            config, "CreateAccessAssignment", directory_id=directory,
            access_configuration_id=configs["AccessConfigurations"][0]["AccessConfigurationId"],
            target_type="RD-Account", target_id="1000000000000001", principal_type="User",
            principal_id=users["Users"][0]["UserId"]))["Task"]
        status = await _call(config, "GetTaskStatus", directory_id=directory,
                             task_id=task["TaskId"])
        assert (task["Status"], status["TaskStatus"]["Status"]) == ("InProgress", "Success")
    finally:
        _stop(proc)


def test_impossible_cloudsso_spec_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["emulator", "--synthetic-org", "accounts=2,sso_users=1,"
                      "access_configurations=1,assignments=3"], tmp_path, clean_env(tmp_path))
    assert result.code == 2 and "assignments=3" in result.stderr
    assert "Traceback" not in result.stderr
