"""The real ``baton`` CLI (baton-sdk's ``cmd/baton``, built by ``scripts/go_tools.sh baton``)
reads our files, and what it prints agrees with our ``inspect``.

Five files, each synced once per module through the console script: the demo, a 2,500-user
account, a file with two syncs of an account with group and role-chain expansion (a grant made
between them, so ``baton diff`` has something to say), a ``--sync-secrets`` file, and an
``--organization`` file (folders, two members, CloudSSO users, groups, configurations and
assignments as scope bindings: tests/e2e/cloudsso_org.py). Every
``baton`` command must exit 0; its ``-o json`` output is parsed and compared as exact sets with
ours. Where the two disagree, baton is right and our file is what to fix.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import gc
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import cloudsso_org as sso
from tests.e2e.cli_helpers import (
    SCRIPT,
    clean_env,
    emulator,
    endpoint_flags,
    key_flags,
    run_cli,
)
from tests.e2e.go_helpers import go_tool
from tests.e2e.test_access_graph import ACCOUNT as GRAPH
from tests.e2e.test_access_graph import UID as GRAPH_UID
from tests.e2e.test_sync_large import big_account
from tests.emulator import org_account as org

FILES = ("demo", "large", "two-syncs", "secrets", "organization")


@pytest.fixture(scope="module")
def baton() -> Path:
    """The pinned ``baton`` binary, built on first use; a skip without Go, a failure on CI."""
    return go_tool("baton")


@contextlib.contextmanager
def _served(home: Path, data: dict[str, Any]) -> Iterator[list[str]]:
    """An ``emulator`` process serving ``data`` (kept out of this one, whose resident size
    later tests' children start from); yields the endpoint and key flags it printed."""
    account = home / "account.json"
    account.write_text(json.dumps(data))
    proc = subprocess.Popen([str(SCRIPT), "emulator", "--port", "0", "--account", str(account)],
                            cwd=home, env=clean_env(home), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        yield ["--endpoint", ready["url"],
               *key_flags((ready["access_key_id"], ready["access_key_secret"]))]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _sync_large(home: Path, path: Path) -> None:
    """Sync the 2,500-user account."""
    with _served(home, big_account()) as flags:
        result = run_cli([*flags, "-f", str(path)], home, clean_env(home), timeout=600)
        assert result.code == 0, result.stderr[-2000:]


def _organization(home: Path, path: Path) -> None:
    """The CloudSSO test organization, its two healthy members (the failing two would make
    the sync exit 1: tests/e2e/test_sync_cloudsso.py covers them)."""
    with _served(home, sso.organization()) as flags:
        result = run_cli(["--organization", "--member-accounts",
                          f"{org.PROD_APP},{org.PROD_EU}", *flags, "-f", str(path)],
                         home, clean_env(home), timeout=300)
        assert result.code == 0, result.stderr[-2000:]


def _two_syncs(home: Path, path: Path) -> None:
    """Sync, add alice to ``ops`` through the connector (one-shot grant), sync again."""
    env = clean_env(home)
    with emulator(GRAPH) as emu:
        flags = [*endpoint_flags(emu), *key_flags((emu.access_key_id, emu.access_key_secret))]
        for args in ([], ["-p", "--grant-entitlement",
                          f"group:acs:ram::{GRAPH_UID}:group/ops:member",
                          "--grant-principal", f"acs:ram::{GRAPH_UID}:user/alice",
                          "--grant-principal-type", "user"], []):
            result = run_cli([*flags, "-f", str(path), *args], home, env, timeout=600)
            assert result.code == 0, result.stderr[-2000:]


@pytest.fixture(scope="module")
def c1z(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The four files, built on first use (one sync each, two for ``two-syncs``)."""
    return {}


def _file(kind: str, cache: dict[str, Path], factory: pytest.TempPathFactory) -> Path:
    if kind in cache:
        return cache[kind]
    home = factory.mktemp(kind)
    path = home / f"{kind}.c1z"
    if kind in ("demo", "secrets"):
        extra = ["--sync-secrets"] if kind == "secrets" else []
        result = run_cli(["demo", "-f", str(path), *extra], home, clean_env(home), timeout=300)
        assert result.code == 0, result.stderr[-2000:]
    elif kind == "large":
        _sync_large(home, path)
    elif kind == "organization":
        _organization(home, path)
    else:
        _two_syncs(home, path)
    cache[kind] = path
    return path


@pytest.fixture(params=FILES)
def target(request: pytest.FixtureRequest, c1z: dict[str, Path],
           tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _file(str(request.param), c1z, tmp_path_factory)


_ANSWERS: dict[tuple[str, ...], Any] = {}
"""Parsed outputs per command line: several tests read the same listing of the same file."""


@pytest.fixture(scope="module", autouse=True)
def _forget_answers() -> Iterator[None]:
    """Drop the parsed answers after the module: the large file's are hundreds of MB, and later
    tests measure the peak memory of children this process forks (a child starts with its
    parent's resident size)."""
    yield
    _ANSWERS.clear()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # glibc: give the freed heap back
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _baton(binary: Path, path: Path, *args: str) -> Any:
    """``baton -f PATH ARGS -o json``, parsed; it must exit 0."""
    key = (str(binary), str(path), *args)
    if key not in _ANSWERS:
        _ANSWERS[key] = _run_baton(binary, path, *args)
    return _ANSWERS[key]


def _run_baton(binary: Path, path: Path, *args: str) -> Any:
    proc = subprocess.run([str(binary), "-f", str(path), *args, "-o", "json"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, (args, proc.stderr[-2000:])
    return json.loads(proc.stdout)


def _ours(path: Path, *args: str) -> Any:
    """``baton-alibaba-cloud inspect ARGS -f PATH -o json``, parsed."""
    key = ("inspect", str(path), *args)
    if key not in _ANSWERS:
        _ANSWERS[key] = _run_ours(path, *args)
    return _ANSWERS[key]


def _run_ours(path: Path, *args: str) -> Any:
    result = run_cli(["inspect", *args, "-f", str(path), "-o", "json"], path.parent,
                     clean_env(path.parent), timeout=300)
    assert result.code == 0, (args, result.stderr[-2000:])
    return json.loads(result.stdout)


def _rid(ref: dict[str, Any]) -> tuple[str, str]:
    return ref["resourceType"], ref["resource"]


def test_resource_types(baton: Path, target: Path) -> None:
    theirs = {t["resourceType"]["id"] for t in _baton(baton, target, "resource-types")
              ["resourceTypes"]}
    assert theirs == {t["id"] for t in _ours(target, "resource-types")}
    assert ("access_key" in theirs) == (target.stem == "secrets")


def test_resources_with_their_parents(baton: Path, target: Path) -> None:
    theirs = [r["resource"] for r in _baton(baton, target, "resources")["resources"]]
    ours = _ours(target, "resources")
    assert len(theirs) == len(ours)
    assert {(*_rid(r["id"]), r.get("displayName", "")) for r in theirs} == {
        (r["resource_type"], r["id"], r["display_name"]) for r in ours}
    # every parent baton names is a resource of the file
    ids = {_rid(r["id"]) for r in theirs}
    assert {_rid(r["parentResourceId"]) for r in theirs if "parentResourceId" in r} <= ids


def test_entitlements(baton: Path, target: Path) -> None:
    theirs = _baton(baton, target, "entitlements")["entitlements"]
    assert {e["entitlement"]["id"] for e in theirs} == {
        e["id"] for e in _ours(target, "entitlements")}


def _grants(baton: Path, target: Path) -> dict[str, tuple[str, str]]:
    """baton's grants: id → principal."""
    rows = _baton(baton, target, "grants")["grants"]
    return {g["grant"]["id"]: _rid(g["grant"]["principal"]["id"]) for g in rows}


def test_grants_and_their_principals(baton: Path, target: Path) -> None:
    ours = _ours(target, "grants")
    assert _grants(baton, target) == {
        g["id"]: (g["principal_type"], g["principal_id"]) for g in ours}


def test_stats(baton: Path, target: Path) -> None:
    theirs = _baton(baton, target, "stats")
    ours = _ours(target, "stats")
    counts = theirs["stats"]
    assert theirs["id"] == ours["sync"]["id"] and theirs["syncType"] == ours["sync"]["type"]
    assert (int(counts["resourceTypes"]), int(counts["resources"]),
            int(counts["entitlements"]), int(counts["grants"])) == (
        ours["resource_types"], ours["resources"], ours["entitlements"], ours["grants"])
    assert {k: int(v) for k, v in counts["resourcesByResourceType"].items()} == ours[
        "resources_by_type"]


def test_syncs(baton: Path, target: Path) -> None:
    syncs = _baton(baton, target, "syncs")["syncs"]
    assert [s["syncType"] for s in syncs] == ["full"] * (2 if target.stem == "two-syncs" else 1)
    assert all(s.get("endedAt") for s in syncs)
    latest = max(syncs, key=lambda s: (s["endedAt"], s["id"]))
    assert latest["id"] == _ours(target, "stats")["sync"]["id"]


def _sample(values: list[str], n: int = 3) -> list[str]:
    """A few values spread over the sorted list (first, last, between)."""
    ordered = sorted(values)
    return sorted({ordered[i * (len(ordered) - 1) // max(n - 1, 1)] for i in range(n)})


def test_principals_of_entitlements(baton: Path, target: Path) -> None:
    ours = _ours(target, "grants")
    held = sorted({g["entitlement_id"] for g in ours})
    for ent in _sample(held):
        rows = _baton(baton, target, "principals", "-e", ent)["resources"]
        assert {_rid(r["resource"]["id"]) for r in rows} == {
            (g["principal_type"], g["principal_id"]) for g in ours
            if g["entitlement_id"] == ent}, ent


def test_effective_access_of_users(baton: Path, target: Path) -> None:
    users = [r["id"] for r in _ours(target, "resources", "-t", "user")]
    for user in _sample(users):
        theirs = _baton(baton, target, "access", "-t", "user", "-r", user)
        ours = _ours(target, "access", "--principal-type", "user", "--principal", user)
        assert _rid(theirs["principal"]["id"]) == ("user", user)
        assert {(*_rid(a["resource"]["id"]), e["slug"]) for a in theirs.get("access", [])
                for e in a["entitlements"]} == {
            (r["resource_type"], r["resource_id"], e["slug"]) for r in ours["resources"]
            for e in r["entitlements"]}, user


def test_export_csv(baton: Path, target: Path, tmp_path: Path) -> None:
    out = tmp_path / "baton.csv"
    proc = subprocess.run([str(baton), "-f", str(target), "export", "csv", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    by_type = Counter(r["Type"] for r in rows)
    # identities are the resources of every type with the user trait (CloudSSO users too)
    people = {t["id"] for t in _ours(target, "resource-types") if "TRAIT_USER" in t["traits"]}
    resources = [r for kind in sorted(people) for r in _ours(target, "resources", "-t", kind)]
    grants = _ours(target, "grants")
    assert by_type["Identity"] == len(resources)
    assert {r["Entitlement"] for r in rows if r["Type"] == "Entitlement"} == {
        e["id"] for e in _ours(target, "entitlements")}
    assert Counter(r["Entitlement"] for r in rows if r["Type"] == "Grant") == Counter(
        g["entitlement_id"] for g in grants if g["principal_type"] in people)


def _changed(diff: dict[str, Any], kind: str, change: str) -> set[str]:
    items = diff.get(kind, {}).get(change, [])
    if kind == "resources":
        return {":".join(_rid(r["id"])) for r in items}
    return {i["id"] for i in items}


def test_diff_of_the_two_syncs(baton: Path, c1z: dict[str, Path],
                               tmp_path_factory: pytest.TempPathFactory) -> None:
    """alice joined ``ops`` between the syncs: baton sees the grants our diff calls added (the
    membership and what alice now holds through ``ops``) created, and modifies only grants of
    alice (held through a role before, through ``ops`` too now); no resource or entitlement
    changed, so a re-sync rewrites nothing of an unchanged account that baton would report."""
    path = _file("two-syncs", c1z, tmp_path_factory)
    theirs = _baton(baton, path, "diff")
    ours = _ours(path, "diff")
    alice = f"user:acs:ram::{GRAPH_UID}:user/alice"
    added = {g["grant_id"] for g in ours["grants"] if g["change"] == "added"}
    assert f"group:acs:ram::{GRAPH_UID}:group/ops:member:{alice}" in added
    assert not ours["resources"] and not any(g["change"] != "added" for g in ours["grants"])
    assert _changed(theirs, "grants", "created") == added
    assert _changed(theirs, "grants", "deleted") == set()
    modified = _changed(theirs, "grants", "modified")
    assert f"policy:acs:ram::{GRAPH_UID}:policy/ops-oss:attached:{alice}" in modified
    assert all(g.endswith(":" + alice) for g in modified), modified
    for kind in ("resources", "entitlements"):
        for change in ("created", "deleted", "modified"):
            assert _changed(theirs, kind, change) == set(), (kind, change)
