"""Getting around without a mouse: every action in the palette (opened with :), Esc back to the active phase,
focus on a pane that has rows and visibly so, rows told apart at 80×24, a scroll hint for phases that do not
fit, and a Trends legend never cut mid-number."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.command import CommandPalette

from golive.screens.app import GoliveApp
from golive.screens.live_table import cut_middle
from golive.screens.quit_modal import QuitModal
from golive.screens.sparkline_panel import legend_layout
from tests.ui.harness import HEAD, MANUAL, ONE_PHASE, PASSING, cell_text, driver_app, wait_for, write_runbook
from tests.ui.scenario import scripted


def rehearsal(tmp_path, variant: str = "mid-canary") -> GoliveApp:
    return GoliveApp(lambda listeners=(): scripted(tmp_path / "s", variant, listeners=listeners))


async def screen_up(pilot, app):
    await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the mission screen")


@pytest.mark.asyncio
async def test_colon_opens_the_palette_and_typing_quit_finds_quit(tmp_path):
    app = rehearsal(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_up(pilot, app)
        await pilot.press("colon")
        palette = await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen, "the palette")
        await pilot.press(*"quit")
        from textual.widgets import OptionList

        options = palette.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count and "Quit (q)" in str(options.get_option_at_index(0)
                                                                                  .prompt), "Quit as the first hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitModal), "the quit dialog")


@pytest.mark.asyncio
async def test_every_action_but_the_palette_itself_is_in_the_palette(tmp_path):
    from golive.screens.actions import ACTIONS
    from golive.screens.commands import MissionCommands

    app = rehearsal(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await screen_up(pilot, app)
        provider = MissionCommands(app.mission)
        texts = [text for text, _, _ in provider._commands()]
    for action in ACTIONS:
        if action.name != "palette":
            assert any(t.startswith(action.command + " (") for t in texts), action.name


@pytest.mark.asyncio
async def test_esc_returns_from_a_browsed_phase_to_the_active_one(tmp_path):
    app = rehearsal(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await screen_up(pilot, app)
        assert app.mission.viewed == 1 and not app.mission.action_available("active_phase")
        app.mission.view_phase(3, True)
        await pilot.pause()
        assert app.mission.viewed == 3 and app.mission.action_available("active_phase")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.mission.viewed == 1, "the active phase on view")
        assert app.mission.follow_active and "active phase" in app.mission.last_message


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_a_phase_without_automated_checks_opens_on_its_checklist_and_j_k_move(tmp_path, size):
    text = ONE_PHASE.replace(MANUAL.format(id="approved", title="Change approved"),
                             MANUAL.format(id="approved", title="Change approved")
                             + MANUAL.format(id="comms", title="Customers told"))
    app = driver_app(write_runbook(tmp_path, text), tmp_path / "session")
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes
                       and app.mission.panes.checklist.row_count, "the checklist")
        checklist = app.mission.panes.checklist
        await wait_for(pilot, lambda: app.mission.focused is checklist, "the checklist to have the focus")
        await pilot.press("j")
        assert checklist.cursor_key() == "comms"
        await pilot.press("k")
        assert checklist.cursor_key() == "approved"


@pytest.mark.asyncio
async def test_on_a_small_terminal_the_focused_table_shows_it_in_its_header(tmp_path):
    app = rehearsal(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_up(pilot, app)
        checks, checklist = app.mission.panes.checks, app.mission.panes.checklist
        await wait_for(pilot, lambda: app.mission.focused is checks, "the checks to have the focus")
        focused = checks.get_component_rich_style("datatable--header")
        blurred = checklist.get_component_rich_style("datatable--header")
        assert focused != blurred and focused.reverse and not blurred.reverse


def test_a_long_cell_loses_its_middle_so_rows_with_one_prefix_stay_apart():
    one = cut_middle(Text("Canary error rate, eu-west-1 edge"), 20).plain
    two = cut_middle(Text("Canary error rate, eu-west-2 edge"), 20).plain
    assert one != two and len(one) == 20 and "…" in one and one.endswith("1 edge")
    optional = Text("Canary error rate, eu-west-1 edge")
    optional.append(" (optional)", style="dim")
    assert cut_middle(optional, 30).plain.endswith("-1 edge (optional)")
    assert cut_middle(Text("short"), 20).plain == "short"


@pytest.mark.asyncio
async def test_at_80x24_checks_with_the_same_long_prefix_are_told_apart_and_others_keep_their_start(tmp_path):
    checks = "".join(PASSING.format(id=f"edge-{n}", title=f"Checkout error rate at the edge, region eu-west-{n}")
                     for n in (1, 2)) + PASSING.format(id="p99", title="Payments latency p99 across every region")
    text = HEAD + '\n[[phase]]\nid = "only"\ntitle = "Only"\n' + checks
    app = driver_app(write_runbook(tmp_path, text), tmp_path / "session")
    async with app.run_test(size=(80, 24)) as pilot:
        table = await wait_for(pilot, lambda: app.mission is not None and app.mission.panes
                               and app.mission.panes.checks.row_count == 3 and app.mission.panes.checks, "the checks")
        await wait_for(pilot, lambda: cell_text(table, "edge-2", "title"), "the rows drawn")
        one, two = cell_text(table, "edge-1", "title"), cell_text(table, "edge-2", "title")
        unique = cell_text(table, "p99", "title")
    assert one != two and one.endswith("west-1") and two.endswith("west-2") and "…" in one
    assert unique.startswith("Payments latency")   # a title no other row shares keeps its start


@pytest.mark.asyncio
async def test_the_phases_tab_says_when_phases_do_not_fit(tmp_path):
    phases = "".join(f'\n[[phase]]\nid = "p{n}"\ntitle = "Phase number {n}"\n'
                     + MANUAL.format(id=f"item-{n}", title=f"Item {n}") for n in range(1, 15))
    app = driver_app(write_runbook(tmp_path, HEAD + phases), tmp_path / "session")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the mission screen")
        app.mission._show_pane("tab-phases", app.mission.panes.phases)   # as Tab gets there
        hint = app.mission.query_one("#phase-hint")
        await wait_for(pilot, lambda: hint.display and "of 14 phases shown" in str(hint.render()), "the hint")
        assert str(hint.render()).startswith("▼ ")


def test_the_trends_legend_keeps_the_whole_target_even_when_the_value_is_long():
    for width in (79, 60, 45, 40):
        label, bars, target = legend_layout(width, "123.4 req/s", "pass > 100", marker=True)
        assert target == "pass > 100"
        assert 2 + label + 1 + bars + len(" 123.4 req/s") + 2 + len(target) <= width
    assert legend_layout(30, "123.4 req/s", "pass > 100", marker=True)[2] == ""   # dropped whole, never cut


@pytest.mark.asyncio
async def test_when_the_next_phase_has_no_checks_the_focus_moves_to_its_checklist(tmp_path):
    text = (HEAD + '\n[[phase]]\nid = "first"\ntitle = "First"\n' + PASSING.format(id="rate", title="Request rate")
            + '\n[[phase]]\nid = "second"\ntitle = "Second"\n' + MANUAL.format(id="smoke", title="Smoke tested"))
    app = driver_app(write_runbook(tmp_path, text), tmp_path / "session")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes
                       and app.mission.panes.checks.row_count, "the checks")
        p = app.mission.panes
        await wait_for(pilot, lambda: app.mission.focused is p.checks, "the checks to have the focus")
        await wait_for(pilot, lambda: app.session.engine.gate(app.session.clock()).open, "the gate to open")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.session.engine.state.active == 1, "the second phase")
        await wait_for(pilot, lambda: app.mission.focused is p.checklist, "the focus on the checklist")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.engine.state.manual["smoke"].checked, "the item ticked")


@pytest.mark.asyncio
async def test_six_phases_all_show_in_the_phases_tab_at_80x24_and_need_no_hint(tmp_path):
    phases = "".join(f'\n[[phase]]\nid = "p{n}"\ntitle = "Phase number {n}"\n'
                     + MANUAL.format(id=f"item-{n}", title=f"Item {n}") for n in range(1, 7))
    app = driver_app(write_runbook(tmp_path, HEAD + phases), tmp_path / "session")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.mission is not None and app.mission.panes, "the mission screen")
        phase_list = app.mission.panes.phases
        app.mission._show_pane("tab-phases", phase_list)
        await wait_for(pilot, lambda: phase_list.size.height, "the phase list laid out")
        for _ in range(3):   # the hint under the list must not change the list's own height
            await pilot.pause(0.2)
            assert phase_list.size.height == 6 and phase_list.max_scroll_y == 0
        assert not app.mission.query_one("#phase-hint").display
