"""The approve key: the gate line names the roles still awaited; A opens the dialog and journals the approval."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from golive.screens.approve_modal import ApproveModal
from tests.ui.harness import ONE_PHASE, driver_app, of_type, static_text, wait_for, write_runbook

pytestmark = pytest.mark.asyncio

APPROVED_BY_PRODUCT = ONE_PHASE.replace('title = "Only"\n', 'title = "Only"\napprove = ["product"]\n', 1)


async def test_a_approves_the_phase_with_a_note_and_the_gate_stops_awaiting_it(tmp_path):
    assert APPROVED_BY_PRODUCT != ONE_PHASE
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, APPROVED_BY_PRODUCT), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the mission screen")
        await wait_for(pilot, lambda: "awaiting approval: product" in static_text(app.mission.query_one("#gate")),
                       "the gate to name the awaited role")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ApproveModal), "the approve dialog")
        app.screen.query_one(Input).value = "release notes read"
        await pilot.press("enter")
        approvals = await wait_for(pilot, lambda: of_type(folder, "approval"), "the approval in the journal")
        await wait_for(pilot, lambda: "awaiting approval" not in static_text(app.mission.query_one("#gate")),
                       "the gate to stop awaiting it")
    assert [(a["role"], a["by"], a["note"], a["phase"]) for a in approvals] == \
        [("product", "tester", "release notes read", "only")]
