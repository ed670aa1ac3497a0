"""``inspect findings`` (issue 10 point 5): each check's exact objects on the review account,
the password policy and security preference synced from IMS and judged against the CIS
benchmark, admin reachability with paths, ``--min-severity``, and the info finding for a file
without the account settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from tests.e2e import review_account as acct
from tests.e2e.cli_helpers import clean_env, run_cli


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("findings") / "review.c1z"
    acct.sync_cli(acct.account(), path)
    return path


def _findings(path: Path, *args: str) -> Any:
    result = run_cli(["inspect", "findings", "-f", str(path), "-o", "json", *args], path.parent,
                     clean_env(path.parent))
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def _by_check(data: Any) -> dict[str, set[tuple[str, ...]]]:
    found: dict[str, set[tuple[str, ...]]] = {}
    for f in data["findings"]:
        found.setdefault(f["check"], set()).add((f["object"], *f["paths"]))
    return found


def test_every_check_names_exactly_its_objects(synced: Path) -> None:
    data = _findings(synced)
    assert _by_check(data) == {
        "custom-policy-full-admin": {("everything",)},
        "access-key-active-on-frozen-user": {("LTAI5tReviewCarol01 (carol)",)},
        "admin-reachable": {
            ("admin", "direct"), ("alice", "via group admins"), ("admin-role", "direct"),
            ("dan", "direct"),  # AdministratorAccess within the resource group prod
            ("ops-role", "via role admin-role"), ("svc", "via role ops-role → role admin-role"),
            ("partner-role", "direct"),
            (f"External account {acct.OTHER}", "via role partner-role")},
        "console-user-without-mfa": {("bob",), ("dan",)},
        "role-trusts-federated-without-condition": {("fed-role",)},
        "role-trusts-other-account": {("partner-role",)},
        "access-key-older-than-90-days": {("LTAI5tReviewBob0001 (bob)",),
                                          ("LTAI5tReviewSvc0001 (svc)",)},
        "access-key-unused-90-days": {("LTAI5tReviewBob0001 (bob)",)},
        "custom-policy-wildcard-action": {("ecs-any",)},
        "password-policy-max-age": {("review",)},
        "password-policy-symbol": {("review",)},
        "role-trusts-own-root": {("root-role",)},
        "security-preference-idle-users": {("review",)},
    }
    assert data["counts"] == {"critical": 1, "high": 13, "medium": 6, "low": 2, "info": 0}
    scoped = [f for f in data["findings"] if f["object"] == "dan"]
    assert scoped[0]["reason"] == "holds AdministratorAccess on resource group prod"
    reasons = {f["check"]: f["reason"] for f in data["findings"]}
    assert reasons["password-policy-max-age"] == (
        "MaxPasswordAge is 0; the recommendation is 1 to 90 days")
    assert reasons["access-key-unused-90-days"] == (
        "never used, created 400 days ago; disable or delete it")
    sources = {f["check"]: f["source"] for f in data["findings"]}
    assert sources["password-policy-symbol"] == (
        "CIS Alibaba Cloud Foundations Benchmark v1.0.0, 1.9")


def test_the_account_profile_holds_the_settings_as_ims_answers(synced: Path) -> None:
    with C1zReader.open(synced) as reader:
        account = reader.get_resource("account", acct.UID)
        assert account is not None
        fields = account.profile.fields
        policy = fields["password_policy"].struct_value.fields
        preference = fields["security_preference"].struct_value.fields
    assert policy["MinimumPasswordLength"].number_value == 14
    assert policy["RequireSymbols"].bool_value is False
    login = preference["LoginProfilePreference"].struct_value.fields
    assert login["MFAOperationForLogin"].string_value == "mandatory"


@pytest.mark.parametrize(("severity", "count"), [
    ("critical", 1), ("high", 14), ("medium", 20), ("low", 22), ("info", 22)])
def test_min_severity_keeps_that_and_worse(synced: Path, severity: str, count: int) -> None:
    data = _findings(synced, "--min-severity", severity)
    assert len(data["findings"]) == count
    assert sum(data["counts"].values()) == count


def test_the_table_lists_paths(synced: Path) -> None:
    result = run_cli(["inspect", "findings", "-f", str(synced), "--min-severity", "high"],
                     synced.parent, clean_env(synced.parent))
    assert result.code == 0, result.stderr
    svc = [ln for ln in result.stdout.splitlines() if " svc " in ln]
    assert len(svc) == 1 and svc[0].endswith("via role ops-role → role admin-role")
