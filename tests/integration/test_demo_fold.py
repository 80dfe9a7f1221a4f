"""The demo's go-lives, driven headless against the sandboxes, replay and follow to the driver's state: the
engine's fold holds with real sources, pods, baselines and a trigger's rollback, not only with scripted samples."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from golive.console.cmd_demo import demo_answers, demo_runbook_path
from golive.console.runbook import load_runbook
from golive.console.session import Session, replay_session
from golive.console.state import canonical
from golive.sandbox.demo_world import DemoWorld
from tests.unit.test_engine_fold import RecordedSession, Recorder, assert_follower_agrees, journal_lines


@pytest.mark.parametrize("scenario, outcome", [("good", "GO"), ("bad-canary", "ROLLED BACK")])
def test_a_demo_run_replays_and_follows_to_the_drivers_state(tmp_path: Path, scenario: str, outcome: str):
    recorder = RecordedSession.recorder = Recorder()
    folder = tmp_path / "session"

    async def run(world: DemoWorld) -> Session:
        runbook = load_runbook(demo_runbook_path(), world.variables)
        session = RecordedSession.start(runbook, session_dir=folder, headless=True, answers=demo_answers(runbook),
                                        overrides=world.variables)
        await session.run()
        session.close()
        return session

    with DemoWorld(scenario, speed=60) as world:
        session = asyncio.run(run(world))
    assert session.engine.state.outcome == outcome
    _, replayed, _ = replay_session(folder, [json.loads(line) for line in journal_lines(folder)])
    assert canonical(replayed.state, live=False) == canonical(session.engine.state, live=False)
    assert_follower_agrees(tmp_path, folder, recorder)
