"""The journal under kill -9: the lock dies with its holder, and every acknowledged human event survives."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from golive.console.journal import Journal, JournalLocked, verify_chain

REPO = Path(__file__).resolve().parents[2]

# Started with `python -S` and importing only console.journal, so each child is up in a few milliseconds.
# "hold": take the session and wait. "write": append human events, printing "ack <seq>" once each is fsync'd.
DRIVER = r"""
import sys, time
from pathlib import Path
from golive.console.journal import Journal
folder, mode, child = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
journal, _ = Journal.resume(folder)
if mode == "hold":
    print("locked", flush=True)
    time.sleep(120)
for i in range(40):  # bounded, so the journal stays small however late the kill comes
    stored = journal.append({"type": "note", "at": time.time(), "by": "lead", "text": f"child {child} {i}"}, sync=True)
    print(f"ack {stored['seq']}", flush=True)
time.sleep(120)
"""


def start_driver(folder: Path, mode: str, child: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(folder), mode, str(child)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_and_collect(proc: subprocess.Popen, first_line: bytes = b"") -> list[str]:
    """SIGKILL the child and return every line it printed."""
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, f"the child ended by itself: {err.decode()[-500:]}"
    return (first_line + out).decode().split()


def test_the_session_lock_is_free_again_after_its_holder_is_killed_with_sigkill(tmp_path):
    folder = tmp_path / "s"
    Journal.create(folder).close()
    holder = start_driver(folder, "hold")
    try:
        assert holder.stdout.readline() == b"locked\n"
        with pytest.raises(JournalLocked) as caught:
            Journal.resume(folder)
        assert f"is being driven by pid {holder.pid} on " in str(caught.value)
        assert str(caught.value).endswith(f"follow it read-only with: golive watch {folder}")
        with pytest.raises(JournalLocked):
            Journal.create(folder)
    finally:
        kill_and_collect(holder)
    journal, replay = Journal.resume(folder)
    journal.close()
    assert replay.events == []


def test_every_acknowledged_event_survives_200_kills_at_random_moments(tmp_path):
    seed = random.randrange(1 << 30)
    print(f"seed {seed}")
    rng = random.Random(seed)
    folder = tmp_path / "s"
    Journal.create(folder).close()
    children_with_acks = 0
    for child in range(200):
        proc = start_driver(folder, "write", child)
        first_line = b""
        if rng.random() < 0.25:
            time.sleep(rng.uniform(0, 0.04))  # often lands in start-up or in resume itself
        else:
            first_line = proc.stdout.readline()  # then kill in the middle of the appends
            time.sleep(rng.uniform(0, 0.006))
        printed = kill_and_collect(proc, first_line)
        acked = [int(seq) for word, seq in zip(printed[::2], printed[1::2], strict=False) if word == "ack"]
        children_with_acks += bool(acked)

        journal, replay = Journal.resume(folder)
        journal.close()
        seqs = [event["seq"] for event in replay.events]
        assert seqs == list(range(1, len(seqs) + 1)), f"seed {seed}, child {child}: gap in seq"
        assert verify_chain(folder / "journal.jsonl") == (replay.head, len(seqs))
        for seq in acked:
            assert seq <= len(seqs), f"seed {seed}, child {child}: acknowledged seq {seq} lost"
            assert replay.events[seq - 1]["text"].startswith(f"child {child} ")
    # Each child that waited for its first ack was killed after one: the kills did land among appends.
    assert children_with_acks >= 100
