"""No stale value shown as current: the trigger pane shows the latest sample, and a value the check can no longer
measure is shown only with its age."""

from __future__ import annotations

import pytest

from golive.checks.base import Sample
from golive.console.engine import Engine
from golive.console.runbook import load_runbook
from golive.console.view import engine_view
from golive.screens.check_cells import table_value_text, value_text
from golive.screens.check_detail import detail_content
from golive.screens.trigger_panel import trigger_line
from tests.ui.harness import write_runbook

T0 = 1795379400.0

RUNBOOK = """
[runbook]
name = "v v1 to test"
service = "v"
version = "v1"
environment = "test"

[[phase]]
id = "canary"
title = "Canary"

  [[phase.check]]
  id = "errors"
  title = "Canary error rate"
  source = "command"
  run = ["python3", "-c", "print(0.1)"]
  pass = "< 0.5"
  unit = "%"
  every = "15s"

[[trigger]]
id = "spike"
title = "Error rate above 2%"
source = "command"
run = ["python3", "-c", "print(0.1)"]
fire = "> 2"
for = "5m"
unit = "%"
every = "15s"
then = "alert"
"""


def engine_for(tmp_path) -> Engine:
    engine = Engine(load_runbook(write_runbook(tmp_path, RUNBOOK)))
    for event in engine.cmd_start(T0, name="v"):
        engine.apply(event)
    return engine


def feed(engine: Engine, sample: Sample) -> None:
    for event in engine.observe(sample):
        engine.apply(event)


def test_the_trigger_pane_shows_the_latest_sample_not_the_value_of_its_last_state_change(tmp_path):
    engine = engine_for(tmp_path)
    feed(engine, Sample.number("spike", T0 + 1, 0.1192))
    feed(engine, Sample.number("spike", T0 + 16, 0.1405))   # still armed: no state change, no event
    assert engine.state.triggers["spike"].state == "armed"
    line = trigger_line(engine_view(engine, T0 + 20), engine.runbook.check("spike"), T0 + 20).plain
    assert "0.1405 %" in line and "0.1192" not in line


def test_a_blind_trigger_shows_its_last_value_only_with_its_age(tmp_path):
    engine = engine_for(tmp_path)
    feed(engine, Sample.number("spike", T0 + 1, 0.1405))
    feed(engine, Sample.failed("spike", T0 + 100, "connection refused"))
    assert engine.state.triggers["spike"].state == "error"
    line = trigger_line(engine_view(engine, T0 + 121), engine.runbook.check("spike"), T0 + 121).plain
    assert "0.1405 % · 2m ago" in line


def test_an_error_row_shows_the_last_good_value_marked_old_with_its_age(tmp_path):
    engine = engine_for(tmp_path)
    check = engine.runbook.check("errors")
    feed(engine, Sample.number("errors", T0 + 1, 0.1405))
    assert value_text(check, engine.state.checks["errors"], T0 + 5) == "0.1405 %"
    feed(engine, Sample.failed("errors", T0 + 16, "connection refused"))
    cs = engine.state.checks["errors"]
    assert cs.verdict == "ERROR"
    assert value_text(check, cs, T0 + 121) == "0.1405 % · 2m ago"
    assert table_value_text(check, cs, T0 + 121) == "2m ago: 0.1405 %"   # a narrow cell cuts the number
    shown = engine_view(engine, T0 + 121)
    assert "value 0.1405 % · 2m ago" in detail_content(shown, engine.runbook, "errors", T0 + 121).plain


def test_a_value_long_past_its_next_sample_carries_its_age_even_when_passing(tmp_path):
    engine = engine_for(tmp_path)
    check = engine.runbook.check("errors")
    feed(engine, Sample.number("errors", T0 + 1, 0.2))
    cs = engine.state.checks["errors"]
    assert value_text(check, cs, T0 + 20) == "0.2 %"
    assert value_text(check, cs, T0 + 1 + 300) == "0.2 % · 5m ago"


@pytest.mark.asyncio
async def test_a_watchers_error_row_keeps_its_value_s_age_current(tmp_path):
    from golive.console import events as ev
    from golive.console.follower import Follower
    from golive.screens.app import GoliveApp
    from tests.ui.harness import cell_text, wait_for
    from tests.unit.test_follower_state import T0 as START
    from tests.unit.test_follower_state import write_journal

    folder = tmp_path / "session"
    write_journal(folder, [ev.Verdict(at=START + 1, check="rate", verdict="PASS", value=7.0),
                           ev.Verdict(at=START + 5, check="rate", verdict="ERROR", detail="connection refused")])
    clock = [START + 40]
    app = GoliveApp(lambda listeners=(): Follower(folder, clock=lambda: clock[0], listeners=listeners),
                    theme="golive-dark")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the screen")
        checks = app.mission.panes.checks
        await wait_for(pilot, lambda: checks.row_count and cell_text(checks, "rate", "value") == "39s ago: 7",
                       "the old value with its age")
        for _ in range(10):   # let the first layout passes settle: a relayout redraws every row by chance
            await pilot.pause(0.1)
        clock[0] = START + 200
        await wait_for(pilot, lambda: cell_text(checks, "rate", "value") == "3m ago: 7", "the age, a while later")


def test_a_firing_trigger_whose_rollback_was_declined_says_who_declined_it_and_why(tmp_path):
    from golive.console import events as ev

    engine = engine_for(tmp_path)
    engine.apply(ev.TriggerState(at=T0 + 30, trigger="spike", state="firing", value=3.0, detail="3 % for 5m"))
    engine.apply(ev.Decision(at=T0 + 40, kind="decline_rollback", phase="canary", by="dana",
                             reason="errors come from a known bad client", trigger="spike"))
    line = trigger_line(engine_view(engine, T0 + 50), engine.runbook.check("spike"), T0 + 50).plain
    assert "FIRING · rollback declined by dana: errors come from a known bad client" in line
