"""CloudSSO's flags and policy from the console script: ``permissions --organization`` gives the
management account CloudSSO's reads (and its writes with -p), never the member role; the
CloudSSO flags are refused where they cannot apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import clean_env, run_cli

READS = {"cloudsso:ListDirectories", "cloudsso:ListUsers", "cloudsso:ListGroups",
         "cloudsso:ListGroupMembers", "cloudsso:ListAccessConfigurations",
         "cloudsso:ListPermissionPoliciesInAccessConfiguration",
         "cloudsso:ListAccessAssignments"}
WRITES = {"cloudsso:AddUserToGroup", "cloudsso:RemoveUserFromGroup",
          "cloudsso:CreateAccessAssignment", "cloudsso:DeleteAccessAssignment",
          "cloudsso:GetTaskStatus"}


def _actions(policy: dict[str, object]) -> set[str]:
    found: set[str] = set()
    for statement in policy["Statement"]:  # type: ignore[attr-defined]
        actions = statement["Action"]
        found.update([actions] if isinstance(actions, str) else actions)
    return {a for a in found if a.startswith("cloudsso:")}


@pytest.mark.parametrize(("extra", "expected"), [((), READS), (("-p",), READS | WRITES)])
def test_permissions_organization_cloudsso_actions(
        tmp_path: Path, extra: tuple[str, ...], expected: set[str]) -> None:
    result = run_cli(["permissions", "--organization", *extra], tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert _actions(doc["management_account"]) == expected
    assert _actions(doc["member_role"]) == set()


@pytest.mark.parametrize(("args", "message"), [
    (["--cloudsso"], "--cloudsso needs --organization"),
    (["--no-cloudsso"], "--no-cloudsso needs --organization"),
    (["--organization", "--cloudsso", "--no-cloudsso"],
     "--cloudsso and --no-cloudsso cannot be used together"),
    (["--organization", "--cloudsso-region", "eu-central-1"], "eu-central-1"),
])
def test_cloudsso_flags_refused_where_they_cannot_apply(
        tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli([*args, "--access-key-id", "x", "--access-key-secret", "y"], tmp_path,
                     clean_env(tmp_path))
    assert result.code == 2, result.stderr
    assert message in result.stderr
