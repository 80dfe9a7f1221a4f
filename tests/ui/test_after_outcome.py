"""After the outcome the lead keeps watching: pods, values and sparklines stay live, the record and the journal do
not move, and the screen says where the record is and what is still observed. Notes show at once, and a failed
rollback says so."""

from __future__ import annotations

import time

import pytest

from golive.checks.base import Sample
from golive.console.follower import Follower
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.screens.app import GoliveApp
from golive.screens.gate_bar import GateBar
from tests.ui.harness import HEAD, cell_text, driver_app, journal, log_text, static_text, wait_for, write_runbook


def canary(value_file, rollback_exit: int = 0) -> str:
    return HEAD + f"""
[[phase]]
id = "canary"
title = "Canary"

  [[phase.check]]
  id = "errors"
  title = "Canary error rate"
  source = "command"
  run = ["python3", "-c", "print(open({str(value_file)!r}).read())"]
  pass = "< 0.5"
  unit = "%"
  every = "1s"

[rollback]
run = ["python3", "-c", "import sys; print('rolling back'); sys.exit({rollback_exit})"]
"""


def pods(version: str, status: str) -> list[dict]:
    return [{"name": f"checkout-{version}-{i}", "ready": "1/1" if status == "Running" else "0/1", "status": status,
             "restarts": 0 if status == "Running" else 5, "age_seconds": 60, "node": "node-1",
             "image_tag": version} for i in range(2)]


def pod_rows(app) -> str:
    table = app.mission.panes.pods.query_one("#pod-table")
    return "\n".join(" ".join(str(getattr(c, "plain", c)) for c in table.get_row(key))
                     for key in [r.key for r in table.ordered_rows])


@pytest.mark.asyncio
async def test_after_a_rollback_the_pods_and_values_keep_updating_and_the_record_does_not(tmp_path):
    value = tmp_path / "value"
    value.write_text("0.1")
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, canary(value)), folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the screen")
        session = app.session
        checks = app.mission.panes.checks
        await wait_for(pilot, lambda: cell_text(checks, "errors", "value") == "0.1 %", "the first value")
        session.on_sample(Sample.number("errors", time.time(), 0.1, extra={"pods": pods("v2.4.0",
                                                                                        "CrashLoopBackOff")}))
        await wait_for(pilot, lambda: "CrashLoopBackOff" in pod_rows(app), "the crash-looping pods")
        await session.rollback(reason="the canary crash-loops")
        assert session.engine.state.outcome == "ROLLED BACK"
        record = (folder / "record.toml").read_bytes()
        lines = len(journal(folder))
        recorded = session.engine.state.checks["errors"]
        figures = (recorded.value, recorded.count, recorded.verdict)

        # the rollback lands: the pods come back on the old version, the error rate falls
        session.on_sample(Sample.number("errors", time.time(), 0.1, extra={"pods": pods("v2.3.1", "Running")}))
        value.write_text("0.02")
        await wait_for(pilot, lambda: "v2.3.1" in pod_rows(app) and "CrashLoopBackOff" not in pod_rows(app),
                       "the pods after the rollback")
        await wait_for(pilot, lambda: cell_text(checks, "errors", "value") == "0.02 %",
                       "the value sampled after the outcome")
        bar = static_text(app.mission.query_one(GateBar))
        assert "ROLLED BACK" in bar and f"record written: {folder / 'record.toml'}" in bar
        assert "still observing 1 check" in bar

        assert len(journal(folder)) == lines, "a sample after the outcome was journaled"
        assert (folder / "record.toml").read_bytes() == record
        assert (recorded.value, recorded.count, recorded.verdict) == figures


@pytest.mark.asyncio
async def test_a_failed_rollback_says_it_failed_with_its_exit_not_that_it_finished(tmp_path):
    value = tmp_path / "value"
    value.write_text("0.1")
    app = driver_app(write_runbook(tmp_path, canary(value, rollback_exit=3)), tmp_path / "session")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the screen")
        screen = app.mission
        said: list[str] = []
        say = screen.say
        screen.say = lambda text, **kw: (said.append(text), say(text, **kw))   # every toast, in order
        screen.command("rollback", lambda: app.session.rollback(reason="test"), done=screen.say_rollback_result)
        results = await wait_for(pilot, lambda: [m for m in said if m.startswith("rollback")], "the rollback's result")
        assert results[0].startswith("rollback failed: exit 3") and "NO-GO" in results[0]
        assert not any("finished" in m for m in said), said


@pytest.mark.asyncio
async def test_a_note_shows_in_the_event_log_at_once_without_a_state_change(tmp_path):
    from tests.ui.harness import ONE_PHASE

    app = driver_app(write_runbook(tmp_path, ONE_PHASE), tmp_path / "session")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the screen")
        await wait_for(pilot, lambda: "phase Only started" in log_text(app), "the first lines of the log")
        for _ in range(10):   # let the first layout passes settle: a relayout redraws all and shows it by chance
            await pilot.pause(0.1)
        await app.session.note("dashboards look calm")
        await wait_for(pilot, lambda: "note by tester: dashboards look calm" in log_text(app), "the note",
                       deadline=5.0)


@pytest.mark.asyncio
async def test_a_watcher_shows_the_driver_s_note_while_the_driver_runs(tmp_path):
    from tests.ui.harness import ONE_PHASE

    folder = tmp_path / "session"
    driver = Session.start(load_runbook(write_runbook(tmp_path, ONE_PHASE)), session_dir=folder, operator="lead")
    try:
        app = GoliveApp(lambda listeners=(): Follower(folder, listeners=listeners), theme="golive-dark")
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the screen")
            await driver.note("pods look healthy")
            await wait_for(pilot, lambda: "note by lead: pods look healthy" in log_text(app), "the note",
                           deadline=5.0)
    finally:
        driver.close()
