"""Thresholds and durations as checklists write them: "Error rate <0.5%", "(>5%) for >5 minutes"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)"
_SYMBOL_OPS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}
_WORD_OPS = {
    "less than": "<", "fewer than": "<", "below": "<", "under": "<",
    "more than": ">", "greater than": ">", "above": ">", "over": ">", "exceeds": ">", "exceeding": ">", "exceed": ">",
    "at most": "<=", "no more than": "<=", "at least": ">=", "no less than": ">=",
}
_OPERATOR = "|".join(
    [re.escape(op) for op in sorted(_SYMBOL_OPS, key=len, reverse=True)]
    + [r"\b" + w.replace(" ", r"\s+") + r"\b" for w in sorted(_WORD_OPS, key=len, reverse=True)]
)
_TIME_UNITS = {
    "ms": "ms", "msec": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
}
_TIME_UNIT = "|".join(sorted(_TIME_UNITS, key=len, reverse=True))
# the unit a threshold is shown with; minutes and hours read better spelled out than as "m"
_SHOWN_UNIT = {"ms": "ms", "s": "s", "m": "min", "h": "h", "d": "d"}
_STOP_UNIT_WORDS = {
    "for", "of", "in", "on", "at", "and", "or", "the", "with", "per", "during", "after", "before", "within",
    "across", "than", "to", "from", "if", "when", "over", "under", "is", "are", "vs", "avg", "average", "by",
}
_THRESHOLD = re.compile(
    rf"(?P<op>{_OPERATOR})\s*(?P<num>{_NUMBER})(?!\.\d)\s*(?P<unit>%|(?:{_TIME_UNIT})\b|[A-Za-z][\w/\-]*)?",
    re.IGNORECASE,
)
_FOR = re.compile(
    rf"\b(?:for|over|during|sustained(?:\s+for)?|lasting)\s*(?:>=|>|≥|more\s+than|at\s+least|longer\s+than)?\s*"
    rf"(?P<num>\d+(?:\.\d+)?)\s*\+?\s*(?P<unit>{_TIME_UNIT})\b"
    rf"|\b(?P<cnum>\d+)\s+consecutive\s+(?P<cunit>{_TIME_UNIT}|checks?|intervals?|samples?|scrapes?|evaluations?)\b",
    re.IGNORECASE,
)
SAMPLE_EVERY = 15  # seconds: a check's default interval, for "3 consecutive intervals"
_RANGE = re.compile(rf"{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}\s*(%|ms|s\b)", re.IGNORECASE)
_METRIC_NOISE = {"high", "low", "is", "are", "be", "should", "must", "the", "a", "an", "any", "total", "overall", "of"}


@dataclass(frozen=True)
class Threshold:
    """A comparator, a number as written and a unit, plus the words naming the metric."""

    op: str
    number: str
    unit: str
    metric: str

    @property
    def text(self) -> str:
        """The threshold as a runbook writes it: "< 0.5"."""
        return f"{self.op} {self.number}"

    @property
    def metric_key(self) -> frozenset[str]:
        """The metric's words, order and noise ignored, to match "P95 latency" with "Latency p95"."""
        return frozenset(w for w in re.findall(r"[a-z0-9]+", self.metric.lower()) if w not in _METRIC_NOISE)


def _number(text: str) -> str:
    value = text.replace(",", "")
    if value.startswith("."):
        value = "0" + value
    if "." in value:
        value = value.rstrip("0").rstrip(".") or "0"
    return value


def _metric_before(text: str, start: int) -> str:
    before = text[:start]
    if before.count("(") > before.count(")"):
        inside = before[before.rfind("(") + 1:].strip()
        if inside:  # "Unit tests (coverage >80%)": the metric is the word inside the bracket
            return inside
        before = before[: before.rfind("(")]
    return before.strip(" :-–—=,")


def find_duration(text: str) -> tuple[str | None, str]:
    """("5m", text without the clause) for "for >5 minutes"; (None, text) when there is none."""
    m = _FOR.search(text)
    if not m:
        return None, text
    rest = text[: m.start()] + text[m.end():]
    if m.group("cnum"):
        unit = m.group("cunit").lower()
        if unit in _TIME_UNITS:
            return f"{m.group('cnum')}{_TIME_UNITS[unit]}", rest
        return f"{int(m.group('cnum')) * SAMPLE_EVERY}s", rest
    unit = _TIME_UNITS[m.group("unit").lower()]
    return f"{_number(m.group('num'))}{unit}", rest


def find_threshold(text: str) -> Threshold | None:
    """The first comparator with a number in the text, or None.

    "Error rate <0.5%" → < 0.5 %; "Replication lag <1 second" → < 1 s; "≤ 0.1%" → <= 0.1 %.
    A duration clause ("for 5 minutes") is never taken for the threshold.
    """
    _, text = find_duration(text)
    for m in _THRESHOLD.finditer(text):
        op_text = " ".join(m.group("op").lower().split())
        op = _SYMBOL_OPS.get(op_text) or _WORD_OPS.get(op_text)
        if op is None:
            continue
        if op_text in ("<", ">") and m.start() > 0 and text[m.start() - 1] in "-=<>":
            continue  # an arrow ("->", "=>") or a shift, not a comparator
        unit = m.group("unit") or ""
        after = text[m.end():] if unit.lower() in ("x", "times") else text[m.end():].lstrip()
        if (unit.lower() in ("x", "times") or re.match(r"(?:x|×|times)\b", after, re.I)) and re.match(
                r"\s*(?:(?:x|×|times)\s*)?(?:the\s+|of\s+|over\s+)?(?:baseline|normal|usual|current|previous|before|"
                r"pre-deploy)", after, re.I):
            continue  # "> 2x baseline": relative to a baseline, not a number to compare with
        if unit.lower() in _TIME_UNITS:
            unit = _SHOWN_UNIT[_TIME_UNITS[unit.lower()]]
        elif unit.lower() in _STOP_UNIT_WORDS:
            unit = ""
        metric = _metric_before(text, m.start()) or text[m.end():].strip(" :-–—=,.")
        return Threshold(op, _number(m.group("num")), unit, metric)
    return None


def find_range(text: str) -> str | None:
    """"40-70%" when the text gives a band rather than one threshold."""
    m = _RANGE.search(text)
    return m.group(0) if m else None


def duration_in_brackets(text: str) -> str | None:
    """"5m" from a heading like "Monitor Canary (5 minutes)"; None without one duration in brackets."""
    m = re.search(rf"\(\s*(\d+(?:\.\d+)?)\s*({_TIME_UNIT})\s*\)", text, re.IGNORECASE)
    if not m:
        return None
    return f"{_number(m.group(1))}{_TIME_UNITS[m.group(2).lower()]}"


def single_percentage(text: str) -> float | None:
    """The traffic share a heading names ("Canary (5% traffic)" → 5.0); None for none or several."""
    found = re.findall(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*%", text)
    values = {float(v) for v in found}
    if len(values) != 1:
        return None
    value = values.pop()
    return value if 0 <= value <= 100 else None


_TIME_WINDOW = re.compile(
    rf"\((?=[^)]*(?:\b\d+\s*(?:{_TIME_UNIT})\b|\bT\s*[+-]\s*\d|\bH\s*[+-]\s*\d"
    rf"|\bnow\b|\bimmediate|\bfirst\b|\bday\s*\d))[^)]*\)",
    re.IGNORECASE,
)
_STAGE = re.compile(r"\b(?:phase|stage|step|wave|part)\s*\d+|\bcanary\b|\bday\s*\d+\b|\d+\s*%", re.IGNORECASE)


def looks_like_stage(heading: str) -> bool:
    """True for headings that name a stage of a go-live: "Phase 2: …", "Canary (5% traffic)", "(T+0 to T+30min)"."""
    return bool(_STAGE.search(heading) or _TIME_WINDOW.search(heading))


def without_time_window(text: str) -> str:
    """A heading without its bracketed time window: "Monitor Canary (5 minutes)" → "Monitor Canary"."""
    return " ".join(_TIME_WINDOW.sub(" ", text).split()) or text


def find_thresholds(text: str) -> list[Threshold]:
    """Every threshold of an item that states several ("CPU < 70%, Memory < 75%"), each with its own metric;
    [] when it states one or none."""
    _, text = find_duration(text)
    parts = [p for p in re.split(r"\s*(?:[,;]|\band\b|\s/\s|\|)\s*", text) if p.strip()]
    found = [t for t in (find_threshold(p) for p in parts) if t is not None and t.metric]
    if len(found) < 2 or len({t.metric_key for t in found}) < len(found):
        return []
    return found
