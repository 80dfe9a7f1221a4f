"""How long the event loop stalls while people's events are journaled: through the session's writer thread, against
the same notes appended and fsync'd on the loop (the write path before the writer) in the same run; prints figures,
never fails on time."""

from __future__ import annotations

# Usage: python bench/writer.py [--notes 40] [--slow-ms 20]
#
# A 1 ms ticker runs on the loop; the figure is the longest gap it sees while the notes are given one after another
# (each awaited, 5 ms apart). --slow-ms adds that much to every fsync, a slow or busy disk.
import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import golive.console.files
import golive.console.journal
from golive.console.runbook import load_runbook
from golive.console.session import Session

RUNBOOK = '[runbook]\nname = "bench"\nservice = "bench"\nversion = "1"\n[[phase]]\nid = "p"\n' \
          '  [[phase.check]]\n  id = "m"\n  source = "manual"\n'


class SlowOs:
    def __init__(self, slow: float):
        self.slow = slow

    def fsync(self, fd: int) -> None:
        time.sleep(self.slow)
        os.fsync(fd)

    def __getattr__(self, name: str):
        return getattr(os, name)


async def stalls(session: Session, notes: int, on_loop: bool) -> tuple[float, float]:
    """(longest loop gap, total time) in seconds for ``notes`` notes. ``on_loop``: the session is not running, so it
    has no writer thread and writes in place, on the loop — the write path before the writer."""
    run = None if on_loop else asyncio.ensure_future(session.run(until_outcome=False))
    await asyncio.sleep(0.3)
    gaps: list[float] = []
    done = False

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            if done:
                return

    beat = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    for i in range(notes):
        await session.note(f"note {i}", by="bench")
        await asyncio.sleep(0.005)
    took = time.perf_counter() - started
    done = True
    await beat
    session.stop()
    if run is not None:
        await run
    return max(gaps), took


async def record_stall(session: Session, on_loop: bool) -> tuple[float, float]:
    """(longest loop gap, time) while a draft record of the session's journal is written."""
    run = None if on_loop else asyncio.ensure_future(session.run(until_outcome=False))
    await asyncio.sleep(0.3)
    gaps: list[float] = []
    done = False

    async def ticker() -> None:
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    if on_loop:
        session.write_record()
    else:
        await session.save_record()
    took = time.perf_counter() - started
    await asyncio.sleep(0.01)
    done = True
    await beat
    session.stop()
    if run is not None:
        await run
    return max(gaps), took


def measure_record(events: int, on_loop: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rb.toml"
        path.write_text(RUNBOOK)
        session = Session.start(load_runbook(path), session_dir=Path(tmp) / "s", operator="bench")
        for i in range(events):   # a long go-live's journal: people's notes, written without fsync to be quick
            session.journal.append({"type": "note", "at": time.time(), "by": "bench", "text": f"n{i}"}, sync=False)
        session.journal.sync()
        try:
            return asyncio.run(record_stall(session, on_loop))
        finally:
            session.close()


def measure(notes: int, slow: float, on_loop: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rb.toml"
        path.write_text(RUNBOOK)
        session = Session.start(load_runbook(path), session_dir=Path(tmp) / "s", operator="bench")
        golive.console.journal.os = golive.console.files.os = SlowOs(slow)  # type: ignore[assignment]
        try:
            return asyncio.run(stalls(session, notes, on_loop))
        finally:
            golive.console.journal.os = golive.console.files.os = os
            session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=40)
    parser.add_argument("--slow-ms", type=float, default=20.0)
    parser.add_argument("--events", type=int, default=50_000, help="journal lines for the record figure")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; {args.notes} notes, each awaited")
    for slow in (0.0, args.slow_ms / 1000):
        for label, on_loop in (("on the loop (baseline)", True), ("writer thread", False)):
            gap, took = measure(args.notes, slow, on_loop)
            print(f"fsync +{slow * 1000:.0f} ms, {label:22}: longest loop stall {gap * 1000:6.1f} ms; "
                  f"{took * 1000:5.0f} ms for the notes")
    for label, on_loop in (("on the loop (baseline)", True), ("writer thread", False)):
        gap, took = measure_record(args.events, on_loop)
        print(f"draft record of {args.events} lines, {label:22}: longest loop stall {gap * 1000:6.1f} ms; "
              f"{took * 1000:5.0f} ms to write it")


if __name__ == "__main__":
    main()
