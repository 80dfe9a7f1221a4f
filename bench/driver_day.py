"""RSS of the driver's fold over a simulated day: the session, engine and socket server's event list fed
synthetic samples on a fake clock, with verdict flips and trigger changes now and then, no sockets or sources."""

from __future__ import annotations

import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from golive.checks.base import Sample  # noqa: E402
from golive.console import events as ev  # noqa: E402
from golive.console import session as sess  # noqa: E402
from golive.console.driver.server import DriverServer  # noqa: E402
from golive.console.runbook import load_runbook  # noqa: E402
from tests.integration.driver_helpers import write_runbook  # noqa: E402

CHECKS = ("errors", "latency", "saturation", "rate", "lag")
DAY = """
[runbook]
name = "a day on a fake clock"
service = "svc"
version = "1"
signoff = ["deployment-lead"]

[[phase]]
id = "canary"
hold = "1h"
""" + "".join(f"""
  [[phase.check]]
  id = "{c}"
  source = "command"
  run = ["true"]
  pass = "< 100"
  every = "1s"
""" for c in CHECKS) + """
[[trigger]]
id = "burn"
source = "command"
run = ["true"]
fire = "> 50"
for = "2m"
every = "1s"
then = "rollback"

[rollback]
run = ["true"]
"""


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def value(check: str, cycle: int) -> float:
    """Passing values with a failing stretch of 20 cycles every 2,000 for one check in turn."""
    if cycle % 2000 < 20 and CHECKS[(cycle // 2000) % len(CHECKS)] == check:
        return 150.0
    return 10.0 + (cycle * 7 + len(check)) % 50


def burn(cycle: int) -> float:
    """The trigger's value crosses its threshold for 60 cycles (armed, then idle again) every 5,000."""
    return 80.0 if cycle % 5000 < 60 else 5.0


def simulate_day(cycles: int = 100_000, every: int = 500, warm: int = 10_000, trace: bool = False):
    """[(cycle, RSS KiB)] every ``every`` cycles; one cycle = one sample of each check and the trigger, 1 s apart."""
    clock = [1_800_000_000.0]
    with tempfile.TemporaryDirectory() as tmp:
        runbook = load_runbook(write_runbook(Path(tmp), DAY))
        session = sess.Session.start(runbook, session_dir=Path(tmp) / "s", clock=lambda: clock[0])
        server = DriverServer(session)   # its fold of what it heard, as `start` subscribes it; no socket
        session.subscribe(server._hear)
        points, snap = [], None
        last_summary = last_sync = clock[0]
        for cycle in range(cycles):
            now = clock[0] = clock[0] + 1.0
            for check in CHECKS:
                session.on_sample(Sample(check_id=check, at=now, value=value(check, cycle)))
            session.on_sample(Sample(check_id="burn", at=now, value=burn(cycle)))
            # what one turn of Session.run does with time passing
            session.submit(session.engine.tick(now))
            if now - last_summary >= sess.SUMMARY_EVERY:
                last_summary = now
                session.submit([session.engine.summary_event(now)])
            if now - session._last_written >= sess.HEARTBEAT_EVERY:
                session.submit([ev.Heartbeat(at=now)])
            if now - last_sync >= 60:
                session.journal.sync()
                last_sync = now
            if cycle == warm and trace:
                tracemalloc.start()
                snap = tracemalloc.take_snapshot()
            if cycle % every == 0 or cycle == cycles - 1:
                points.append((cycle, rss_kib()))
        growth = []
        if snap is not None:
            growth = tracemalloc.take_snapshot().compare_to(snap, "lineno")[:8]
            tracemalloc.stop()
        events, log = len(server.events), len(session.engine.state.log)
        session.close()
    return points, growth, {"events kept for snapshots": events, "engine log lines": log}


def report(cycles: int = 100_000, warm: int = 10_000) -> list[str]:
    warm = min(warm, cycles // 10)
    points, _, counts = simulate_day(cycles, warm=warm)
    after = next(r for c, r in points if c >= warm)
    end = points[-1][1]
    change = 100 * (end - after) / after
    peak = max(r for c, r in points if c >= warm)
    lines = [f"RSS over {cycles:,} cycles ({cycles / 86400:.2f} simulated days, {len(CHECKS)} checks + 1 trigger"
             f" a cycle): {after / 1024:.1f} MiB after {warm:,} cycles of warm-up, {end / 1024:.1f} MiB at the end,"
             f" peak {peak / 1024:.1f} MiB: {change:+.1f} % — {'flat' if abs(change) <= 5 else 'NOT flat'} within ±5 %",
             "  " + ", ".join(f"{k} {v:,}" for k, v in counts.items())]
    if abs(change) > 5:
        _, growth, _ = simulate_day(cycles, warm=warm, trace=True)
        lines += ["  what grew (tracemalloc, after warm-up to the end):"] + [f"    {g}" for g in growth]
    return lines


if __name__ == "__main__":
    print("\n".join(report(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
