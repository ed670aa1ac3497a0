"""connector/validate.py against the emulator: one probe per action, ok vs missing."""

from __future__ import annotations

from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import (
    AlibabaClient,
    AuthenticationError,
    Endpoints,
    StaticProvider,
)
from baton_alibaba_cloud.connector.permissions import (
    enabled_features,
    required_actions,
    required_permissions,
)
from baton_alibaba_cloud.connector.resource_types import Feature
from baton_alibaba_cloud.connector.validate import ValidationReport, probe_params, run_probes
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.cli import accounts

ALL = enabled_features(sync_secrets=True, provisioning=True)


async def _report(actions: list[str] | None, key: tuple[str, str],
                  features: list[Feature] = ALL) -> ValidationReport:
    async with running_emulator(accounts.account(actions)) as emu, AlibabaClient(
        StaticProvider(*key), Endpoints.single(emu.url)
    ) as client:
        return await run_probes(client, features)


async def test_admin_key_passes_every_probe() -> None:
    report = await _report(None, accounts.ROOT_KEY)
    assert report.missing == []
    assert all(r.ok for r in report.results), report.results
    assert report.account_id == accounts.ACCOUNT_ID
    assert {f"{r.service}:{r.action}" for r in report.results} >= {
        "ims:ListUsers", "ram:AddUserToGroup", "ims:GetAccessKeyLastUsed"}


async def test_exact_policy_passes() -> None:
    report = await _report(required_permissions(ALL), accounts.CONNECTOR_KEY)
    assert report.missing == [], report.results


@pytest.mark.parametrize("dropped", required_permissions(ALL))
async def test_each_removed_action_is_named_missing(dropped: str) -> None:
    perms = [p for p in required_permissions(ALL) if p != dropped]
    report = await _report(perms, accounts.CONNECTOR_KEY)
    assert report.missing == [dropped]


async def test_a_user_without_any_policy_misses_everything() -> None:
    report = await _report([], accounts.CONNECTOR_KEY, ["sync"])
    assert report.missing == required_permissions(["sync"])


async def test_wrong_secret_raises_the_authentication_error() -> None:
    with pytest.raises(AuthenticationError) as info:
        await _report(None, (accounts.ROOT_KEY[0], "wrong-secret-0000"))
    assert info.value.code == "SignatureDoesNotMatch"


def test_probe_parameters_are_harmless_names_and_one_item() -> None:
    for action in required_actions(ALL):
        params = probe_params(action, accounts.ACCOUNT_ID)
        for name, value in params.items():
            if name.endswith("Name"):
                assert value.startswith("baton-validate-probe"), (action, name)
        if "MaxItems" in params:
            assert params["MaxItems"] == "1"


def _entities(backend: Any) -> str:
    names = ("users", "groups", "members", "roles", "policies", "attached_to", "access_keys",
             "login_profiles", "mfa_devices")
    return repr([getattr(backend, name) for name in names])


async def test_one_request_per_action_and_nothing_changes() -> None:
    """validate makes exactly one call per action the features need (write probes included),
    and no user, group, role, policy, membership, attachment or key changes."""
    async with running_emulator(accounts.account()) as emu, AlibabaClient(
        StaticProvider(*accounts.ROOT_KEY), Endpoints.single(emu.url)
    ) as client:
        before = _entities(emu.backend)
        await run_probes(client, ALL)
        after = _entities(emu.backend)
        requests = dict(emu.request_log.requests)
    assert requests == {(a.service, a.action): 1 for a in required_actions(ALL)}
    assert before == after


def test_the_table_shows_arns_literally() -> None:
    """``acs:ram::`` in an identity must not turn into rich's :ram: emoji."""
    from rich.console import Console

    from baton_alibaba_cloud.cli._validate import render
    from baton_alibaba_cloud.connector.validate import ProbeResult

    report = ValidationReport(f"acs:ram::{accounts.ACCOUNT_ID}:user/connector",
                              accounts.ACCOUNT_ID,
                              [ProbeResult("ram", "GetRole", "ram:GetRole", "missing")])
    console = Console(record=True, width=120, emoji=False, highlight=False)
    console.print(render(report))
    text = console.export_text()
    assert f"Validating as acs:ram::{accounts.ACCOUNT_ID}:user/connector" in text
    assert "ram:GetRole" in text and "missing" in text


def test_every_action_of_the_table_is_in_the_api_metadata_snapshots() -> None:
    from baton_alibaba_cloud.connector.permissions import metadata_problems

    assert metadata_problems() == []


def test_a_probe_that_kept_failing_is_not_a_pass() -> None:
    import click

    from baton_alibaba_cloud.cli._validate import verdict
    from baton_alibaba_cloud.connector.validate import ProbeResult

    ok = ProbeResult("ram", "ListRoles", "ram:ListRoles", "ok")
    down = ProbeResult("ram", "GetRole", "ram:GetRole", "error: ServiceUnavailable")
    verdict(ValidationReport("me", "1", [ok]))
    with pytest.raises(click.ClickException, match=r"could not check ram:GetRole "
                                                   r"\(ServiceUnavailable\)") as caught:
        verdict(ValidationReport("me", "1", [ok, down]))
    assert caught.value.exit_code == 1
    missing = ProbeResult("ram", "ListUsers", "ram:ListUsers", "missing")
    with pytest.raises(click.ClickException, match=r"1 permission.s. missing for me: ram:List"):
        verdict(ValidationReport("me", "1", [missing, down]))
