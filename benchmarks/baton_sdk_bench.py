"""The sync through baton-sdk's engine against our native sync: same account, same emulator.

Each run gets a fresh emulator process (``sync_bench``'s: a seeded synthetic account, a fixed
latency on every request, the published quotas enforced), then one command, timed from start
to exit as a user would time it:

* native: ``baton-alibaba-cloud -f native.c1z`` (the console script);
* baton-sdk: the Go connector of cmd/baton-alibaba-cloud, ``-f baton-sdk.c1z``: baton-sdk's
  runner and syncer, our ``serve`` as its child (one snapshot sync, every list call answered
  from it), baton-sdk's own grant expansion and c1z writer.

Run ``python benchmarks/baton_sdk_bench.py --size medium``; the target is a ratio ≤ 1.3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.sync_bench import SIZES, _spawn, write_report  # noqa: E402

SCRIPT = Path(sys.executable).parent / "baton-alibaba-cloud"
TARGET = 1.3


@dataclass
class Timed:
    """One command against one fresh emulator."""

    kind: str
    wall_s: float
    requests: int
    throttled: int
    c1z_bytes: int


def _env(ready: Mapping[str, str], workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BATON_", "ALIBABA_CLOUD_"))}
    url = ready["url"]
    env.update(BATON_ACCESS_KEY_ID=ready["access_key_id"],
               BATON_ACCESS_KEY_SECRET=ready["access_key_secret"], BATON_RAM_ENDPOINT=url,
               BATON_IMS_ENDPOINT=url, BATON_STS_ENDPOINT=url,
               BATON_RESOURCE_MANAGER_ENDPOINT=url, BATON_LOG_FORMAT="json",
               BATON_CONNECTOR_COMMAND=str(SCRIPT), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
               TMPDIR=str(workdir))
    return env


def run_one(kind: str, command: Sequence[str], size: str, latency_ms: int, seed: int,
            workdir: Path) -> Timed:
    """Start an emulator, run ``command -f <kind>.c1z`` to its end, stop the emulator."""
    emulator = _spawn(["--child", "emulator", "--size", size, "--latency-ms", str(latency_ms),
                       "--seed", str(seed)])
    path = workdir / f"{kind}.c1z"
    path.unlink(missing_ok=True)
    try:
        assert emulator.stdout is not None
        ready = json.loads(emulator.stdout.readline())
        with open(workdir / f"{kind}.log", "w", encoding="utf-8") as log:
            start = time.monotonic()
            done = subprocess.run([*command, "-f", str(path)], env=_env(ready, workdir),
                                  cwd=workdir, stdout=log, stderr=log, check=False)
            wall = time.monotonic() - start
        if done.returncode != 0:
            raise RuntimeError(f"{kind} failed (exit {done.returncode}); see {log.name}")
        emulator.send_signal(signal.SIGTERM)
        summary: dict[str, Any] = json.loads(emulator.stdout.readline())
    finally:
        if emulator.poll() is None:
            emulator.terminate()
        emulator.wait(timeout=60)
    return Timed(kind, wall, sum(summary["requests"].values()),
                 sum(summary["throttled"].values()), path.stat().st_size)


def connector_binary() -> Path:
    built = subprocess.run(["bash", str(ROOT / "scripts" / "go_tools.sh"), "connector"],
                           capture_output=True, text=True, check=True)
    return Path(built.stdout.strip().splitlines()[-1])


def report(size: str, latency_ms: int, native: Timed, sdk: Timed) -> str:
    ratio = sdk.wall_s / native.wall_s
    lines = [f"size {size}, latency {latency_ms} ms, quotas on",
             f"{'run':<10} {'wall s':>8} {'requests':>9} {'throttled':>9} {'c1z bytes':>10}"]
    for run in (native, sdk):
        lines.append(f"{run.kind:<10} {run.wall_s:>8.1f} {run.requests:>9} {run.throttled:>9} "
                     f"{run.c1z_bytes:>10}")
    verdict = "within" if ratio <= TARGET else "ABOVE"
    lines.append(f"baton-sdk / native: {ratio:.2f} ({verdict} the {TARGET} target)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/baton-alibaba-sdk-bench"))
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    binary = connector_binary()
    native = run_one("native", [str(SCRIPT)], args.size, args.latency_ms, args.seed,
                     args.workdir)
    sdk = run_one("baton-sdk", [str(binary)], args.size, args.latency_ms, args.seed,
                  args.workdir)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python benchmarks/baton_sdk_bench.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    text = f"# {stamp}\n# {command}\n{report(args.size, args.latency_ms, native, sdk)}"
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
