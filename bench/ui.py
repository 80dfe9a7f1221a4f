"""What the mission screen costs in a real terminal (first frame, CPU share, bytes a second) in a steady and a
heavy state, with a plain Textual app under the same load as the baseline; prints figures, never fails on time."""

from __future__ import annotations

# Usage: python bench/ui.py [--seconds 10]        the steady and heavy states, and the baseline
#        python bench/ui.py --first-frames 9      only the first frame (mission, golive run, baseline in turn), medians
#
# The measured app is the real mission screen (golive.screens.app.GoliveApp) over a synthetic session: a Follower of a
# prepared journal that folds fresh samples for every check once a second, as a driver would.
import argparse
import asyncio
import fcntl
import math
import os
import pty
import random
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLUMNS, LINES = 120, 40
SCALES = {"steady": (50, 100), "heavy": (500, 300)}
MARKERS = {"mission": b"bench-svc", "plain": b"plain-textual-baseline"}
GOALS = "goals: first frame <= 0.5 s; steady <= 5 % of a core and <= 16 KB/s; heavy <= 10 % of a core"


# ---------------------------------------------------------------- the measured app (runs in the pseudo-terminal)

def synthetic_runbook(checks: int) -> str:
    parts = ['[runbook]\nname = "bench-svc v9 to bench"\nservice = "bench-svc"\nversion = "v9"\n'
             'environment = "bench"\nsignoff = ["deployment-lead"]\n\n'
             '[targets.prometheus.main]\nurl = "http://127.0.0.1:9"\n\n[targets.kubernetes.k]\nnamespace = "bench"\n\n'
             '[[phase]]\nid = "canary"\ntitle = "Canary"\nhold = "10m"\n']
    for i in range(checks):
        parts.append(f'\n  [[phase.check]]\n  id = "latency-{i:03d}"\n  title = "p99 latency of route {i:03d}"\n'
                     f'  source = "prometheus"\n  query = "route_latency_p99{{route=\\"{i}\\"}}"\n'
                     f'  pass = "< 50"\n  warn = "< 80"\n  unit = "ms"\n')
    parts.append('\n  [[phase.check]]\n  id = "pods"\n  title = "Pods ready"\n  source = "kubernetes"\n'
                 '  deployment = "bench-svc"\n')
    parts.append('\n  [[phase.check]]\n  id = "smoke"\n  title = "Smoke tested"\n  source = "manual"\n')
    parts.append('\n[[trigger]]\nid = "errors"\ntitle = "errors > 1% for 5m"\nsource = "prometheus"\n'
                 'query = "errors"\nfire = "> 1"\nfor = "5m"\nunit = "%"\nthen = "rollback"\n'
                 '\n[rollback]\nrun = ["true"]\n')
    return "".join(parts)


def prepare_session(folder: Path, checks: int) -> None:
    from golive.console.journal import Journal
    from golive.console.runbook import load_runbook

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runbook.toml").write_text(synthetic_runbook(checks), encoding="utf-8")
    runbook = load_runbook(folder / "runbook.toml")
    now = time.time()
    with Journal.create(folder) as journal:
        journal.append({"type": "session_started", "at": now - 600, "runbook_sha256": runbook.sha256,
                        "service": "bench-svc", "version": "v9", "environment": "bench", "operator": "bench",
                        "host": "bench"}, sync=False)
        journal.append({"type": "phase_started", "at": now - 600, "phase": "canary"}, sync=False)


def synthetic_session(folder: Path, scale: str, listeners=()):
    """A Follower of the prepared journal whose ``run`` folds a fresh sample of every check once a second (and
    pod rows for the Kubernetes check), as a driver's scheduler would; it looks like the driver (not read-only)."""
    from golive.checks.base import Sample
    from golive.console.follower import Follower

    checks, pod_count = SCALES[scale]

    class SyntheticSession(Follower):
        read_only = False

        async def run(self, until_outcome=False):
            self._stop = self._stop or asyncio.Event()
            rng, tick = random.Random(11), 0
            pods = [{"name": f"bench-svc-7d9f8-{i:05d}", "ready": "2/2", "status": "Running", "restarts": 0,
                     "age_seconds": 3600 + i, "node": f"node-{i % 7}", "image_tag": "v9"} for i in range(pod_count)]
            while not self._stop.is_set():
                now = time.time()
                for i in range(checks):
                    value = 30 + 12 * math.sin((tick + i) / 9) + rng.random() * 6 + (35 if rng.random() < 0.01 else 0)
                    self.observe(Sample.number(f"latency-{i:03d}", now, value))
                pods[tick % pod_count] = dict(pods[tick % pod_count], restarts=tick // pod_count + 1,
                                              status="CrashLoopBackOff" if tick % 10 == 0 else "Running")
                for pod in pods:
                    pod["age_seconds"] += 1
                self.observe(Sample(check_id="pods", at=now, ok=True, detail=f"{pod_count} ready",
                                    extra={"pods": [dict(p) for p in pods]}))
                self.observe(Sample.number("errors", now, 0.2 + rng.random() * 0.1))
                tick += 1
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=1.0)
                except asyncio.TimeoutError:
                    pass

    return SyntheticSession(folder, listeners=listeners)


def run_mission_child(folder: Path, scale: str) -> None:
    """The real mission screen over the synthetic session."""
    from golive.screens.app import GoliveApp

    GoliveApp(lambda listeners=(): synthetic_session(folder, scale, listeners)).run()


def run_session_child(folder: Path, scale: str) -> None:
    """The synthetic session alone, no screen: what folding the samples costs the core by itself."""
    session = synthetic_session(folder, scale)
    print("bench-svc: session without a screen", flush=True)
    asyncio.run(session.run())


# ---------------------------------------------------------------- the measurement (the parent)

def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_env() -> dict[str, str]:
    """The children's environment: both apps load their modules from bytecode, as an installed wheel does.

    Under PYTHONDONTWRITEBYTECODE the checkout's modules would be compiled again at every start while Textual's come
    from site-packages' .pyc, which charges Golive alone for the compiler; the cache goes to a folder of its own."""
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "PYTHONPATH": str(REPO),
           "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "golive-bench-pycache")}
    for name in ("COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def measure(argv: list[str], marker: bytes, warmup: float, seconds: float) -> dict:
    """Run argv in a 120×40 pseudo-terminal; returns first frame (s), CPU share and bytes/s after warm-up.

    With ``seconds`` 0 it returns at the first frame, with the CPU seconds the app took to draw it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = child_env()
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO,
                            start_new_session=True)
    os.close(slave)
    first_frame, seen, total = None, b"", 0
    window_start = window_bytes = cpu_start = None
    try:
        while True:
            now = time.monotonic()
            if window_start is None and now - started >= warmup and first_frame is not None:
                window_start, window_bytes, cpu_start = now, 0, cpu_seconds(proc.pid)
            if window_start is not None and now - window_start >= seconds:
                break
            if now - started > warmup + seconds + 60:
                raise RuntimeError(f"{argv[-1]}: no frame after {now - started:.0f}s")
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                raise RuntimeError(f"{' '.join(argv)}: exited early") from None
            total += len(data)
            if window_start is not None:
                window_bytes += len(data)
            if first_frame is None:
                seen = (seen + data)[-4096:]
                if marker in seen:
                    first_frame = time.monotonic() - started
                    if seconds <= 0:
                        return {"first_frame": first_frame, "cpu_seconds": cpu_seconds(proc.pid)}
        elapsed = time.monotonic() - window_start
        cpu = cpu_seconds(proc.pid) - cpu_start
        return {"first_frame": first_frame, "cpu": cpu / elapsed, "bytes_per_s": window_bytes / elapsed}
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each steady-state window")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds before the window starts")
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "FOLDER", "SCALE"), help=argparse.SUPPRESS)
    parser.add_argument("--first-frames", type=int, default=0, metavar="N",
                        help="only the first frame: N runs of the mission screen and of the baseline, in turn")
    args = parser.parse_args()
    if args.child:
        what, folder, scale = args.child
        (run_mission_child if what == "mission" else run_session_child)(Path(folder), scale)
        return 0
    if args.first_frames:
        return first_frames(args.first_frames)
    rows = []
    for scale, (checks, pods) in SCALES.items():
        for what, name in (("mission", f"mission screen, {scale} ({checks} checks, {pods} pods)"),
                           ("session", f"  of which the session alone (no screen), {scale}")):
            folder = Path(tempfile.mkdtemp(prefix=f"golive-bench-{scale}-"))
            try:
                prepare_session(folder / "session", checks)
                argv = [sys.executable, str(Path(__file__).resolve()), "--child", what, str(folder / "session"),
                        scale]
                rows.append((name, measure(argv, MARKERS["mission"], args.warmup, args.seconds)))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    argv = [sys.executable, str(REPO / "bench" / "plain_textual_app.py")]
    rows.append(("baseline: plain Textual (50 Sparklines, 100-row DataTable)",
                 measure(argv, MARKERS["plain"], args.warmup, args.seconds)))
    print(f"{'':60} {'first frame':>11} {'CPU':>8} {'written':>11}")
    for name, r in rows:
        print(f"{name:60} {r['first_frame']:>10.2f}s {100 * r['cpu']:>7.1f}% {r['bytes_per_s'] / 1024:>8.1f}KB/s")
    print(f"terminal {COLUMNS}x{LINES}, TERM=xterm-256color, window {args.seconds:g}s after {args.warmup:g}s; {GOALS}")
    return 0


FIRST_FRAME_APPS = (("mission", "mission screen, steady"), ("run", "golive run (driver + seat)"),
                    ("plain", "baseline: plain Textual app"))


def first_frames(runs: int) -> int:
    """The first frame of the mission screen (steady scale, in process), of `golive run` on the local example (a
    driver process, then the screen as its seat) and of the baseline, taken in turn so that all see the same load;
    the first run of each only fills the bytecode cache and is not counted. CPU is the screen's process alone."""
    folder = Path(tempfile.mkdtemp(prefix="golive-bench-first-"))
    wall: dict[str, list[float]] = {name: [] for name, _ in FIRST_FRAME_APPS}
    cpu: dict[str, list[float]] = {name: [] for name, _ in FIRST_FRAME_APPS}
    try:
        prepare_session(folder / "session", SCALES["steady"][0])
        for run in range(runs + 1):
            for name, _ in FIRST_FRAME_APPS:
                first = first_frame_of(name, folder, run)
                if run:
                    wall[name].append(first["first_frame"])
                    cpu[name].append(first["cpu_seconds"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'first frame':30} {'wall, median':>12} {'CPU, median':>12}   wall of each run")
    for name, label in FIRST_FRAME_APPS:
        values = " ".join(f"{t:.2f}" for t in wall[name])
        print(f"{label:30} {statistics.median(wall[name]):>11.2f}s {statistics.median(cpu[name]):>11.2f}s   {values}")
    for name, label in (("mission", "mission / baseline"), ("run", "golive run / baseline")):
        ratios = [statistics.median(d[name]) / statistics.median(d["plain"]) for d in (wall, cpu)]
        print(f"{label:30} {ratios[0]:>11.2f}x {ratios[1]:>11.2f}x")
    print(f"terminal {COLUMNS}x{LINES}, {runs} runs each, in turn")
    return 0


def first_frame_of(name: str, folder: Path, run: int) -> dict:
    if name == "mission":
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", "mission", str(folder / "session"), "steady"]
        return measure(argv, MARKERS["mission"], 0, 0)
    if name == "plain":
        return measure([sys.executable, str(REPO / "bench" / "plain_textual_app.py")], MARKERS["plain"], 0, 0)
    session = folder / f"run-{run}"
    argv = [sys.executable, "-m", "golive.console.cli", "run", str(REPO / "examples" / "local-smoke.toml"),
            "--session-dir", str(session)]
    try:
        return measure(argv, b"hello-service", 0, 0)
    finally:
        stop_driver(session)


def stop_driver(session: Path) -> None:
    """The driver outlives its screen by design: stop the one this run started."""
    from golive.console.driver_lock import lock_holder

    holder = None
    for _ in range(40):   # a run that failed before its first frame may have a driver still taking the lock
        holder = lock_holder(session)
        if holder is not None:
            break
        time.sleep(0.05)
    if holder is None:
        return
    pid = holder[0]
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            time.sleep(0.05)
            os.kill(pid, 0)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main())
