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

from baton_alibaba_cloud.alibaba import AlibabaClient, Endpoints, StaticProvider
from tests.cli import accounts
from tests.e2e.cli_helpers import Result, clean_env, emulator, endpoint_flags, run_cli

OIDC_PROVIDER = "ack-rrsa"
OIDC_ROLE = "pod-role"
ISSUER = "https://oidc.example.test/cluster"


def _account() -> dict[str, Any]:
    data = accounts.account()
    data["oidc_providers"] = [{"name": OIDC_PROVIDER, "issuer_url": ISSUER,
                               "client_ids": ["sts.aliyuncs.com"]}]
    data["roles"].append({"name": OIDC_ROLE, "trust_policy": {"Version": "1", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Federated": [
            f"acs:ram::{accounts.ACCOUNT_ID}:oidc-provider/{OIDC_PROVIDER}"]}}]}})
    data["attachments"].append({"policy": "AdministratorAccess", "policy_type": "System",
                                "principal_type": "role", "principal": OIDC_ROLE})
    return data


def _synced(result: Result) -> None:
    assert result.code == 0, result.stderr[-2000:]
    assert any('"sync finished"' in ln for ln in result.stderr.splitlines())


def test_environment_variables(tmp_path: Path) -> None:
    with emulator(_account()) as emu:
        env = clean_env(tmp_path, {"ALIBABA_CLOUD_ACCESS_KEY_ID": accounts.ROOT_KEY[0],
                                   "ALIBABA_CLOUD_ACCESS_KEY_SECRET": accounts.ROOT_KEY[1]})
        _synced(run_cli(endpoint_flags(emu), tmp_path, env))
        # BATON_* variables are the flags
        env = clean_env(tmp_path, {"BATON_ACCESS_KEY_ID": accounts.ROOT_KEY[0],
                                   "BATON_ACCESS_KEY_SECRET": accounts.ROOT_KEY[1],
                                   "BATON_RAM_ENDPOINT": emu.url, "BATON_IMS_ENDPOINT": emu.url,
                                   "BATON_STS_ENDPOINT": emu.url})
        _synced(run_cli([], tmp_path, env))


def test_cli_profile_from_home(tmp_path: Path) -> None:
    config = {"current": "other", "profiles": [
        {"name": "other", "mode": "AK", "access_key_id": "LTAIunused", "access_key_secret": "x"},
        {"name": "prod", "mode": "AK", "access_key_id": accounts.ROOT_KEY[0],
         "access_key_secret": accounts.ROOT_KEY[1]},
        {"name": "assume", "mode": "RamRoleArn", "access_key_id": accounts.DEPLOYER_KEY[0],
         "access_key_secret": accounts.DEPLOYER_KEY[1], "ram_role_arn": accounts.SYNC_ROLE_ARN,
         "ram_session_name": "profile-test"},
    ]}
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps(config))
    with emulator(_account()) as emu:
        env = clean_env(tmp_path)
        _synced(run_cli(["--profile", "prod", *endpoint_flags(emu)], tmp_path, env))
        _synced(run_cli(["--profile", "assume", *endpoint_flags(emu)], tmp_path, env))
        env = clean_env(tmp_path, {"ALIBABA_CLOUD_PROFILE": "prod"})
        _synced(run_cli(endpoint_flags(emu), tmp_path, env))


def test_role_arn_assume_role(tmp_path: Path) -> None:
    with emulator(_account()) as emu:
        env = clean_env(tmp_path)
        flags = ["--role-arn", accounts.SYNC_ROLE_ARN, "--role-session-name", "cli-test",
                 "--access-key-id", accounts.DEPLOYER_KEY[0],
                 "--access-key-secret", accounts.DEPLOYER_KEY[1]]
        _synced(run_cli([*flags, *endpoint_flags(emu)], tmp_path, env))
        # Without --role-arn the deployer may only assume roles: the sync names the permission.
        plain = run_cli([*flags[4:], *endpoint_flags(emu)], tmp_path, env)
        assert plain.code == 1 and "NoPermission" in plain.error_lines[-1]


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
        _synced(run_cli(endpoint_flags(emu), tmp_path, env))


async def _role_credentials(url: str) -> dict[str, Any]:
    async with AlibabaClient(StaticProvider(*accounts.DEPLOYER_KEY), Endpoints.single(url)) as c:
        answer = await c.call("sts", "AssumeRole", {"RoleArn": accounts.SYNC_ROLE_ARN,
                                                    "RoleSessionName": "ecs-instance"})
    return dict(answer["Credentials"])


@contextmanager
def _metadata_server(creds: dict[str, Any]) -> Iterator[str]:
    """A fake ECS metadata service (IMDSv2 token, role name, role credentials)."""
    role = "ecs-sync-role"

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: str) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def do_PUT(self) -> None:
            self._send("imds-token")

        def do_GET(self) -> None:
            base = "/latest/meta-data/ram/security-credentials/"
            if self.path == base:
                self._send(role)
            elif self.path == base + role:
                self._send(json.dumps({**creds, "Code": "Success"}))
            else:
                self.send_error(404)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_ecs_instance_role_from_a_fake_metadata_service(tmp_path: Path) -> None:
    with emulator(_account()) as emu:
        creds = asyncio.run(_role_credentials(emu.url))
        with _metadata_server(creds) as metadata:
            env = clean_env(tmp_path, {"BATON_ECS_METADATA_URL": metadata})
            env.pop("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
            _synced(run_cli(endpoint_flags(emu), tmp_path, env))
            result = run_cli(["--ecs-metadata-url", metadata, *endpoint_flags(emu)], tmp_path,
                             env)
            _synced(result)
    assert creds["AccessKeySecret"] not in result.stderr
