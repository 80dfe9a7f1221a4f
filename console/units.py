"""Durations and thresholds as runbooks write them: ``1h30m``, ``< 0.5``, ``>= 99.9``."""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from typing import Callable

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


MAX_DURATION = 366 * 86400.0  # a year and a day: longer is a typo, and would overflow a clock


def shown(value: object, limit: int = 40) -> str:
    """A value as an error message echoes it: its repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "…" + text[-3:]


def parse_duration(text: object) -> float:
    """Parse ``500ms``, ``15s``, ``5m``, ``1h30m``, ``2d`` into seconds.

    A bare number is read as seconds. Raises ValueError with a message that
    says what was expected; a duration over a year (or not finite) is refused.
    """
    expected = f"expected a duration like 500ms, 15s, 5m or 1h30m, got {shown(text)}"
    if isinstance(text, bool):
        raise ValueError(expected)
    if isinstance(text, (int, float)):
        if isinstance(text, float) and math.isnan(text) or text < 0:
            raise ValueError(f"expected a duration of zero or more, got {shown(text)}")
        if text > MAX_DURATION:  # compared before float(): a 4000-digit integer would overflow
            raise ValueError(f"expected a duration of at most 366d, got {shown(text)}")
        return float(text)
    if not isinstance(text, str):
        raise ValueError(expected)
    s = text.strip().replace(" ", "")
    pos, total = 0, 0.0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if not m:
            break
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        pos = m.end()
    if not s or pos != len(s):
        raise ValueError(expected)
    if not math.isfinite(total) or total > MAX_DURATION:
        raise ValueError(f"expected a duration of at most 366d, got {shown(text)}")
    return total


def parse_t_plus(text: object) -> float:
    """``T+4h`` (or ``4h``): seconds after the go-live's start, as the seeds' checkpoints are written."""
    if isinstance(text, str) and text.strip().upper().startswith("T+"):
        text = text.strip()[2:]
    try:
        return parse_duration(text)
    except ValueError:
        raise ValueError(f"expected a time after the start like T+30m or T+4h, got {text!r}") from None


def format_duration(seconds: float) -> str:
    """Format seconds the way runbooks write them: ``5m``, ``1h30m``, ``3m12s``, ``500ms``."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 1 and seconds > 0:
        return f"{round(seconds * 1000)}ms"
    whole = int(round(seconds))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    out = ""
    if h:
        out += f"{h}h"
    if m:
        out += f"{m}m"
    if s or not out:
        out += f"{s}s"
    return out


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_ALIASES = {"≤": "<=", "≥": ">=", "≠": "!=", "=": "=="}
_THRESHOLD = re.compile(r"^\s*(<=|>=|==|!=|<|>|≤|≥|≠|=)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Threshold:
    """A comparator and a number: the value passes when ``value <op> number``."""

    op: str
    number: float

    @classmethod
    def parse(cls, text: object) -> "Threshold":
        if isinstance(text, Threshold):
            return text
        expected = f'expected a threshold like "< 0.5" or ">= 99.9", got {shown(text)}'
        if not isinstance(text, str):
            raise ValueError(expected)
        m = _THRESHOLD.match(text) if len(text) <= 400 else None
        if not m:
            raise ValueError(expected)
        op = _ALIASES.get(m.group(1), m.group(1))
        number = float(m.group(2))
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number in the threshold, got {shown(text)}")
        return cls(op=op, number=number)

    def test(self, value: float) -> bool:
        """True when value satisfies the threshold; NaN never does."""
        if value is None or math.isnan(value):
            return False
        return _OPS[self.op](value, self.number)

    def __str__(self) -> str:
        return f"{self.op} {format_number(self.number)}"


def format_number(value: float | None) -> str:
    """A number as a person reads it: no trailing zeros, at most 4 significant decimals."""
    if value is None:
        return "—"
    if math.isnan(value):
        return "NaN"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 trigger``, ``2 triggers``; ``many`` for irregular plurals (``1 needs``/``2 need``)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def round_sig(value: float | None, digits: int = 6) -> float | None:
    """A value as the journal keeps it: 6 significant digits are more than any threshold needs."""
    if value is None or value == 0 or math.isnan(value) or math.isinf(value):
        return value
    return float(f"{value:.{digits}g}")


def format_age(seconds: float) -> str:
    """``12s ago``, ``2m ago``, ``3h ago``, ``2d ago``: how old something is, in its largest unit."""
    whole = max(0, int(seconds))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if whole >= size:
            return f"{whole // size}{unit} ago"
    return f"{whole}s ago"
