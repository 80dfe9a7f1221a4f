"""Footer, key, palette and refusal toast read one rule: Textual's check_action on the mission screen, backed by
the engine's ``why_not``; a key refused now says the engine's own reason."""

from __future__ import annotations

import pytest

from golive.screens.commands import MissionCommands
from tests.ui.harness import TWO_PHASES, driver_app, static_text, wait_for, write_runbook

pytestmark = pytest.mark.asyncio


def mission_ready(app):
    return app.mission is not None and app.mission.panes is not None and app.mission.panes.checklist.row_count


async def test_check_action_offers_what_the_engine_allows_and_the_footer_shows_just_that(tmp_path):
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), tmp_path / "session")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        mission = app.mission
        assert mission.check_action("tick", ()) is True
        assert mission.check_action("proceed", ()) is None     # on offer, refused: the gate is closed
        assert mission.check_action("sign", ()) is False       # not before the outcome
        footer = static_text(mission.query_one("#footer"))
        assert "proceed" in footer and "sign off" not in footer


async def test_a_refused_key_and_its_palette_entry_say_the_engines_reason(tmp_path):
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), tmp_path / "session")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        engine = app.session.engine
        await pilot.press("s")
        said = await wait_for(pilot, lambda: app.mission.last_message, "the refusal of s")
        assert said == engine.why_not("sign", now=app.session.clock()) \
            == "sign-off opens when the go-live has an outcome"
        app.mission.last_message = ""
        sign, help_text = next((cb, h) for text, cb, h in MissionCommands(app.mission)._commands()
                               if text.startswith("Sign off"))
        assert help_text == f"not now: {said}"
        sign()
        assert await wait_for(pilot, lambda: app.mission.last_message, "the palette's refusal") == said
