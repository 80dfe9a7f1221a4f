"""Abort at a driver seat: the seat's screen asks for a reason, the driver journals the abort as the seat's Unix
user, and the outcome is NO-GO."""

from __future__ import annotations

import os
import pwd

import pytest
from textual.widgets import Input

from golive.console.driver.client import DriverClient
from golive.screens.abort_modal import AbortModal
from golive.screens.app import GoliveApp
from tests.integration.driver_helpers import HOLD, journal, start_driver, stop, wait_until, write_runbook
from tests.ui.harness import wait_for

ME = pwd.getpwuid(os.getuid()).pw_name

pytestmark = pytest.mark.asyncio


async def test_x_at_a_driver_seat_aborts_through_the_driver_journaled_as_the_seats_user(tmp_path):
    folder = tmp_path / "session"
    driver = start_driver(write_runbook(tmp_path, HOLD), folder)
    try:
        app = GoliveApp(lambda listeners=(): DriverClient(folder, listeners=listeners), theme="golive-dark")
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None,
                           "the mission screen", deadline=60)
            await pilot.press("X")
            await wait_for(pilot, lambda: isinstance(app.screen, AbortModal), "the abort dialog")
            app.screen.query_one(Input).value = "the payment provider is down"
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.session.view().outcome == "NO-GO", "the outcome at the seat",
                           deadline=60)
            assert app.session.view().phases[0].status == "aborted"
        def decided() -> list[dict]:
            events = [e for e in journal(folder) if e["type"] in ("decision", "outcome")]
            return events if any(e["type"] == "outcome" for e in events) else []
        events = wait_until("the outcome in the driver's journal", decided)
        decision = next(e for e in events if e["type"] == "decision")
        assert (decision["kind"], decision["by"], decision["reason"]) == ("abort", ME, "the payment provider is down")
        assert next(e for e in events if e["type"] == "outcome")["outcome"] == "NO-GO"
    finally:
        stop(driver)
