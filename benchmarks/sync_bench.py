"""Sync benchmark: how close a sync comes to the speed the API quotas allow, and its memory.

Why three processes: the emulator and the sync each get their own interpreter (and core), so
the server's event loop never steals time from the client's, and the sync's peak RSS is its
own (``os.wait4`` returns the rusage of that one child). The emulator serves a seeded
synthetic account with a fixed latency on every request and the published per-action quotas
enforced; on SIGTERM it prints what it answered (per action, throttled, the dependency chain).

The lower bound of an account is ``max(max_a requests_a / quota_a, chain × latency)``:

* ``requests_a`` are the answered, non-throttled requests of action ``a`` in the concurrent
  run (what this sync needed), ``quota_a`` the action's published requests/second;
* ``chain`` is the longest run of requests that must follow one another: GetCallerIdentity
  (every ARN needs the uid) → the most pages of one phase-1 listing (a Marker needs the page
  before it; the plans need every count, so details start after listing) → the most requests
  made about one resource in phase 2 (a user's GetLoginProfile → GetUserMFAInfo, a group's
  member pages → its policies...), plus, for users, the shared enrichment lists they wait on
  (credential report, virtual MFA devices). See benchmarks/README.md.

Run ``python benchmarks/sync_bench.py --size medium``; ``--help`` lists the options.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SIZES: dict[str, str | None] = {
    "small": None,  # the bundled demo sample account
    "tiny": "users=30,groups=4,roles=6,system_policies=20,custom_policies=8,memberships=40,"
            "attachments=30",
    "medium": "users=5000,groups=300,roles=500,system_policies=1500,custom_policies=1000,"
              "memberships=20000,attachments=10000",
    "large": "users=50000,groups=2000,roles=5000,system_policies=1500,custom_policies=5000,"
             "memberships=200000,attachments=100000",
}
"""Generator specs per size; ``medium`` has a tenth of ``large``'s memberships/attachments."""

SHARED_ENRICHMENT = frozenset({"GenerateCredentialReport", "GetCredentialReport",
                               "ListVirtualMFADevices"})
"""Phase-2 lists made once and shared by every user's enrichment."""
RESOURCE_KEYS = (("UserPrincipalName", "user"), ("UserName", "user"), ("GroupName", "group"),
                 ("RoleName", "role"), ("PolicyName", "policy"))
"""The parameter that names the resource a phase-2 request is about."""


# -- the pure parts: chain and bound ----------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """The longest chain of dependent requests, by segment (see the module docstring)."""

    setup: int
    listing: int
    listing_action: str
    per_resource: int
    resource: str

    @property
    def total(self) -> int:
        """Requests that must follow one another, end to end."""
        return self.setup + self.listing + self.per_resource


def _resource_of(params: Mapping[str, str]) -> str | None:
    for key, kind in RESOURCE_KEYS:
        if key in params:
            return f"{kind}:{params[key].split('@')[0]}"
    return None


def dependency_chain(calls: Iterable[tuple[str, Mapping[str, str]]]) -> Chain:
    """The chain of ``(action, params)`` answered calls (throttled ones left out by the caller).

    A call naming a user, group, role or policy belongs to that resource's phase-2 chain;
    GetCallerIdentity is the setup; the shared enrichment lists join every user's chain; any
    other call is a phase-1 listing page, and listings run side by side, so the longest counts.
    """
    setup = 0
    listings: Counter[str] = Counter()
    shared = 0
    per_resource: Counter[str] = Counter()
    for action, params in calls:
        resource = _resource_of(params)
        if resource is not None:
            per_resource[resource] += 1
        elif action == "GetCallerIdentity":
            setup += 1
        elif action in SHARED_ENRICHMENT:
            shared += 1
        else:
            listings[action] += 1
    longest = [(n + (shared if r.startswith("user:") else 0), r) for r, n in per_resource.items()]
    resource_n, resource = max(longest, default=(shared, "(shared enrichment)"))
    listing_action, listing_n = max(listings.items(), key=lambda kv: kv[1], default=("", 0))
    return Chain(setup, listing_n, listing_action, resource_n, resource)


@dataclass(frozen=True)
class Bound:
    """``max(quota bound, chain bound)`` with what sets each."""

    quota_s: float
    quota_action: str
    chain_s: float

    @property
    def seconds(self) -> float:
        """The lower bound in seconds."""
        return max(self.quota_s, self.chain_s)


def lower_bound(requests: Mapping[str, int], quotas: Mapping[str, float], chain: int,
                latency_s: float) -> Bound:
    """``max(max_a requests_a / quota_a, chain × latency)``; ``requests`` keyed like quotas."""
    per_action = [(n / quotas[a], a) for a, n in requests.items() if n]
    quota_s, action = max(per_action, default=(0.0, ""))
    return Bound(quota_s, action, chain * latency_s)


# -- child process: the emulator ----------------------------------------------------------------


def _account(size: str) -> dict[str, Any]:
    from baton_alibaba_cloud.emulator.accounts.generator import generate, parse_spec
    from baton_alibaba_cloud.emulator.server import load_account

    spec = SIZES[size]
    return load_account(None) if spec is None else generate(parse_spec(spec))


def _emulator_summary(emu: Any) -> dict[str, Any]:
    """What the emulator answered, for the parent: counts, throttles, quotas and the chain."""
    from baton_alibaba_cloud.emulator.quotas import QuotaBook

    log = emu.request_log
    book = QuotaBook(time.time, emu.options.quota_overrides)
    answered = [c for c in log.calls if not c.code.startswith("Throttling")]
    chain = dependency_chain((c.action, dict(c.params)) for c in answered)
    needed = Counter(f"{c.service}:{c.action}" for c in answered)
    start = min((c.at for c in log.calls), default=0.0)
    spans: dict[str, list[float]] = {}
    for c in log.calls:
        span = spans.setdefault(f"{c.service}:{c.action}", [c.at - start, c.at - start])
        span[1] = c.at - start
    return {
        "requests": {f"{s}:{a}": n for (s, a), n in log.requests.items()},
        "needed": dict(needed),
        "throttled": {f"{s}:{a}": n for (s, a), n in log.throttled.items()},
        "errors": {f"{s}:{a}:{c}": n for (s, a, c), n in log.errors.items()},
        "quotas": {k: book.rate(*k.split(":", 1)) for k in needed},
        "chain": asdict(chain),
        "spans": spans,
    }


async def _emulator_main(size: str, latency_ms: int, seed: int) -> None:
    from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
    from baton_alibaba_cloud.emulator.server import running_emulator

    account = _account(size)
    faults = FaultOptions(latency_rate=1.0 if latency_ms else 0.0,
                          latency_ms=(latency_ms, latency_ms))
    options = EmulatorOptions(faults=faults, seed=seed, quotas=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with running_emulator(account, options) as emu:
        del account
        print(json.dumps(emu.ready_line()), flush=True)
        serving = time.process_time()
        await stop.wait()
        summary = {**_emulator_summary(emu), "cpu_s": time.process_time() - serving}
        print(json.dumps(summary), flush=True)


# -- child process: the sync --------------------------------------------------------------------


async def _sync_main(ready: Mapping[str, str], path: Path, max_in_flight: int,
                     time_limit: float | None) -> dict[str, Any]:
    """One ``connector.run.sync`` (the CLI's library call), cut off after ``time_limit``."""
    from baton_alibaba_cloud.connector.config import ConnectorConfig
    from baton_alibaba_cloud.connector.run import sync

    url = ready["url"]
    config = ConnectorConfig(access_key_id=ready["access_key_id"],
                             access_key_secret=ready["access_key_secret"], endpoint=url,
                             max_in_flight=max_in_flight)
    start = time.monotonic()
    try:
        report = await asyncio.wait_for(sync(config, path), time_limit)
    except TimeoutError:
        return {"completed": False, "wall_s": time.monotonic() - start}
    return {"completed": True, "wall_s": time.monotonic() - start,
            "durations": report.durations, "resources": report.total_resources,
            "grants": report.grants, "client_requests": report.api_requests}


# -- the parent: runs, report -------------------------------------------------------------------


@dataclass
class Run:
    """One sync against one fresh emulator."""

    max_in_flight: int
    completed: bool
    wall_s: float
    peak_rss_mb: float
    c1z_bytes: int
    sync: dict[str, Any]
    emulator: dict[str, Any]

    @property
    def requests(self) -> int:
        """Every request the emulator answered (throttled ones included)."""
        return sum(self.emulator["requests"].values())

    @property
    def throttled(self) -> int:
        """``Throttling.*`` answers."""
        return sum(self.emulator["throttled"].values())


def _spawn(args: Sequence[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)


def finish_sync(child: subprocess.Popen[str]) -> tuple[dict[str, Any], Any]:
    """Wait for a sync child; its JSON result and its own rusage (``os.wait4``: that one
    child's peak RSS and CPU, not the emulator's). A failed or silent child is an error."""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.stdout is not None
    result: dict[str, Any] = json.loads(child.stdout.read() or "{}")
    if child.returncode != 0 or not result:
        raise RuntimeError(f"the sync process failed (exit {child.returncode})")
    return result, usage


def write_report(text: str, out: Path | None) -> None:
    """Print a benchmark's report and, with ``--out``, keep it in that file."""
    print(text)
    if out:
        out.write_text(text + "\n", encoding="utf-8")


def run_once(size: str, latency_ms: int, seed: int, max_in_flight: int, workdir: Path,
             time_limit: float | None = None) -> Run:
    """Start an emulator process, sync in another, stop the emulator; return what happened."""
    emulator = _spawn(["--child", "emulator", "--size", size, "--latency-ms", str(latency_ms),
                       "--seed", str(seed)])
    try:
        assert emulator.stdout is not None
        ready = emulator.stdout.readline()
        if not ready:
            raise RuntimeError("the emulator process exited before it was ready")
        path = workdir / f"{size}-{max_in_flight}.c1z"
        path.unlink(missing_ok=True)
        child = _spawn(["--child", "sync", "--ready", ready.strip(), "--out", str(path),
                        "--max-in-flight", str(max_in_flight),
                        "--time-limit", str(time_limit or 0)])
        result, usage = finish_sync(child)
        emulator.send_signal(signal.SIGTERM)
        summary = json.loads(emulator.stdout.readline())
    finally:
        if emulator.poll() is None:
            emulator.terminate()
        emulator.wait(timeout=60)
    size_bytes = path.stat().st_size if path.exists() else 0
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return Run(max_in_flight, bool(result["completed"]), float(result["wall_s"]),
               usage.ru_maxrss / 1024.0, size_bytes, result, summary)


@dataclass
class Report:
    """The printed benchmark result."""

    size: str
    latency_ms: int
    concurrent: Run
    bound: Bound
    chain: Chain
    sequential: Run | None = None
    sequential_mode: str = "off"
    notes: list[str] = field(default_factory=list)

    def sequential_estimate(self) -> tuple[float, bool] | None:
        """``(seconds, projected)``: measured when the run completed, else projected from the
        sample's time per request × the concurrent run's request count."""
        seq = self.sequential
        if seq is None:
            return None
        if seq.completed:
            return seq.wall_s, False
        per_request = seq.wall_s / max(1, seq.requests)
        return per_request * self.concurrent.requests, True


def build_report(size: str, latency_ms: int, concurrent: Run, sequential: Run | None,
                 mode: str) -> Report:
    """The bound and chain from the concurrent run's emulator summary."""
    summary = concurrent.emulator
    chain = Chain(**summary["chain"])
    bound = lower_bound(summary["needed"], summary["quotas"], chain.total, latency_ms / 1000.0)
    return Report(size, latency_ms, concurrent, bound, chain, sequential, mode)


def format_report(report: Report) -> str:
    """The human-readable report (what benchmarks/results/*.txt hold)."""
    run, bound, chain = report.concurrent, report.bound, report.chain
    lines = [
        f"size={report.size} latency={report.latency_ms}ms quotas=published "
        f"max_in_flight={run.max_in_flight}",
        f"wall time           {run.wall_s:9.1f} s   (sync completed: {run.completed})",
        f"lower bound         {bound.seconds:9.1f} s   = max(quota {bound.quota_s:.1f} s "
        f"[{bound.quota_action}], chain {bound.chain_s:.2f} s)",
        f"wall / bound        {run.wall_s / bound.seconds:9.2f}",
        f"chain               {chain.total:9d} requests = setup {chain.setup} + listing "
        f"{chain.listing} [{chain.listing_action}] + per-resource {chain.per_resource} "
        f"[{chain.resource}]",
        f"requests            {run.requests:9d}   throttled {run.throttled}",
        f"peak RSS (sync)     {run.peak_rss_mb:9.1f} MB",
        f"CPU                 sync {run.sync['cpu_s']:.1f} s (whole process), emulator "
        f"{run.emulator['cpu_s']:.1f} s serving = {_per_request_ms(run):.2f} ms/request "
        f"(~{1000 / max(_per_request_ms(run), 1e-9):.0f} requests/s per core)",
        f"c1z size            {run.c1z_bytes / 1e6:9.2f} MB",
        f"phases              {_phases(run)}",
        "requests per action (answered, quota, seconds at quota, throttled, first..last "
        "request in s from the first request of the sync):",
    ]
    for key, n in sorted(run.emulator["requests"].items(), key=lambda kv: -kv[1]):
        quota = run.emulator["quotas"].get(key, 0.0)
        needed = run.emulator["needed"].get(key, 0)
        secs = needed / quota if quota else 0.0
        first, last = run.emulator["spans"].get(key, (0.0, 0.0))
        lines.append(f"  {key:34s} {n:7d}  {quota:5.0f}/s  {secs:7.1f} s  "
                     f"{run.emulator['throttled'].get(key, 0):5d}  {first:6.1f}..{last:6.1f}")
    lines += _sequential_lines(report)
    return "\n".join(lines)


def _per_request_ms(run: Run) -> float:
    """The emulator's CPU per answered request: what caps its throughput on one core."""
    return 1000.0 * float(run.emulator["cpu_s"]) / max(1, run.requests)


def _phases(run: Run) -> str:
    durations = run.sync.get("durations") or {}
    return ", ".join(f"{k} {v:.1f}s" for k, v in durations.items()) or "-"


def _sequential_lines(report: Report) -> list[str]:
    estimate = report.sequential_estimate()
    seq = report.sequential
    if estimate is None or seq is None:
        return ["sequential          off"]
    seconds, projected = estimate
    ratio = seconds / report.concurrent.wall_s
    if not projected:
        return [f"sequential (max in flight 1, measured)  {seconds:9.1f} s   "
                f"ratio {ratio:.1f}x   peak RSS {seq.peak_rss_mb:.1f} MB"]
    return [
        f"sequential sample   {seq.wall_s:9.1f} s measured, {seq.requests} requests "
        f"({seq.wall_s / max(1, seq.requests) * 1000:.1f} ms/request, max in flight 1)",
        f"sequential PROJECTED {seconds:8.1f} s  = ms/request × {report.concurrent.requests} "
        f"requests of the concurrent run (a projection, not measured)",
        f"ratio PROJECTED     {ratio:9.1f}x",
    ]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sequential", choices=("full", "sample", "off"), default="sample")
    parser.add_argument("--sample-seconds", type=float, default=60.0,
                        help="how long the sequential sample runs (--sequential sample)")
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/baton-alibaba-bench"))
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument("--child", choices=("emulator", "sync"), help=argparse.SUPPRESS)
    parser.add_argument("--ready", help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, default=0.0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_benchmark(size: str, latency_ms: int, seed: int, sequential: str,
                  sample_seconds: float, max_in_flight: int, workdir: Path) -> Report:
    """The concurrent run, then (unless off) the one-request-at-a-time run."""
    workdir.mkdir(parents=True, exist_ok=True)
    concurrent = run_once(size, latency_ms, seed, max_in_flight, workdir)
    seq = None
    if sequential != "off":
        limit = sample_seconds if sequential == "sample" else None
        seq = run_once(size, latency_ms, seed, 1, workdir, limit)
    return build_report(size, latency_ms, concurrent, seq, sequential)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point (also of the two child roles)."""
    args = _parse(argv)
    if args.child == "emulator":
        asyncio.run(_emulator_main(args.size, args.latency_ms, args.seed))
        return 0
    if args.child == "sync":
        result = asyncio.run(_sync_main(json.loads(args.ready), args.out, args.max_in_flight,
                                        args.time_limit or None))
        print(json.dumps(result), flush=True)
        return 0
    report = run_benchmark(args.size, args.latency_ms, args.seed, args.sequential,
                           args.sample_seconds, args.max_in_flight, args.workdir)
    text = format_report(report)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python benchmarks/sync_bench.py " + " ".join(sys.argv[1:] if argv is None
                                                             else argv)
    text = f"# {stamp}\n# {command}\n{text}"
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
