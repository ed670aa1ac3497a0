"""``inspect`` finds the file however a user types -f, and the demo's "Next:" hint works."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from baton_alibaba_cloud.cli import cli
from tests.e2e.cli_helpers import clean_env, run_cli

NAME = "my sync.c1z"  # a space, so the hint has to quote it


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A directory holding the demo's c1z, and the demo's stdout."""
    where = tmp_path_factory.mktemp("demo")
    result = run_cli(["demo", "-f", NAME], where, clean_env(where))
    assert result.code == 0, result.stderr
    return where, result.stdout


def test_the_next_hint_of_the_demo_runs_as_printed(demo_dir: tuple[Path, str]) -> None:
    where, stdout = demo_dir
    hints = [ln for ln in stdout.splitlines() if ln.startswith("Next: ")]
    assert len(hints) == 1, stdout
    program, *args = shlex.split(hints[0].removeprefix("Next: "))
    assert program == "baton-alibaba-cloud"
    result = run_cli(args, where, clean_env(where))
    assert result.code == 0, result.stderr
    assert "Entitlement" in result.stdout and "Principal" in result.stdout


@pytest.mark.parametrize("args", [
    ["inspect", "-f", NAME, "stats"],
    ["inspect", "stats", "-f", NAME],
    ["inspect", "--file", NAME, "stats"],
    ["inspect", "stats", "--file", NAME],
    ["-f", NAME, "inspect", "stats"],
    ["inspect", "-f", "elsewhere.c1z", "stats", "-f", NAME],  # the innermost one wins
], ids=lambda a: " ".join(a))
def test_inspect_takes_the_file_wherever_it_is_typed(
    demo_dir: tuple[Path, str], args: list[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    where, _ = demo_dir
    monkeypatch.chdir(where)
    result = CliRunner().invoke(cli, args, env={"BATON_FILE": None})
    assert result.exit_code == 0, result.output
    assert "user" in result.stdout and "grants" in result.stdout


def test_inspect_reads_baton_file_and_names_a_missing_file(
    demo_dir: tuple[Path, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    where, _ = demo_dir
    monkeypatch.chdir(where)
    ok = CliRunner().invoke(cli, ["inspect", "stats"], env={"BATON_FILE": NAME})
    assert ok.exit_code == 0 and "grants" in ok.stdout
    missing = CliRunner().invoke(cli, ["inspect", "-f", "none.c1z", "grants"])
    assert missing.exit_code == 1 and "none.c1z" in missing.stderr
