"""The driver's CPU with 500 Prometheus checks and 10 seats, against the same session in one process with
no seat; both sample the demo's Prometheus-API sandbox, run in a process of its own."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.driver_helpers import RawSeat, start_driver, stop, write_runbook  # noqa: E402

# metrics the sandbox answers (console/sandbox/seed_metrics.py); a distinct pod label makes each check its own query
METRICS = ("process_resident_memory_bytes", "container_memory_working_set_bytes", "pg_stat_activity_count",
           "pg_replication_lag_seconds", "redis_up", "kafka_consumergroup_lag", "orders_processed_total",
           "active_users", "circuit_breaker_state", "kafka_brokers")

SANDBOX = """
import sys
from aiohttp import web
from golive.sandbox.prom_api import PromSandbox
from golive.sandbox.traffic import TrafficModel
web.run_app(PromSandbox(TrafficModel("checkout", "v2.3.1", "v2.4.0")).application(),
            host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""

IN_PROCESS = """
import asyncio, sys
from pathlib import Path
from golive.console.runbook import load_runbook
from golive.console.session import Session
session = Session.start(load_runbook(Path(sys.argv[1])), session_dir=Path(sys.argv[2]))
print("ready", flush=True)
asyncio.run(session.run(until_outcome=False))
"""


def runbook_text(url: str, checks: int, every: str = "5s") -> str:
    """``every``: 5s by default (runbooks default to 15s) so that a one-minute window sees a dozen cycles."""
    lines = ['[runbook]\nname = "500 checks"\nservice = "checkout"\nversion = "v2.4.0"\nsignoff = '
             '["deployment-lead"]\n',
             f'[targets.prometheus.main]\nurl = "{url}"\n', '[[phase]]\nid = "canary"\nhold = "1h"']
    for i in range(checks):
        metric = METRICS[i % len(METRICS)]
        lines.append(f'  [[phase.check]]\n  id = "c{i}"\n  source = "prometheus"\n'
                     f"  query = 'max({metric}{{service=\"checkout\",pod=\"checkout-{i}\"}})'\n"
                     f'  pass = "< 1e15"\n  every = "{every}"')
    return "\n".join(lines) + "\n"


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def share_of_a_core(pid: int, warm: float, window: float) -> float:
    time.sleep(warm)   # first cycle and the backfill of every check's history done
    cpu, wall = cpu_seconds(pid), time.monotonic()
    time.sleep(window)
    return 100 * (cpu_seconds(pid) - cpu) / (time.monotonic() - wall)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _drain(seat: RawSeat, counts: list[int], i: int) -> None:
    try:
        while seat.file.readline():
            counts[i] += 1
    except (OSError, ValueError):
        pass


def cpu_figures(checks: int = 500, seats: int = 10, every: str = "5s", warm: float = 15.0,
                window: float = 60.0, repeat: int = 1) -> list[tuple]:
    """[(name, median percent of one core, note)] for the in-process baseline and the driver with seats.

    With ``repeat``, the two alternate that many times against one sandbox (a shared machine's load changes
    from minute to minute: alternating spreads it over both); the note lists every figure."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # its stderr is off: a session stopped mid-request makes it log a reset connection, which is no finding
    sandbox = subprocess.Popen([sys.executable, "-c", SANDBOX, str(port)], env=env, stderr=subprocess.DEVNULL)
    alone_pcts: list[float] = []
    driver_pcts: list[float] = []
    notes = ["", ""]
    try:
        _wait_port(port)
        with tempfile.TemporaryDirectory() as tmp:
            runbook = write_runbook(Path(tmp), runbook_text(f"http://127.0.0.1:{port}", checks, every))
            for i in range(repeat):
                alone_pcts.append(_alone(runbook, Path(tmp) / f"alone-{i}", env, warm, window))
                notes[0] = _samples(Path(tmp) / f"alone-{i}")
                pct, notes[1] = _driven(runbook, Path(tmp) / f"driven-{i}", seats, warm, window)
                driver_pcts.append(pct)
    finally:
        sandbox.terminate()
        sandbox.wait(10)

    def note(values: list[float], last: str) -> str:
        each = ", ".join(f"{v:.2f}" for v in values)
        return f"median of {len(values)}: {each}; {last}" if len(values) > 1 else last
    return [(f"in-process session, {checks} checks, no seat (baseline)", statistics.median(alone_pcts),
             note(alone_pcts, notes[0])),
            (f"driver, {checks} checks, {seats} seats", statistics.median(driver_pcts), note(driver_pcts, notes[1]))]


def _alone(runbook: Path, folder: Path, env: dict, warm: float, window: float) -> float:
    alone = subprocess.Popen([sys.executable, "-c", IN_PROCESS, str(runbook), str(folder)], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        alone.stdout.readline()
        return share_of_a_core(alone.pid, warm, window)
    finally:
        stop(alone)


def _driven(runbook: Path, folder: Path, seats: int, warm: float, window: float) -> tuple[float, str]:
    driver = start_driver(runbook, folder)
    try:
        room = [RawSeat(folder) for _ in range(seats)]
        counts = [0] * seats
        for i, seat in enumerate(room):
            threading.Thread(target=_drain, args=(seat, counts, i), daemon=True).start()
        pct = share_of_a_core(driver.pid, warm, window)
        for seat in room:
            seat.close()
        return pct, f"{_samples(folder)}; {min(counts)} lines to each seat"
    finally:
        stop(driver)


def _samples(folder: Path) -> str:
    """How many checks had a passing verdict: a measurement of checks that never answered says nothing."""
    import json
    passing = set()
    for line in (folder / "journal.jsonl").read_text().splitlines():
        e = json.loads(line)
        if e.get("type") == "verdict":
            (passing.add if e.get("verdict") == "PASS" else passing.discard)(e.get("check"))
    return f"{len(passing)} checks PASS"


def _wait_port(port: int) -> None:
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the Prometheus sandbox never listened")


