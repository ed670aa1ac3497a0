"""The benchmark's machinery on a tiny account: a real emulator process with quotas and
latency, a real sync process, and the report's fields and lower-bound arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import sync_bench as bench


def test_lower_bound_is_the_slowest_action_or_the_chain() -> None:
    quotas = {"ims:GetLoginProfile": 100.0, "ram:CreatePolicy": 20.0, "ims:ListUsers": 100.0}
    bound = bench.lower_bound(
        {"ims:GetLoginProfile": 500, "ram:CreatePolicy": 30, "ims:ListUsers": 4}, quotas,
        chain=12, latency_s=0.05)
    assert bound.quota_s == pytest.approx(5.0)
    assert bound.quota_action == "ims:GetLoginProfile"
    assert bound.chain_s == pytest.approx(0.6)
    assert bound.seconds == pytest.approx(5.0)
    chain_bound = bench.lower_bound({"ram:CreatePolicy": 2}, quotas, chain=40, latency_s=0.05)
    assert chain_bound.seconds == pytest.approx(2.0)


def test_dependency_chain_segments() -> None:
    calls = [
        ("GetCallerIdentity", {}),
        ("ListUsers", {}), ("ListUsers", {"Marker": "a"}), ("ListUsers", {"Marker": "b"}),
        ("ListGroups", {}),
        ("ListVirtualMFADevices", {}),
        ("GetLoginProfile", {"UserPrincipalName": "bob@x.onaliyun.com"}),
        ("GetUserMFAInfo", {"UserPrincipalName": "bob@x.onaliyun.com"}),
        ("ListPoliciesForUser", {"UserName": "bob"}),
        ("ListUsersForGroup", {"GroupName": "g"}),
        ("ListUsersForGroup", {"GroupName": "g", "Marker": "m"}),
        ("ListUsersForGroup", {"GroupName": "g", "Marker": "n"}),
        ("ListUsersForGroup", {"GroupName": "g", "Marker": "o"}),
    ]
    chain = bench.dependency_chain(calls)
    assert (chain.setup, chain.listing, chain.listing_action) == (1, 3, "ListUsers")
    # bob: 3 requests of his own + the shared MFA list page = 4, the group's 4 pages tie;
    assert chain.per_resource == 4
    assert chain.total == 8


@pytest.mark.timeout(120)
def test_tiny_benchmark_report(tmp_path: Path) -> None:
    report = bench.run_benchmark("tiny", latency_ms=20, seed=1, sequential="sample",
                                 sample_seconds=1.0, max_in_flight=64, workdir=tmp_path)
    run = report.concurrent
    assert run.completed and run.wall_s > 0 and run.peak_rss_mb > 10 and run.c1z_bytes > 0
    needed, quotas = run.emulator["needed"], run.emulator["quotas"]
    assert needed["sts:GetCallerIdentity"] == 1 and quotas["ims:GetLoginProfile"] == 100.0
    slowest = max(n / quotas[a] for a, n in needed.items())
    assert report.bound.quota_s == pytest.approx(slowest)
    assert report.bound.chain_s == pytest.approx(report.chain.total * 0.02)
    assert report.bound.seconds == max(report.bound.quota_s, report.bound.chain_s)
    assert report.chain.setup == 1 and report.chain.listing >= 1
    # the client's counts and the server's agree when nothing was retried
    assert sum(run.sync["client_requests"].values()) == run.requests
    assert run.wall_s >= report.bound.chain_s
    text = bench.format_report(report)
    for label in ("wall time", "lower bound", "chain", "throttled", "peak RSS", "c1z size",
                  "ims:GetLoginProfile"):
        assert label in text
    assert report.sequential is not None
    seconds, projected = report.sequential_estimate() or (0.0, False)
    assert seconds > 0
    assert ("PROJECTED" in text) == projected
