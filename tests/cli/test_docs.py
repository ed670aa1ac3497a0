"""docs/cli.md is generated from --help and must be current; every command has help."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from baton_alibaba_cloud.cli import cli
from baton_alibaba_cloud.cli._docs import reference

ROOT = Path(__file__).resolve().parents[2]
CLI_MD = ROOT / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert CLI_MD.read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is stale: run `python -m baton_alibaba_cloud.cli._docs > docs/cli.md`")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, prefix + name + " "))
    return out


@pytest.mark.parametrize(("name", "command"), _commands(cli), ids=lambda v: str(v))
def test_every_command_has_help_and_is_documented(name: str, command: click.Command) -> None:
    assert command.help, f"{name} has no help"
    assert f"## `baton-alibaba-cloud {name}`" in CLI_MD.read_text(encoding="utf-8")
