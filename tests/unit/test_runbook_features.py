"""The seed-process fields of the runbook: bands, tolerances, baselines, windows, scoped and manual
triggers, rollback plans, soaks, several actions and `when` — parsed, and linted with field paths."""

from __future__ import annotations

import math

import pytest

from golive.console.comparisons import Band, Relative, Tolerance, parse_comparison, window_measure
from golive.console.runbook import RunbookError, parse_runbook
from golive.console.runbook_rules import evaluate_when

HEAD = """[runbook]
name = "svc"
service = "svc"
version = "v1"

[runbook.vars]
strategy = "blue-green"

[targets.prometheus.main]
url = "http://127.0.0.1:9090"

[[phase]]
id = "canary"

  [[phase.check]]
  id = "err"
  source = "prometheus"
  query = "up"
  pass = "< 0.5"
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(RunbookError) as info:
        parse_runbook(text, "rb.toml")
    return info.value.problems


def test_a_band_includes_both_ends_and_nothing_outside():
    band = parse_comparison("40..70")
    assert isinstance(band, Band) and str(band) == "40..70"
    assert band.test(40) and band.test(70) and band.test(55)
    assert not band.test(39.9) and not band.test(70.1) and not band.test(math.nan)


def test_a_tolerance_widens_the_target_in_the_comparators_favour():
    tol = parse_comparison("< 200 ± 10%")
    assert isinstance(tol, Tolerance) and str(tol) == "< 200 ± 10%"
    assert tol.test(219) and not tol.test(220)
    assert parse_comparison("> 100 ± 5").test(96) and not parse_comparison("> 100 ± 5").test(95)
    near = parse_comparison("== 156 ± 5")
    assert near.test(160) and not near.test(162)


def test_a_relative_target_compares_with_the_baseline_and_fails_closed_without_one():
    rel = parse_comparison("<= baseline * 1.2")
    assert isinstance(rel, Relative) and rel.needs_baseline
    assert rel.test(119, baseline=100) and not rel.test(121, baseline=100)
    assert not rel.test(1, baseline=None) and not rel.test(1, baseline=math.nan)
    keptn = parse_comparison("<= +10%")
    assert keptn.test(110, baseline=100) and not keptn.test(111, baseline=100)
    assert parse_comparison(">= -5%").test(95, baseline=100) and not parse_comparison(">= -5%").test(94, baseline=100)


def test_a_reversed_band_is_refused():
    with pytest.raises(ValueError, match="low to high"):
        parse_comparison("70..40")


def test_the_window_measures_spread_and_the_fitted_change_across_it():
    flat = [(0.0, 540.0), (1800.0, 541.0), (3600.0, 540.5)]
    growing = [(0.0, 500.0), (1800.0, 550.0), (3600.0, 600.0)]
    assert window_measure(flat, "max-min") == 1.0
    assert window_measure(growing, "slope", 3600.0) == pytest.approx(100.0)
    assert window_measure(growing, "slope", 1800.0) == pytest.approx(50.0)
    assert window_measure(flat[:1], "max-min") is None


def test_when_holds_or_not_with_its_reason_and_an_unknown_variable_is_false():
    assert evaluate_when("strategy == blue-green", {"strategy": "blue-green"}) == \
        (True, "when strategy == blue-green (strategy is blue-green)")
    holds, why = evaluate_when("strategy == rolling", {"strategy": "blue-green"})
    assert not holds and "strategy is blue-green" in why
    assert evaluate_when("nope == x", {})[0] is False


def test_the_new_fields_load_into_the_model():
    text = HEAD + """
  [[phase.check]]
  id = "cpu"
  source = "prometheus"
  query = "cpu"
  pass = "40..70"

  [[phase.check]]
  id = "canary-vs-stable"
  source = "prometheus"
  query = "canary"
  baseline = "stable"
  pass = "<= baseline * 1.2"

  [[phase.check]]
  id = "memory"
  source = "prometheus"
  query = "mem"
  pass = "< 20"
  window = "1h"
  measure = "max-min"

[[phase]]
id = "soak"
not_before = "T+4h"
duration = "24h"
on_fail = "rollback"
plan = "switch-back"
when = "strategy == blue-green"
actions = [{ run = ["stress"] }, { run = ["failover"] }]

[[trigger]]
id = "corruption"
title = "Data corruption detected"
source = "manual"
role = "operations"
then = "abort"

[[trigger]]
id = "errors"
source = "prometheus"
query = "e"
fire = "> 1"
during = ["soak"]
for_after_action = "2h"
keep_firing_for = "5m"
then = "rollback"
plan = "switch-back"

[[rollback]]
id = "switch-back"
hold = "30s"
timeout = "5m"

  [[rollback.step]]
  run = ["kubectl", "patch", "service", "web"]

  [[rollback.step]]
  run = ["true"]
  confirm = false

  [[rollback.verify]]
  id = "blue-serving"
  source = "prometheus"
  query = "blue"
  pass = "< 0.5"
"""
    rb = parse_runbook(text, "rb.toml")
    soak = rb.phases[1]
    assert soak.not_before == 4 * 3600 and soak.duration == 24 * 3600
    assert [a.argv for a in soak.all_actions] == [["stress"], ["failover"]] and soak.action.argv == ["stress"]
    assert rb.triggers[0].source == "manual" and rb.triggers[0].then == "abort"
    assert rb.triggers[1].during == ["soak"] and rb.triggers[1].for_after_action == 7200
    assert rb.triggers[1].keep_firing_for == 300
    plan = rb.rollback_plan("switch-back")
    assert [s.argv[0] for s in plan.steps] == ["kubectl", "true"] and plan.verify[0].id == "blue-serving"
    assert rb.check("blue-serving") is plan.verify[0]


def test_a_single_rollback_table_is_still_one_plan_of_one_step():
    rb = parse_runbook(HEAD + '\n[rollback]\nrun = ["undo"]\n', "rb.toml")
    (plan,) = rb.rollback_plans
    assert plan.id == "rollback" and plan.steps[0].argv == ["undo"] and plan.verify == []


LINTED = [
    ("baseline target without baseline", HEAD.replace('pass = "< 0.5"', 'pass = "<= +10%"'),
     "rb.toml:19: phase[1].check[1].pass: a target relative to the baseline needs baseline"),
    ("baseline without relative target", HEAD.replace('pass = "< 0.5"', 'pass = "< 0.5"\n  baseline = "b"'),
     "phase[1].check[1].baseline: baseline is compared by a relative target"),
    ("window without measure", HEAD + '  window = "1h"\n', "phase[1].check[1].window: a window needs its measure"),
    ("unknown phase in during", HEAD + '\n[[trigger]]\nid = "t"\nsource = "prometheus"\nquery = "q"\nfire = "> 1"\n'
     'during = ["canry"]\n', "trigger[1].during[1]: unknown phase 'canry'"),
    ("unknown plan", HEAD + '\n[[trigger]]\nid = "t"\nsource = "prometheus"\nquery = "q"\nfire = "> 1"\n'
     'then = "rollback"\nplan = "nope"\n\n[[rollback]]\nid = "a"\n  [[rollback.step]]\n  run = ["x"]\n',
     "trigger[1].plan: unknown rollback plan 'nope' (plans: a)"),
    ("manual trigger with fire", HEAD + '\n[[trigger]]\nid = "t"\nsource = "manual"\nfire = "> 1"\n',
     "trigger[1].fire: a manual trigger is fired by a person"),
    ("plan without steps", HEAD + '\n[[rollback]]\nid = "a"\n', "rollback[1].step: missing"),
    ("bad step field", HEAD + '\n[[rollback]]\nid = "a"\n  [[rollback.step]]\n  runn = ["x"]\n',
     "rollback[1].step[1].runn: unknown field 'runn' (did you mean 'run'?)"),
    ("manual verify", HEAD + '\n[[rollback]]\nid = "a"\n  [[rollback.step]]\n  run = ["x"]\n'
     '  [[rollback.verify]]\n  id = "v"\n  source = "manual"\n',
     "rollback[1].verify[1].source: a rollback is verified"),
    ("bad when", HEAD + 'when = "strategy is blue"\n', "phase[1].check[1].when: expected a condition like"),
    ("when on unknown variable", HEAD.replace('id = "canary"', 'id = "canary"\nwhen = "colour == blue"'),
     "rb.toml:14: phase[1].when: unknown variable 'colour'"),
    ("soak with hold", HEAD.replace('id = "canary"', 'id = "canary"\nduration = "1h"\nhold = "5m"'),
     "phase[1].hold: a soak (duration) holds its checks for the whole duration"),
    ("bad not_before", HEAD.replace('id = "canary"', 'id = "canary"\nnot_before = "after lunch"'),
     "phase[1].not_before: expected a time after the start like T+30m"),
    ("each with a band", HEAD.replace('pass = "< 0.5"', 'pass = "1..2"\n  each = true'),
     "phase[1].check[1].each: each = true needs a plain threshold"),
    ("a plan step that is a script fragment", HEAD + '\n[[rollback]]\nid = "a"\n  [[rollback.step]]\n  run = ["fi"]\n',
     "rollback[1].step[1].run: run's program is the shell keyword 'fi'"),
    ("on_fail outside a soak", HEAD.replace('id = "canary"', 'id = "canary"\non_fail = "rollback"'),
     "phase[1].on_fail: on_fail applies to a soak"),
]


@pytest.mark.parametrize("name,text,message", LINTED, ids=[c[0] for c in LINTED])
def test_a_misused_seed_field_is_named_by_its_field_path(name, text, message):
    problems = problems_of(text)
    assert any(message in p for p in problems), problems
