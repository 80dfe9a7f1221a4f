"""The checks pane from the snapshot alone: after the outcome it shows the recorded verdict beside what the
check reads now, and while running the hold progress the snapshot carries."""

from __future__ import annotations

from golive.checks.base import Sample
from golive.console.engine import Engine
from golive.console.runbook import load_runbook
from golive.console.view import engine_view
from golive.screens.check_cells import check_cells, hold_text
from golive.screens.palette import Palette
from tests.ui.harness import write_runbook
from tests.ui.test_live_values import RUNBOOK, T0, feed


def engine_for(tmp_path) -> Engine:
    """The canary phase asks for a five-minute hold."""
    text = RUNBOOK.replace('title = "Canary"\n', 'title = "Canary"\nhold = "5m"\n', 1)
    engine = Engine(load_runbook(write_runbook(tmp_path, text)))
    for event in engine.cmd_start(T0, name="v"):
        engine.apply(event)
    return engine


def test_after_the_outcome_a_check_that_reads_otherwise_now_says_both(tmp_path):
    engine = engine_for(tmp_path)
    feed(engine, Sample.number("errors", T0 + 1, 0.1))
    for event in engine.cmd_abort("alice", "change window closed", now=T0 + 2):
        engine.apply(event)
    feed(engine, Sample.number("errors", T0 + 20, 0.9))   # observed after the outcome: never the record
    check = engine.runbook.check("errors")
    shown = engine_view(engine, T0 + 21).checks["errors"]
    assert shown.recorded is not None and shown.recorded.verdict == "PASS"
    assert shown.verdict == "FAIL" and shown.value == 0.9
    assert hold_text(shown, check, T0 + 21, active=False) == "now ✗ FAIL · passed"


def test_the_snapshot_carries_the_hold_so_far_and_the_values_for_the_trends(tmp_path):
    engine = engine_for(tmp_path)
    feed(engine, Sample.number("errors", T0 + 1, 0.1))
    feed(engine, Sample.number("errors", T0 + 16, 0.2))
    view = engine_view(engine, T0 + 61)
    shown = view.checks["errors"]
    assert shown.recorded is None and shown.history == ((T0 + 1, 0.1), (T0 + 16, 0.2))
    assert (shown.held, shown.hold) == engine.hold_progress("errors", T0 + 61) == (60.0, 300.0)
    cells = check_cells(view, engine.runbook, engine.runbook.check("errors"), T0 + 61, True, Palette({}))
    assert cells[0].plain == "✓ PASS" and cells[4].plain == "held 1m / 5m"
