"""``report`` (issue 10 point 6) in a real headless browser (Debian's ``chromium``): the page
opens from a file URL, no request leaves it, it shows the counts and findings of ``inspect
findings``, the graph draws with svc's admin path, and a screenshot is written; a generated
account of 700 users gives a summarised graph and a paged table, quickly.

Skipped, with the reason, where chromium is not installed (``.ci/run`` installs it in CI)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from baton_alibaba_cloud.emulator.accounts.generator import generate, parse_spec
from tests.e2e import review_account as acct
from tests.e2e.cli_helpers import clean_env, emulator, endpoint_flags, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt-get install chromium; .ci/run does it with CI=true)")
QUIET = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-sync", "--disable-default-apps", "--virtual-time-budget=8000"]


class _Page(HTMLParser):
    """Text (with descendants) and attributes of the elements with an id, and the items of
    each list with an id."""

    VOID = frozenset({"input", "meta", "br", "img", "link", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, dict[str, str]] = {}
        self.text: dict[str, str] = {}
        self.items: dict[str, list[str]] = {}
        self._stack: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.attrs[found["id"]] = found
            self.text[found["id"]] = ""
            if tag == "ul":
                self.items[found["id"]] = []
        if tag == "li" and self._stack and self._stack[-1][0] == "ul":
            owner = self._stack[-1][1]
            if owner is not None:
                self.items[owner].append("")
        if tag not in self.VOID:
            self._stack.append((tag, found.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, key in self._stack:
            if key is not None:
                self.text[key] += data
        for i in range(len(self._stack) - 1, 0, -1):
            if self._stack[i][0] == "li" and self._stack[i - 1][0] == "ul":
                owner = self._stack[i - 1][1]
                if owner is not None:
                    self.items[owner][-1] += data
                break


def _browse(page: Path, tmp: Path) -> tuple[_Page, list[tuple[str, str]]]:
    """The DOM after the scripts ran, and (initiator, url) of every request the net log saw."""
    log = tmp / "net.json"
    dom = subprocess.run([str(CHROMIUM), *QUIET, f"--log-net-log={log}", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    parsed = _Page()
    parsed.feed(dom)
    net = json.loads(log.read_text())
    start = net["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [(e["params"].get("initiator", ""), e["params"]["url"]) for e in net["events"]
                if e["type"] == start and "url" in e.get("params", {})]
    return parsed, requests


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("report")
    path = where / "review.c1z"
    acct.sync_cli(acct.account(), path)
    result = run_cli(["report", "-f", str(path), "--out", str(where / "report.html")], where,
                     clean_env(where))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {where / 'report.html'}: 6 users, findings: ")
    return path, where / "report.html"


@pytest.fixture(scope="module")
def browsed(report: tuple[Path, Path],
            tmp_path_factory: pytest.TempPathFactory) -> tuple[_Page, list[tuple[str, str]]]:
    return _browse(report[1], tmp_path_factory.mktemp("browser"))


def test_the_page_is_one_file_that_asks_the_network_for_nothing(
    report: tuple[Path, Path], browsed: tuple[_Page, list[tuple[str, str]]]
) -> None:
    _, page = report
    html = page.read_text()
    assert "default-src 'none'" in html
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=""", html)
    dom, requests = browsed
    from_page = [(i, u) for i, u in requests if i != "not an origin"]
    assert all(u.startswith("file:") for _, u in from_page), from_page
    assert dom.attrs["graph"]["data-drawn"] == "yes"


def test_the_page_shows_what_inspect_findings_says(
    report: tuple[Path, Path], browsed: tuple[_Page, list[tuple[str, str]]]
) -> None:
    path, _ = report
    found = run_cli(["inspect", "findings", "-f", str(path), "-o", "json"], path.parent,
                    clean_env(path.parent))
    expected = json.loads(found.stdout)
    dom, _ = browsed
    shown = {s: int(dom.text[f"findings-{s}"]) for s in expected["counts"]}
    assert shown == expected["counts"]
    assert dom.attrs["findings"]["data-rows"] == str(len(expected["findings"]))
    assert dom.attrs["users"]["data-rows"] == "6"
    stats = json.loads(run_cli(["inspect", "stats", "-f", str(path), "-o", "json"], path.parent,
                               clean_env(path.parent)).stdout)
    assert dom.text["count-grants"] == str(stats["grants"]) and dom.text["count-user"] == "6"
    assert "svc → ops-role → admin-role → AdministratorAccess" in dom.items["graph-drawn-paths"]
    assert "alice → admins → AdministratorAccess" in dom.items["graph-drawn-paths"]
    assert "dan → AdministratorAccess on resource group prod" in dom.items["graph-drawn-paths"]
    # 3 admin targets, 8 holders, 3 more on paths or trust
    assert int(dom.attrs["graph"]["data-nodes"]) == 14


def test_a_screenshot(report: tuple[Path, Path], tmp_path: Path) -> None:
    _, page = report
    shot = tmp_path / "report.png"
    subprocess.run([str(CHROMIUM), *QUIET, "--window-size=1400,2000",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120,
                   check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_a_larger_account_is_summarised(tmp_path: Path) -> None:
    path = tmp_path / "big.c1z"
    spec = "users=700,groups=20,roles=20,memberships=1400,attachments=150,seed=7"
    account = generate(parse_spec(spec))
    account["attachments"].append({"policy": "AdministratorAccess", "policy_type": "System",
                                   "principal_type": "group", "principal": "group00000"})
    with emulator(account) as emu:
        args = ["-f", str(path), *endpoint_flags(emu), "--access-key-id", emu.access_key_id,
                "--access-key-secret", emu.access_key_secret]
        assert run_cli(args, tmp_path, clean_env(tmp_path), timeout=300).code == 0
    started = time.monotonic()
    page = tmp_path / "big.html"
    result = run_cli(["report", "-f", str(path), "--out", str(page)], tmp_path,
                     clean_env(tmp_path))
    assert result.code == 0, result.stderr
    assert time.monotonic() - started < 30
    data: Any = json.loads(re.search(
        r'<script id="report-data" type="application/json">(.*?)</script>', page.read_text(),
        re.S).group(1))  # type: ignore[union-attr]
    assert len(data["users"]["rows"]) == 700
    grouped = [n for n in data["graph"]["nodes"] if n["kind"] == "users"]
    assert [(n["label"], len(n["members"])) for n in grouped] == [("72 users", 72)]
    assert len(data["graph"]["nodes"]) < 400
    dom, _ = _browse(page, tmp_path)
    assert dom.attrs["users"]["data-rows"] == "700"
    assert "showing 500 of 700" in dom.text["user-shown"]
