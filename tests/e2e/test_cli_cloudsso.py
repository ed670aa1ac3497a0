"""CloudSSO from the console script: the README's commands against the emulator serving the
test organization with a CloudSSO directory (``cloudsso_org.py``): the organization sync,
``inspect access`` for a CloudSSO user by name, and a membership grant and revoke with -p."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from tests.e2e import cloudsso_org as sso
from tests.e2e.cli_helpers import SCRIPT, clean_env, run_cli

README = Path(__file__).resolve().parents[2] / "README.md"


def _serve(tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    account = tmp_path / "org-with-cloudsso.json"
    account.write_text(json.dumps(sso.organization()), encoding="utf-8")
    proc = subprocess.Popen([str(SCRIPT), "emulator", "--port", "0", "--account", str(account)],
                            cwd=tmp_path, env=clean_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def test_readme_cloudsso_commands(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    for command in ("inspect access -f org.c1z --principal-type sso_user --principal alice",
                    "--grant-principal-type sso_user", "permissions --organization -p"):
        assert command in text
    proc, ready = _serve(tmp_path)
    env = clean_env(tmp_path)
    creds = ["--endpoint", ready["url"], "--access-key-id", ready["access_key_id"],
             "--access-key-secret", ready["access_key_secret"], "--log-format", "console"]
    try:
        result = run_cli(["--organization", *creds, "-f", "org.c1z"], tmp_path, env)
        assert result.code == 1, result.stderr[-3000:]  # the two failing members
        assert f"CloudSSO: directory {sso.DIRECTORY}" in result.stderr
        access = run_cli(["inspect", "access", "-f", "org.c1z", "--principal-type", "sso_user",
                          "--principal", "alice"], tmp_path, env)
        assert access.code == 0, access.stderr
        for text_seen in ("AliyunReservedSSO-ReadOnly", "ReadOnlyAccess", "ReadOnly on account "
                          "prod-app", "ReadOnly on account prod-eu"):
            assert text_seen in access.stdout, access.stdout
        member = f"sso_group:{sso.GROUP}:member"
        granted = run_cli(["-p", "-f", "org.c1z", *creds, "--grant-entitlement", member,
                           "--grant-principal-type", "sso_user",
                           "--grant-principal", sso.user("carol")], tmp_path, env)
        assert granted.code == 0, granted.stderr
        assert granted.stdout.strip() == f"granted: {member}:sso_user:{sso.user('carol')}"
        assert "request id" in granted.stderr and "AddUserToGroup" in granted.stderr
        revoked = run_cli(["-p", "-f", "org.c1z", *creds, "--revoke-grant",
                           f"{member}:sso_user:{sso.user('bob')}"], tmp_path, env)
        assert revoked.code == 0, revoked.stderr
        assert revoked.stdout.startswith("revoked: ")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
