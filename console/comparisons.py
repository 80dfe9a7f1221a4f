"""Targets as people write them beyond ``< 0.5``: bands, tolerances, baselines and windows.

``40..70`` (a band), ``< 200 ± 10%`` (a tolerance), ``<= baseline * 1.2`` and Keptn's
``<= +10%`` (relative to a baseline query), and ``max-min``/``slope`` over a window.
Every comparison has ``test(value)`` and ``str()`` like a Threshold; a relative one
also needs the baseline's value and fails closed without it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from golive.console.units import Threshold, format_number, shown

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_OP = r"<=|>=|==|!=|<|>|≤|≥|≠|="
_ALIASES = {"≤": "<=", "≥": ">=", "≠": "!=", "=": "=="}
_BAND = re.compile(rf"^\s*({_NUM})\s*(?:\.\.|–|—)\s*({_NUM})\s*$")
_TOLERANCE = re.compile(rf"^\s*({_OP})\s*({_NUM})\s*(?:±|\+/-|\+-)\s*({_NUM})\s*(%?)\s*$")
_BASELINE = re.compile(rf"^\s*({_OP})\s*baseline\s*(?:([*/+\-])\s*({_NUM}))?\s*$")
_PERCENT = re.compile(rf"^\s*({_OP})\s*([-+]{_NUM}|[-+]?0)\s*%\s*$")

EXAMPLES = '"< 0.5", "40..70", "< 200 ± 10%", "<= baseline * 1.2" or "<= +10%"'


@dataclass(frozen=True)
class Band:
    """Passes when ``low <= value <= high`` (both ends included, as "40–70 %" is read)."""

    low: float
    high: float
    needs_baseline = False

    def test(self, value: float | None) -> bool:
        return value is not None and not math.isnan(value) and self.low <= value <= self.high

    @property
    def number(self) -> float:
        """The limit a sparkline marks: the band's top."""
        return self.high

    def __str__(self) -> str:
        return f"{format_number(self.low)}..{format_number(self.high)}"


@dataclass(frozen=True)
class Tolerance:
    """``< 200 ± 10%``: the target widened by the tolerance in the comparator's favour.

    For ``<``/``<=`` the limit is ``number + tolerance``, for ``>``/``>=`` it is
    ``number - tolerance``, and ``== 200 ± 5`` means within 5 of 200.
    """

    op: str
    number: float
    tolerance: float
    percent: bool
    needs_baseline = False

    @property
    def margin(self) -> float:
        return abs(self.number) * self.tolerance / 100 if self.percent else self.tolerance

    def test(self, value: float | None) -> bool:
        if value is None or math.isnan(value):
            return False
        if self.op in ("==", "!="):
            inside = abs(value - self.number) <= self.margin
            return inside if self.op == "==" else not inside
        limit = self.number + self.margin if self.op in ("<", "<=") else self.number - self.margin
        return Threshold(self.op, limit).test(value)

    def __str__(self) -> str:
        return f"{self.op} {format_number(self.number)} ± {format_number(self.tolerance)}{'%' if self.percent else ''}"


@dataclass(frozen=True)
class Relative:
    """Compared with a baseline's value: ``<= baseline * 1.2``, ``<= baseline + 5``, ``<= +10%``."""

    op: str
    how: str            # "*", "/", "+", "-" or "%" (percent change)
    number: float
    text: str
    needs_baseline = True

    def limit(self, baseline: float) -> float:
        if self.how == "*":
            return baseline * self.number
        if self.how == "/":
            return baseline / self.number
        if self.how == "+":
            return baseline + self.number
        if self.how == "-":
            return baseline - self.number
        return baseline * (1 + self.number / 100)

    def bind(self, baseline: float) -> Threshold:
        """The plain threshold this comparison is for one baseline value."""
        return Threshold(self.op, self.limit(baseline))

    def test(self, value: float | None, baseline: float | None = None) -> bool:
        # without a baseline nothing can be compared: fails closed (the engine makes it ERROR first)
        if baseline is None or value is None or math.isnan(value) or not math.isfinite(baseline):
            return False
        return self.bind(baseline).test(value)

    def __str__(self) -> str:
        return self.text


Comparison = Threshold | Band | Tolerance | Relative


def parse_comparison(text: object) -> Comparison:
    """Parse any target the runbook format knows; raises ValueError naming the forms it accepts."""
    if isinstance(text, (Threshold, Band, Tolerance, Relative)):
        return text
    if not isinstance(text, str):
        raise ValueError(f"expected a threshold like {EXAMPLES}, got {shown(text)}")
    try:
        return Threshold.parse(text)
    except ValueError:
        pass
    if m := _BAND.match(text):
        low, high = float(m.group(1)), float(m.group(2))
        if low > high:
            raise ValueError(f"a band goes from low to high, got {text!r}")
        return Band(low, high)
    if m := _TOLERANCE.match(text):
        return Tolerance(_ALIASES.get(m.group(1), m.group(1)), float(m.group(2)), float(m.group(3)), bool(m.group(4)))
    if m := _BASELINE.match(text):
        op = _ALIASES.get(m.group(1), m.group(1))
        how, number = (m.group(2), float(m.group(3))) if m.group(2) else ("*", 1.0)
        if how == "/" and number == 0:
            raise ValueError(f"division by zero in {text!r}")
        return Relative(op, how, number, " ".join(text.split()))
    if m := _PERCENT.match(text):
        return Relative(_ALIASES.get(m.group(1), m.group(1)), "%", float(m.group(2)), " ".join(text.split()))
    raise ValueError(f"expected a threshold like {EXAMPLES}, got {shown(text)}")


def needs_baseline(comparison: object) -> bool:
    return bool(getattr(comparison, "needs_baseline", False))


def bind(comparison: object, baseline: float) -> object:
    """A relative comparison turned into a plain threshold for this baseline; others unchanged."""
    return comparison.bind(baseline) if isinstance(comparison, Relative) else comparison


# ---------------------------------------------------------------- windows ("no growth over 1h")

MEASURES = ("max-min", "slope")


def window_measure(points: list[tuple[float, float]], measure: str, window: float | None = None) -> float | None:
    """``max-min``: the spread of the values; ``slope``: the least-squares change across the window
    (the fitted slope times the window, in the value's own unit). None with < 2 points."""
    if len(points) < 2:
        return None
    values = [v for _, v in points]
    if measure == "max-min":
        return max(values) - min(values)
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(values) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    span = window if window is not None else points[-1][0] - points[0][0]
    return cov / var * span


def describe_measure(measure: str, window: float) -> str:
    from golive.console.units import format_duration

    what = "max − min" if measure == "max-min" else "fitted change"
    return f"{what} over {format_duration(window)}"
