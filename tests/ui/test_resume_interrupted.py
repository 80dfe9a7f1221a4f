"""Resuming on the mission screen a go-live whose rollback a crash interrupted: never "rolling back" forever."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from golive.console import events as ev
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.screens.header import MissionHeader
from golive.screens.rollback_modal import RollbackModal
from tests.ui.harness import ONE_PHASE, driver_app, of_type, static_text, wait_for, write_runbook

pytestmark = pytest.mark.asyncio


async def test_an_interrupted_rollback_is_shown_interrupted_and_r_runs_it_again(tmp_path):
    folder = tmp_path / "session"
    runbook = write_runbook(tmp_path, ONE_PHASE)
    crashed = Session.start(load_runbook(runbook), session_dir=folder, operator="tester")
    crashed.submit([ev.Decision(at=crashed.clock(), kind="rollback", phase="only", by="tester", reason="bad canary"),
                    ev.ActionStarted(at=crashed.clock(), action="rollback", argv=("python3",), by="tester")])
    crashed.journal.close()  # as a kill -9 leaves it
    app = driver_app(runbook, folder, resume=True)
    async with app.run_test(size=(120, 40)) as pilot:
        gate = await wait_for(pilot,
                              lambda: app.mission and "interrupted" in static_text(app.mission.query_one("#gate"))
                              and static_text(app.mission.query_one("#gate")), "the gate to say interrupted")
        assert "ROLLING BACK" not in gate
        assert of_type(folder, "action_finished")[0]["interrupted"] is True
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal), "the rollback dialog")
        app.screen.query_one(Input).value = "run the rollback again"
        await pilot.press("enter")
        await pilot.press("enter")
        await wait_for(pilot, lambda: of_type(folder, "outcome"), "the outcome in the journal")
        await wait_for(pilot, lambda: "ROLLED BACK" in static_text(app.mission.query_one(MissionHeader)),
                       "the header to say ROLLED BACK")
    assert [e["action"] for e in of_type(folder, "action_started")] == ["rollback", "rollback"]
    assert of_type(folder, "outcome")[0]["outcome"] == "ROLLED BACK"
