"""Samples judged against more than a fixed number: a baseline query's value, or a figure over a window.

A check with ``baseline = '<query>'`` gets a companion request (id ``<check>:baseline``)
sampled beside it; its value binds a relative target (``<= baseline * 1.2``) to a plain
threshold. A blind, missing or stale baseline makes the verdict ERROR — never a pass.
A check with a ``window`` is judged on max − min (or slope per hour) of its values over
that window, and stays PENDING until the window is covered.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from typing import Any

from golive.checks.base import Sample
from golive.console.comparisons import bind, describe_measure, needs_baseline, window_measure
from golive.console.state import ERROR, PENDING, CheckState
from golive.console.units import format_duration, format_number

SUFFIX = ":baseline"
_CLEARED = ("pass_", "warn", "fire", "baseline", "window", "measure", "each")


def baseline_companions(checks: list[Any]) -> dict[str, Any]:
    """Companion id → the request that reads the baseline, for every check with a baseline query."""
    out: dict[str, Any] = {}
    for check in checks:
        if getattr(check, "baseline", None):
            update: dict[str, Any] = {k: None for k in _CLEARED if k in type(check).model_fields}
            update.update(id=check.id + SUFFIX, query=check.baseline, each=False)
            out[check.id + SUFFIX] = check.model_copy(update=update)
    return out


def take_baseline(cs: CheckState, sample: Sample) -> None:
    """Keep the baseline's value on its check's state (or why it cannot be read)."""
    value = sample.value
    if sample.error or sample.no_data or value is None or not math.isfinite(value):
        cs.baseline_error = sample.error or sample.detail or "no data"
        return
    cs.baseline, cs.baseline_at, cs.baseline_error = value, sample.at, ""


def bound(check: Any, cs: CheckState, at: float) -> tuple[Any, str]:
    """The check with its relative targets bound to the current baseline, or (None, why it is blind)."""
    fields = [f for f in ("pass_", "warn", "fire") if needs_baseline(getattr(check, f, None))]
    if not fields:
        return check, ""
    if cs.baseline_error:
        return None, f"baseline blind: {cs.baseline_error}"
    if cs.baseline is None or cs.baseline_at is None:
        return None, "baseline blind: no baseline value yet"
    age = at - cs.baseline_at
    if age > 2 * check.every + check.timeout:
        return None, f"baseline blind: its last value is {format_duration(age)} old"
    update = {f: bind(getattr(check, f), cs.baseline) for f in fields}
    return check.model_copy(update=update), ""


def for_display(check: Any, cs: CheckState) -> Any:
    """The check as a sparkline draws it: relative targets bound to the last baseline, or left out when none."""
    fields = [f for f in ("pass_", "warn", "fire") if needs_baseline(getattr(check, f, None))]
    if not fields:
        return check
    if cs.baseline is None:
        return check.model_copy(update={f: None for f in fields})
    return check.model_copy(update={f: bind(getattr(check, f), cs.baseline) for f in fields})


def baseline_note(check: Any, cs: CheckState) -> str:
    """``baseline 120 ms`` for a detail line, "" without a baseline."""
    if not getattr(check, "baseline", None) or cs.baseline is None:
        return ""
    unit = f" {check.unit}" if check.unit else ""
    return f"baseline {format_number(cs.baseline)}{unit}"


def windowed(check: Any, sample: Sample, windows: dict[str, deque]) -> tuple[Sample | None, tuple[str, str] | None]:
    """The sample with its value replaced by the window's figure, or (None, (PENDING, why)) until covered."""
    if check.window is None or sample.error or sample.no_data or sample.value is None:
        return sample, None
    points = windows.setdefault(check.id, deque())
    points.append((sample.at, sample.value))
    start = sample.at - check.window
    while len(points) > 1 and points[1][0] <= start:
        points.popleft()    # keep one point at or before the window's start: it proves the window is covered
    what = describe_measure(check.measure, check.window)
    covered = sample.at - points[0][0]
    if covered < check.window:
        return None, (PENDING, f"watching {format_duration(covered)} of {format_duration(check.window)} ({what})")
    figure = window_measure(list(points), check.measure, check.window)
    if figure is None:
        return None, (ERROR, f"{what}: cannot be measured from {len(points)} values")
    unit = f" {check.unit}" if check.unit else ""
    return dataclasses.replace(sample, value=figure, series=(),
                               detail=f"{what}: {format_number(figure)}{unit}"), None
