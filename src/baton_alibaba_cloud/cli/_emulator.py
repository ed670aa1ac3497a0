"""``demo`` and ``emulator``: the bundled RAM/IMS/STS emulator, for trying and for testing.

``demo`` is the first thing a new user runs: no account, no credentials, a real sync over
loopback into a real c1z, and a summary. ``emulator`` serves the same emulator until Ctrl-C and
prints one JSON line with the URL and an admin AccessKey, so scripts and other tools can use it.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from baton_alibaba_cloud.cli._options import GROUPS, field_options
from baton_alibaba_cloud.cli._progress import summary_table
from baton_alibaba_cloud.cli._run import connector_config, start, sync_with_progress
from baton_alibaba_cloud.emulator.accounts import generator, org_generator
from baton_alibaba_cloud.emulator.accounts.schema import AccountFileError

__all__ = ["demo", "emulator", "fault_options"]


def _envvar(name: str) -> str:
    return "BATON_" + name.upper().replace("-", "_")


def _rate(name: str, what: str) -> Any:
    return click.option(f"--{name}", type=click.FloatRange(0, 1), default=0.0, show_default=True,
                        envvar=_envvar(name), show_envvar=True,
                        help=f"Probability per request of {what}.")


def _latency(value: str | None) -> tuple[int, int]:
    if not value:
        return (0, 0)
    low, _, high = value.partition("-")
    try:
        lo, hi = int(low), int(high or low)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not MS or LOW-HIGH in milliseconds") from None
    if lo < 0 or hi < lo:
        raise click.BadParameter(f"{value!r}: need 0 <= LOW <= HIGH")
    return (lo, hi)


def fault_options(kw: dict[str, Any]) -> Any:
    """``EmulatorOptions`` from the switches of the ``emulator`` subcommand."""
    from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions

    latency = _latency(kw["latency_ms"])
    quotas: dict[str, float] = {}
    for item in kw["quota"]:
        action, sep, rps = item.partition("=")
        try:
            quotas[action] = float(rps)
        except ValueError:
            raise click.BadParameter(f"{item!r} is not ACTION=RPS", param_hint="--quota") from None
        if not sep or not action:
            raise click.BadParameter(f"{item!r} is not ACTION=RPS", param_hint="--quota")
    latency_rate = kw["latency_rate"]
    if latency_rate is None:
        latency_rate = 1.0 if latency != (0, 0) else 0.0
    faults = FaultOptions(
        latency_rate=latency_rate, latency_ms=latency,
        throttle_rate=kw["throttle_rate"], server_error_rate=kw["error_rate"],
        drop_rate=kw["drop_rate"], slow_body_rate=kw["slow_rate"],
        truncate_rate=kw["truncate_rate"])
    return EmulatorOptions(quotas=not kw["no_quotas"], quota_overrides=quotas, faults=faults,
                           seed=kw["seed"], report_delay_s=kw["report_delay"],
                           cloudsso_task_delay_s=kw["cloudsso_task_delay"])


def _emulator_switches(fn: Any) -> Any:
    opts = [
        click.option("--latency-ms", metavar="MS|LOW-HIGH", envvar=_envvar("latency-ms"),
                     show_envvar=True, help="Delay answers by MS, or uniformly LOW-HIGH."),
        click.option("--latency-rate", type=click.FloatRange(0, 1), default=None,
                     envvar=_envvar("latency-rate"), show_envvar=True,
                     help="Probability per request of the --latency-ms delay [default: 1]."),
        _rate("throttle-rate", "a Throttling.User answer"),
        _rate("error-rate", "a ServiceUnavailable/InternalError answer"),
        _rate("drop-rate", "a dropped connection"),
        _rate("slow-rate", "a body sent slowly in small pieces"),
        _rate("truncate-rate", "a truncated body"),
        click.option("--quota", multiple=True, metavar="ACTION=RPS", envvar=_envvar("quota"),
                     show_envvar=True,
                     help="Override an action's quota, e.g. ram:ListUsers=5 (repeatable)."),
        click.option("--no-quotas", is_flag=True, envvar=_envvar("no-quotas"), show_envvar=True,
                     help="Answer every request, never Throttling.User for a quota."),
        click.option("--seed", type=int, default=0, show_default=True, envvar=_envvar("seed"),
                     show_envvar=True, help="Seed of the fault draws (same seed, same faults)."),
        click.option("--report-delay", type=click.FloatRange(0), default=1.0, show_default=True,
                     metavar="SECONDS", envvar=_envvar("report-delay"), show_envvar=True,
                     help="How long GenerateCredentialReport takes to build a report "
                          "(STARTED, INPROGRESS, then COMPLETED); 0 = at once."),
        click.option("--cloudsso-task-delay", type=click.FloatRange(0), default=1.0,
                     show_default=True, metavar="SECONDS",
                     envvar=_envvar("cloudsso-task-delay"), show_envvar=True,
                     help="How long a CloudSSO Create/DeleteAccessAssignment task stays "
                          "InProgress before the change appears; 0 = at once."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              envvar=_envvar("port"), show_envvar=True, help="TCP port; 0 = any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, envvar=_envvar("host"),
              show_envvar=True, help="Address to listen on.")
@click.option("--account", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar=_envvar("account"), show_envvar=True,
              help="Account JSON file (docs/emulator.md); default: the bundled sample.")
@click.option("--synthetic", metavar="SPEC", envvar=_envvar("synthetic"), show_envvar=True,
              help="Generate an account instead, e.g. users=50000,groups=500,roles=200.")
@click.option("--synthetic-org", metavar="SPEC", envvar=_envvar("synthetic_org"),
              show_envvar=True,
              help="Generate a Resource Directory instead: accounts=N,folders=K,depth=1|2, "
                   "CloudSSO's sso_users=U,sso_groups=G,access_configurations=C,assignments=A "
                   "and the per-account items of --synthetic, e.g. accounts=5,users=100. The "
                   "key printed is the management account's administrator.")
@_emulator_switches
@field_options(GROUPS["logging"])
@click.pass_context
def emulator(ctx: click.Context, /, port: int, host: str, account: Path | None,
             synthetic: str | None, synthetic_org: str | None, **kw: Any) -> None:
    """Serve the bundled RAM/IMS/STS/Resource Manager emulator until Ctrl-C.

    When ready, prints one JSON line on stdout: {"url", "access_key_id",
    "access_key_secret"} (an administrator key of the emulated account). Point --endpoint at
    the url.
    """
    from baton_alibaba_cloud.emulator.server import load_account, serve

    start(ctx, GROUPS["logging"])
    if sum(1 for given in (account, synthetic, synthetic_org) if given) > 1:
        raise click.UsageError("--account, --synthetic and --synthetic-org cannot be used "
                               "together")
    try:
        data = (_synthetic(synthetic) if synthetic else _synthetic_org(synthetic_org)
                if synthetic_org else load_account(account))
    except AccountFileError as exc:
        raise click.BadParameter(str(exc).splitlines()[0], param_hint="--account") from exc
    options = fault_options(kw)

    def ready(line: dict[str, str]) -> None:
        click.echo(json.dumps(line), nl=True)
        sys.stdout.flush()

    try:
        with contextlib.suppress(KeyboardInterrupt):
            serve(data, options, port, host=host, ready=ready)
    except AccountFileError as exc:  # a bad --account file is configuration: exit 2
        raise click.BadParameter(str(exc).splitlines()[0], param_hint="--account") from exc


def _synthetic(spec: str) -> dict[str, Any]:
    try:
        return generator.generate(generator.parse_spec(spec))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--synthetic") from exc


def _synthetic_org(spec: str) -> dict[str, Any]:
    try:
        return org_generator.generate_org(org_generator.parse_org_spec(spec))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--synthetic-org") from exc


DEMO_FILE = "demo.c1z"


@click.command()
@click.option("-f", "--file", "demo_file", default=DEMO_FILE, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), envvar="BATON_FILE",
              show_envvar=True,
              help="The c1z file to write: demo.c1z unless given, never the sync's default "
                   "sync.c1z. A file holding another account's sync is refused.")
@field_options(("sync-secrets", "new-file", "log-level", "log-format"))
@click.pass_context
def demo(ctx: click.Context, /, demo_file: Path, **_: Any) -> None:
    """Sync the bundled emulator's sample account into demo.c1z (or -f) and print a summary.

    No Alibaba Cloud account or credentials needed: the emulator runs on a free loopback port
    for the length of the command. The demo writes its own file, not the sync's default: a
    file holds one account (a file holding another account's sync is refused unless
    --new-file).
    """
    from baton_alibaba_cloud.emulator.server import EmulatorThread

    values = start(ctx, ("sync-secrets", "new-file"))
    path = demo_file
    with EmulatorThread() as emu:
        config = connector_config({
            "access-key-id": emu.access_key_id, "access-key-secret": emu.access_key_secret,
            "endpoint": emu.url,
            "sync-secrets": values["sync-secrets"]})
        report = sync_with_progress(config, path, new_file=bool(values.get("new-file")))
    console = Console()
    console.print(f"Synced the emulator's sample account into {path}")
    console.print(summary_table(report.resources, report.entitlements, report.grants))
    console.print(f"Next: baton-alibaba-cloud inspect grants -f {shlex.quote(str(path))}",
                  markup=False, highlight=False, soft_wrap=True)
