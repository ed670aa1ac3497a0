"""The organization benchmark's machinery on a tiny organization: real emulator and sync
processes, the per-account request counts the server saw, and the bound's arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import org_bench as bench
from benchmarks.sync_bench import lower_bound


def test_spec_has_the_issue_sizes_and_medium_density() -> None:
    spec = bench.org_spec(50, 1000, 100, 200, 300)
    assert spec == ("accounts=51,folders=2,depth=2,users=1000,groups=100,roles=200,"
                    "custom_policies=300,memberships=4000,attachments=2000")
    assert bench.discovery_chain(2) == 6


@pytest.mark.timeout(180)
def test_tiny_organization_report(tmp_path: Path) -> None:
    spec = bench.org_spec(2, 15, 3, 4, 5)
    calibration = bench.run_once(spec, 0, False, 4, tmp_path)
    measured = bench.run_once(spec, 20, True, 2, tmp_path)
    for run in (calibration, measured):
        assert run.sync["synced"] == 2 and run.sync["failed"] == 0
        assert run.peak_rss_mb > 10 and run.c1z_bytes > 0 and run.wall_s > 0
        accounts = run.emulator["accounts"]
        assert len(accounts) == 3  # the management account and both members called
        assert sum(sum(a["needed"].values()) for a in accounts.values()) == \
            run.emulator["answered"]
    management = min(measured.emulator["accounts"])  # account 0 has the lowest uid
    needed = measured.emulator["accounts"][management]["needed"]
    assert needed["sts:AssumeRole"] == 2 and needed["resourcemanager:GetResourceDirectory"] == 1
    bound = bench.org_bound(measured, calibration, 2)
    rate = calibration.emulator["answered"] / calibration.wall_s
    assert bound.rate == pytest.approx(rate)
    assert bound.throughput_s == pytest.approx(measured.emulator["answered"] / rate)
    worst = max(lower_bound(a["needed"], measured.emulator["quotas"], a["chain"], 0.02).seconds
                for a in measured.emulator["accounts"].values())
    assert bound.account_s == pytest.approx(worst)
    assert bound.discovery_s == pytest.approx(6 * 0.02)
    assert bound.seconds == max(worst + 6 * 0.02, bound.throughput_s)
    text = bench.format_report(spec, calibration, [measured], 2, 139.0)
    assert f"bound by the {bound.term} term" in text
