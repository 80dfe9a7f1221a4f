"""`golive watch`: the same screen over a Follower of another session's journal — read-only, and following."""

from __future__ import annotations

import pytest

from golive.console.engine import Refused
from golive.console.follower import Follower
from golive.console.runbook import load_runbook
from golive.console.session import Session
from golive.screens.app import GoliveApp
from golive.screens.header import MissionHeader
from tests.ui.harness import TWO_PHASES, cell_text, of_type, static_text, wait_for, write_runbook


def watch_app(folder):
    return GoliveApp(lambda listeners=(): Follower(folder, listeners=listeners), theme="high-contrast")


@pytest.mark.asyncio
async def test_watch_shows_a_read_only_badge_and_every_action_is_refused(tmp_path):
    folder = tmp_path / "session"
    driver = Session.start(load_runbook(write_runbook(tmp_path, TWO_PHASES)), session_dir=folder, operator="lead")
    try:
        app = watch_app(folder)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the screen")
            assert "READ-ONLY" in static_text(app.mission.query_one(MissionHeader))
            for key in ("space", "p", "n", "o", "r", "a", "s"):
                app.mission.last_message = ""
                await pilot.press(key)
                message = await wait_for(pilot, lambda: app.mission.last_message, f"the refusal of {key}")
                assert message.startswith("read-only"), (key, message)
                assert app.screen is app.mission, f"{key} must not open a dialog in watch"
            footer = static_text(app.mission.query_one("#footer"))
            assert "proceed" not in footer and "help" in footer
        with pytest.raises(Refused, match="read-only"):
            await app.session.proceed()
    finally:
        driver.close()
    assert not of_type(folder, "tick") and not of_type(folder, "note") and not of_type(folder, "decision")


@pytest.mark.asyncio
async def test_watch_follows_the_journal_and_shows_the_driver_s_tick(tmp_path):
    folder = tmp_path / "session"
    driver = Session.start(load_runbook(write_runbook(tmp_path, TWO_PHASES)), session_dir=folder, operator="lead")
    try:
        app = watch_app(folder)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None, "the screen")
            checklist = app.mission.panes.checklist
            await wait_for(pilot, lambda: checklist.row_count, "the checklist")
            assert cell_text(checklist, "approved", "box") == "[ ]"
            await driver.tick("approved", note="CHG-1 approved")
            await wait_for(pilot, lambda: cell_text(checklist, "approved", "box") == "[x]", "the driver's tick")
            assert cell_text(checklist, "approved", "by") == "lead"
            second = Follower(folder)   # many followers, no lock: a second one reads the same state
            assert second.engine.state.manual["approved"].checked
    finally:
        driver.close()


def test_a_follower_refuses_a_folder_without_a_journal(tmp_path):
    from golive.console.journal import JournalError

    with pytest.raises(JournalError, match="no journal yet"):
        Follower(tmp_path)
