"""Lint rules for the seed-process fields: trigger scope and responses, rollback plans, soaks, `when`, baselines."""

from __future__ import annotations

import re
from typing import Any

from golive.console.comparisons import needs_baseline
from golive.console.units import Threshold

Problems = list[tuple[tuple, str]]

_WHEN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*(==|!=)\s*(.*?)\s*$")


def parse_when(text: str) -> tuple[str, str, str] | None:
    """``strategy == blue-green`` → (name, op, value); None when it is not of that form."""
    m = _WHEN.match(text)
    if not m or not m.group(3):
        return None
    value = m.group(3)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return m.group(1), m.group(2), value


def evaluate_when(text: str | None, variables: dict[str, str]) -> tuple[bool, str]:
    """Whether a `when` holds for these variables, and the reason in words for the record.

    An unknown variable or a malformed condition is False (the lint names it first): a
    path is never taken on a condition nobody can read.
    """
    if text is None:
        return True, ""
    parsed = parse_when(text)
    if parsed is None:
        return False, f"when {text!r} cannot be read"
    name, op, value = parsed
    if name not in variables:
        return False, f"when {text!r}: no variable {name!r}"
    actual = variables[name]
    holds = (actual == value) if op == "==" else (actual != value)
    return holds, f"when {name} {op} {value} ({name} is {actual})"


def feature_problems(rb: Any, variables: dict[str, str], problems: Problems, check_rules: Any) -> None:
    """Append (location, message) for every misuse of the seed-process fields."""
    phase_ids = [p.id for p in rb.phases]
    plans = rb.rollback_plans
    plan_ids = [p.id for p in plans] if isinstance(rb.rollback, list) else []
    for k, trig in enumerate(rb.triggers):
        loc = ("trigger", k)
        for j, name in enumerate(trig.during):
            if name not in phase_ids:
                problems.append((loc + ("during", j), f"unknown phase {name!r} (phases: {', '.join(phase_ids)})"))
        if trig.plan is not None:
            if trig.then != "rollback":
                problems.append((loc + ("plan",), 'plan names the rollback to run: it needs then = "rollback"'))
            elif trig.plan not in plan_ids:
                known = ", ".join(plan_ids) or "none: use [[rollback]] with id"
                problems.append((loc + ("plan",), f"unknown rollback plan {trig.plan!r} (plans: {known})"))
        if trig.source == "manual" and (trig.fire is not None or trig.for_):
            problems.append((loc + ("fire",), "a manual trigger is fired by a person: it has no fire or for"))
        _baseline_rules(trig, loc, problems, ("fire",))
        _window_rules(trig, loc, problems)
    seen: set[str] = set()
    known_ids = {c.id for _, c in rb.iter_checks()} | {t.id for t in rb.triggers}
    for i, plan in enumerate(plans if isinstance(rb.rollback, list) else []):
        loc = ("rollback", i)
        if plan.id in seen:
            problems.append((loc + ("id",), f"duplicate rollback plan id {plan.id!r}"))
        seen.add(plan.id)
        for j, check in enumerate(plan.verify):
            cloc = loc + ("verify", j)
            if check.id in known_ids:
                problems.append((cloc + ("id",), f"duplicate id {check.id!r} (a check or trigger already uses it)"))
            known_ids.add(check.id)
            if check.source == "manual":
                problems.append((cloc + ("source",),
                                 "a rollback is verified by evidence: verify checks cannot be manual"))
                continue
            check_rules(check, cloc, rb.targets, problems, trigger=False)
            _check_feature_rules(check, cloc, variables, problems)
    for i, phase in enumerate(rb.phases):
        loc = ("phase", i)
        if phase.actions and phase.action != phase.actions[0]:
            problems.append((loc + ("actions",), "use action for one action or actions for several, not both"))
        if phase.duration is not None:
            if phase.hold:
                problems.append((loc + ("hold",), "a soak (duration) holds its checks for the whole duration: "
                                                  "drop hold"))
            if phase.timeout is not None and phase.timeout <= phase.duration:
                problems.append((loc + ("timeout",), "a soak's timeout must be longer than its duration"))
        if phase.on_fail != "abort" and phase.duration is None:
            problems.append((loc + ("on_fail",), "on_fail applies to a soak: give the phase a duration"))
        if phase.on_fail == "rollback" and not plans:
            problems.append((loc + ("on_fail",), 'on_fail = "rollback" needs a [rollback] section'))
        if phase.plan is not None and (phase.on_fail != "rollback" or phase.plan not in plan_ids):
            problems.append((loc + ("plan",), 'plan needs on_fail = "rollback" and a [[rollback]] plan of that id'))
        _when_rules(phase.when, loc, variables, problems)
        for j, check in enumerate(phase.checks):
            _check_feature_rules(check, loc + ("check", j), variables, problems)
    if all(not evaluate_when(p.when, variables)[0] for p in rb.phases):
        problems.append((("phase",), "every phase is skipped by its when: nothing would run"))


def _check_feature_rules(check: Any, loc: tuple, variables: dict[str, str], problems: Problems) -> None:
    if getattr(check, "each", False) and not isinstance(check.pass_, (Threshold, type(None))):
        # the worst series is found by a comparator and a number: a band or a baseline has no single side
        problems.append((loc + ("each",), 'each = true needs a plain threshold like pass = "< 0.5"'))
    _baseline_rules(check, loc, problems, ("pass", "warn"))
    _window_rules(check, loc, problems)
    _when_rules(check.when, loc, variables, problems)


def _baseline_rules(check: Any, loc: tuple, problems: Problems, fields: tuple[str, ...]) -> None:
    relative = [f for f in fields if needs_baseline(getattr(check, "pass_" if f == "pass" else f, None))]
    baseline = getattr(check, "baseline", None)
    if relative and baseline is None:
        where = "prometheus checks" if check.source != "prometheus" else "this check"
        problems.append((loc + (relative[0],), f"a target relative to the baseline needs baseline = '<query>' "
                                               f"(for {where})"))
    if baseline is not None and not relative:
        problems.append((loc + ("baseline",), 'baseline is compared by a relative target, e.g. pass = '
                                              '"<= baseline * 1.2" or "<= +10%"'))


def _window_rules(check: Any, loc: tuple, problems: Problems) -> None:
    if (check.window is None) != (check.measure is None):
        problems.append((loc + ("window",), 'a window needs its measure and the other way round: window = "1h", '
                                            'measure = "max-min" (or "slope": the fitted change across the window)'))
    elif check.window is not None and check.window <= 0:
        problems.append((loc + ("window",), "a window must be longer than zero"))


def _when_rules(text: str | None, loc: tuple, variables: dict[str, str], problems: Problems) -> None:
    if text is None:
        return
    parsed = parse_when(text)
    if parsed is None:
        problems.append((loc + ("when",), f"expected a condition like 'strategy == blue-green', got {text!r}"))
    elif parsed[0] not in variables:
        known = ", ".join(sorted(variables)) or "none"
        problems.append((loc + ("when",), f"unknown variable {parsed[0]!r} (known: {known})"))
