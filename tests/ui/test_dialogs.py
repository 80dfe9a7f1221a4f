"""One rule for every dialog (Enter submits, Esc cancels, both written on it), cancels that say so, no toast over
a dialog, a declined rollback that asks why, and a gate that names the next key."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from textual.widgets._toast import Toast, ToastRack

from golive.screens.action_modal import ActionModal
from golive.screens.note_modal import NoteModal
from golive.screens.override_modal import OverrideModal
from golive.screens.quit_modal import QuitModal
from golive.screens.rollback_modal import DeclineModal, RollbackModal
from golive.screens.signoff_modal import SignoffModal
from tests.ui.harness import (
    ACTION_FIRST,
    FIRING_TRIGGER,
    ONE_PHASE,
    TWO_PHASES,
    cell_text,
    driver_app,
    of_type,
    static_text,
    wait_for,
    write_runbook,
)

pytestmark = pytest.mark.asyncio


def ready(app):
    return app.mission is not None and app.mission.panes is not None and app.mission.panes.checklist.row_count


def toasts_shown(screen) -> list[str]:
    """The text of the toasts drawn on ``screen`` (none when its toast rack is hidden)."""
    racks = list(screen.query(ToastRack))
    if not racks or not racks[0].display:
        return []
    return [str(t.render()) for t in screen.query(Toast)]


async def open_dialog(pilot, app, key: str, kind: type):
    await pilot.press(key)
    return await wait_for(pilot, lambda: isinstance(app.screen, kind) and app.screen, f"the {kind.__name__}")


async def test_every_dialog_says_that_enter_submits_and_esc_cancels(tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ONE_PHASE), folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app), "the mission screen")
        rules = {}
        for key, kind in (("n", NoteModal), ("o", OverrideModal), ("r", RollbackModal), ("q", QuitModal)):
            modal = await open_dialog(pilot, app, key, kind)
            rules[kind.__name__] = static_text(modal.query_one("#dialog-keys"))
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.mission, "the dialog to close")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.engine.gate(app.session.clock()).open, "the gate to open")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.session.engine.state.outcome == "GO", "the outcome")
        modal = await open_dialog(pilot, app, "s", SignoffModal)
        rules["SignoffModal"] = static_text(modal.query_one("#dialog-keys"))
    assert rules["NoteModal"].startswith("Enter saves the note") and "Esc cancels" in rules["NoteModal"]
    assert rules["OverrideModal"] == "Enter overrides and proceeds · Esc cancels"
    assert rules["RollbackModal"] == "Enter rolls back · Esc cancels"
    assert rules["QuitModal"] == "Enter or y quits · Esc or n stays"
    assert rules["SignoffModal"].startswith("Enter signs off · Esc cancels")


async def test_the_action_dialog_states_the_rule_and_one_enter_runs_the_action(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ACTION_FIRST), folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the mission screen")
        modal = await open_dialog(pilot, app, "a", ActionModal)
        assert static_text(modal.query_one("#dialog-keys")) == "Enter runs it · Esc cancels"
        await pilot.press("enter")
        await wait_for(pilot, lambda: of_type(folder, "action_finished"), "the action to run")


async def test_tab_from_the_name_never_lands_on_cancel_so_tab_type_enter_signs_off(tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ONE_PHASE), folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app), "the mission screen")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.engine.gate(app.session.clock()).open, "the gate to open")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.session.engine.state.outcome == "GO", "the outcome")
        modal = await open_dialog(pilot, app, "s", SignoffModal)
        assert modal.focused.id == "signoff-name"
        await pilot.press("tab")
        assert modal.focused.id == "confirm"
        await pilot.press("x", "enter")
        signoffs = await wait_for(pilot, lambda: of_type(folder, "signoff"), "the sign-off in the journal")
    assert signoffs[0]["role"] == "deployment-lead"


async def test_cancelling_a_dialog_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ONE_PHASE), folder)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: ready(app), "the mission screen")
        said = {}
        for key, kind in (("n", NoteModal), ("o", OverrideModal), ("r", RollbackModal)):
            await open_dialog(pilot, app, key, kind)
            app.mission.last_message = ""
            await pilot.press("escape")
            said[kind.__name__] = await wait_for(pilot, lambda: app.mission.last_message, "the cancel message")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.engine.gate(app.session.clock()).open, "the gate to open")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.session.engine.state.outcome == "GO", "the outcome")
        await open_dialog(pilot, app, "s", SignoffModal)
        app.mission.last_message = ""
        await pilot.press("escape")
        said["SignoffModal"] = await wait_for(pilot, lambda: app.mission.last_message, "the cancel message")
        await wait_for(pilot, lambda: any("sign-off cancelled" in t for t in toasts_shown(app.mission)), "the toast")
    assert said["NoteModal"].startswith("note cancelled")
    assert said["OverrideModal"].startswith("override cancelled")
    assert said["RollbackModal"].startswith("rollback cancelled")
    assert said["SignoffModal"] == "sign-off cancelled: nothing signed"
    assert not of_type(folder, "signoff") and not of_type(folder, "note")


async def test_no_toast_is_drawn_over_an_open_dialog_and_what_was_said_shows_when_it_closes(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: ready(app), "the mission screen")
        await pilot.press("p")   # refused: the gate is closed; its toast is up when the dialog opens
        await wait_for(pilot, lambda: toasts_shown(app.mission), "the refusal's toast")
        modal = await open_dialog(pilot, app, "o", OverrideModal)
        app.mission.refuse("session", "the metrics endpoint stopped answering")
        await pilot.pause()
        assert toasts_shown(modal) == []
        modal.query_one(Input).value = "x"
        await pilot.press("enter")   # too short: the dialog's own problem line says so, in the dialog
        assert "written reason" in static_text(modal.query_one("#problem")) and toasts_shown(modal) == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: any("metrics endpoint stopped" in t for t in toasts_shown(app.mission)),
                       "the held message on the mission screen")


async def test_esc_on_a_triggers_rollback_request_asks_why_and_declines_it(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, FIRING_TRIGGER), folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app), "the mission screen")
        await pilot.press("a")
        modal = await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal) and app.screen,
                               "the rollback request")
        assert static_text(modal.query_one("#dialog-keys")) == \
            "Enter rolls back · Esc declines the rollback (asks why)"
        await pilot.press("escape")
        decline = await wait_for(pilot, lambda: isinstance(app.screen, DeclineModal) and app.screen,
                                 "the decline dialog")
        await pilot.press("enter")
        assert isinstance(app.screen, DeclineModal) and "written reason" in static_text(decline.query_one("#problem"))
        await pilot.press("escape")   # decide later: the screen, with the request still open
        await wait_for(pilot, lambda: app.screen is app.mission and "stays open" in app.mission.last_message,
                       "the mission screen saying the request stays open")
        assert app.session.engine.state.rollback_request
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal), "the rollback question again")
        await pilot.press("escape")
        decline = await wait_for(pilot, lambda: isinstance(app.screen, DeclineModal) and app.screen,
                                 "the decline dialog again")
        decline.query_one(Input).value = "known blip from the load test"
        await pilot.press("enter")
        declined = await wait_for(pilot, lambda: of_type(folder, "decision"), "the decline in the journal")
        await wait_for(pilot, lambda: "rollback declined" in app.mission.last_message, "the screen to say so")
        assert app.session.engine.state.rollback_request is None
    assert [(d["kind"], d["reason"], d["trigger"], d["by"]) for d in declined] == \
        [("decline_rollback", "known blip from the load test", "errors-high", "tester")]
    assert not of_type(folder, "outcome")


async def test_proceed_before_the_action_names_the_key_and_the_checks_wait_for_the_action(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ACTION_FIRST), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the mission screen")
        checks = app.mission.panes.checks
        await wait_for(pilot, lambda: checks.row_count, "the checks")
        assert cell_text(checks, "rate", "verdict") == "◌ WAITING"
        assert cell_text(checks, "rate", "hold").startswith("waits for the phase action")
        await wait_for(pilot, lambda: "◌ WAITING Request rate" in static_text(app.mission.query_one("#check-detail")),
                       "the detail line to say it waits")
        gate = static_text(app.mission.query_one("#gate"))
        assert "the phase action has not run — press a to run it" in gate and "1 check waits for the action" in gate
        await pilot.press("p")
        message = await wait_for(pilot, lambda: app.mission.last_message, "the refusal")
        assert message == "gate closed: the phase action has not run — press a to run it; 1 check waits for the action"
        await pilot.press("a", "enter")
        await wait_for(pilot, lambda: of_type(folder, "action_finished"), "the action to run")
        await wait_for(pilot, lambda: cell_text(checks, "rate", "verdict") != "◌ WAITING", "the check to judge")
