"""The seed-process keys of the mission screen: f fires a manual trigger with a reason, u resumes a pause
with a note — against a real session, asserting on the journal."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from golive.screens.fire_modal import FireModal
from golive.screens.note_modal import NoteModal
from tests.ui.harness import ONE_PHASE, driver_app, of_type, wait_for, write_runbook

pytestmark = pytest.mark.asyncio

PAUSING = ONE_PHASE.replace("[rollback]", """[[trigger]]
id = "incidents"
title = "More than 5 user-reported incidents"
source = "manual"
then = "pause"

[rollback]""", 1)


def mission_ready(app):
    return app.mission is not None and app.mission.panes is not None and app.mission.panes.checklist.row_count


async def test_f_fires_a_manual_trigger_with_a_reason_and_u_resumes_the_pause_with_a_note(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, PAUSING), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        assert not app.mission.action_available("resume")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FireModal), "the fire dialog")
        app.screen.query_one(Input).value = "six tickets about failed payments"
        await pilot.press("enter")
        fired = await wait_for(pilot, lambda: of_type(folder, "trigger_fired"), "the trigger in the journal")
        await wait_for(pilot, lambda: app.session.engine.state.paused is not None, "the pause")
        assert not app.session.engine.gate(app.session.clock()).open
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteModal), "the resume dialog")
        app.screen.query_one(Input).value = "a CDN blip, confirmed with support"
        await pilot.press("enter")
        decisions = await wait_for(pilot, lambda: [d for d in of_type(folder, "decision") if d["kind"] == "resume"],
                                   "the resume in the journal")
    assert (fired[0]["trigger"], fired[0]["by"], fired[0]["reason"]) == \
        ("incidents", "tester", "six tickets about failed payments")
    assert decisions[0]["reason"] == "a CDN blip, confirmed with support"


PLANS = ONE_PHASE.split("[rollback]")[0] + """
[[rollback]]
id = "scale-down"
title = "Scale the new version down"
  [[rollback.step]]
  run = ["python3", "-c", "print('scaled down')"]

[[rollback]]
id = "switch-back"
title = "Switch the Service back"
  [[rollback.step]]
  run = ["python3", "-c", "print('switched back')"]
  [[rollback.step]]
  run = ["python3", "-c", "print('announced')"]
"""


async def test_the_rollback_dialog_lets_the_lead_choose_a_plan_and_shows_its_steps(tmp_path):
    from golive.screens.rollback_modal import RollbackModal
    from tests.ui.harness import static_text

    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, PLANS), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal), "the rollback dialog")
        command = app.screen.query_one("#rollback-command")
        assert "scaled down" in static_text(command)
        app.screen.query_one("#rollback-plan").focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: "announced" in static_text(command), "the second plan's steps")
        assert "switched back" in static_text(command)
        app.screen.query_one(Input).value = "the new version is slow"
        app.screen.query_one("#confirm").press()
        decisions = await wait_for(pilot, lambda: [d for d in of_type(folder, "decision") if d["kind"] == "rollback"],
                                   "the rollback decision")
        await wait_for(pilot, lambda: len(of_type(folder, "action_finished")) == 2, "both steps")
    assert decisions[0]["plan"] == "switch-back"
    assert [a["action"] for a in of_type(folder, "action_started")] == ["rollback:switch-back:1",
                                                                        "rollback:switch-back:2"]
