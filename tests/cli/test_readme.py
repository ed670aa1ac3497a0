"""The README's promises that can drift: the two-command quick start and the policy block."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from baton_alibaba_cloud.cli import cli

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
    for code in ("InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch",
                 "InvalidTimeStamp.Expired", "NoPermission", "Throttling.User",
                 "EntityNotExist."):
        assert code in table


def test_performance_placeholder_exists() -> None:
    assert "## Performance" in README
