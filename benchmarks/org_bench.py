"""Organization benchmark: a synthetic Resource Directory synced with ``--organization``.

Why two runs against two fresh emulators: the issue's lower bound has a term that only this
machine can supply, the request rate the emulator and the sync sustain together when nothing
slows them down. So the **calibration** run syncs the organization with no latency and no
quotas (``rate = answered requests ÷ wall``), and the **measured** run syncs it again with the
latency on every request and every account's own per-action quotas. The bound of the measured
run is the larger of

* **per-account**: the slowest account's own bound (``sync_bench.lower_bound`` over that
  account's answered requests: its slowest action at its quota, or its dependency chain ×
  latency) plus the discovery chain (``discovery_chain``) × latency that comes before a member
  can be entered;
* **throughput**: the measured run's answered requests ÷ the calibration rate.

Each process is separate (emulator, sync) as in ``sync_bench.py``, so the sync's peak RSS is
its own. ``--accounts-in-flight 2,4,8,16`` measures several values against one calibration.

Run ``python benchmarks/org_bench.py`` (the issue's 50 members × 1,000 users) or
``--members 8 --users 200`` for a quick run; ``--help`` lists the options.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sync_bench import dependency_chain, finish_sync, lower_bound, write_report

_UID = re.compile(r"::(\d+):")


def org_spec(members: int, users: int, groups: int, roles: int, policies: int) -> str:
    """The ``--synthetic-org`` spec: two folders two levels deep; per account the issue's
    users, groups, roles and custom policies, and medium's density of four memberships and two
    attachments per user."""
    memberships = min(4 * users, users * groups)
    return (f"accounts={members + 1},folders=2,depth=2,users={users},groups={groups},"
            f"roles={roles},custom_policies={policies},memberships={memberships},"
            f"attachments={2 * users}")


def discovery_chain(depth: int) -> int:
    """Requests before a member's own first request can be sent: the management account's
    GetCallerIdentity, GetResourceDirectory, one ListFoldersForParent per folder level above
    the member's folder, its folder's ListAccountsForParent, then AssumeRole."""
    return 2 + depth + 1 + 1


# -- child process: the emulator ----------------------------------------------------------------


def _per_account(calls: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """Each caller account's answered requests per action and its dependency chain."""
    by_account: dict[str, list[Any]] = defaultdict(list)
    for call in calls:
        match = _UID.search(call.caller_arn)
        by_account[match.group(1) if match else "-"].append(call)
    out: dict[str, dict[str, Any]] = {}
    for uid, mine in by_account.items():
        chain = dependency_chain((c.action, dict(c.params)) for c in mine)
        out[uid] = {"needed": dict(Counter(f"{c.service}:{c.action}" for c in mine)),
                    "chain": chain.total, "chain_detail": asdict(chain)}
    return out


def _summary(emu: Any) -> dict[str, Any]:
    from baton_alibaba_cloud.emulator.quotas import QuotaBook

    log = emu.request_log
    book = QuotaBook(time.time, emu.options.quota_overrides)
    answered = [c for c in log.calls if not c.code.startswith("Throttling")]
    accounts = _per_account(answered)
    keys = {k for a in accounts.values() for k in a["needed"]}
    return {"requests": sum(log.requests.values()), "answered": len(answered),
            "throttled": sum(log.throttled.values()),
            "errors": {f"{s}:{a}:{c}": n for (s, a, c), n in log.errors.items()},
            "quotas": {k: book.rate(*k.split(":", 1)) for k in keys}, "accounts": accounts}


async def _emulator_main(spec: str, latency_ms: int, quotas: bool) -> None:
    from baton_alibaba_cloud.emulator.accounts.org_generator import generate_org, parse_org_spec
    from baton_alibaba_cloud.emulator.options import EmulatorOptions, FaultOptions
    from baton_alibaba_cloud.emulator.server import running_emulator

    organization = generate_org(parse_org_spec(spec))
    faults = FaultOptions(latency_rate=1.0 if latency_ms else 0.0,
                          latency_ms=(latency_ms, latency_ms))
    options = EmulatorOptions(faults=faults, seed=1, quotas=quotas)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with running_emulator(organization, options) as emu:
        del organization
        print(json.dumps(emu.ready_line()), flush=True)
        serving = time.process_time()
        await stop.wait()
        print(json.dumps({**_summary(emu), "cpu_s": time.process_time() - serving}), flush=True)


# -- child process: the sync --------------------------------------------------------------------


async def _sync_main(ready: Mapping[str, str], path: Path, in_flight: int,
                     profile: Path | None) -> dict[str, Any]:
    """One ``sync_organization`` (the library call behind ``--organization``), timed."""
    from baton_alibaba_cloud.connector.config import ConnectorConfig
    from baton_alibaba_cloud.connector.org_run import OrgOptions, sync_organization

    config = ConnectorConfig(access_key_id=ready["access_key_id"],
                             access_key_secret=ready["access_key_secret"], endpoint=ready["url"])
    options = OrgOptions(max_accounts_in_flight=in_flight)
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    sampler = _RssSampler()
    start = time.monotonic()
    report = await sync_organization(config, path, options, new_file=True,
                                     observer=sampler.observe)
    wall = time.monotonic() - start
    peaks = sampler.stop()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    sync = report.sync
    return {"wall_s": wall, "durations": sync.durations, "resources": sync.total_resources,
            "grants": sync.grants, "synced": len(report.synced), "failed": len(report.failed),
            "rss_by_phase": peaks}


class _RssSampler:
    """The sync process's resident memory every 0.2 s (a thread), by the phase the engine
    last reported (``setup`` before its first event; ``commit`` after its ``done`` events:
    the file's compression)."""

    def __init__(self) -> None:
        import threading

        self.phase = "setup"
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def observe(self, event: Any) -> None:
        self.phase = "commit" if event.phase == "done" else str(event.phase)

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(0.2):
            with open("/proc/self/statm", encoding="ascii") as statm:
                rss = int(statm.read().split()[1]) * page / 1e6
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), rss)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return dict(self.peaks)


# -- the parent ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One organization sync against one fresh emulator."""

    latency_ms: int
    quotas: bool
    in_flight: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    c1z_bytes: int
    sync: dict[str, Any]
    emulator: dict[str, Any]


def _spawn(args: Sequence[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)


def run_once(spec: str, latency_ms: int, quotas: bool, in_flight: int, workdir: Path,
             profile: Path | None = None) -> Run:
    """Start an emulator process, sync the organization in another, stop the emulator."""
    emulator = _spawn(["--child", "emulator", "--spec", spec, "--latency-ms", str(latency_ms),
                       *([] if quotas else ["--no-quotas"])])
    path = workdir / f"org-{latency_ms}-{in_flight}.c1z"
    try:
        assert emulator.stdout is not None
        ready = emulator.stdout.readline()
        if not ready:
            raise RuntimeError("the emulator process exited before it was ready")
        child = _spawn(["--child", "sync", "--ready", ready.strip(), "--out", str(path),
                        "--accounts-in-flight", str(in_flight),
                        *(["--profile", str(profile)] if profile else [])])
        result, usage = finish_sync(child)
        emulator.send_signal(signal.SIGTERM)
        summary = json.loads(emulator.stdout.readline())
    finally:
        if emulator.poll() is None:
            emulator.terminate()
        emulator.wait(timeout=120)
    size = path.stat().st_size if path.exists() else 0
    result["load"] = os.getloadavg()[0]
    return Run(latency_ms, quotas, in_flight, float(result["wall_s"]),
               usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, size, result, summary)


@dataclass(frozen=True)
class OrgBound:
    """The two terms of the bound and what sets each."""

    account_s: float
    account: str
    account_detail: str
    discovery_s: float
    throughput_s: float
    rate: float

    @property
    def per_account_s(self) -> float:
        """The slowest account's own bound plus the discovery chain."""
        return self.account_s + self.discovery_s

    @property
    def seconds(self) -> float:
        return max(self.per_account_s, self.throughput_s)

    @property
    def term(self) -> str:
        return "per-account" if self.per_account_s >= self.throughput_s else "throughput"


def org_bound(measured: Run, calibration: Run, depth: int) -> OrgBound:
    """``max(slowest account's bound + discovery chain × latency, answered ÷ rate)``."""
    latency = measured.latency_ms / 1000.0
    quotas = measured.emulator["quotas"]
    worst = (0.0, "", "")
    for uid, account in measured.emulator["accounts"].items():
        bound = lower_bound(account["needed"], quotas, account["chain"], latency)
        what = (f"quota {bound.quota_s:.1f} s [{bound.quota_action}], chain "
                f"{account['chain']} requests {bound.chain_s:.2f} s")
        worst = max(worst, (bound.seconds, uid, what))
    rate = calibration.emulator["answered"] / max(calibration.wall_s, 1e-9)
    return OrgBound(worst[0], worst[1], worst[2], discovery_chain(depth) * latency,
                    measured.emulator["answered"] / rate, rate)


def _run_line(run: Run) -> str:
    emu = run.emulator
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in (run.sync.get("durations") or {}).items())
    rss = ", ".join(f"{k} {v:.0f}" for k, v in (run.sync.get("rss_by_phase") or {}).items())
    return (f"  wall {run.wall_s:7.1f} s  sync CPU {run.cpu_s:6.1f} s  emulator CPU "
            f"{emu['cpu_s']:6.1f} s  peak RSS {run.peak_rss_mb:6.1f} MB  c1z "
            f"{run.c1z_bytes / 1e6:.1f} MB  requests {emu['requests']} (throttled "
            f"{emu['throttled']})  members synced {run.sync['synced']} failed "
            f"{run.sync['failed']}  load (1 min) at the end {run.sync.get('load', 0.0):.2f}\n"
            f"  resources {run.sync['resources']}  grants "
            f"{run.sync['grants']}  phases: {phases}\n  peak RSS MB by phase: {rss}")


def format_report(spec: str, calibration: Run, measured: list[Run], depth: int,
                  rss_target_mb: float) -> str:
    """The printed result: the calibration, then each measured run with its bound."""
    lines = [f"spec {spec}",
             f"calibration (latency 0, quotas off, {calibration.in_flight} accounts in flight):",
             _run_line(calibration)]
    for run in measured:
        bound = org_bound(run, calibration, depth)
        lines += [
            f"measured (latency {run.latency_ms} ms, per-account quotas on, "
            f"--max-accounts-in-flight {run.in_flight}):", _run_line(run),
            f"  lower bound {bound.seconds:.1f} s = max(per-account {bound.per_account_s:.1f} s "
            f"[account {bound.account}: {bound.account_detail}; + discovery "
            f"{bound.discovery_s:.2f} s], throughput {bound.throughput_s:.1f} s "
            f"[{run.emulator['answered']} requests at {bound.rate:.0f}/s]) -> bound by the "
            f"{bound.term} term",
            f"  wall / bound {run.wall_s / bound.seconds:.2f} (target 1.25)   peak RSS "
            f"{run.peak_rss_mb:.1f} MB (target {rss_target_mb:.1f} MB)"]
    lines.append("summary: in flight | wall s | bound s | wall/bound | term | peak RSS MB")
    for run in measured:
        bound = org_bound(run, calibration, depth)
        lines.append(f"  {run.in_flight:3d} | {run.wall_s:7.1f} | {bound.seconds:7.1f} | "
                     f"{run.wall_s / bound.seconds:5.2f} | {bound.term} | {run.peak_rss_mb:.1f}")
    return "\n".join(lines)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--roles", type=int, default=200)
    parser.add_argument("--policies", type=int, default=300, help="custom policies per account")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--accounts-in-flight", default="16",
                        help="comma-separated values, one measured run each")
    parser.add_argument("--rss-target-mb", type=float, default=2 * 69.5,
                        help="2x the single-account medium peak RSS (README Performance)")
    parser.add_argument("--profile", type=Path,
                        help="only cProfile one sync (latency 0, quotas off) into this file")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/baton-alibaba-org-bench"))
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument("--child", choices=("emulator", "sync"), help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--no-quotas", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ready", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point (also of the two child roles)."""
    args = _parse(argv)
    if args.child == "emulator":
        asyncio.run(_emulator_main(args.spec, args.latency_ms, not args.no_quotas))
        return 0
    if args.child == "sync":
        logging.basicConfig(level=logging.ERROR)  # the synthetic trust warnings, thousands
        result = asyncio.run(_sync_main(json.loads(args.ready), args.out,
                                        int(args.accounts_in_flight), args.profile))
        print(json.dumps(result), flush=True)
        return 0
    values = [int(v) for v in args.accounts_in_flight.split(",") if v.strip()]
    spec = org_spec(args.members, args.users, args.groups, args.roles, args.policies)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.profile:  # a run of its own: cProfile slows the sync, so it cannot calibrate
        run_once(spec, 0, False, max(values), args.workdir, args.profile)
        print(f"profile of the sync (latency 0, quotas off) in {args.profile}")
        return 0
    calibration = run_once(spec, 0, False, max(values), args.workdir)
    measured = [run_once(spec, args.latency_ms, True, n, args.workdir) for n in values]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    command = "python benchmarks/org_bench.py " + " ".join(sys.argv[1:] if argv is None
                                                            else argv)
    text = (f"# {stamp} (load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
            f"{os.cpu_count()} cores)\n# {command}\n"
            + format_report(spec, calibration, measured, 2, args.rss_target_mb))
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
