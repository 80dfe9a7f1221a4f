"""The runbook model split over modules stays importable from ``golive.console.runbook``, each module small."""

from __future__ import annotations

from pathlib import Path

import golive.console.runbook as runbook
from golive.console import runbook_base, runbook_checks, runbook_model


def test_every_name_in_the_runbook_modules_all_is_importable_from_golive_console_runbook():
    missing = [name for name in runbook.__all__ if not hasattr(runbook, name)]
    assert missing == []


def test_the_runbook_reexports_are_the_model_classes_themselves_not_copies():
    assert runbook.Runbook is runbook_model.Runbook
    assert runbook.PrometheusCheck is runbook_checks.PrometheusCheck
    assert runbook.HttpTarget is runbook_base.HttpTarget
    assert runbook.RollbackPlan.model_fields["steps"].annotation == list[runbook.Action]


def test_each_runbook_module_is_under_four_hundred_lines():
    folder = Path(runbook.__file__).parent
    sizes = {p.name: len(p.read_text().splitlines()) for p in folder.glob("runbook*.py")}
    assert sizes and all(lines < 400 for lines in sizes.values()), sizes
