"""Reading Prometheus API answers, and turning one query's result into a check's Sample.

No data is never zero: an empty vector, NaN and ±Inf become ``Sample.empty``; several
series without ``each = true`` are an error that says how to aggregate.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from golive.checks.base import Sample
from golive.console.redact import clip

# (labels as PromQL writes them, value)
Series = tuple[str, float]


class PrometheusError(Exception):
    """Prometheus answered ``status: error`` (``kind`` is its errorType: bad_data, execution, timeout…)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}" if kind else message)
        self.kind = kind


class MalformedAnswer(Exception):
    """The body is not the JSON the Prometheus API promises."""


@dataclass(frozen=True)
class QueryResult:
    """One instant query's result, or the one-line reason there is none."""

    at: float
    result_type: str = ""
    series: tuple[Series, ...] = ()
    error: str | None = None


def parse_answer(body: bytes) -> dict[str, Any]:
    """The ``data`` object of a successful answer.

    Raises:
        PrometheusError: ``status`` is ``error``.
        MalformedAnswer: not JSON, or not shaped like an API answer.
    """
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedAnswer("not JSON") from None
    if not isinstance(doc, dict):
        raise MalformedAnswer("not a JSON object")
    if doc.get("status") == "error":
        raise PrometheusError(str(doc.get("errorType", "")), str(doc.get("error", "no reason given")))
    data = doc.get("data")
    if doc.get("status") != "success" or not isinstance(data, dict):
        raise MalformedAnswer("no status/data")
    return data


def series_label(metric: dict[str, str]) -> str:
    """``name{a="1",b="2"}`` with labels sorted, as PromQL shows a series; ``{}`` for none."""
    name = metric.get("__name__", "")
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(metric.items()) if k != "__name__")
    return f"{name}{{{inner}}}" if inner or not name else name


def read_value(pair: Any) -> float:
    """The float of a ``[time, "value"]`` pair ("NaN", "+Inf" included)."""
    try:
        return float(pair[1])
    except (TypeError, ValueError, IndexError):
        raise MalformedAnswer(f"bad sample value {clip(str(pair), 40)!r}") from None


def instant_result(data: dict[str, Any], at: float) -> QueryResult:
    """A QueryResult from the data of an unbatched instant query."""
    result_type = data.get("resultType")
    result = data.get("result")
    if result_type == "scalar":
        return QueryResult(at, "scalar", (("{}", read_value(result)),))
    if result_type in ("matrix", "string"):
        return QueryResult(at, result_type)
    if result_type != "vector" or not isinstance(result, list):
        raise MalformedAnswer(f"unexpected resultType {clip(str(result_type), 20)!r}")
    try:
        return QueryResult(at, "vector", tuple((series_label(s["metric"]), read_value(s["value"])) for s in result))
    except (KeyError, TypeError, AttributeError):
        raise MalformedAnswer("vector entries without metric/value") from None


def to_sample(check: Any, result: QueryResult) -> Sample:
    """The check's Sample for a query result (see the module docstring for the rules)."""
    cid, at = check.id, result.at
    if result.error is not None:
        return Sample.failed(cid, at, result.error)
    if result.result_type == "scalar":
        value = result.series[0][1]
        return Sample.number(cid, at, value, detail="" if math.isfinite(value) else f"value is {_non_finite(value)}")
    if result.result_type != "vector":
        return Sample.failed(cid, at,
                             f"query returns a {result.result_type}; a check needs an instant vector or a scalar")
    series = result.series
    if not series:
        return Sample.empty(cid, at, "empty result (no series matched)")
    if not getattr(check, "each", False):
        if len(series) > 1:
            return Sample.failed(cid, at,
                                 f"{len(series)} series returned; aggregate with sum()/max() or set each = true")
        label, value = series[0]
        shown = "" if label == "{}" else label
        if not math.isfinite(value):
            return Sample.empty(cid, at, f"{shown} value is {_non_finite(value)}".strip())
        return Sample.number(cid, at, value, detail=_clip(shown))
    ordered = tuple(sorted(series))
    blank = [label for label, value in ordered if not math.isfinite(value)]
    if blank:
        return Sample.empty(cid, at,
                            _clip(f"{len(blank)} of {len(ordered)} series have no value (NaN/Inf), e.g. {blank[0]}"))
    label, value = max(ordered, key=_badness(check))
    return Sample(check_id=cid, at=at, value=value, detail=_clip(f"worst of {len(ordered)} series: {label}"),
                  series=ordered)


def _clip(text: str, limit: int = 300) -> str:
    return clip(text, limit)  # scrubbed before the cut, so no prefix of a secret survives


def _non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def _badness(check: Any):
    """A key that is largest for the series that most endangers the check.

    Against ``pass`` that is the series furthest on the failing side; against a
    trigger's ``fire`` it is the one furthest into firing; with neither, the largest.
    """
    threshold = getattr(check, "pass_", None)
    sign = 1.0
    if threshold is None:
        threshold = getattr(check, "fire", None)
        sign = -1.0
    if threshold is None:
        return lambda item: item[1]
    op, number = threshold.op, threshold.number
    if op in ("<", "<="):
        return lambda item: sign * (item[1] - number)
    if op in (">", ">="):
        return lambda item: sign * (number - item[1])
    if op == "==":
        return lambda item: sign * abs(item[1] - number)
    return lambda item: -sign * abs(item[1] - number)  # "!="
