"""The driver beside today's one-process session, measured in the same run: event-to-seat latency (1 and 10
seats), CPU with 500 checks and 10 seats, RSS over a simulated day. Usage: python bench/driver.py [--help]"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.driver_helpers import HOLD, RawSeat, start_driver, stop, write_runbook  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def across_the_socket(seats: int, rounds: int) -> list[float]:
    """Seconds from a note's command leaving one seat to its event reaching the last of ``seats`` seats."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "session"
        driver = start_driver(write_runbook(Path(tmp), HOLD), folder)
        try:
            room = [RawSeat(folder) for _ in range(seats)]
            out = []
            for i in range(rounds):
                text = f"bench {i}"
                sent = time.perf_counter()
                room[0].sock.sendall(json.dumps({"type": "command", "id": i + 1, "command": "note",
                                                 "args": {"text": text}}).encode() + b"\n")
                for seat in room:
                    while True:
                        msg = seat.read()
                        if msg["type"] == "event" and msg["event"].get("text") == text:
                            break
                out.append(time.perf_counter() - sent)
            for seat in room:
                seat.close()
            return out
        finally:
            stop(driver)


def in_process(rounds: int) -> list[float]:
    """The same note through a one-process Session to its listener (today's screen path)."""
    import asyncio

    from golive.console.runbook import load_runbook
    from golive.console.session import Session

    async def main() -> list[float]:
        with tempfile.TemporaryDirectory() as tmp:
            runbook = load_runbook(write_runbook(Path(tmp), HOLD))
            heard: list[float] = []
            session = Session.start(runbook, session_dir=Path(tmp) / "s",
                                    listeners=(lambda kind, p: kind == "event" and heard.append(time.perf_counter()),))
            out = []
            for i in range(rounds):
                sent = time.perf_counter()
                await session.note(f"bench {i}")
                out.append(heard[-1] - sent)
            session.close()
            return out
    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rounds", nargs="?", type=int, default=200, help="notes per latency row (200)")
    parser.add_argument("--every", default="5s", help="the 500 checks' interval (5s; runbooks default to 15s)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds of CPU measured per row (60; several times "
                                                                   "--every, or it may fall between cycles)")
    parser.add_argument("--repeat", type=int, default=1, help="CPU rows: baseline and driver alternated this many "
                                                              "times, medians printed (1)")
    parser.add_argument("--cycles", type=int, default=100_000, help="sample cycles of the simulated day (100000)")
    parser.add_argument("--only", choices=("latency", "cpu", "rss"), help="one of the three measurements")
    opts = parser.parse_args()
    if opts.only in (None, "latency"):
        rows = [("in-process listener (baseline)", in_process(opts.rounds))]
        rows += [(f"driver socket, {n} seat{'s' if n > 1 else ''}", across_the_socket(n, opts.rounds))
                 for n in (1, 10)]
        for name, values in rows:
            print(f"{name:34s} median {statistics.median(values) * 1000:7.2f} ms   "
                  f"p99 {percentile(values, 0.99) * 1000:7.2f} ms   ({len(values)} notes, fsync'd)   "
                  "goal p99 <= 100 ms")
    if opts.only in (None, "cpu"):
        from bench import driver_load
        print(f"CPU over {opts.window:.0f} s, 500 Prometheus checks every {opts.every} against the demo's sandbox"
              " (goal: driver <= 3 % of one core)")
        figures = driver_load.cpu_figures(every=opts.every, window=opts.window, repeat=opts.repeat)
        for name, pct, note in figures:
            print(f"  {name:52s} {pct:5.2f} % of one core   ({note})")
    if opts.only in (None, "rss"):
        from bench import driver_day
        print("\n".join(driver_day.report(opts.cycles)))


if __name__ == "__main__":
    main()
