"""kill -9 of the driver itself at cuts across the journal, then `golive resume` as an interactive lead does it (a
new driver, the same lead at a seat): the go-live ends as the run left alone ended, and nothing human is lost.

The lead is a seat in this process (a DriverClient, the screen's own view of the driver) that does what a person
at the mission screen would: ticks the active phase's items, runs its action, proceeds when the gate opens,
confirms a fired trigger's rollback, and signs off as the deployment lead once the outcome is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import signal
import subprocess
import threading
import tomllib
from pathlib import Path

import pytest

from golive.console.cli import build_parser
from golive.console.driver import process
from golive.console.driver import protocol as proto
from golive.console.driver.client import DriverClient, DriverGone
from golive.console.engine import Refused
from golive.console.journal import read_journal
from golive.console.journal_audit import record_differences
from tests.integration.driver_helpers import DEADLINE, start_driver, stop
from tests.integration.kill_runbooks import OUTCOMES, RUNBOOKS, actions_after_a_rollback_decision, summary, write

LEAD_ROLE = "deployment-lead"
ME = pwd.getpwuid(os.getuid()).pw_name
CUTS = 4   # kills per runbook: across the uninterrupted run's journal up to its outcome line


class Lead:
    """The person at the lead's seat: acts on what the seat shows, and remembers every command the driver took."""

    def __init__(self) -> None:
        self.acknowledged: list[tuple] = []   # the human commands the driver answered ok

    async def drive(self, folder: Path) -> bool:
        """Act through one seat until the lead has signed the outcome (True) or the driver is gone."""
        try:
            client = DriverClient(folder)
        except DriverGone:
            return False   # killed before this seat got in
        hearing = asyncio.ensure_future(client.run())
        try:
            while not hearing.done():
                step = self._next_step(client)
                if step == ("done",):
                    return True
                if step is None:
                    await asyncio.sleep(0.02)
                    continue
                try:
                    await getattr(client, step[0])(*step[1:])
                    self.acknowledged.append(step)
                except Refused:
                    if client.broken:
                        return False
                    await asyncio.sleep(0.02)   # the seat's view was a moment behind the driver's
            return False
        finally:
            client.stop()
            await hearing
            client.close()

    @staticmethod
    def _next_step(client: DriverClient) -> tuple | None:
        eng = client.engine
        st, runbook = eng.state, client.runbook
        if st.outcome is not None:
            # one person signs one role (separation of duties): the lead signs its own
            return ("sign", LEAD_ROLE) if LEAD_ROLE in eng.missing_signoffs() else ("done",)
        if st.rollback_request and not runbook.check(st.rollback_request).auto:
            return ("rollback", None, "the trigger fired", st.rollback_request)
        if st.rollback_decided or st.rollback_interrupted:
            return None   # the driver runs (or re-runs) the decided rollback
        phase, ps = eng.active_phase(), st.active_phase
        if phase is None or ps is None:
            return None
        for check in phase.checks:
            if check.source == "manual" and not st.manual[check.id].checked:
                return ("tick", check.id)
        running = any("finished" not in a for a in st.actions)
        if phase.all_actions and ps.action_done is None and not running and not ps.action_failed:
            return ("run_action",)
        if eng.gate(client.clock()).open and not eng.unseen_triggers():
            return ("proceed",)
        return None


def resume_driver(folder: Path) -> subprocess.Popen:
    """What an interactive `golive resume DIR` starts before its screen attaches: a new driver of the session."""
    args = build_parser("resume").parse_args(["resume", str(folder)])
    log = folder / proto.LOG_NAME
    proc = process.spawn(args, folder)
    problem = process.wait_ready(proc, folder, log.stat().st_size if log.exists() else 0)
    assert problem == "", problem
    return proc


def kill_after(proc: subprocess.Popen, journal: Path, lines: int, done: threading.Event) -> threading.Thread:
    """kill -9 the driver as soon as its journal holds ``lines`` lines (it may have written one or two more)."""
    def watch() -> None:
        while not done.is_set() and proc.poll() is None:
            try:
                if journal.read_bytes().count(b"\n") >= lines:
                    os.kill(proc.pid, signal.SIGKILL)
                    return
            except OSError:
                pass
            done.wait(0.002)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def run_killed_at(runbook: Path, folder: Path, cut: int | None) -> tuple[list[tuple], int | None]:
    """The whole go-live with the lead at a seat; with ``cut``, the driver is killed once, then resumed.

    Returns what the driver had acknowledged to the lead but the journal left by the kill lacks (must be
    nothing), and the number of lines that journal held (None when the cut came after the lead was done)."""
    lead, driver, killed_at, lost = Lead(), start_driver(runbook, folder), None, []
    done = threading.Event()
    watcher = kill_after(driver, folder / "journal.jsonl", cut, done) if cut else None
    try:
        finished = asyncio.run(asyncio.wait_for(lead.drive(folder), DEADLINE))
        done.set()   # from here on the watcher kills no more: whether it did is settled below
        if watcher is not None:
            watcher.join(5)
        if not finished:
            assert cut is not None, "the uninterrupted driver went away"
            driver.wait(30)
        else:   # the lead is done: a kill may still have landed just after its sign-off was answered
            with contextlib.suppress(subprocess.TimeoutExpired):
                driver.wait(0.2)
        if driver.returncode is not None:
            assert driver.returncode == -signal.SIGKILL, f"the driver ended by itself ({driver.returncode})"
            left = read_journal(folder / "journal.jsonl").events
            killed_at, lost = len(left), missing(lead.acknowledged, left)
            driver = resume_driver(folder)
            assert asyncio.run(asyncio.wait_for(lead.drive(folder), DEADLINE)), "the resumed driver went away"
    finally:
        done.set()
        if watcher is not None:
            watcher.join(5)
        stop(driver)
    return lost, killed_at


def missing(acknowledged: list[tuple], events: list[dict]) -> list[tuple]:
    """The acknowledged human commands the journal does not hold: each was fsync'd before its reply."""
    journaled = human(events, ME)
    out = []
    for step in acknowledged:
        want = {"tick": ("tick", step[-1], True), "proceed": ("decision", "proceed"),
                "rollback": ("decision", "rollback"), "sign": ("signoff", step[-1])}.get(step[0])
        if want is None:
            continue   # run_action: its start is journaled as the action's, judged by summary()
        if want in journaled:
            journaled.remove(want)
        else:
            out.append(step)
    return out


def human(events: list[dict], person: str) -> list[tuple]:
    """What the person at the lead's seat did, as the journal holds it: the same whatever happened to the driver.
    (The driver's own decisions may differ: an interrupted repeat_safe rollback is re-run by a new decision.)"""
    out = []
    for e in events:
        if e["type"] == "tick" and e["by"] == person:
            out.append(("tick", e["check"], e.get("checked", True)))
        elif e["type"] == "decision" and e["by"] == person:
            out.append(("decision", e["kind"]))
        elif e["type"] == "signoff" and e["name"] == person:
            out.append(("signoff", e["role"]))
    return out


@pytest.mark.parametrize("name", sorted(RUNBOOKS))
def test_a_kill_9_of_the_driver_at_any_cut_resumes_to_the_same_end_with_nothing_human_lost(tmp_path, name):
    runbook, _answers = write(tmp_path, name)
    _, whole = run_killed_at(runbook, tmp_path / "whole", None), tmp_path / "whole"
    reference_events = read_journal(whole / "journal.jsonl").events
    reference = summary(reference_events)
    assert reference["outcomes"] == [OUTCOMES[name]], reference
    lines = len(reference_events)
    outcome = next(i for i, e in enumerate(reference_events, 1) if e["type"] == "outcome")
    # spread over the run, and just after the outcome, where only the lead's sign-off is still to come
    cuts = sorted({max(1, round(outcome * (i + 1) / CUTS)) for i in range(CUTS - 1)} | {outcome})
    killed = []
    for k in cuts:
        folder = tmp_path / f"cut-{k:03d}"
        lost, killed_at = run_killed_at(runbook, folder, k)
        where = f"killed after line {killed_at} (cut {k} of {lines})"
        killed.append(killed_at)
        events = read_journal(folder / "journal.jsonl").events
        assert summary(events) == reference, f"{where}: {summary(events)} != {reference}"
        assert actions_after_a_rollback_decision(events) == [], where
        assert human(events, ME) == human(reference_events, ME) != [], where
        assert lost == [], f"{where}: acknowledged to the lead, yet not in the journal the kill left"
        record = tomllib.loads((folder / "record.toml").read_text())
        assert record["record"]["outcome"] == reference["outcomes"][0], where
        anchor = record["record"]["journal_events"]
        assert events[anchor - 1]["type"] == "outcome", where
        assert record_differences(record, events, anchor) == [], where
        if killed_at is not None:
            assert [e["type"] for e in events].count("resumed") == 1, where
    # a cut before the outcome always finds the driver still running (the last one races the lead's sign-off)
    assert None not in killed[:-1], f"cuts {cuts} killed after lines {killed}"
