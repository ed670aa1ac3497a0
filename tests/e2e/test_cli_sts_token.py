"""Issue point 2 through the console script, beside test_cli_credentials.py: STS credentials
as flags winning over a wrong environment, as ``BATON_*`` (``BATON_SECURITY_TOKEN``), and a
bad token failing in one line that does not show it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli import accounts
from tests.e2e.cli_helpers import (
    Result,
    clean_env,
    emulator,
    endpoint_flags,
    run_cli,
    sync_role_session,
)


def _synced(result: Result) -> None:
    assert result.code == 0, result.stderr[-2000:]
    assert any('"sync finished"' in ln for ln in result.stderr.splitlines())


def test_sts_token_as_flags_over_the_environment_and_as_baton_variables(tmp_path: Path) -> None:
    with emulator(accounts.account()) as emu:
        creds = asyncio.run(sync_role_session(emu.url, "sts-token-test"))
        key, secret, token = (creds["AccessKeyId"], creds["AccessKeySecret"],
                              creds["SecurityToken"])
        flags = ["--access-key-id", key, "--access-key-secret", secret, "--security-token", token]
        wrong = clean_env(tmp_path, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIwrong0000000001",
                                     "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"})
        _synced(run_cli([*flags, *endpoint_flags(emu)], tmp_path, wrong))
        baton = clean_env(tmp_path, {"BATON_ACCESS_KEY_ID": key,
                                     "BATON_ACCESS_KEY_SECRET": secret,
                                     "BATON_SECURITY_TOKEN": token})
        _synced(run_cli(endpoint_flags(emu), tmp_path, baton))
        before = (tmp_path / "sync.c1z").read_bytes()
        bad_token = token[:-8] + "AAAAAAAA"
        bad = run_cli([*flags[:4], "--security-token", bad_token, *endpoint_flags(emu)],
                      tmp_path, clean_env(tmp_path))
    assert bad.code == 1, bad.stderr
    assert len(bad.error_lines) == 1 and "InvalidSecurityToken" in bad.error_lines[0]
    assert "Traceback" not in bad.stderr
    for value in (secret, token, bad_token):
        assert value not in bad.stdout + bad.stderr
    assert (tmp_path / "sync.c1z").read_bytes() == before
