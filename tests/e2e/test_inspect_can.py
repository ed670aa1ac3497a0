"""Issue 9 point 3 end to end: ``inspect can`` agrees with the emulator's authorizer.

Every case of ``tests/alibaba/policy_cases.py`` becomes a user of one emulated account holding
that case's policy and a key. After a sync, ``inspect can --principal`` (the function behind
it, and the console script for a few) must give the case's expected answer from the c1z, and
the real API call made with the user's own key must pass the emulator's authorizer exactly when
the case says (conditional cases: the emulator decides from the request, and the case says
what it decides).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.alibaba import AlibabaClient, AlibabaError, Endpoints, StaticProvider
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.connector import can, run
from baton_alibaba_cloud.emulator.server import load_account, running_emulator
from tests.alibaba.policy_cases import CASES, Case
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.test_scoped_attachments import ACCOUNT as SCOPED_ACCOUNT
from tests.e2e.test_sync_sample import config_for

UID = "3344556677889900"


def _user(n: int) -> str:
    return f"case-{n:02d}"


def _document(case: Case) -> dict[str, Any]:
    text = json.dumps({"Version": "1", "Statement": case.statements})
    return dict(json.loads(text.replace("{uid}", UID)))


ACCOUNT: dict[str, Any] = {
    "version": 1,
    "account": {"id": UID, "alias": "cases"},
    "users": [{"name": "emulator-admin", "access_keys": [{"id": "LTAI5tCasesAdmin1",
                                                          "secret": "secret-admin-0123456789"}]},
              {"name": "alice"}, {"name": "bob"},
              *({"name": _user(n), "access_keys": [{"id": f"LTAI5tCase{n:06d}",
                                                    "secret": f"secret-case-{n:02d}-0123"}]}
                for n in range(len(CASES)))],
    "groups": [{"name": "dev"}],
    "roles": [{"name": "ops", "trust_policy": {"Version": "1", "Statement": []}}],
    "policies": [{"name": f"policy-{n:02d}", "type": "Custom", "document": _document(case)}
                 for n, case in enumerate(CASES)],
    "attachments": [
        {"policy": "AdministratorAccess", "policy_type": "System", "principal_type": "user",
         "principal": "emulator-admin"},
        *({"policy": f"policy-{n:02d}", "policy_type": "Custom", "principal_type": "user",
           "principal": _user(n)} for n in range(len(CASES))),
    ],
}


async def _passes_authorizer(url: str, n: int, case: Case) -> bool:
    """The real call with the case user's key: refused with NoPermission, or not."""
    key = StaticProvider(f"LTAI5tCase{n:06d}", f"secret-case-{n:02d}-0123", None)
    async with AlibabaClient(key, Endpoints.single(url)) as client:
        try:
            await client.call("ram", case.action.split(":", 1)[1], case.params)
        except AlibabaError as exc:
            if exc.code == "NoPermission":
                return False
            assert exc.code.startswith("EntityNotExist"), exc  # authorized, then not found
    return True


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, bool]]:
    """The c1z of the account, and the emulator's verdict on every case."""
    import asyncio

    path = tmp_path_factory.mktemp("cases") / "sync.c1z"

    async def go() -> dict[int, bool]:
        async with running_emulator(ACCOUNT) as emu:
            await run.sync(config_for(emu), path)
            return {n: await _passes_authorizer(emu.url, n, c) for n, c in enumerate(CASES)}

    return path, asyncio.run(go())


@pytest.mark.parametrize("n", range(len(CASES)), ids=[c.name for c in CASES])
def test_inspect_can_agrees_with_the_emulator(synced: tuple[Path, dict[int, bool]],
                                              n: int) -> None:
    path, emulator = synced
    case = CASES[n]
    with C1zReader.open(path) as reader:
        graph = can.load_graph(reader)
    answer = can.paths_for(graph, ("user", f"acs:ram::{UID}:user/{_user(n)}"), case.action,
                           case.resource.replace("{uid}", UID))
    assert answer.answer == case.expected, case.why
    assert emulator[n] is case.allowed_by_emulator, case.why
    if case.expected != "conditional":
        assert emulator[n] is (answer.answer == "yes")


def test_inspect_can_console_script(synced: tuple[Path, dict[int, bool]],
                                    tmp_path: Path) -> None:
    """The command itself: a principal's answer as JSON, and who can, as a table."""
    path, _ = synced
    deny = next(n for n, c in enumerate(CASES) if c.name == "deny wins")
    args = ["inspect", "can", "-f", str(path), "--action", "ram:GetUser",
            "--resource", f"acs:ram:*:{UID}:user/alice"]
    result = run_cli([*args, "--principal", _user(deny), "-o", "json"], tmp_path,
                     clean_env(tmp_path))
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answer"] == "no"
    assert data["paths"][0]["statements"] == [f"policy-{deny:02d}#2 Deny (direct)"]
    table = run_cli([*args, "-o", "csv"], tmp_path, clean_env(tmp_path))
    assert table.code == 0, table.stderr
    rows = table.stdout.splitlines()
    yes = {_user(n) for n, c in enumerate(CASES)
           if c.action == "ram:GetUser" and c.resource.endswith("user/alice")
           and c.expected != "no"}
    assert {r.split(",")[1] for r in rows[1:]} == yes | {"emulator-admin"}
    unknown = run_cli([*args, "--principal", "nobody-such"], tmp_path, clean_env(tmp_path))
    assert unknown.code == 2 and "nobody-such" in unknown.stderr


async def _graph_of(account: dict[str, Any] | None, path: Path) -> can.Graph:
    """Sync ``account`` (None: the sample) through the emulator and read its graph."""
    async with running_emulator(account) as emu:
        await run.sync(config_for(emu), path)
    with C1zReader.open(path) as reader:
        return can.load_graph(reader)


async def test_resource_group_scoped_attachments_are_paths_of_their_own(tmp_path: Path) -> None:
    """The sample account: carol holds AdministratorAccess on rg-prod only, the developers
    group AliyunECSFullAccess on rg-dev only. They answer ``conditional`` (on the resource
    being in the group) for an ECS action, and not at all for a RAM action."""
    graph = await _graph_of(None, tmp_path / "sync.c1z")
    scoped = {(p.principal, p.path, p.answer) for p in can.who_can(graph, "ecs:RunInstances", None)
              if "resource group" in p.path}
    developers = {"Alice Zhang", "Bob Li", "Dave Chen", "Heidi Zhou"}
    assert scoped == {
        ("Carol Wang", "on resource group rg-prod (its resources only)", "conditional"),
        *((name, "on resource group rg-dev (its resources only), via group Developers",
           "conditional") for name in developers)}
    assert not [p for p in can.who_can(graph, "ram:CreateUser", None)
                if "resource group" in p.path]


async def test_a_policy_bound_only_within_a_group_is_still_evaluated(tmp_path: Path) -> None:
    """A system policy attached only within a resource group has no account-wide attachment
    (ListPolicies counts none), yet its document is synced (RAM GetPolicy, by the resource
    group builder), so ``inspect can`` still finds who holds it there instead of skipping it."""
    account = load_account(None)
    account["attachments"] = [
        a for a in account["attachments"]
        if a["policy"] != "AliyunECSFullAccess" or a.get("resource_group")]
    path = tmp_path / "sync.c1z"
    async with running_emulator(account) as emu:
        await run.sync(config_for(emu), path)
        get_policy = [c for c in emu.request_log.calls_to("GetPolicy", "ram")
                      if ("PolicyName", "AliyunECSFullAccess") in c.params]
    assert len(get_policy) == 1
    with C1zReader.open(path) as reader:
        graph = can.load_graph(reader)
    scoped = {p.principal for p in can.who_can(graph, "ecs:RunInstances", None)
              if "rg-dev" in p.path}
    assert scoped == {"Alice Zhang", "Bob Li", "Dave Chen", "Heidi Zhou"}


async def test_a_role_held_only_within_a_group_answers_for_who_may_assume_it(
        tmp_path: Path) -> None:
    """ops-role holds ecs-all (Allow ecs:*) within rg-prod only, and erin may assume ops-role:
    erin's ECS answer follows the role into the resource group (a path of its own,
    conditional on the resource being in rg-prod), besides the role's own path. A Deny held by
    the role everywhere still wins over that scoped Allow."""
    account = copy.deepcopy(SCOPED_ACCOUNT)
    ecs = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}
    account["policies"] = [{"name": "ecs-all", "type": "Custom", "document": ecs}]
    account["attachments"].append(
        {"policy": "ecs-all", "policy_type": "Custom", "principal_type": "role",
         "principal": "ops-role", "resource_group": "rg-aek2scopedprod1"})
    graph = await _graph_of(account, tmp_path / "sync.c1z")
    scoped = {(p.principal, p.path, p.answer) for p in can.who_can(graph, "ecs:RunInstances", None)
              if "rg-prod" in p.path}
    assert scoped == {
        ("erin", "via role ops-role, on resource group rg-prod (its resources only)",
         "conditional"),
        ("ops-role", "on resource group rg-prod (its resources only)", "conditional"),
        ("alice", "on resource group rg-prod (its resources only)", "conditional")}
    deny = {"Version": "1", "Statement": [{"Effect": "Deny", "Action": "ecs:*",
                                           "Resource": "*"}]}
    account["policies"].append({"name": "no-ecs", "type": "Custom", "document": deny})
    account["attachments"].append({"policy": "no-ecs", "policy_type": "Custom",
                                   "principal_type": "role", "principal": "ops-role"})
    graph = await _graph_of(account, tmp_path / "again.c1z")
    assert {p.principal for p in can.who_can(graph, "ecs:RunInstances", None)
            if "rg-prod" in p.path} == {"alice"}
