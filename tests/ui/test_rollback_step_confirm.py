"""On the screen, a rollback step written with ``confirm = true`` asks the lead, showing its argv, before it runs."""

from __future__ import annotations

import getpass

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
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal) and app.screen.query("#confirm"),
                   "the rollback dialog")
        app.screen.query_one(Input).value = "the new version is slow"
        app.screen.query_one("#confirm").press()
        await wait_for(pilot, lambda: isinstance(app.screen, StepConfirmModal) and app.screen.query("#confirm"),
                   "the step's confirmation")
        assert "switched back" in static_text(app.screen.query_one("#step-command"))
        assert [a["action"] for a in of_type(folder, "action_started")] == ["rollback:switch-back:1"]
        app.screen.query_one("#confirm").press()
        await wait_for(pilot, lambda: len(of_type(folder, "action_finished")) == 2, "both steps")
        # the plan's last step is what the lead is told about, not "the runbook has no rollback command"
        await wait_for(pilot, lambda: (app.mission.last_message or "").startswith("rollback finished: exit 0"),
                       "the rollback's result")
    order = [(e["type"], e.get("kind") or e.get("action")) for e in journal(folder)]
    # journaled in this order: step one, the lead's confirmation, then step two
    assert order.index(("action_started", "rollback:switch-back:1")) < order.index(("decision", "confirm_step")) \
        < order.index(("action_started", "rollback:switch-back:2"))
    (confirm,) = [d for d in of_type(folder, "decision") if d["kind"] == "confirm_step"]
    assert confirm["by"] == app.session.operator and confirm["step"] == "rollback:switch-back:2"



async def seat_asked(app, pilot) -> None:
    """At a driver seat: r, a reason, then the step's confirmation the driver asked for (its argv shown)."""
    from golive.screens.rollback_modal import RollbackModal
    from golive.screens.step_modal import StepConfirmModal

    await wait_for(pilot, lambda: mission_ready(app) and app.session._writer is not None, "the seat")
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal) and app.screen.query("#confirm"),
                   "the rollback dialog")
    app.screen.query_one(Input).value = "the new version is slow"
    app.screen.query_one("#confirm").press()
    # the driver asks; the question travels to this seat, whose screen opens the step's confirmation
    await wait_for(pilot, lambda: isinstance(app.screen, StepConfirmModal) and app.screen.query("#confirm"),
                   "the step's confirmation")
    assert "switched back" in static_text(app.screen.query_one("#step-command"))


def seat_app(folder):
    from golive.console.driver.client import DriverClient
    from golive.screens.app import GoliveApp

    return GoliveApp(lambda listeners=(): DriverClient(folder, listeners=listeners), theme="golive-dark")


async def test_at_a_driver_seat_the_screen_asks_for_the_step_and_the_journal_names_the_seats_person(tmp_path):
    from tests.integration.driver_helpers import start_driver, stop

    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, PLAN), folder)
    try:
        app = seat_app(folder)
        async with app.run_test(size=(120, 40)) as pilot:
            await seat_asked(app, pilot)
            app.screen.query_one("#confirm").press()
            await wait_for(pilot, lambda: app.session.engine.state.outcome, "the outcome at the seat")
            assert app.session.engine.state.outcome == "ROLLED BACK"
    finally:
        stop(driver)
    (confirm,) = [d for d in of_type(folder, "decision") if d["kind"] == "confirm_step"]
    assert (confirm["by"], confirm["step"]) == (getpass.getuser(), "rollback:switch-back:2")
    assert confirm["seat"].startswith("seat-")
    assert [a["action"] for a in of_type(folder, "action_finished")] == ["rollback:switch-back:1",
                                                                         "rollback:switch-back:2"]


async def test_a_seat_whose_step_another_seat_confirmed_meanwhile_says_so_and_sends_nothing(tmp_path):
    from tests.integration.driver_helpers import RawSeat, start_driver, stop

    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, PLAN), folder)
    try:
        app = seat_app(folder)
        async with app.run_test(size=(120, 40)) as pilot:
            await seat_asked(app, pilot)
            other = RawSeat(folder)
            assert other.command("confirm_step", step="rollback:switch-back:2", note="from the other seat")["ok"]
            other.close()
            await wait_for(pilot, lambda: app.session.engine.state.outcome, "the outcome at the seat")
            app.screen.query_one("#confirm").press()
            said = await wait_for(pilot, lambda: "no longer" in app.mission.last_message and app.mission.last_message,
                                  "what the screen says")
            assert said == f"rollback step rollback:switch-back:2 no longer waits: {getpass.getuser()} confirmed it"
    finally:
        stop(driver)
    assert [d["reason"] for d in of_type(folder, "decision") if d["kind"] == "confirm_step"] == \
        ["from the other seat"]
