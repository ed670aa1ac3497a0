"""docs/model.md §1: every flag ``--foo-bar`` of every command also reads ``BATON_FOO_BAR``."""

from __future__ import annotations

from collections.abc import Iterator

import click

from baton_alibaba_cloud.cli import cli


def every_option(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Option]]:
    """``(command path, option)`` for each option of the command tree under ``command``."""
    for param in command.params:
        if isinstance(param, click.Option):
            yield path or "(root)", param
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from every_option(sub, f"{path} {name}".strip())


def test_every_long_flag_of_every_command_reads_its_baton_variable() -> None:
    wrong = []
    seen = 0
    for where, option in every_option(cli):
        for flag in (o for o in option.opts if o.startswith("--")):
            if flag in ("--help", "--version"):
                continue
            seen += 1
            wanted = "BATON_" + flag[2:].upper().replace("-", "_")
            if option.envvar != wanted:
                wrong.append(f"{where}: {flag} reads {option.envvar!r}, not {wanted}")
    assert wrong == []
    assert seen > 40  # the walk reached the subcommands (inspect views, emulator switches)
