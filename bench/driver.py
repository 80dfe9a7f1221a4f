"""Event-to-seat latency across the driver's socket for 1 and 10 seats (median, p99), beside the in-process
listener of a one-process session measured in the same run. Usage: python bench/driver.py [ROUNDS]"""

from __future__ import annotations

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

    from console.runbook import load_runbook
    from console.session import Session

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
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rows = [("in-process listener (baseline)", in_process(rounds))]
    rows += [(f"driver socket, {n} seat{'s' if n > 1 else ''}", across_the_socket(n, rounds)) for n in (1, 10)]
    for name, values in rows:
        print(f"{name:34s} median {statistics.median(values) * 1000:7.2f} ms   p99 {percentile(values, 0.99) * 1000:7.2f} ms"
              f"   ({len(values)} notes, fsync'd)")


if __name__ == "__main__":
    main()
