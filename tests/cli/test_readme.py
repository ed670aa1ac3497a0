"""The README's promises that can drift: the two-command quick start and the policy block."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from baton_alibaba_cloud.cli import cli
from baton_alibaba_cloud.cli._docs import flags_table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_quick_start_is_one_block_of_exactly_two_commands() -> None:
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", _section("Quick start"), re.S)
    assert len(blocks) == 1
    commands = [ln for ln in blocks[0].splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(commands) == 2
    assert "baton-alibaba-cloud demo" in commands[0] and "pip install" in commands[0]
    assert commands[1] == "bash scripts/test.sh"


def test_policy_block_is_the_permissions_output() -> None:
    match = re.search(r"<!-- generated: permissions -->\n```json\n(.*?)```", README, re.S)
    assert match
    printed = CliRunner().invoke(cli, ["permissions"]).stdout
    assert json.loads(match.group(1)) == json.loads(printed)


def test_every_error_code_users_meet_is_explained() -> None:
    table = _section("Troubleshooting")
    for code in ("InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive",
                 "SignatureDoesNotMatch", "InvalidTimeStamp.Expired", "SignatureNonceUsed",
                 "InvalidSecurityToken.Expired", "InvalidSecurityToken.MismatchWithAccessKey",
                 "NoPermission", "EntityNotExist.Role", "InvalidParameter.DurationSeconds",
                 "AuthenticationFail.OIDCToken", "Throttling.User", "EntityNotExist.",
                 "ServiceUnavailable", "no Alibaba Cloud credentials found", "--storage-engine"):
        assert code in table, code


def test_the_flag_table_is_generated_from_the_fields() -> None:
    match = re.search(r"<!-- generated: flags -->\n(.*?)<!-- end generated -->", README, re.S)
    assert match, "README has no generated flag table"
    assert match.group(1) == flags_table(), (
        "the README's flag table is stale: python -m baton_alibaba_cloud.cli._docs --flags")


def test_the_additions_of_each_feature_are_named() -> None:
    text = _section("Least-privilege RAM policy")
    base = set(json.loads(CliRunner().invoke(cli, ["permissions"]).stdout)
               ["Statement"][0]["Action"])
    for flags in (["--sync-secrets"], ["-p"]):
        doc = json.loads(CliRunner().invoke(cli, ["permissions", *flags]).stdout)
        for action in set(doc["Statement"][0]["Action"]) - base:
            assert f"`{action}`" in text, (flags, action)


def test_every_credential_source_has_an_example() -> None:
    text = _section("Credentials")
    for needle in ("--access-key-id", "--security-token", "--profile", "ALIBABA_CLOUD_PROFILE",
                   '"mode": "AK"', '"mode": "RamRoleArn"', '"mode": "EcsRamRole"', "StsToken",
                   "--role-arn", "--role-session-name", "--external-id",
                   "--role-session-duration", "ALIBABA_CLOUD_ROLE_ARN",
                   "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                   "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_SECURITY_TOKEN",
                   "100.100.100.200", "--ecs-metadata-url", "credentials_source"):
        assert needle in text, needle


def test_the_sections_a_user_looks_for() -> None:
    for title in ("Install", "Credentials", "Least-privilege RAM policy", "Command line",
                  "Logs and progress", "Resource model", "Reading the results",
                  "Demo and emulator", "Provisioning", "Troubleshooting"):
        assert _section(title).strip(), title


def test_the_inspect_example_is_what_the_demo_prints(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    matches = list(re.finditer(r"<!-- example: inspect (.*?) -->\n```\n\$ baton-alibaba-cloud "
                               r"inspect (.*?)\n(.*?)```", README, re.S))
    assert len(matches) >= 2  # inspect access, inspect can
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    for match in matches:
        assert match.group(1) == match.group(2)
        shown = runner.invoke(cli, ["inspect", *shlex.split(match.group(2))])
        assert shown.exit_code == 0, shown.output
        assert [ln.rstrip() for ln in shown.stdout.splitlines()] == match.group(3).splitlines()


def test_performance_placeholder_exists() -> None:
    assert "## Performance" in README
