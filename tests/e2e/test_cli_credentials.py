"""Every credential source through the console script against the emulator."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from tests.cli import accounts
from tests.e2e.cli_helpers import (
    Result,
    clean_env,
    emulator,
    endpoint_flags,
    run_cli,
    sync_role_session,
)

OIDC_PROVIDER = "ack-rrsa"
OIDC_ROLE = "pod-role"
ISSUER = "https://oidc.example.test/cluster"


EXTERNAL_ROLE = "partner-audit"
EXTERNAL_ID = "abc-123-external"


def _account() -> dict[str, Any]:
    data = accounts.account()
    data["roles"].append({"name": EXTERNAL_ROLE, "trust_policy": {"Version": "1", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"RAM": [f"acs:ram::{accounts.ACCOUNT_ID}:root"]},
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]}})
    data["attachments"].append({"policy": "AdministratorAccess", "policy_type": "System",
                                "principal_type": "role", "principal": EXTERNAL_ROLE})
    data["oidc_providers"] = [{"name": OIDC_PROVIDER, "issuer_url": ISSUER,
                               "client_ids": ["sts.aliyuncs.com"]}]
    data["roles"].append({"name": OIDC_ROLE, "trust_policy": {"Version": "1", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Federated": [
            f"acs:ram::{accounts.ACCOUNT_ID}:oidc-provider/{OIDC_PROVIDER}"]}}]}})
    data["attachments"].append({"policy": "AdministratorAccess", "policy_type": "System",
                                "principal_type": "role", "principal": OIDC_ROLE})
    return data


def _synced(result: Result, source: str) -> None:
    """The sync succeeded and logged which credential source it used (and no secret)."""
    assert result.code == 0, result.stderr[-2000:]
    records = [json.loads(ln) for ln in result.stderr.splitlines() if ln.startswith("{")]
    assert any(r["msg"] == "sync finished" for r in records)
    [used] = [r for r in records if "credentials_source" in r and r["level"] == "info"]
    assert used["credentials_source"] == source, used
    assert used["account_id"] == accounts.ACCOUNT_ID and used["sync_id"]
    for secret in (accounts.ROOT_KEY[1], accounts.DEPLOYER_KEY[1]):
        assert secret not in result.stderr + result.stdout


def test_environment_variables_and_flags_with_an_sts_token(tmp_path: Path) -> None:
    with emulator(_account()) as emu:
        env = clean_env(tmp_path, {"ALIBABA_CLOUD_ACCESS_KEY_ID": accounts.ROOT_KEY[0],
                                   "ALIBABA_CLOUD_ACCESS_KEY_SECRET": accounts.ROOT_KEY[1]})
        _synced(run_cli(endpoint_flags(emu), tmp_path, env), "environment")
        # BATON_* variables are the flags
        env = clean_env(tmp_path, {"BATON_ACCESS_KEY_ID": accounts.ROOT_KEY[0],
                                   "BATON_ACCESS_KEY_SECRET": accounts.ROOT_KEY[1],
                                   "BATON_RAM_ENDPOINT": emu.url, "BATON_IMS_ENDPOINT": emu.url,
                                   "BATON_STS_ENDPOINT": emu.url,
                                   "BATON_RESOURCE_MANAGER_ENDPOINT": emu.url})
        _synced(run_cli([], tmp_path, env), "flags")
        # an STS pair + ALIBABA_CLOUD_SECURITY_TOKEN (as flags: test_cli_sts_token.py)
        sts = asyncio.run(sync_role_session(emu.url, "env-token"))
        pair = {"ALIBABA_CLOUD_ACCESS_KEY_ID": sts["AccessKeyId"],
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": sts["AccessKeySecret"],
                "ALIBABA_CLOUD_SECURITY_TOKEN": sts["SecurityToken"]}
        result = run_cli(endpoint_flags(emu), tmp_path, clean_env(tmp_path, pair))
        _synced(result, "environment")
    assert sts["SecurityToken"] not in result.stderr
    assert sts["AccessKeySecret"] not in result.stderr


def test_cli_profile_from_home(tmp_path: Path) -> None:
    profiles: list[dict[str, str]] = [
        {"name": "other", "mode": "AK", "access_key_id": "LTAIunused", "access_key_secret": "x"},
        {"name": "prod", "mode": "AK", "access_key_id": accounts.ROOT_KEY[0],
         "access_key_secret": accounts.ROOT_KEY[1]},
        {"name": "assume", "mode": "RamRoleArn", "access_key_id": accounts.DEPLOYER_KEY[0],
         "access_key_secret": accounts.DEPLOYER_KEY[1], "ram_role_arn": accounts.SYNC_ROLE_ARN,
         "ram_session_name": "profile-test"},
    ]
    config: dict[str, Any] = {"current": "other", "profiles": profiles}
    (tmp_path / ".aliyun").mkdir()
    path = tmp_path / ".aliyun" / "config.json"
    path.write_text(json.dumps(config))
    assume = f"assume-role:{accounts.SYNC_ROLE_ARN} via profile:assume"
    with emulator(_account()) as emu:
        env = clean_env(tmp_path)
        _synced(run_cli(["--profile", "prod", *endpoint_flags(emu)], tmp_path, env),
                "profile:prod")
        _synced(run_cli(["--profile", "assume", *endpoint_flags(emu)], tmp_path, env), assume)
        sts = asyncio.run(sync_role_session(emu.url, "profile-token"))
        profiles.append({"name": "token", "mode": "StsToken", "access_key_id": sts["AccessKeyId"],
                         "access_key_secret": sts["AccessKeySecret"],
                         "sts_token": sts["SecurityToken"]})
        path.write_text(json.dumps(config))
        _synced(run_cli(["--profile", "token", *endpoint_flags(emu)], tmp_path, env),
                "profile:token")
        # no flag: ALIBABA_CLOUD_PROFILE, else the file's current profile, in the default chain
        env = clean_env(tmp_path, {"ALIBABA_CLOUD_PROFILE": "prod"})
        _synced(run_cli(endpoint_flags(emu), tmp_path, env), "profile:prod")
        config["current"] = "assume"
        path.write_text(json.dumps(config))
        _synced(run_cli(endpoint_flags(emu), tmp_path, clean_env(tmp_path)), assume)


def test_role_arn_assume_role(tmp_path: Path) -> None:
    with emulator(_account()) as emu:
        env = clean_env(tmp_path)
        flags = ["--role-arn", accounts.SYNC_ROLE_ARN, "--role-session-name", "cli-test",
                 "--access-key-id", accounts.DEPLOYER_KEY[0],
                 "--access-key-secret", accounts.DEPLOYER_KEY[1]]
        _synced(run_cli([*flags, *endpoint_flags(emu)], tmp_path, env),
                f"assume-role:{accounts.SYNC_ROLE_ARN} via flags")
        calls = emu.request_log.calls_to("AssumeRole")
        assert dict(calls[-1].params)["RoleSessionName"] == "cli-test"
        # Without --role-arn the deployer may only assume roles: the sync names the permission.
        plain = run_cli([*flags[4:], *endpoint_flags(emu)], tmp_path, env)
        assert plain.code == 1 and "NoPermission" in plain.error_lines[-1]
        # A role whose trust policy requires an external id: refused without it, not with it.
        partner = f"acs:ram::{accounts.ACCOUNT_ID}:role/{EXTERNAL_ROLE}"
        base = ["--role-arn", partner, *flags[4:], *endpoint_flags(emu)]
        refused = run_cli(base, tmp_path, env)
        assert refused.code == 1 and "AssumeRole" in refused.error_lines[-1]
        _synced(run_cli([*base, "--external-id", EXTERNAL_ID], tmp_path, env),
                f"assume-role:{partner} via flags")
        assert dict(emu.request_log.calls_to("AssumeRole")[-1].params)["ExternalId"] == \
            EXTERNAL_ID


def _jwt(claims: dict[str, Any]) -> str:
    def part(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_oidc_from_environment_and_token_file(tmp_path: Path) -> None:
    now = int(time.time())
    token = tmp_path / "token"
    token.write_text(_jwt({"iss": ISSUER, "aud": "sts.aliyuncs.com", "sub": "system:sa:baton",
                           "iat": now, "exp": now + 3600}))
    with emulator(_account()) as emu:
        env = clean_env(tmp_path, {
            "ALIBABA_CLOUD_ROLE_ARN": f"acs:ram::{accounts.ACCOUNT_ID}:role/{OIDC_ROLE}",
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN":
                f"acs:ram::{accounts.ACCOUNT_ID}:oidc-provider/{OIDC_PROVIDER}",
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token)})
        debug = run_cli(["--log-level", "debug", *endpoint_flags(emu)], tmp_path, env)
        _synced(debug, f"oidc:acs:ram::{accounts.ACCOUNT_ID}:role/{OIDC_ROLE}")
        assert len(emu.request_log.calls_to("AssumeRoleWithOIDC")) == 1
        assert token.read_text() not in debug.stderr  # the OIDC token is a secret too
        token.write_text(_jwt({"iss": ISSUER, "aud": "sts.aliyuncs.com", "sub": "system:sa:x",
                               "iat": now - 7200, "exp": now - 3600}))
        expired = run_cli(endpoint_flags(emu), tmp_path, env)
    assert expired.code == 1 and len(expired.error_lines) == 1
    assert "AuthenticationFail.OIDCToken.Expired" in expired.error_lines[0]
    assert "ALIBABA_CLOUD_OIDC_TOKEN_FILE" in expired.error_lines[0]


ECS_ROLE = "ecs-sync-role"
IMDS_TOKEN = "imds-session-token"


@contextmanager
def _metadata_server(creds: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """A fake ECS metadata service that refuses reads without the session token of ``PUT
    /latest/api/token`` (401); yields its URL and the requests seen (``METHOD path token``)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def do_PUT(self) -> None:
            seen.append(f"PUT {self.path} {self.headers.get(_TTL, '-')}")
            self._send(IMDS_TOKEN if self.path == "/latest/api/token" else "", 200)

        def do_GET(self) -> None:
            token = self.headers.get("X-aliyun-ecs-metadata-token", "-")
            seen.append(f"GET {self.path} {token}")
            base = "/latest/meta-data/ram/security-credentials/"
            if token != IMDS_TOKEN:
                self._send("", 401)
            elif self.path == base:
                self._send(ECS_ROLE)
            elif self.path == base + ECS_ROLE:
                self._send(json.dumps({**creds, "Code": "Success"}))
            else:
                self.send_error(404)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


_TTL = "X-aliyun-ecs-metadata-token-ttl-seconds"


def test_ecs_instance_role_from_a_fake_metadata_service(tmp_path: Path) -> None:
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps({"profiles": [
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": ECS_ROLE}]}))
    source = f"ecs-ram-role:{ECS_ROLE}"
    with emulator(_account()) as emu:
        creds = asyncio.run(sync_role_session(emu.url, "ecs-instance"))
        with _metadata_server(creds) as (metadata, seen):
            env = clean_env(tmp_path, {"BATON_ECS_METADATA_URL": metadata})
            env.pop("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
            _synced(run_cli(endpoint_flags(emu), tmp_path, env), source)
            base = "/latest/meta-data/ram/security-credentials/"
            assert seen == ["PUT /latest/api/token 21600", f"GET {base} {IMDS_TOKEN}",
                            f"GET {base}{ECS_ROLE} {IMDS_TOKEN}"]
            result = run_cli(["--ecs-metadata-url", metadata, *endpoint_flags(emu)], tmp_path,
                             env)
            _synced(result, source)
            profile = run_cli(["--profile", "ecs", "--ecs-metadata-url", metadata,
                               *endpoint_flags(emu)], tmp_path, env)
            _synced(profile, f"profile:ecs ({source})")
            assert seen[-2:] == ["PUT /latest/api/token 21600",
                                 f"GET {base}{ECS_ROLE} {IMDS_TOKEN}"]  # the role is named
    for run in (result, profile):
        assert creds["AccessKeySecret"] not in run.stderr
        assert creds["SecurityToken"] not in run.stderr
