"""On the screen, a rollback step written with ``confirm = true`` asks the lead, showing its argv, before it runs."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.ui.harness import ONE_PHASE, driver_app, journal, of_type, static_text, wait_for, write_runbook

pytestmark = pytest.mark.asyncio

PLAN = ONE_PHASE.split("[rollback]")[0] + """
[[rollback]]
id = "switch-back"
title = "Switch the Service back"
  [[rollback.step]]
  run = ["python3", "-c", "print('drained')"]
  [[rollback.step]]
  run = ["python3", "-c", "print('switched back')"]
  confirm = true
"""


def mission_ready(app):
    return app.mission is not None and app.mission.panes is not None and app.mission.panes.checklist.row_count


async def test_a_rollback_step_with_confirm_waits_for_the_lead_who_sees_its_argv(tmp_path):
    from golive.screens.rollback_modal import RollbackModal
    from golive.screens.step_modal import StepConfirmModal

    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, PLAN), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal), "the rollback dialog")
        app.screen.query_one(Input).value = "the new version is slow"
        app.screen.query_one("#confirm").press()
        await wait_for(pilot, lambda: isinstance(app.screen, StepConfirmModal), "the step's confirmation")
        assert "switched back" in static_text(app.screen.query_one("#step-command"))
        assert [a["action"] for a in of_type(folder, "action_started")] == ["rollback:switch-back:1"]
        app.screen.query_one("#confirm").press()
        await wait_for(pilot, lambda: len(of_type(folder, "action_finished")) == 2, "both steps")
    order = [(e["type"], e.get("kind") or e.get("action")) for e in journal(folder)]
    # journaled in this order: step one, the lead's confirmation, then step two
    assert order.index(("action_started", "rollback:switch-back:1")) < order.index(("decision", "confirm_step")) \
        < order.index(("action_started", "rollback:switch-back:2"))
    (confirm,) = [d for d in of_type(folder, "decision") if d["kind"] == "confirm_step"]
    assert confirm["by"] == app.session.operator and confirm["step"] == "rollback:switch-back:2"
