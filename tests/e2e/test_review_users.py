"""``inspect users`` / ``inspect keys`` (issue 10 point 1): each filter's exact rows on the review
account, CSV and JSON output, the error without --sync-secrets data, and every trait and profile
field readable through ``inspect resources -o json``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import review_account as acct
from tests.e2e.cli_helpers import clean_env, emulator, endpoint_flags, key_flags, run_cli


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("review") / "review.c1z"
    acct.sync_cli(acct.account(), path)
    return path


def _json(path: Path, *args: str) -> list[dict[str, Any]]:
    result = run_cli(["inspect", *args, "-f", str(path), "-o", "json"], path.parent,
                     clean_env(path.parent))
    assert result.code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _users(path: Path, *filters: str) -> list[str]:
    return [str(row["user"]) for row in _json(path, "users", *filters)]


@pytest.mark.parametrize(("filters", "expected"), [
    ((), ["admin", "alice", "bob", "carol", "dan", "svc"]),
    (("--no-mfa",), ["admin", "bob", "carol", "dan", "svc"]),
    (("--console",), ["alice", "bob", "dan"]),
    (("--console", "--no-mfa"), ["bob", "dan"]),
    (("--frozen",), ["carol"]),
    (("--inactive-days", "90"), ["bob"]),
    (("--inactive-days", "3"), ["bob", "carol", "dan"]),
    (("--key-age-days", "90"), ["bob", "svc"]),
    (("--key-age-days", "150"), ["bob", "svc"]),
    (("--key-age-days", "300"), ["bob"]),
    (("--key-unused-days", "90"), ["bob"]),
    (("--key-unused-days", "3"), ["bob", "carol"]),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_each_user_filter_gives_exactly_its_users(
    synced: Path, filters: tuple[str, ...], expected: list[str]
) -> None:
    assert _users(synced, *filters) == expected


def test_a_user_row_says_what_a_reviewer_asks(synced: Path) -> None:
    rows = {row["user"]: row for row in _json(synced, "users")}
    assert {k: v for k, v in rows["bob"].items() if k != "last_login"} == {
        "user": "bob", "display_name": "bob", "status": "active", "type": "human",
        "console_login": True, "mfa": False, "keys": 1, "oldest_key_age_days": 400,
        "key_last_used": None, "groups": ["dev"], "direct_policies": 0,
        "effective_policies": 1, "scoped_policies": 0, "id": acct.arn("user", "bob"),
    }
    assert rows["alice"]["mfa"] is True and rows["alice"]["groups"] == ["admins"]
    assert (rows["svc"]["type"], rows["svc"]["keys"]) == ("service", 2)
    assert (rows["dan"]["direct_policies"], rows["dan"]["effective_policies"]) == (1, 2)


@pytest.mark.parametrize(("filters", "expected"), [
    ((), ["LTAI5tReviewAdmin01", "LTAI5tReviewAlice01", "LTAI5tReviewBob0001",
          "LTAI5tReviewCarol01", "LTAI5tReviewSvc0001", "LTAI5tReviewSvc0002"]),
    (("--active",), ["LTAI5tReviewAdmin01", "LTAI5tReviewAlice01", "LTAI5tReviewBob0001",
                     "LTAI5tReviewCarol01", "LTAI5tReviewSvc0001"]),
    (("--frozen-user",), ["LTAI5tReviewCarol01"]),
    (("--key-age-days", "90"), ["LTAI5tReviewBob0001", "LTAI5tReviewSvc0001",
                                "LTAI5tReviewSvc0002"]),
    (("--key-unused-days", "90"), ["LTAI5tReviewBob0001", "LTAI5tReviewSvc0002"]),
    (("--active", "--key-unused-days", "90"), ["LTAI5tReviewBob0001"]),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_each_key_filter_gives_exactly_its_keys(
    synced: Path, filters: tuple[str, ...], expected: list[str]
) -> None:
    assert [row["key"] for row in _json(synced, "keys", *filters)] == expected


def test_csv_has_a_header_and_one_line_per_user(synced: Path) -> None:
    result = run_cli(["inspect", "users", "--console", "-o", "csv", "-f", str(synced)],
                     synced.parent, clean_env(synced.parent))
    assert result.code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["user"], r["mfa"], r["groups"]) for r in rows] == [
        ("alice", "yes", "admins"), ("bob", "no", "dev"), ("dan", "no", "dev")]


def test_piped_table_is_whole(synced: Path) -> None:
    result = run_cli(["inspect", "users", "-f", str(synced)], synced.parent,
                     clean_env(synced.parent, {"COLUMNS": "60"}))
    assert result.code == 0, result.stderr
    assert acct.arn("user", "carol") in result.stdout and "…" not in result.stdout


def test_key_views_without_sync_secrets_say_how_to_get_them(tmp_path: Path) -> None:
    path = tmp_path / "plain.c1z"
    with emulator(acct.account()) as emu:
        args = ["-f", str(path), *endpoint_flags(emu), *key_flags(acct.ADMIN_KEY)]
        assert run_cli(args, tmp_path, clean_env(tmp_path)).code == 0
    for view in (["keys"], ["users", "--key-age-days", "90"]):
        result = run_cli(["inspect", *view, "-f", str(path)], tmp_path, clean_env(tmp_path))
        assert result.code == 1
        assert result.error_lines == [
            "Error: " + ("this view needs" if view == ["keys"] else "the key filters need")
            + " AccessKeys in the file, but it was synced without them; sync again with "
            "--sync-secrets (and the permission ram:GetAccessKeyLastUsed)"]
    assert _users(path, "--console", "--no-mfa") == ["bob", "dan"]


def test_every_trait_and_profile_field_is_in_resources_json(synced: Path) -> None:
    users = {row["id"]: row for row in _json(synced, "resources", "-t", "user")}
    bob = users[acct.arn("user", "bob")]["detail"]
    assert isinstance(bob, dict)
    trait = bob["annotations"][0]
    assert trait["@type"] == "type.googleapis.com/c1.connector.v2.UserTrait"
    assert trait["login"] == "bob@review.onaliyun.com"
    assert {"console_login_enabled": True, "mfa_enabled": False,
            "has_access_keys": True}.items() <= trait["profile"].items()
    assert bob["profile"] == trait["profile"] and "lastLogin" in trait
    keys = {row["id"]: row["detail"] for row in _json(synced, "resources", "-t", "access_key")}
    secret = keys["LTAI5tReviewSvc0002"]["annotations"][0]
    assert secret["identityId"] == {"resourceType": "user", "resource": acct.arn("user", "svc")}
    assert secret["profile"]["status"] == "Inactive" and "createdAt" in secret
    assert keys["LTAI5tReviewSvc0001"]["annotations"][0]["lastUsedAt"]
    policies = {row["id"]: row["detail"] for row in _json(synced, "resources", "-t", "policy")}
    custom = policies[acct.arn("policy", "everything")]["profile"]
    assert json.loads(custom["policy_document"])["Statement"][0]["Action"] == "*"


async def test_policies_held_within_a_resource_group_are_counted_apart(tmp_path: Path) -> None:
    """The scoped account: alice holds AdministratorAccess on rg-prod only (no account-wide
    policy), bob and dave ReadOnlyAccess on rg-dev through group dev, erin
    AliyunRAMReadOnlyAccess on rg-prod through the role she may assume."""
    from baton_alibaba_cloud.connector import run
    from baton_alibaba_cloud.emulator.server import running_emulator
    from tests.e2e.test_scoped_attachments import ACCOUNT
    from tests.e2e.test_sync_sample import config_for

    path = tmp_path / "scoped.c1z"
    async with running_emulator(ACCOUNT) as emu:
        await run.sync(config_for(emu), path)
    rows = {row["user"]: row for row in _json(path, "users")}
    counts = {name: (row["direct_policies"], row["effective_policies"], row["scoped_policies"])
              for name, row in rows.items()}
    assert counts == {"emulator-admin": (1, 1, 0), "alice": (0, 0, 1), "bob": (0, 0, 1),
                      "dave": (1, 1, 1), "erin": (1, 1, 1), "reader": (1, 1, 0)}
