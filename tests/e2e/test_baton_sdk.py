"""Our connector driven by baton-sdk's own engine: the Go program of cmd/baton-alibaba-cloud
(baton-sdk's command line, runner and syncer, pinned in its go.mod) starts
``baton-alibaba-cloud serve`` as its child and syncs through baton's gRPC services.

* Its file, after baton-sdk's own grant expansion, holds exactly the resources, entitlements
  and grants of our native sync of the same account (row by row; the first difference is
  printed): the access-graph account (trust, role chains, scoped attachments) and the
  2,500-user account.
* One-shot grant and revoke change exactly one edge of the emulated account.
* Service mode validates the Alibaba Cloud configuration before it talks to ConductorOne, and
  fails in one line when the credentials are refused.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import RunningEmulator
from tests.e2e.c1z_compare import counts, differences, rows
from tests.e2e.cli_helpers import (
    SCRIPT,
    Result,
    clean_env,
    emulator,
    endpoint_flags,
    key_flags,
    run_cli,
)
from tests.e2e.go_helpers import go_tool
from tests.e2e.test_access_graph import ACCOUNT as ACCESS_GRAPH
from tests.e2e.test_sync_large import big_account

pytestmark = pytest.mark.timeout(1800)  # the first test may build the Go program

UID = "5123456789012345"
OPERATIONS_MEMBER = f"group:acs:ram::{UID}:group/operations:member"
IVAN = f"acs:ram::{UID}:user/ivan"


@pytest.fixture(scope="module")
def connector() -> Path:
    return go_tool("connector")


def run_go(binary: Path, emu: RunningEmulator, tmp: Path, *args: str,
           secret: str | None = None, timeout: float = 600,
           env_extra: dict[str, str] | None = None) -> Result:
    """The Go connector against ``emu``, with the console script of this checkout as its
    Python service; temp files (the service's socket and snapshots) under ``tmp``."""
    env = clean_env(tmp, {"BATON_CONNECTOR_COMMAND": str(SCRIPT), "TMPDIR": str(tmp),
                          **(env_extra or {})})
    key = (emu.access_key_id, secret or emu.access_key_secret)
    proc = subprocess.run([str(binary), *args, *endpoint_flags(emu), *key_flags(key)],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def native_and_baton_sdk(
    binary: Path, emu: RunningEmulator, tmp: Path, env_extra: dict[str, str] | None = None
) -> tuple[Path, Path, Result]:
    """Our native sync, then baton-sdk's through the Go connector (its run returned too)."""
    native, through_sdk = tmp / "native.c1z", tmp / "baton-sdk.c1z"
    done = run_cli(["-f", str(native), *endpoint_flags(emu),
                    *key_flags((emu.access_key_id, emu.access_key_secret))],
                   cwd=tmp, env=clean_env(tmp), timeout=600)
    assert done.code == 0, done.stderr[-2000:]
    through = run_go(binary, emu, tmp, "-f", str(through_sdk), env_extra=env_extra)
    assert through.code == 0, through.stderr[-3000:]
    assert not list(tmp.glob("baton-alibaba-cloud-*")), "the service left files behind"
    return native, through_sdk, through


def assert_same_file(native: Path, through_sdk: Path) -> None:
    found = differences(native, through_sdk)
    assert not found, f"{len(found)} rows differ; the first: {found[0]}"
    sizes = counts(native)
    assert all(sizes.values()), sizes


def test_access_graph_account_matches_native_sync(connector: Path, tmp_path: Path) -> None:
    with emulator(ACCESS_GRAPH) as emu:
        native, through_sdk, _ = native_and_baton_sdk(connector, emu, tmp_path)
    assert_same_file(native, through_sdk)


def test_large_account_matches_native_sync(connector: Path, tmp_path: Path) -> None:
    """Also the proof that baton-sdk's syncer takes the type-scoped route: `serve` logs every
    list call at debug level, and baton-sdk asked for each type's entitlements and grants in
    pages, never for one resource's (which would be two calls per resource, thousands here)."""
    debug = {"BATON_LOG_LEVEL": "debug", "BATON_LOG_FORMAT": "json"}
    with emulator(big_account(), options=EmulatorOptions(quotas=False)) as emu:
        native, through_sdk, run = native_and_baton_sdk(connector, emu, tmp_path, debug)
    assert_same_file(native, through_sdk)
    assert counts(native)["v1_resources"] > 2500
    assert_type_scoped(list_calls(run.stderr), rows(through_sdk))


def list_calls(stderr: str) -> list[dict[str, Any]]:
    """The debug lines `serve` wrote for each ListEntitlements and ListGrants call."""
    calls = []
    for line in stderr.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "scope" in record and record.get("method") in (
                "ListEntitlements", "ListGrants"):
            calls.append(record)
    return calls


def assert_type_scoped(calls: list[dict[str, Any]], file: dict[str, Any]) -> None:
    """Every call names a whole type; each type declared type-scoped is listed exactly once, page
    after page (the first call without a page token, one more call per page token handed
    out); the entitlements served are, type by type, those in baton-sdk's file."""
    scoped = {rid for rid, row in file["v1_resource_types"].items()
              if any("TypeScopedGrants" in a["@type"] for a in row["data"].get("annotations", []))}
    assert len(scoped) >= 3, scoped
    assert [c for c in calls if c["scope"] != "type"] == []
    pages: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for call in calls:
        pages.setdefault((call["method"], call["resource_type_id"]), []).append(call)
    assert set(pages) == {(m, t) for m in ("ListEntitlements", "ListGrants") for t in scoped}
    for listing in pages.values():
        assert [c["page_token"] for c in listing] == [False] + [True] * (len(listing) - 1)
        assert [c["next_page"] for c in listing] == [True] * (len(listing) - 1) + [False]
    assert max(len(listing) for listing in pages.values()) > 1, "no listing was paged"
    served = {t: sum(c["rows"] for c in pages["ListEntitlements", t]) for t in scoped}
    in_file = Counter(row["resource_type_id"] for row in file["v1_entitlements"].values())
    assert served == {t: in_file[t] for t in scoped}
    assert len(calls) < len(file["v1_entitlements"]) / 10


def test_binary_declares_every_connector_field(connector: Path, tmp_path: Path) -> None:
    """Each field of our configuration schema is a flag of the binary too (it passes them
    to the service), and the binary's schema marks the same ones secret."""
    ours = json.loads(run_cli(["config"], cwd=tmp_path, env=clean_env(tmp_path)).stdout)
    theirs = subprocess.run([str(connector), "config"], capture_output=True, text=True,
                            check=True, env=clean_env(tmp_path)).stdout
    declared = {f["name"]: f for f in json.loads(theirs)["fields"]}
    missing = [f["name"] for f in ours["fields"] if f["name"] not in declared]
    assert missing == []
    secret = {f["name"] for f in ours["fields"] if f.get("isSecret")}
    assert secret <= {name for name, f in declared.items() if f.get("isSecret")}


def edges(emu: RunningEmulator) -> set[tuple[str, ...]]:
    """Every group membership and policy attachment of the emulated account."""
    backend: Any = emu.backend
    members = {("member", user, group) for user, joined in backend.groups_of_user.items()
               for group in joined}
    attached = {("attached", str(ref), str(key)) for ref, keys in backend.attached_to.items()
                for key in keys}
    return members | attached


def test_one_shot_grant_and_revoke_change_one_edge(connector: Path, tmp_path: Path) -> None:
    path = str(tmp_path / "s.c1z")
    with emulator() as emu:
        assert run_go(connector, emu, tmp_path, "-f", path).code == 0
        before = edges(emu)
        done = run_go(connector, emu, tmp_path, "-f", path, "--grant-entitlement",
                      OPERATIONS_MEMBER, "--grant-principal-type", "user",
                      "--grant-principal", IVAN)
        assert done.code == 0, done.stderr[-2000:]
        granted = edges(emu)
        assert len(granted - before) == 1 and before <= granted, granted ^ before
        assert run_go(connector, emu, tmp_path, "-f", path).code == 0
        done = run_go(connector, emu, tmp_path, "-f", path, "--revoke-grant",
                      f"{OPERATIONS_MEMBER}:user:{IVAN}")
        assert done.code == 0, done.stderr[-2000:]
        assert edges(emu) == before
    assert not list(tmp_path.glob("baton-alibaba-cloud-*"))


def test_service_mode_refused_credentials_fail_in_one_line(
    connector: Path, tmp_path: Path
) -> None:
    wrong = "refused-secret-0000000000"
    with emulator() as emu:
        done = run_go(connector, emu, tmp_path, "--client-id", "test@example.invalid/x",
                      "--client-secret", "not-checked-before-alibaba", secret=wrong,
                      timeout=120)
    assert done.code != 0
    lines = done.error_lines
    assert len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith("Error: validating the connector configuration: "), lines
    assert "SignatureDoesNotMatch" in lines[0] or "AccessKey" in lines[0], lines
    assert wrong not in done.stderr


def test_service_mode_validates_then_stops_at_conductorone(
    connector: Path, tmp_path: Path
) -> None:
    """Good Alibaba Cloud credentials pass validation; ConductorOne's client secret (not a
    real one) is refused next, in one line, and no service process is left running."""
    with emulator() as emu:
        done = run_go(connector, emu, tmp_path, "--client-id", "test@example.invalid/x",
                      "--client-secret", "not-a-client-secret", timeout=120)
    assert done.code != 0
    assert '"validated as acs:ram::' in done.stderr, done.stderr[-2000:]
    lines = done.error_lines
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr[-2000:]
    assert "secret" in lines[0].lower(), lines
    assert not list(tmp_path.glob("baton-alibaba-cloud-*"))


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_a_failed_one_shot_sync_exits_1_every_time(connector: Path, tmp_path: Path,
                                                   log_format: str) -> None:
    """baton-sdk v0.26.0 kills its connector subprocess when a run ends and, seeing it killed
    under a cancelled context, exits 0 from another goroutine: a failed sync raced to status
    0 about half the time. The binary's supervisor (cmd/baton-alibaba-cloud/supervise.go)
    makes it 1, every time, with the failure as the last line: here the Python service
    refuses its configuration (a rate-limit scale out of range)."""
    with emulator() as emu:
        for run in range(4):
            out = tmp_path / f"run{run}"
            out.mkdir()
            done = run_go(connector, emu, out, "-f", str(out / "sync.c1z"), timeout=120,
                          env_extra={"BATON_RATE_LIMIT_SCALE": "20",
                                     "BATON_LOG_FORMAT": log_format})
            assert done.code == 1, done.stderr[-2000:]
            last = done.stderr.strip().splitlines()[-1]
            assert last.startswith("Error: ") and "--rate-limit-scale" in last, last
            assert not (out / "sync.c1z").exists()
