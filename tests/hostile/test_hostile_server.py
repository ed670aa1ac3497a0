"""Hostile answers through the console script: each case ends in seconds, in one line (or a
warning and a finished sync where the bad data is one object's), the previous c1z untouched by
a failed sync, the child's peak memory bounded, and nothing sent where a redirect points.

One emulator and one proxy serve the module; each test sets the proxy's rewrites.
"""

from __future__ import annotations

import base64
import json
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from click.testing import CliRunner

from baton_alibaba_cloud.cli import cli
from tests.cli import accounts
from tests.e2e.cli_helpers import clean_env, emulator, key_flags
from tests.hostile.harness import (
    Exchange,
    Rewrite,
    Run,
    Server,
    proxy_app,
    recorder_app,
    run_measured,
    serving,
    silent_listener,
)

MAX_SECONDS = 30
MAX_RSS_MB = 300


@dataclass
class Hostile:
    """The module's proxy (its rewrites are the test's to set) and the previous good c1z."""

    proxy: Server
    rewrites: dict[str, Rewrite]
    previous: bytes
    home: Path

    def sync(self, tmp_path: Path, *flags: str, url: str | None = None) -> Run:
        """Sync through the proxy (or ``url``) into a copy of the previous file."""
        target = tmp_path / "sync.c1z"
        target.write_bytes(self.previous)
        where = url or self.proxy.url
        return run_measured(
            ["--ram-endpoint", where, "--ims-endpoint", where, "--sts-endpoint", where,
             "--resource-manager-endpoint", where, *key_flags(accounts.ROOT_KEY), "-f",
             str(target), *flags],
            tmp_path, clean_env(self.home))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    home = tmp_path_factory.mktemp("home")
    rewrites: dict[str, Rewrite] = {}
    with emulator(accounts.account()) as emu, serving(proxy_app(emu.url, rewrites)) as proxy:
        first = tmp_path_factory.mktemp("first")
        made = Hostile(proxy, rewrites, b"", home)
        run = made.sync(first)
        assert run.code == 0, run.stderr
        made.previous = (first / "sync.c1z").read_bytes()
        yield made


@pytest.fixture
def proxy(hostile: Hostile) -> Iterator[Hostile]:
    hostile.rewrites.clear()
    yield hostile
    hostile.rewrites.clear()


def failed_alone(run: Run, hostile: Hostile, tmp_path: Path, *needles: str) -> str:
    """Exit 1, one error line holding every needle, in time, in memory, the file untouched."""
    assert run.code == 1, run.stderr
    assert len(run.error_lines) == 1, run.stderr
    line = run.error_lines[0]
    for needle in needles:
        assert needle in line, line
    assert "Error: Error:" not in line and "Traceback" not in run.stderr
    assert (tmp_path / "sync.c1z").read_bytes() == hostile.previous
    assert run.seconds < MAX_SECONDS and run.peak_rss_mb < MAX_RSS_MB, run
    return line


def finished_with_warning(run: Run, *needles: str) -> str:
    """Exit 0 and a warning record holding every needle, in time and memory."""
    assert run.code == 0, run.stderr
    assert run.error_lines == [], run.stderr
    found = [w for w in run.warnings if all(n in w for n in needles)]
    assert found, run.stderr
    assert run.seconds < MAX_SECONDS and run.peak_rss_mb < MAX_RSS_MB, run
    return found[0]


def answer(exchange: Exchange) -> dict[str, Any]:
    body = json.loads(exchange.body)
    assert isinstance(body, dict)
    return body


def first_page(ex: Exchange, kept: list[dict[str, Any]]) -> dict[str, Any]:
    """The first answer seen (later requests carry Markers the emulator never issued)."""
    if not kept:
        kept.append(answer(ex))
    return dict(kept[0])


def test_a_new_marker_on_every_page_stops_at_the_page_budget(proxy: Hostile,
                                                             tmp_path: Path) -> None:
    kept: list[dict[str, Any]] = []

    async def endless(ex: Exchange) -> web.StreamResponse:
        return ex.json_response({**first_page(ex, kept), "IsTruncated": True,
                                 "Marker": uuid.uuid4().hex})

    proxy.rewrites["ListGroups"] = endless
    run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "IMS ListGroups", "PageBudgetExceeded", "61 pages")


def test_a_repeated_marker_stops_at_once(proxy: Hostile, tmp_path: Path) -> None:
    kept: list[dict[str, Any]] = []

    async def loop(ex: Exchange) -> web.StreamResponse:
        return ex.json_response({**first_page(ex, kept), "IsTruncated": True,
                                 "Marker": "same"})

    proxy.rewrites["ListRoles"] = loop
    run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "RAM ListRoles", "RepeatedMarker")


def test_an_endless_report_token_falls_back_to_per_user_calls(proxy: Hostile,
                                                              tmp_path: Path) -> None:
    kept: list[dict[str, Any]] = []

    async def endless(ex: Exchange) -> web.StreamResponse:
        return ex.json_response({**first_page(ex, kept), "IsTruncated": "true",
                                 "NextToken": uuid.uuid4().hex})

    proxy.rewrites["GetCredentialReport"] = endless
    run = proxy.sync(tmp_path)
    finished_with_warning(run, "credential report", "PageBudgetExceeded", "per-user")


@pytest.mark.parametrize(("users", "why"), [
    ("not a list", "Users.User is a string, not a list"),
    (["alice", "bob"], "Users.User[0] is a string, not an object"),
    (None, "Users.User is null"),
    ([{"UserId": "1"}], "Users.User[0] has no UserPrincipalName"),
])
def test_a_list_that_is_not_a_list_fails_the_sync(proxy: Hostile, tmp_path: Path,
                                                  users: Any, why: str) -> None:
    async def bad(ex: Exchange) -> web.StreamResponse:
        return ex.json_response({**answer(ex), "Users": {"User": users}})

    proxy.rewrites["ListUsers"] = bad
    run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "IMS ListUsers", "InvalidResponse", why)


def test_a_null_wrapper_fails_the_sync(proxy: Hostile, tmp_path: Path) -> None:
    async def bad(ex: Exchange) -> web.StreamResponse:
        return ex.json_response({**answer(ex), "Groups": None})

    proxy.rewrites["ListGroups"] = bad
    run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "IMS ListGroups", "Groups is null")


def test_an_error_body_with_status_200_fails_the_sync(proxy: Hostile, tmp_path: Path) -> None:
    async def bad(ex: Exchange) -> web.StreamResponse:
        return ex.json_response({"RequestId": ex.request_id, "Code": "InternalError",
                                 "Message": "hidden failure"})

    proxy.rewrites["ListUsers"] = bad
    run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "IMS ListUsers", "InternalError", "hidden failure")


def test_a_redirect_is_not_followed(proxy: Hostile, tmp_path: Path) -> None:
    hits: list[str] = []
    with serving(recorder_app(hits)) as elsewhere:
        async def redirect(ex: Exchange) -> web.StreamResponse:
            raise web.HTTPFound(f"{elsewhere.url}/?{ex.request.query_string}")

        proxy.rewrites["ListUsers"] = redirect
        run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "IMS ListUsers", "Redirected",
                 f"127.0.0.1:{elsewhere.port}")
    assert hits == []


def test_a_gigabyte_body_is_cut_at_the_cap(proxy: Hostile, tmp_path: Path) -> None:
    async def huge(ex: Exchange) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json",
                                               "x-acs-request-id": ex.request_id})
        await response.prepare(ex.request)
        await response.write(b'{"RequestId": "x", "Users": {"User": [')
        chunk = b'{"UserPrincipalName": "' + b"a" * 65000 + b'"},'
        try:
            for _ in range(2**30 // len(chunk)):
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    proxy.rewrites["ListUsers"] = huge
    run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "IMS ListUsers", "ResponseTooLarge", "32 MiB")


def _gzip_bomb() -> bytes:
    """About 2 MB of gzip that inflates to 2 GiB of zeros: a full-flushed 1 MiB block repeats
    byte for byte. (Its trailer is not that of 2 GiB; nothing reads that far.)"""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    return first + block * 2047 + packer.flush()


def test_a_gzip_bomb_is_cut_at_the_cap(proxy: Hostile, tmp_path: Path) -> None:
    bomb = _gzip_bomb()

    async def bombed(ex: Exchange) -> web.StreamResponse:
        return web.Response(body=bomb, headers={
            "Content-Type": "application/json", "Content-Encoding": "gzip",
            "x-acs-request-id": ex.request_id})

    proxy.rewrites["ListRoles"] = bombed
    run = proxy.sync(tmp_path)
    failed_alone(run, proxy, tmp_path, "RAM ListRoles", "ResponseTooLarge")


def test_a_trust_document_1000_deep_is_one_warning(proxy: Hostile, tmp_path: Path) -> None:
    deep = '{"Statement": ' + "[" * 1000 + "]" * 1000 + "}"

    async def nested(ex: Exchange) -> web.StreamResponse:
        body = answer(ex)
        if body["Role"]["RoleName"] == "auditor":
            body["Role"]["AssumeRolePolicyDocument"] = deep
        return ex.json_response(body)

    proxy.rewrites["GetRole"] = nested
    run = proxy.sync(tmp_path)
    finished_with_warning(run, "auditor", "nests deeper than")


@pytest.mark.parametrize("content", [
    "not base64 at all!",
    base64.b64encode(b"\xff\xfe\xfa not utf-8").decode(),
    base64.b64encode(b'user,"unclosed\n\x00').decode(),
])
def test_a_garbled_report_falls_back_to_per_user_calls(proxy: Hostile, tmp_path: Path,
                                                       content: str) -> None:
    async def garbled(ex: Exchange) -> web.StreamResponse:
        return ex.json_response({**answer(ex), "Content": content})

    proxy.rewrites["GetCredentialReport"] = garbled
    run = proxy.sync(tmp_path)
    finished_with_warning(run, "credential report", "per-user")


def test_an_odd_date_and_an_unknown_status_are_warnings(proxy: Hostile, tmp_path: Path) -> None:
    async def odd(ex: Exchange) -> web.StreamResponse:
        body = answer(ex)
        for user in body["Users"]["User"]:
            if user["UserPrincipalName"].startswith("alice@"):
                user["CreateDate"] = "the day before yesterday"
            if user["UserPrincipalName"].startswith("bob@"):
                user["Status"] = "sleeping"
        return ex.json_response(body)

    proxy.rewrites["ListUsers"] = odd
    run = proxy.sync(tmp_path)
    finished_with_warning(run, "alice@", "CreateDate")
    finished_with_warning(run, "bob@", "sleeping")


def test_a_silent_endpoint_is_reported_within_seconds(proxy: Hostile, tmp_path: Path) -> None:
    with silent_listener() as url:
        run = proxy.sync(tmp_path, "--request-timeout", "1", url=url)
    failed_alone(run, proxy, tmp_path, "Timeout", url)
    assert any("no answer from" in w for w in run.warnings), run.stderr


def test_a_web_server_is_named_as_not_alibaba(proxy: Hostile, tmp_path: Path) -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(status=501, text="<html>Unsupported method ('POST')</html>",
                            content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    with serving(app) as web_server:
        run = proxy.sync(tmp_path, url=web_server.url)
    line = failed_alone(run, proxy, tmp_path, "NotAlibabaAPI", web_server.url,
                        "not Alibaba Cloud's API")
    assert "server-side error" not in line


def test_an_impossible_rate_is_a_usage_error(proxy: Hostile, tmp_path: Path) -> None:
    run = proxy.sync(tmp_path, "--rate-limit-scale", "1e-9")
    assert run.code == 2, run.stderr
    assert "--rate-limit-scale" in run.stderr and "0.01<=x<=10.0" in run.stderr
    assert (tmp_path / "sync.c1z").read_bytes() == proxy.previous
    assert run.seconds < 10


@pytest.mark.parametrize("scale", ["0", "-1", "1e9", "nan"])
def test_other_impossible_rates_are_usage_errors(scale: str) -> None:
    """The same option parser in process (the console script is the test above)."""
    result = CliRunner().invoke(cli, ["--rate-limit-scale", scale, "-f", "x.c1z"])
    assert result.exit_code == 2, result.output
    assert "--rate-limit-scale" in result.output


def test_the_harness_passes_good_answers_through(proxy: Hostile, tmp_path: Path) -> None:
    run = proxy.sync(tmp_path)
    assert run.code == 0 and run.error_lines == [], run.stderr
    assert run.peak_rss_mb < MAX_RSS_MB
