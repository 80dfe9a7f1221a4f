"""A rollback plan's step written with ``confirm = true`` waits for its own confirmation before it runs;
a step without it runs right after the one before, and a resumed plan asks again for an unconfirmed step."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from golive.console import events as ev
from golive.console.engine import Refused
from golive.console.rollback_plans import awaiting_confirm
from golive.console.runbook import load_runbook
from golive.console.session import Session

PLAN = f"""
[runbook]
name = "svc 1"
service = "svc"
version = "1"

[[phase]]
id = "one"
action = {{ run = ["true"], confirm = false }}

[[trigger]]
id = "bad"
source = "manual"
then = "rollback"
plan = "undo"

[[rollback]]
id = "undo"
timeout = "10s"
  [[rollback.step]]
  run = ["{sys.executable}", "-c", "print('drain')"]
  [[rollback.step]]
  run = ["{sys.executable}", "-c", "print('switch back')"]
  confirm = true
  [[rollback.verify]]
  id = "ok-after"
  source = "command"
  run = ["true"]
  every = "100ms"
"""


def decided(tmp_path: Path, headless: bool = False, step_one_done: bool = False) -> Session:
    path = tmp_path / "rb.toml"
    path.write_text(PLAN)
    session = Session.start(load_runbook(path), session_dir=tmp_path / "s", operator="alice", headless=headless)
    eng, now = session.engine, 1000.0
    session.submit([ev.ActionStarted(at=now, action="phase:one", argv=("true",)),
                    ev.ActionFinished(at=now, action="phase:one", exit_code=0)])
    session.submit(eng.cmd_fire_trigger("bad", "omar", "orders duplicated", now=now))
    session.submit(eng.cmd_rollback("alice", "orders duplicated", trigger="bad", now=now))
    if step_one_done:
        session.submit([ev.ActionStarted(at=now, action="rollback:undo:1", argv=("x",)),
                        ev.ActionFinished(at=now, action="rollback:undo:1", exit_code=0)])
    return session


def ran(session: Session) -> list[str]:
    return [a["action"] for a in session.engine.state.actions if a["action"].startswith("rollback:")]


def test_a_step_with_confirm_waits_only_after_the_steps_before_it_ran(tmp_path):
    async def go():
        session = decided(tmp_path)
        try:
            assert awaiting_confirm(session.engine) is None   # step one has no confirm: it runs straight away
            session.submit([ev.ActionStarted(at=1001.0, action="rollback:undo:1", argv=("x",)),
                            ev.ActionFinished(at=1001.0, action="rollback:undo:1", exit_code=0)])
            name, command = awaiting_confirm(session.engine)
            assert name == "rollback:undo:2" and "switch back" in command
            with pytest.raises(Refused, match="rollback:undo:1 is not waiting"):
                session.engine.cmd_confirm_step("rollback:undo:1", "alice", now=1002.0)
            session.submit(session.engine.cmd_confirm_step("rollback:undo:2", "alice", now=1002.0))
            assert awaiting_confirm(session.engine) is None
            decision = session.engine.state.decisions[-1]
            assert (decision["kind"], decision["by"], decision["step"]) == ("confirm_step", "alice", "rollback:undo:2")
        finally:
            session.close()
    asyncio.run(go())


def test_the_lead_confirms_a_step_before_it_runs_and_the_decision_is_journaled_first(tmp_path):
    asks: list = []

    async def go():
        session = decided(tmp_path)
        session._listeners.append(lambda kind, payload: asks.append(payload) if kind == "confirm_step" else None)
        runner = asyncio.create_task(session.run(until_outcome=True))   # it carries on the decided rollback
        try:
            for _ in range(400):
                if asks:
                    break
                await asyncio.sleep(0.01)
            assert asks and asks[0][0] == "rollback:undo:2" and "switch back" in asks[0][1]
            assert ran(session) == ["rollback:undo:1"]   # waiting: step two has not started
            await session.confirm_step("rollback:undo:2", by="bob")
            await asyncio.wait_for(runner, 30)
        finally:
            session.close()
        return session
    session = asyncio.run(go())
    assert session.engine.state.outcome == "ROLLED BACK"
    from golive.console.journal import read_journal

    events = read_journal(session.folder / "journal.jsonl").events
    kinds = [(e["type"], e.get("kind") or e.get("action")) for e in events]
    confirm = kinds.index(("decision", "confirm_step"))
    assert kinds.index(("action_started", "rollback:undo:2")) > confirm
    assert next(e for e in events if e.get("kind") == "confirm_step")["by"] == "bob"


def test_the_headless_run_confirms_a_step_itself_and_says_so(tmp_path):
    async def go():
        session = decided(tmp_path, headless=True)
        runner = asyncio.create_task(session.run())
        try:
            await asyncio.wait_for(runner, 30)   # it carries on the decided rollback
        finally:
            session.close()
        return session
    session = asyncio.run(go())
    assert session.engine.state.outcome == "ROLLED BACK"
    assert ran(session) == ["rollback:undo:1", "rollback:undo:2"]
    (decision,) = [d for d in session.engine.state.decisions if d["kind"] == "confirm_step"]
    assert decision["by"] == "golive (headless)" and decision["step"] == "rollback:undo:2"


def test_a_resumed_plan_does_not_rerun_a_done_step_and_still_asks_for_the_unconfirmed_one(tmp_path):
    session = decided(tmp_path, step_one_done=True)
    folder = session.folder
    session.journal.close()
    asks: list = []

    async def go():
        resumed = Session.resume(folder, operator="alice",
                                 listeners=(lambda kind, payload: asks.append(payload) if kind == "confirm_step"
                                            else None,))
        runner = asyncio.create_task(resumed.run(until_outcome=True))
        try:
            for _ in range(400):
                if asks:
                    break
                await asyncio.sleep(0.01)
            assert asks and asks[0][0] == "rollback:undo:2"
            assert ran(resumed) == ["rollback:undo:1"]   # step one is not run again
            await resumed.confirm_step("rollback:undo:2")
            await asyncio.wait_for(runner, 30)
        finally:
            resumed.close()
        return resumed
    resumed = asyncio.run(go())
    assert resumed.engine.state.outcome == "ROLLED BACK"
    assert ran(resumed) == ["rollback:undo:1", "rollback:undo:2"]


def test_a_single_rollback_table_with_confirm_is_confirmed_by_the_rollback_dialog_alone(tmp_path):
    from golive.console.rollback_plans import asks_confirm

    path = tmp_path / "single.toml"
    path.write_text(PLAN.split("[[rollback]]")[0].replace('plan = "undo"\n', "")
                    + '[rollback]\nrun = ["true"]\nconfirm = true\n')
    runbook = load_runbook(path)
    assert not asks_confirm(runbook, runbook.rollback_plan().steps[0])
    (tmp_path / "rb.toml").write_text(PLAN)
    plan = load_runbook(tmp_path / "rb.toml")
    assert [asks_confirm(plan, s) for s in plan.rollback_plan().steps] == [False, True]
