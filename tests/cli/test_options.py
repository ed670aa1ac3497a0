"""Flag and environment parsing, constraints and usage errors (exit 2)."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner

from baton_alibaba_cloud.cli import cli
from baton_alibaba_cloud.cli._fields import FIELDS, envvar
from baton_alibaba_cloud.cli._options import GROUPS, check_constraints, field_options, resolve


def _probe() -> click.Group:
    """A group shaped like ``cli`` whose subcommand echoes the resolved values."""

    @click.group()
    @field_options(GROUPS["all"])
    def root(**_: Any) -> None:
        pass

    @root.command()
    @field_options(GROUPS["connector"])
    @click.pass_context
    def sub(ctx: click.Context, /, **_: Any) -> None:
        values = resolve(ctx, GROUPS["connector"])
        for key in ("access-key-id", "sync-secrets", "ram-endpoint", "log-level"):
            click.echo(f"{key}={values[key]}")

    return root


def test_every_flag_reads_its_baton_env_var() -> None:
    runner = CliRunner()
    env = {"BATON_ACCESS_KEY_ID": "LTAIenv", "BATON_SYNC_SECRETS": "true",
           "BATON_RAM_ENDPOINT": "http://127.0.0.1:1", "BATON_LOG_LEVEL": "debug"}
    result = runner.invoke(_probe(), ["sub"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["access-key-id=LTAIenv", "sync-secrets=True",
                                     "ram-endpoint=http://127.0.0.1:1", "log-level=debug"]


def test_flags_before_the_subcommand_are_inherited_and_flags_after_win() -> None:
    runner = CliRunner()
    result = runner.invoke(_probe(), ["--access-key-id", "A", "--sync-secrets", "sub",
                                      "--log-level", "warn"])
    assert result.stdout.split() == ["access-key-id=A", "sync-secrets=True",
                                     "ram-endpoint=None", "log-level=warn"]
    result = runner.invoke(_probe(), ["--access-key-id", "A", "sub", "--access-key-id", "B"])
    assert result.stdout.split()[0] == "access-key-id=B"


@pytest.mark.parametrize("f", [f for f in FIELDS if not f.hidden], ids=lambda f: f.name)
def test_help_shows_every_flag_with_its_env_var(runner: CliRunner, f: Any) -> None:
    text = runner.invoke(cli, ["--help"], terminal_width=200).stdout
    assert f"--{f.name}" in text
    assert envvar(f.name) in text


def test_secret_values_are_never_shown_in_help(runner: CliRunner) -> None:
    env = {"BATON_ACCESS_KEY_SECRET": "s3cr3t-value", "BATON_SECURITY_TOKEN": "tok-value"}
    text = runner.invoke(cli, ["--help"], env=env, terminal_width=200).stdout
    assert "s3cr3t-value" not in text and "tok-value" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--access-key-id", "A"], "--access-key-id and --access-key-secret must be given"),
        (["--access-key-secret", "S"], "must be given together"),
        (["--security-token", "T"], "--security-token needs --access-key-id"),
        (["--external-id", "X"], "--external-id needs --role-arn"),
        (["--profile", "p", "--access-key-id", "A", "--access-key-secret", "S"],
         "cannot be used together"),
        (["-p", "--grant-entitlement", "e"], "must be given together"),
        (["--grant-entitlement", "e", "--grant-principal", "u", "--grant-principal-type", "user"],
         "--grant-entitlement needs --provisioning"),
        (["-p", "--revoke-grant", "g", "--grant-entitlement", "e", "--grant-principal", "u",
          "--grant-principal-type", "user"], "cannot be used together"),
        (["--log-level", "loud"], "Invalid value for '--log-level'"),
        (["--no-such-flag"], "No such option"),
        (["inspect", "frobnicate"], "No such command"),
    ],
)
def test_bad_usage_exits_2_with_the_reason(runner: CliRunner, args: list[str],
                                           message: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_check_constraints_ignores_fields_the_command_does_not_have() -> None:
    check_constraints({"access-key-id": "A"})  # no access-key-secret field: not checked here


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "baton-alibaba-cloud" in result.stdout


def test_inspect_reads_the_file_given_before_the_subcommand(runner: CliRunner,
                                                            tmp_path: Any) -> None:
    missing = tmp_path / "elsewhere.c1z"
    result = runner.invoke(cli, ["-f", str(missing), "inspect", "stats"])
    assert result.exit_code != 0 and "elsewhere.c1z" in result.stderr
    result = runner.invoke(cli, ["inspect", "stats"], env={"BATON_FILE": str(missing)})
    assert "elsewhere.c1z" in result.stderr


def test_endpoint_sets_every_service_and_per_service_flags_win() -> None:
    """``--endpoint`` points every service at one URL (the emulator's); an explicit
    per-service flag (or its BATON_* variable) wins; unset ones keep the public hosts."""
    from baton_alibaba_cloud.cli._run import connector_config
    from baton_alibaba_cloud.connector.config import ConnectorConfig

    config = connector_config({"endpoint": "http://127.0.0.1:8080",
                               "sts-endpoint": "sts.ap-southeast-1.aliyuncs.com",
                               "ram-endpoint": None})
    endpoints = config.endpoints()
    assert (endpoints.ram, endpoints.ims, endpoints.sts, endpoints.resourcemanager) == (
        "http://127.0.0.1:8080", "http://127.0.0.1:8080", "sts.ap-southeast-1.aliyuncs.com",
        "http://127.0.0.1:8080")
    public = ConnectorConfig(resource_manager_endpoint="http://127.0.0.1:9").endpoints()
    assert (public.ram, public.ims, public.sts, public.resourcemanager) == (
        "ram.aliyuncs.com", "ims.aliyuncs.com", "sts.aliyuncs.com", "http://127.0.0.1:9")
    with pytest.raises(click.UsageError, match="endpoint"):
        connector_config({"endpoint": "ftp://nowhere"})
