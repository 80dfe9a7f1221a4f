"""Every action of the mission screen, driven by key presses against a real session: what the journal holds
afterwards, and what the screen shows."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from golive.screens.action_modal import ActionModal
from golive.screens.header import MissionHeader
from golive.screens.note_modal import NoteModal
from golive.screens.override_modal import OverrideModal
from golive.screens.quit_modal import QuitModal
from golive.screens.rollback_modal import RollbackModal
from golive.screens.signoff_modal import SignoffModal
from tests.ui.harness import (
    ACTION_FIRST,
    FIRING_TRIGGER,
    ONE_PHASE,
    TWO_PHASES,
    cell_text,
    driver_app,
    log_text,
    of_type,
    static_text,
    wait_for,
    write_runbook,
)

pytestmark = pytest.mark.asyncio


def mission_ready(app):
    return app.mission is not None and app.mission.panes is not None and app.mission.panes.checklist.row_count


async def tick_and_open_gate(pilot, app, folder):
    await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
    await pilot.press("space")
    await wait_for(pilot, lambda: of_type(folder, "tick"), "the tick in the journal")
    await wait_for(pilot, lambda: app.session.engine.gate(app.session.clock()).open, "the gate to open")


async def test_space_ticks_the_highlighted_item_as_the_operator_and_the_journal_has_it(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        assert cell_text(app.mission.panes.checklist, "approved", "box") == "[ ]"
        await pilot.press("space")
        ticks = await wait_for(pilot, lambda: of_type(folder, "tick"), "the tick in the journal")
        await wait_for(pilot, lambda: cell_text(app.mission.panes.checklist, "approved", "box") == "[x]",
                       "the checklist to show [x]")
        assert cell_text(app.mission.panes.checklist, "approved", "by") == "tester"
    assert [(t["check"], t["by"], t["checked"]) for t in ticks] == [("approved", "tester", True)]


async def test_a_note_typed_in_the_note_dialog_is_journaled_and_shown_in_the_log(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteModal), "the note dialog")
        app.screen.query_one(Input).value = "paged the on-call DBA"
        await pilot.press("enter")
        notes = await wait_for(pilot, lambda: of_type(folder, "note"), "the note in the journal")
        await wait_for(pilot, lambda: "note by tester: paged the on-call DBA" in log_text(app), "the log line")
    assert notes[0]["text"] == "paged the on-call DBA" and notes[0]["phase"] == "first"


async def test_proceed_with_the_gate_closed_is_refused_with_the_reasons_and_journals_nothing(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("p")
        message = await wait_for(pilot, lambda: app.mission.last_message, "the refusal")
        assert "gate closed" in message and "Change approved: not confirmed" in message
        assert "GATE CLOSED" in static_text(app.mission.query_one("#gate"))
        assert "Change approved: not confirmed" in static_text(app.mission.query_one("#gate"))
    assert not of_type(folder, "decision")


async def test_proceed_with_the_gate_open_moves_to_the_next_phase(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await tick_and_open_gate(pilot, app, folder)
        await pilot.press("p")
        await wait_for(pilot, lambda: of_type(folder, "decision"), "the decision in the journal")
        await wait_for(pilot, lambda: "phase 2/2" in static_text(app.mission.query_one(MissionHeader)),
                       "the header to show phase 2/2")
        assert app.mission.viewed == 1
        assert app.mission.panes.checklist.cursor_key() == "smoke"
    assert [(d["kind"], d["phase"], d["by"]) for d in of_type(folder, "decision")] == [("proceed", "first", "tester")]


async def test_an_override_with_an_empty_reason_is_refused_and_one_with_a_reason_proceeds(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OverrideModal), "the override dialog")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OverrideModal), "an empty reason must not close the dialog"
        assert "written reason" in static_text(app.screen.query_one("#problem"))
        assert not of_type(folder, "decision")
        app.screen.query_one(Input).value = "manual check done by phone with the bank"
        await pilot.press("enter")
        decisions = await wait_for(pilot, lambda: of_type(folder, "decision"), "the override in the journal")
        await wait_for(pilot, lambda: app.session.engine.state.active == 1, "the second phase")
    assert decisions[0]["kind"] == "override"
    assert decisions[0]["reason"].startswith("manual check done by phone with the bank")
    assert "gate was closed" in decisions[0]["reason"]


async def test_cancelling_the_rollback_dialog_changes_nothing(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("r")
        modal = await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal) and app.screen,
                               "the rollback dialog")
        assert static_text(modal.query_one("#rollback-command")) == \
            "$ " + app.session.runbook.rollback.display()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.mission, "the dialog to close")
        assert app.session.engine.state.outcome is None
    assert not of_type(folder, "decision") and not of_type(folder, "action_started")


async def test_confirming_the_rollback_runs_the_command_and_ends_the_go_live_rolled_back(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, TWO_PHASES), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal), "the rollback dialog")
        app.screen.query_one(Input).value = "latency regression seen by support"
        await pilot.press("enter")   # one Enter submits, as in every dialog
        await wait_for(pilot, lambda: of_type(folder, "outcome"), "the outcome in the journal")
        await wait_for(pilot, lambda: "ROLLED BACK" in static_text(app.mission.query_one(MissionHeader)),
                       "the header to say ROLLED BACK")
        await wait_for(pilot, lambda: "rolled back ui-svc" in log_text(app), "the rollback's output in the log")
    decision = of_type(folder, "decision")[0]
    finished = of_type(folder, "action_finished")[0]
    assert (decision["kind"], decision["reason"]) == ("rollback", "latency regression seen by support")
    assert (finished["action"], finished["exit_code"]) == ("rollback", 0)
    assert of_type(folder, "outcome")[0]["outcome"] == "ROLLED BACK"


async def test_the_action_dialog_shows_the_exact_argv_and_running_it_is_journaled(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ACTION_FIRST), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the mission screen")
        await pilot.press("a")
        modal = await wait_for(pilot, lambda: isinstance(app.screen, ActionModal) and app.screen, "the action dialog")
        assert static_text(modal.query_one("#action-command")) == "$ python3 -c 'print('\"'\"'deployed ui-svc'\"'\"')'"
        assert "DRY RUN" not in static_text(modal)
        await pilot.press("enter")
        finished = await wait_for(pilot, lambda: of_type(folder, "action_finished"), "the action to finish")
        await wait_for(pilot, lambda: "deployed ui-svc" in log_text(app), "the action's output in the log")
    started = of_type(folder, "action_started")[0]
    assert started["argv"] == ["python3", "-c", "print('deployed ui-svc')"] and started["by"] == "tester"
    assert finished[0]["exit_code"] == 0 and not finished[0]["dry_run"]


async def test_with_dry_run_the_action_dialog_says_so_and_nothing_runs(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ACTION_FIRST), folder, dry_run=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the mission screen")
        assert "DRY RUN" in static_text(app.mission.query_one(MissionHeader))
        await pilot.press("a")
        modal = await wait_for(pilot, lambda: isinstance(app.screen, ActionModal) and app.screen, "the action dialog")
        assert "DRY RUN" in static_text(modal)
        await pilot.press("enter")
        finished = await wait_for(pilot, lambda: of_type(folder, "action_finished"), "the dry run to be recorded")
        await wait_for(pilot, lambda: "finished: dry run" in log_text(app), "the log to say dry run")
        assert "│ phase:deploy: deployed ui-svc" not in log_text(app)   # no output: nothing ran
    assert finished[0]["dry_run"] is True and finished[0]["exit_code"] is None
    assert finished[0]["output_tail"].startswith("dry run: would run python3 -c")


async def test_sign_off_opens_only_with_an_outcome_and_is_journaled(tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ONE_PHASE), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("s")
        await wait_for(pilot, lambda: "outcome" in app.mission.last_message, "the refusal")
        assert not isinstance(app.screen, SignoffModal)
        await tick_and_open_gate(pilot, app, folder)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.session.engine.state.outcome == "GO", "the outcome GO")
        await pilot.press("s")
        modal = await wait_for(pilot, lambda: isinstance(app.screen, SignoffModal) and app.screen, "the dialog")
        assert modal.query_one("#signoff-name", Input).value == "tester"
        modal.query_one("#signoff-name", Input).value = "Alice Lead"
        await pilot.press("enter")
        signoffs = await wait_for(pilot, lambda: of_type(folder, "signoff"), "the sign-off in the journal")
        await wait_for(pilot, lambda: "operations" in static_text(app.mission.query_one("#gate")), "missing roles")
    assert [(s["role"], s["name"]) for s in signoffs] == [("deployment-lead", "Alice Lead")]
    assert 'name = "Alice Lead"' in (folder / "record.toml").read_text()


async def test_quitting_then_resuming_shows_the_same_phase_ticks_and_verdicts(tmp_path):
    folder = tmp_path / "session"
    runbook = write_runbook(tmp_path, TWO_PHASES)
    app = driver_app(runbook, folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await tick_and_open_gate(pilot, app, folder)
        await pilot.press("q")
        modal = await wait_for(pilot, lambda: isinstance(app.screen, QuitModal) and app.screen, "the quit dialog")
        assert f"golive resume {folder}" in static_text(modal)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.session_closed, "the session to close")
    assert app.return_value == 1   # no outcome yet: not GO
    resumed = driver_app(runbook, folder, resume=True)
    async with resumed.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(resumed), "the resumed screen")
        panes = resumed.mission.panes
        assert resumed.mission.viewed == 0
        assert "phase 1/2" in static_text(resumed.mission.query_one(MissionHeader))
        assert cell_text(panes.checklist, "approved", "box") == "[x]"
        assert cell_text(panes.checklist, "approved", "by") == "tester"
        # nothing was observed while no driver ran: the verdict comes back with the first fresh sample
        await wait_for(pilot, lambda: cell_text(panes.checks, "rate", "verdict") == "✓ PASS", "a fresh PASS")
    assert of_type(folder, "resumed")[0]["operator"] == "tester"


async def test_a_fired_rollback_trigger_opens_the_rollback_dialog_and_confirming_rolls_back(tmp_path):
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, FIRING_TRIGGER), folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: mission_ready(app), "the mission screen")
        await pilot.press("a")   # triggers are watched from the first action on
        modal = await wait_for(pilot, lambda: isinstance(app.screen, RollbackModal) and app.screen,
                               "the rollback dialog to open by itself")
        assert "Errors above 1" in static_text(modal.query_one("#dialog-title"))
        assert "ROLLBACK REQUESTED" in static_text(app.mission.query_one(MissionHeader))
        await pilot.press("enter")   # a stray Enter: the reason is empty, so nothing rolls back
        assert isinstance(app.screen, RollbackModal) and "needs a reason" in static_text(modal.query_one("#problem"))
        modal.query_one(Input).value = "errors above 1 for real"
        await pilot.press("enter")
        await wait_for(pilot, lambda: of_type(folder, "outcome"), "the outcome")
    decision = of_type(folder, "decision")[0]
    assert (decision["kind"], decision["trigger"], decision["by"]) == ("rollback", "errors-high", "tester")
    assert of_type(folder, "outcome")[0]["outcome"] == "ROLLED BACK"


async def test_with_a_key_the_sign_off_also_signs_the_record(tmp_path, monkeypatch):
    from tests.fixtures._binaries import need_binary

    keygen = need_binary("ssh-keygen", "openssh-client")
    import subprocess

    key = tmp_path / "id_ed25519"
    subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-C", "alice@example.com", "-f", str(key)], check=True)
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    folder = tmp_path / "session"
    app = driver_app(write_runbook(tmp_path, ONE_PHASE), folder, key=key)
    async with app.run_test(size=(120, 40)) as pilot:
        await tick_and_open_gate(pilot, app, folder)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.session.engine.state.outcome == "GO", "the outcome GO")
        await pilot.press("s")
        modal = await wait_for(pilot, lambda: isinstance(app.screen, SignoffModal) and app.screen, "the dialog")
        assert str(key) in static_text(modal)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "signed the record" in app.mission.last_message, "the signature")
    import tomllib

    record = tomllib.loads((folder / "record.toml").read_text())
    assert [(s["role"], s["name"], s["principal"]) for s in record["signature"]] == \
        [("deployment-lead", "tester", "alice@example.com")]
