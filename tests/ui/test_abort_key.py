"""Abort from the mission screen: X asks for a reason, and the journal then holds who aborted and why, with
the outcome NO-GO; cancelled or without a reason, nothing is journaled."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from golive.screens.abort_modal import AbortModal
from tests.ui.harness import TWO_PHASES, driver_app, log_text, of_type, static_text, wait_for, write_runbook

pytestmark = pytest.mark.asyncio


def mission_ready(app):
    return app.mission is not None and app.mission.panes is not None and app.mission.panes.checklist.row_count


async def test_x_with_a_reason_aborts_the_go_live_journaled_with_who_and_the_outcome_is_no_go(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, AbortModal), "the abort dialog")
        await pilot.press("enter")   # no reason yet: refused in the dialog, nothing sent
        assert isinstance(app.screen, AbortModal) and not of_type(folder, "decision")
        problem = static_text(app.screen.query_one("#problem"))
        assert problem == app.session.engine.why_not("abort", reason="", now=app.session.clock()) \
            == "an abort needs a written reason"
        app.screen.query_one(Input).value = "database failover in progress"
        await pilot.press("enter")
        outcomes = await wait_for(pilot, lambda: of_type(folder, "outcome"), "the outcome in the journal")
        await wait_for(pilot, lambda: "decision abort by tester" in log_text(app), "the log line")
        assert app.mission.last_message.startswith("NO-GO") or "aborted" in app.mission.last_message
    decisions = of_type(folder, "decision")
    assert [(d["kind"], d["by"], d["reason"]) for d in decisions] == [
        ("abort", "tester", "database failover in progress")]
    assert outcomes[0]["outcome"] == "NO-GO"
    assert outcomes[0]["reason"] == "aborted by tester: database failover in progress"


async def test_escape_in_the_abort_dialog_journals_nothing_and_the_go_live_goes_on(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, AbortModal), "the abort dialog")
        await pilot.press("escape")
        message = await wait_for(pilot, lambda: app.mission.last_message, "the cancel message")
        assert message == "abort cancelled: the go-live goes on"
        assert app.session.engine.state.outcome is None
    assert not of_type(folder, "decision") and not of_type(folder, "outcome")


async def test_the_palette_offers_abort_and_it_opens_the_same_dialog(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        from golive.screens.commands import MissionCommands

        provider = MissionCommands(app.mission)
        chosen = [callback for text, callback, _ in provider._commands() if text.startswith("Abort the go-live")]
        assert len(chosen) == 1 and "(X)" in [t for t, _, _ in provider._commands() if t.startswith("Abort")][0]
        chosen[0]()
        await wait_for(pilot, lambda: isinstance(app.screen, AbortModal), "the abort dialog")
