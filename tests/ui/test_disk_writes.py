"""The mission screen shows a person's tick done only once its fsync has returned: while the disk holds it the
screen keeps answering keys and still shows the item open. The fsync is held by a fake ``os``."""

from __future__ import annotations

import os
import threading

import pytest

import golive.console.journal
from tests.ui.harness import ONE_PHASE, cell_text, driver_app, wait_for, write_runbook

pytestmark = pytest.mark.asyncio


class HeldFsync:
    """``os`` for the journal: fsync waits for ``release`` while ``held`` is set."""

    def __init__(self):
        self.held = False
        self.entered = threading.Event()
        self.release = threading.Event()

    def fsync(self, fd: int) -> None:
        if self.held:
            self.entered.set()
            assert self.release.wait(20.0), "the test never released the fsync"
        os.fsync(fd)

    def __getattr__(self, name: str):
        return getattr(os, name)


async def test_a_tick_shows_ticked_only_after_its_fsync_returned_and_the_screen_answers_keys_meanwhile(
        tmp_path, monkeypatch):
    disk = HeldFsync()
    monkeypatch.setattr(golive.console.journal, "os", disk)
    app = driver_app(write_runbook(tmp_path, ONE_PHASE), tmp_path / "session")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes is not None
                       and app.mission.panes.checklist.row_count and app.session.writes_pending() == 0
                       and app.session._writer is not None, "the mission screen and the session's writer")
        checklist = app.mission.panes.checklist
        disk.held = True
        await pilot.press("space")
        await wait_for(pilot, disk.entered.is_set, "the tick's fsync to start")
        app.mission.refresh_all()   # a redraw while the disk holds the line
        await pilot.press("question_mark")   # the screen still answers keys: help opens
        await wait_for(pilot, lambda: app.screen is not app.mission, "the help screen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.mission, "the mission screen again")
        assert cell_text(checklist, "approved", "box") == "[ ]"
        assert "ticked" not in app.mission.last_message
        disk.release.set()
        await wait_for(pilot, lambda: cell_text(checklist, "approved", "box") == "[x]", "the checklist to show [x]")
        await wait_for(pilot, lambda: app.mission.last_message.startswith("ticked"), "'ticked' said")
