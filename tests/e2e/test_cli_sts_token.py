"""Issue point 2 through the console script: STS credentials as flags (``--security-token``),
as ``BATON_*`` and as the contract's ``ALIBABA_CLOUD_*`` variables, flags winning over the
environment, and a bad token failing in one line that does not show it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.cli_helpers import clean_env, emulator, endpoint_flags, run_cli
from tests.e2e.test_cli_credentials import _account, _role_credentials, _synced


def test_sts_credentials_from_flags_baton_env_and_alibaba_env(tmp_path: Path) -> None:
    with emulator(_account()) as emu:
        creds = asyncio.run(_role_credentials(emu.url))
        key, secret, token = (creds["AccessKeyId"], creds["AccessKeySecret"],
                              creds["SecurityToken"])
        flags = ["--access-key-id", key, "--access-key-secret", secret, "--security-token", token]
        # Flags win over a (wrong) environment.
        wrong = clean_env(tmp_path, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIwrong0000000001",
                                     "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"})
        _synced(run_cli([*flags, *endpoint_flags(emu)], tmp_path, wrong))
        baton = clean_env(tmp_path, {"BATON_ACCESS_KEY_ID": key,
                                     "BATON_ACCESS_KEY_SECRET": secret,
                                     "BATON_SECURITY_TOKEN": token})
        _synced(run_cli(endpoint_flags(emu), tmp_path, baton))
        alibaba = clean_env(tmp_path, {"ALIBABA_CLOUD_ACCESS_KEY_ID": key,
                                       "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret,
                                       "ALIBABA_CLOUD_SECURITY_TOKEN": token})
        _synced(run_cli(endpoint_flags(emu), tmp_path, alibaba))
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
