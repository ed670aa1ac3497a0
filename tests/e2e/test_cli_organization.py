"""``--organization`` from the console script: the README's commands against the emulator
serving the test organization; exit 1 naming both failing members, the file written; member
selection; ``permissions --organization``; organization flags refused without it."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from tests.e2e.cli_helpers import SCRIPT, clean_env, run_cli
from tests.emulator import org_account as org

README = Path(__file__).resolve().parents[2] / "README.md"


def _serve(tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    account = tmp_path / "org.json"
    account.write_text(json.dumps(org.organization()), encoding="utf-8")
    proc = subprocess.Popen([str(SCRIPT), "emulator", "--port", "0", "--account", str(account)],
                            cwd=tmp_path, env=clean_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def _sync(tmp_path: Path, ready: dict[str, str], *extra: str) -> tuple[int, str]:
    result = run_cli(["--organization", "--endpoint", ready["url"],
                      "--access-key-id", ready["access_key_id"],
                      "--access-key-secret", ready["access_key_secret"],
                      "-f", "org.c1z", "--log-format", "console", *extra],
                     tmp_path, clean_env(tmp_path))
    return result.code, result.stderr


def test_organization_sync_exits_1_naming_failed_members_and_writes_the_file(
        tmp_path: Path) -> None:
    proc, ready = _serve(tmp_path)
    try:
        code, err = _sync(tmp_path, ready)
        assert code == 1, err[-3000:]
        last = err.strip().splitlines()[-1]
        assert last.startswith("Error: 2 member account(s) failed (")
        assert f"{org.DEV_NOROLE}: cannot enter with ResourceDirectoryAccountAccessRole" in last
        assert f"{org.DEV_LOCKED}: " in last and "NoPermission" in last
        assert "Traceback" not in err
        with C1zReader.open(tmp_path / "org.c1z") as reader:
            accounts = {r.id.resource: r.profile.fields.get("sync_status")
                        for r in reader.resources("account")}
        assert set(accounts) == {org.MANAGEMENT, org.PROD_APP, org.PROD_EU, org.DEV_NOROLE,
                                 org.DEV_LOCKED}
        assert {uid for uid, s in accounts.items() if s is not None} == {
            org.DEV_NOROLE, org.DEV_LOCKED}
        code, err = _sync(tmp_path, ready, "--member-accounts", org.PROD_APP)
        assert code == 0, err[-3000:]
        assert "1 member accounts synced, 3 skipped, 0 failed" in err
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def test_permissions_organization_prints_both_policies(tmp_path: Path) -> None:
    result = run_cli(["permissions", "--organization", "--member-role-name", "AuditRole"],
                     tmp_path, clean_env(tmp_path))
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"management_account", "member_role"}
    management = doc["management_account"]["Statement"]
    assert {"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "acs:ram::*:role/AuditRole"} in management
    single = json.loads(run_cli(["permissions"], tmp_path, clean_env(tmp_path)).stdout)
    assert doc["member_role"] == single
    assert "`permissions --organization`" in README.read_text(encoding="utf-8")


def test_organization_flags_need_organization(tmp_path: Path) -> None:
    result = run_cli(["--member-accounts", "1100000000000002", "--access-key-id", "x",
                      "--access-key-secret", "y"], tmp_path, clean_env(tmp_path))
    assert result.code == 2 and "--member-accounts needs --organization" in result.stderr
