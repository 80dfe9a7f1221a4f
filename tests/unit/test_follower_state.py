"""What `golive watch` derives from a journal: holds no longer than the journal proves, a gone driver named with
the time it was last heard, and no key a follower cannot use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from golive.console import events as ev
from golive.console.follower import SILENT_AFTER, Follower
from golive.console.journal import LOCK_NAME, Journal
from golive.console.runbook import load_runbook
from golive.screens.gate_bar import gate_content

T0 = 1795379400.0

RUNBOOK = """
[runbook]
name = "w v1 to test"
service = "w"
version = "v1"
environment = "test"
signoff = ["deployment-lead"]

[[phase]]
id = "hold"
title = "Hold"
hold = "20s"

  [[phase.check]]
  id = "rate"
  title = "Request rate"
  source = "command"
  run = ["python3", "-c", "print(7)"]
  pass = "> 0"
  every = "1s"
"""


MANUAL = """
  [[phase.check]]
  id = "approved"
  title = "Approved"
  source = "manual"
  role = "deployment-lead"
"""


def write_journal(folder: Path, events: list[ev.Event]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "runbook.toml").write_text(RUNBOOK, encoding="utf-8")
    rb = load_runbook(folder / "runbook.toml")
    started = ev.SessionStarted(at=T0, runbook_sha256=rb.sha256, runbook_path=str(folder / "runbook.toml"),
                                name=rb.meta.name, service="w", version="v1", environment="test", operator="lead",
                                host="h")
    with Journal.create(folder) as journal:
        for event in [started, ev.PhaseStarted(at=T0, phase="hold"), *events]:
            journal.append(event.to_dict(), sync=False)


def a_dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def name_driver(folder: Path, pid: int) -> None:
    (folder / LOCK_NAME).write_text(f"{pid} {os.uname().nodename} 2026-11-22T20:30:00Z\n")


def hold_journal(tmp_path: Path) -> Path:
    """A check passing from T0+1; the driver's last word is a heartbeat at T0+11 (11 s into a 20 s hold)."""
    folder = tmp_path / "session"
    write_journal(folder, [ev.Verdict(at=T0 + 1, check="rate", verdict="PASS", value=7.0),
                           ev.Heartbeat(at=T0 + 11)])
    return folder


def test_a_follower_counts_a_hold_only_as_far_as_the_journal_proves(tmp_path):
    follower = Follower(hold_journal(tmp_path), clock=lambda: T0 + 40)
    held, hold = follower.engine.hold_progress("rate", T0 + 40)
    assert (held, hold) == (10.0, 20.0)   # proven from T0+1 to the heartbeat at T0+11, not to the clock
    gate = follower.engine.gate(T0 + 40)
    assert not gate.open and "held 10s of 20s" in gate.reasons[0]


def test_a_heartbeat_read_later_extends_the_proven_hold_and_opens_the_gate(tmp_path):
    folder = hold_journal(tmp_path)
    follower = Follower(folder, clock=lambda: T0 + 40)
    assert not follower.engine.is_held("rate", T0 + 40)
    journal, _ = Journal.resume(folder)
    with journal:
        journal.append(ev.Heartbeat(at=T0 + 25).to_dict(), sync=True)
    assert follower.poll() == 1
    assert follower.engine.is_held("rate", T0 + 40) and follower.engine.gate(T0 + 40).open


def test_a_driver_whose_process_is_gone_is_named_with_when_it_was_last_heard(tmp_path):
    folder = hold_journal(tmp_path)
    name_driver(folder, a_dead_pid())
    follower = Follower(folder)
    assert follower.driver_problem(T0 + 11 + 130) == "driver not running — last heard 2m ago"


def test_a_live_driver_heard_recently_raises_no_banner_and_a_silent_one_does(tmp_path):
    folder = hold_journal(tmp_path)
    name_driver(folder, os.getpid())
    follower = Follower(folder)
    assert follower.driver_problem(T0 + 12) == ""
    assert follower.driver_problem(T0 + 11 + SILENT_AFTER + 5).startswith("driver not heard from — last heard")


def test_a_followers_gate_line_names_no_key_it_cannot_use(tmp_path):
    folder = tmp_path / "session"
    write_journal(folder, [ev.Verdict(at=T0 + 1, check="rate", verdict="PASS", value=7.0),
                           ev.Heartbeat(at=T0 + 30)])
    follower = Follower(folder)
    st, engine = follower.engine.state, follower.engine
    open_line = gate_content(engine.gate(T0 + 30), st, [], read_only=True).plain
    assert "GATE OPEN" in open_line and "press" not in open_line
    st.rollback_request = "rate"
    assert "press" not in gate_content(engine.gate(T0 + 30), st, [], read_only=True).plain
    st.rollback_request, st.outcome = None, "GO"
    ended = gate_content(engine.gate(T0 + 30), st, ["deployment-lead"], read_only=True).plain
    assert "sign-off missing: deployment-lead" in ended and "press" not in ended
    assert "press s" in gate_content(engine.gate(T0 + 30), st, ["deployment-lead"]).plain   # the driver's does


def test_the_driver_writes_a_heartbeat_after_a_quiet_spell_and_only_then(tmp_path):
    import asyncio

    from golive.console import session as session_module
    from golive.console.journal import read_journal
    from golive.console.session import Session
    from tests.unit.virtual_time import START, run

    quiet = RUNBOOK[:RUNBOOK.index("  [[phase.check]]")] + MANUAL   # nothing sampled: only heartbeats speak
    (tmp_path / "rb.toml").write_text(quiet, encoding="utf-8")

    async def drive(loop) -> None:
        # on a virtual clock: the session's ticks and its clock move together, 29 quiet seconds in no real time
        session = Session.start(load_runbook(tmp_path / "rb.toml"), session_dir=tmp_path / "s", operator="lead",
                                clock=loop.time)
        try:
            task = asyncio.ensure_future(session.run(until_outcome=False))
            await asyncio.sleep(29)
            session.stop()
            await task
        finally:
            session.close()

    run(drive)
    events = read_journal(tmp_path / "s" / "journal.jsonl").events
    beats = [e["at"] - START for e in events if e["type"] == "heartbeat"]
    every = session_module.HEARTBEAT_EVERY
    # one after each quiet spell and never more: at 5, 10, 15, 20 and 25 s after a start at 0
    assert [e["at"] - START for e in events if e["type"] != "heartbeat"][:1] == [0]
    assert beats == pytest.approx([every * n for n in range(1, int(29 // every) + 1)], abs=session_module.TICK_EVERY)
    times = [e["at"] for e in events]
    for at in beats:   # each follows a quiet spell of HEARTBEAT_EVERY since the line before it
        before = max(t for t in times if t < at + START) - START
        assert at - before >= every
