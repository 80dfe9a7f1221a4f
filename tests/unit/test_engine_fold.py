"""The engine is a fold: the live driver's state is the fold of its events (samples included), a replay of its
journal gives the same state, and a follower fed the journal line by line equals the driver at every line.

Each go-live is driven through a real Session (journal on disk, dry-run actions) on a fake clock, with
samples fed by the test: a clean run to GO, an override, a trigger's rollback, a pause and its resume,
and a driver that stops and is resumed.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

from golive.checks.base import Sample
from golive.console import events as ev
from golive.console.engine import Engine
from golive.console.follower import Follower
from golive.console.journal import JOURNAL_NAME
from golive.console.runbook import load_runbook
from golive.console.session import Session, replay_session
from golive.console.state import Blocker, canonical

T0 = 1_800_000_000.0

RUNBOOK = """
[runbook]
name = "svc v2 to test"
service = "svc"
version = "v2"
environment = "test"
signoff = ["deployment-lead"]

[targets.prometheus.main]
url = "http://127.0.0.1:9"

[[phase]]
id = "canary"
hold = "30s"
timeout = "30m"
action = { run = ["true"] }

  [[phase.check]]
  id = "err"
  source = "prometheus"
  query = "x"
  pass = "< 0.5"
  warn = "< 1"
  unit = "%"

  [[phase.check]]
  id = "smoke"
  source = "manual"

[[phase]]
id = "full"
hold = "10s"

  [[phase.check]]
  id = "lat"
  source = "prometheus"
  query = "y"
  pass = "< 500"
  window = "20s"
  measure = "max-min"

[[trigger]]
id = "spike"
source = "prometheus"
query = "z"
fire = "> 1"
for = "20s"
then = "rollback"

[[trigger]]
id = "incidents"
source = "manual"
then = "pause"

[rollback]
run = ["true"]
"""


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


class Recorder:
    """The live engine's every applied event (samples included) and its state after each journal line."""

    def __init__(self) -> None:
        self.applied: list[ev.Event] = []
        self.at_line: dict[int, dict[str, Any]] = {}
        self.gate_at_line: dict[int, tuple[bool, list[Blocker]]] = {}
        self.line = 0

    def watch(self, session: Session) -> None:
        """From now on (a resumed session's engine is a replay of what came before)."""
        engine, fold = session.engine, session.engine.apply
        self.line = session.journal.seq

        def apply(event: ev.Event) -> None:
            fold(event)
            self.applied.append(event)
            if not isinstance(event, ev.Sampled):   # every other event the session folds is a journal line
                self.line += 1
                self.snap(session, event.at)

        engine.apply = apply   # type: ignore[method-assign]
        self.snap(session, session.clock())

    def snap(self, session: Session, at: float) -> None:
        self.at_line[self.line] = canonical(session.engine.state, live=False)
        gate = session.engine.gate(at)
        self.gate_at_line[self.line] = (gate.open, gate.blockers)


Step = Callable[[Session, Clock], Awaitable[None]]


def sample_for(session: Session, clock: Clock, seconds: int, values: dict[str, float], every: int = 5) -> None:
    """Sample each check every ``every`` seconds for ``seconds``, ticking the engine as the driver does."""
    for _ in range(seconds // every):
        clock.t += every
        for check_id, value in values.items():
            session.on_sample(Sample.number(check_id, clock.t, value))
        session.submit(session.engine.tick(clock.t))


async def run_canary(session: Session, clock: Clock, err: float = 0.2) -> None:
    await session.run_action()
    sample_for(session, clock, 10, {"err": 0.7, "spike": 0.1})   # WARN first: the hold starts later
    await session.tick("smoke")
    sample_for(session, clock, 40, {"err": err, "spike": 0.1})


async def go(session: Session, clock: Clock) -> None:
    await run_canary(session, clock)
    await session.proceed()
    sample_for(session, clock, 60, {"lat": 120.0, "spike": 0.2})
    session.on_sample(Sample(check_id="lat", at=clock.t, error="connection refused"))   # blind, then back
    sample_for(session, clock, 60, {"lat": 121.0, "spike": 0.2})
    await session.proceed()
    await session.sign("deployment-lead")


async def override(session: Session, clock: Clock) -> None:
    await run_canary(session, clock, err=3.0)   # FAIL: the gate stays closed
    await session.override("the error budget is fine today, agreed with ops")
    sample_for(session, clock, 10, {"lat": 900.0, "spike": float("nan")})   # NaN is no data: the trigger is blind
    await session.abort("latency too high")


async def rollback(session: Session, clock: Clock) -> None:
    await run_canary(session, clock)
    sample_for(session, clock, 30, {"err": 0.2, "spike": 4.0})   # pending, then firing: a rollback is requested
    assert session.engine.state.rollback_request == "spike"
    await session.rollback(trigger="spike")


async def pause(session: Session, clock: Clock) -> None:
    await run_canary(session, clock)
    await session.fire_trigger("incidents", "six tickets in ten minutes")
    sample_for(session, clock, 10, {"err": 0.2, "spike": 0.1})
    await session.resume_paused("the tickets were a CDN blip")
    sample_for(session, clock, 10, {"err": 0.2, "spike": 0.1})
    await session.override("a fired trigger stays fired: the lead goes on in writing")
    await session.note("paused for a CDN blip", kind="anomaly")
    await session.abort("out of the change window")


SCENARIOS: dict[str, Step] = {"go": go, "override": override, "rollback": rollback, "pause": pause}


class RecordedSession(Session):
    """A Session whose engine is watched from its first event on (``recorder`` set before ``start``)."""

    recorder: Recorder

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.recorder.watch(self)


def drive(tmp_path: Path, step: Step, resume_after: Step | None = None) -> tuple[Path, Recorder, Session]:
    """Drive a go-live; with ``resume_after``, the first driver stops after ``step`` and a second resumes it."""
    path = tmp_path / "runbook.toml"
    path.write_text(RUNBOOK)
    clock, folder = Clock(), tmp_path / "session"
    recorder = RecordedSession.recorder = Recorder()

    async def main() -> Session:
        session = RecordedSession.start(load_runbook(path), session_dir=folder, operator="alice", dry_run=True,
                                        clock=clock)
        await step(session, clock)
        if resume_after is None:
            return session
        session.close()
        clock.t += 120
        session = RecordedSession.resume(folder, operator="alice", clock=clock)
        await resume_after(session, clock)
        return session

    return folder, recorder, asyncio.run(main())


def journal_lines(folder: Path) -> list[str]:
    return (folder / JOURNAL_NAME).read_text().splitlines(keepends=True)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_live_state_is_the_fold_of_the_events_it_applied_samples_included(tmp_path: Path, name: str):
    folder, recorder, session = drive(tmp_path, SCENARIOS[name])
    fresh = Engine(session.runbook)
    for event in recorder.applied:
        fresh.apply(event)
    assert any(isinstance(e, ev.Sampled) for e in recorder.applied)
    assert canonical(fresh.state) == canonical(session.engine.state)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_replaying_the_journal_gives_the_drivers_state(tmp_path: Path, name: str):
    folder, recorder, session = drive(tmp_path, SCENARIOS[name])
    _, engine, _ = replay_session(folder, [json.loads(line) for line in journal_lines(folder)])
    assert session.engine.state.outcome is not None
    assert canonical(engine.state, live=False) == canonical(session.engine.state, live=False)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_follower_equals_the_driver_at_every_journal_line(tmp_path: Path, name: str):
    folder, recorder, _ = drive(tmp_path, SCENARIOS[name])
    assert_follower_agrees(tmp_path, folder, recorder)


def test_a_resumed_driver_and_its_follower_agree_with_the_replay(tmp_path: Path):
    async def after_resume(session: Session, clock: Clock) -> None:
        sample_for(session, clock, 40, {"err": 0.2, "spike": 0.1})
        await session.proceed()
        sample_for(session, clock, 60, {"lat": 120.0, "spike": 0.2})
        await session.proceed()

    folder, recorder, session = drive(tmp_path, run_canary, resume_after=after_resume)
    assert session.engine.state.outcome == "GO"
    assert any('"resumed"' in line for line in journal_lines(folder))
    assert_follower_agrees(tmp_path, folder, recorder)


def assert_follower_agrees(tmp_path: Path, folder: Path, recorder: Recorder) -> None:
    """Feed a follower the driver's journal one line at a time; after each, its state is the driver's then."""
    watched = tmp_path / "watched"
    watched.mkdir()
    shutil.copyfile(folder / "runbook.toml", watched / "runbook.toml")
    lines = journal_lines(folder)
    with (watched / JOURNAL_NAME).open("w") as out:
        out.write(lines[0])
        out.flush()
        follower = Follower(watched)
        compared = 0
        for seq, line in enumerate(lines, start=1):
            if seq > 1:
                out.write(line)
                out.flush()
                assert follower.poll() == 1
            if seq in recorder.at_line:
                assert canonical(follower.engine.state, live=False) == recorder.at_line[seq], f"line {seq}: {line}"
                gate = follower.engine.gate(json.loads(line)["at"])
                assert (gate.open, gate.blockers) == recorder.gate_at_line[seq], f"line {seq}: {line}"
                compared += 1
    assert compared == len(lines)
