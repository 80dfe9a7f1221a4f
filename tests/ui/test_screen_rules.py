"""The rules the mission screen keeps: themes are data, keys come from one table, small terminals reach
everything, the command palette jumps and switches themes, and the core stays free of Textual."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from golive.screens.actions import ACTIONS
from golive.screens.app import GoliveApp
from golive.screens.help_screen import HelpScreen, help_rows
from golive.screens.keymap import KEYMAP, check_tables, key_display
from golive.themes import CSS_PATH, THEMES, VARIABLES, choose_theme
from tests.ui.harness import static_text, wait_for
from tests.ui.scenario import scripted

REPO = Path(__file__).resolve().parents[2]


def test_every_theme_defines_every_status_variable():
    for name, theme in THEMES.items():
        assert set(VARIABLES) <= set(theme.variables), name


def test_no_color_picks_the_mono_theme_and_an_explicit_theme_wins():
    assert choose_theme(None, {"NO_COLOR": "1"}) == "mono"
    assert choose_theme(None, {}) == "golive-dark"
    assert choose_theme("high-contrast", {"NO_COLOR": "1"}) == "high-contrast"
    with pytest.raises(ValueError, match="golive-light"):
        choose_theme("solarized", {})


def test_screens_and_stylesheets_use_theme_variables_never_raw_colours():
    raw = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgb|hsl)a?\(|\b(?:red|green|yellow|magenta|cyan)\b")
    offenders = []
    for path in [*sorted((REPO / "screens").glob("*.py")), CSS_PATH]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if raw.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


def test_the_stylesheet_names_only_variables_every_theme_has_or_textual_provides():
    names = set(re.findall(r"\$([a-z][a-z0-9-]*)", CSS_PATH.read_text()))
    ours = {n for n in names if n.split("-")[0] in ("status", "phase", "gate", "badge", "spark", "log")}
    assert ours <= set(VARIABLES)


def test_every_action_has_a_key_and_help_lists_them_all():
    assert check_tables() == []
    rows = {text: keys for keys, text, _ in help_rows(read_only=False)}
    for action in ACTIONS:
        assert rows[action.help] == " ".join(key_display(k) for k in KEYMAP[action.name])
    disabled = {text for _, text, off in help_rows(read_only=True) if off}
    assert disabled == {a.help for a in ACTIONS if not a.read_only}


@pytest.mark.asyncio
async def test_question_mark_opens_help_and_watch_strikes_out_what_it_cannot_do(tmp_path):
    app = GoliveApp(lambda listeners=(): scripted(tmp_path / "s", "mid-canary", read_only=True, listeners=listeners))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the screen")
        await pilot.press("question_mark")
        help_screen = await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen, "help")
        assert "READ-ONLY" in static_text(help_screen.query_one("#read-only-note"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.mission, "help to close")


@pytest.mark.asyncio
async def test_shrinking_the_terminal_turns_the_panes_into_tabs_and_keeps_the_state(tmp_path):
    app = GoliveApp(lambda listeners=(): scripted(tmp_path / "s", "mid-canary", listeners=listeners))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the screen")
        assert app.mission.wide
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.mission.wide is False, "the narrow layout")
        await wait_for(pilot, lambda: app.mission.panes.checks.row_count == 6, "the checks in the tab")
        assert app.mission.query("TabbedContent")
        pods = app.mission.panes.pods.table
        for _ in range(8):   # Tab walks the panes (checks, checklist, trends, phases, pods …) until the pods tab
            await pilot.press("tab")
            await pilot.pause()
            if app.screen.focused is pods:
                break
        assert app.screen.focused is pods
        await wait_for(pilot, lambda: pods.row_count == 10, "the pods")


@pytest.mark.asyncio
async def test_the_command_palette_jumps_to_a_check_and_switches_the_theme(tmp_path):
    app = GoliveApp(lambda listeners=(): scripted(tmp_path / "s", "mid-canary", listeners=listeners))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the screen")
        await pilot.press("ctrl+p")
        await pilot.press(*"Theme: high-contrast")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "high-contrast", "the theme to switch")
        await pilot.press("ctrl+p")
        await pilot.press(*"Baseline error rate")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.mission.viewed == 0, "the pre-flight phase on view")
        assert app.mission.panes.checks.cursor_key() == "baseline-errors"


def test_the_core_and_golive_watch_s_command_module_import_no_textual():
    code = ("import sys, console.follower, console.cmd_watch, console.session; "
            "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
