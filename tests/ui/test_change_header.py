"""The header names the change and keeps EMERGENCY and WINDOW BYPASSED in view for the whole session."""

from __future__ import annotations

import time

import pytest

from golive.console.change import start_event
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.screens.app import GoliveApp
from golive.screens.header import MissionHeader
from tests.ui.harness import ONE_PHASE, static_text, wait_for, write_runbook

pytestmark = pytest.mark.asyncio

FROZEN = ONE_PHASE.replace('environment = "test"\n', 'environment = "test"\nchange_id = "CHG-4821"\n'
                           'change_type = "emergency"\n') + """
[window]
timezone = "UTC"
freeze = [{ from = "2000-01-01", to = "2099-12-31", reason = "frozen for the test" }]
"""


async def test_a_bypassed_emergency_change_shows_its_id_and_both_badges(tmp_path):
    runbook = load_runbook(write_runbook(tmp_path, FROZEN))
    change = start_event(runbook, time.time(), "tester", "payments down", "hotfix cannot wait")

    def make_session(listeners=()):
        return Session.start(runbook, session_dir=tmp_path / "s", operator="tester", listeners=listeners,
                             change=change)

    app = GoliveApp(make_session, theme="golive-dark")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and "CHG-4821" in static_text(
            app.mission.query_one(MissionHeader)), "the change id in the header")
        text = static_text(app.mission.query_one(MissionHeader))
        assert "CHG-4821 (emergency)" in text and "EMERGENCY" in text and "WINDOW BYPASSED" in text
