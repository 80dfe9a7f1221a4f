"""The mission screen as people see it, at 80×24 and 160×48, in golive-dark and high-contrast."""

from __future__ import annotations

# Each state is built from a fixed journal and fixed samples with a fixed clock (tests/ui/scenario.py), TZ=UTC,
# no blinking cursor and no notifications, so the screenshots only change when the screen does. Update them
# with ``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at every changed SVG before committing.
import os
import time

import pytest

from golive.screens.app import GoliveApp
from tests.ui.harness import wait_for
from tests.ui.scenario import scripted

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
THEMES = ("golive-dark", "high-contrast")



@pytest.fixture(autouse=True)
def utc():
    """Timestamps on screen are local time: pin it to UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def app_for(tmp_path, variant: str, theme: str, *, read_only: bool = False) -> GoliveApp:
    folder = tmp_path / "session"
    app = GoliveApp(lambda listeners=(): scripted(folder, variant, read_only=read_only, listeners=listeners),
                    theme=theme)
    app.animation_level = "none"   # the tabs' underline jumps: a loaded machine cannot catch it mid-slide
    return app


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", list(SIZES))
class TestMissionScreen:
    def test_mid_canary_shows_the_gate_reasons_checks_with_holds_trends_pods_triggers_and_log(
            self, snap_compare, tmp_path, size, theme):
        assert snap_compare(app_for(tmp_path, "mid-canary", theme), terminal_size=SIZES[size])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", list(SIZES))
class TestGateOpen:
    def test_every_check_held_and_item_ticked_shows_gate_open_and_says_press_p(
            self, snap_compare, tmp_path, size, theme):
        assert snap_compare(app_for(tmp_path, "gate-open", theme), terminal_size=SIZES[size])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", list(SIZES))
class TestRollbackRequested:
    def test_a_fired_rollback_trigger_opens_the_dialog_with_the_exact_command(
            self, snap_compare, tmp_path, size, theme):
        assert snap_compare(app_for(tmp_path, "rollback-requested", theme), terminal_size=SIZES[size])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", list(SIZES))
class TestOutcome:
    def test_a_go_shows_every_phase_passed_and_the_missing_sign_offs(self, snap_compare, tmp_path, size, theme):
        assert snap_compare(app_for(tmp_path, "go", theme), terminal_size=SIZES[size])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", list(SIZES))
class TestWatch:
    def test_golive_watch_shows_the_read_only_badge_and_no_action_keys(self, snap_compare, tmp_path, size, theme):
        assert snap_compare(app_for(tmp_path, "mid-canary", theme, read_only=True), terminal_size=SIZES[size])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", list(SIZES))
class TestNextPane:
    def test_tab_walks_the_panes_to_the_trends_on_a_small_terminal_too(self, snap_compare, tmp_path, size, theme):
        async def two_tabs(pilot) -> None:
            # the first focus lands after a refresh: Tab before it would step from nowhere
            await wait_for(pilot, lambda: pilot.app.screen.focused is not None, "the first pane focused")
            await pilot.press("tab", "tab")
            await pilot.pause()
        assert snap_compare(app_for(tmp_path, "mid-canary", theme), terminal_size=SIZES[size],
                            run_before=two_tabs)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", list(SIZES))
class TestHelp:
    def test_help_lists_every_key_from_the_action_table(self, snap_compare, tmp_path, size, theme):
        assert snap_compare(app_for(tmp_path, "mid-canary", theme), terminal_size=SIZES[size],
                            press=["question_mark"])
