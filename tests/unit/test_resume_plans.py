"""Resume with rollback plans: a plan goes on after its done steps, a repeat-safe interrupted step runs
again, one that is not ends NO-GO, and a resume during verification lets the verify checks decide."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from golive.console import events as ev
from golive.console.journal import read_journal
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
  run = ["{sys.executable}", "-c", "print('step one')"]
  [[rollback.step]]
  run = ["{sys.executable}", "-c", "print('step two')"]
  repeat_safe = REPEAT
  [[rollback.verify]]
  id = "ok-after"
  source = "command"
  run = ["true"]
  every = "100ms"
"""


def crashed_in_step_two(tmp_path: Path, repeat_safe: bool) -> Path:
    """A journal whose driver died while the plan's second step ran (after step one finished)."""
    path = tmp_path / "rb.toml"
    path.write_text(PLAN.replace("REPEAT", "true" if repeat_safe else "false"))

    async def go() -> Path:
        session = Session.start(load_runbook(path), session_dir=tmp_path / "s", operator="alice")
        eng, now = session.engine, session.clock()
        session.submit([ev.ActionStarted(at=now, action="phase:one", argv=("true",)),
                        ev.ActionFinished(at=now, action="phase:one", exit_code=0)])
        session.submit(eng.cmd_fire_trigger("bad", "omar", "orders duplicated", now=now))
        session.submit(eng.cmd_rollback("alice", "orders duplicated", trigger="bad", now=now))
        session.submit([ev.ActionStarted(at=now, action="rollback:undo:1", argv=("x",)),
                        ev.ActionFinished(at=now, action="rollback:undo:1", exit_code=0),
                        ev.ActionStarted(at=now, action="rollback:undo:2", argv=("x",))])
        session.journal.close()
        return session.folder
    return asyncio.run(go())


def resume(folder: Path) -> Session:
    async def go() -> Session:
        session = Session.resume(folder, headless=True, operator="golive")
        try:
            await asyncio.wait_for(session.run(), 30)
        finally:
            session.close()
        return session
    return asyncio.run(go())


def test_a_resumed_plan_runs_its_interrupted_repeat_safe_step_again_and_not_the_done_ones(tmp_path):
    session = resume(crashed_in_step_two(tmp_path, repeat_safe=True))
    assert session.engine.state.outcome == "ROLLED BACK" and "verified" in session.engine.state.outcome_reason
    started = [e["action"] for e in read_journal(session.folder / "journal.jsonl").events
               if e["type"] == "action_started"]
    assert started == ["phase:one", "rollback:undo:1", "rollback:undo:2", "rollback:undo:2"]


def test_a_resumed_plan_whose_interrupted_step_may_not_repeat_ends_no_go(tmp_path):
    session = resume(crashed_in_step_two(tmp_path, repeat_safe=False))
    assert session.engine.state.outcome == "NO-GO"
    assert session.engine.state.outcome_reason.startswith("rollback interrupted:") and "step two" in \
        session.engine.state.outcome_reason


def test_the_headless_report_names_who_fired_a_trigger_and_an_interrupted_plan_steps_command(tmp_path):
    import io

    from rich.console import Console

    from golive.console.reporter import RichReporter

    rb = load_runbook(crashed_in_step_two(tmp_path, repeat_safe=False) / "runbook.toml")
    out = io.StringIO()
    report = RichReporter(rb, Console(file=out, width=200))
    report("event", ev.TriggerFired(at=0.0, trigger="bad", by="omar", reason="orders duplicated"))
    report("event", ev.ActionFinished(at=0.0, action="rollback:undo:2", interrupted=True))
    text = out.getvalue()
    assert "trigger bad: fired by omar — orders duplicated" in text
    assert "rollback:undo:2 was interrupted (exit unknown): " in text and "step two" in text
