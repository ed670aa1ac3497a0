"""Progress that adds up (issue 10 point 7): the live display's last frame ends on the same
counts as the summary printed after the sync (expanded grants included), on the sample
account, whose builders emit fewer grants than expansion leaves in the file."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from baton_alibaba_cloud.cli._progress import LiveProgress, summary_table
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.test_sync_sample import config_for


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]


async def test_the_last_frame_equals_the_summary(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    async with running_emulator(None) as emu:
        with LiveProgress(console) as progress:
            report = await run.sync(config_for(emu), tmp_path / "sync.c1z", observer=progress)
    frame = out.getvalue().rsplit("Syncing Alibaba Cloud", 1)[-1]
    rows = {cells[0]: cells for cells in map(_cells, frame.splitlines()) if len(cells) == 4}
    assert report.expansion is not None  # expansion added grants no builder emitted
    assert rows["total"][2:] == [f"{report.total_resources:,}", f"{report.grants:,}"]
    for type_id, count in report.resources.items():
        assert rows[type_id][1:3] == ["done", f"{count:,}"]
    summary = io.StringIO()
    Console(file=summary, width=120, color_system=None).print(
        summary_table(report.resources, report.entitlements, report.grants))
    lines = {c[0]: c[1] for c in map(_cells, summary.getvalue().splitlines()) if len(c) == 2}
    assert lines["grants"] == rows["total"][3]
    assert sum(int(lines[t].replace(",", "")) for t in report.resources) == int(
        rows["total"][2].replace(",", ""))
