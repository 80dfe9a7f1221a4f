"""A sample's verdict and a trigger's condition: pure functions of the check (or trigger) and one sample."""

from __future__ import annotations

from typing import Any

from golive.checks.base import Sample
from golive.console.state import ERROR, FAIL, PASS, WARN
from golive.console.units import Threshold

DEFAULT_ALERT_PASS = Threshold("==", 0.0)


def judge(check: Any, sample: Sample) -> tuple[str, str]:
    """Verdict and a one-line detail for one sample of one check.

    ERROR for errors; no data is ERROR unless the check says ``on_no_data = "fail"``
    — never a pass. A numeric value is compared with ``pass`` (then ``warn``); a
    source's own judgement (``ok``) must also hold.
    """
    if sample.error:
        return ERROR, sample.error
    if sample.no_data:
        return (FAIL if check.on_no_data == "fail" else ERROR), sample.detail or "no data"
    threshold = check.pass_
    if threshold is None and check.source == "alertmanager":
        threshold = DEFAULT_ALERT_PASS
    verdict: str | None = None
    detail = sample.detail
    if threshold is not None and sample.value is not None:
        values = [v for _, v in sample.series] if sample.series else [sample.value]
        if all(threshold.test(v) for v in values):
            verdict = PASS
        elif check.warn is not None and all(check.pass_.test(v) or check.warn.test(v) for v in values):
            verdict = WARN
        else:
            verdict = FAIL
    elif threshold is not None and sample.ok is None:
        return ERROR, sample.detail or "the source returned no value to compare"
    if sample.ok is False:
        return FAIL, detail or "failed"
    if verdict is None:
        if sample.ok is None:
            return ERROR, sample.detail or "the source returned neither a value nor a judgement"
        verdict = PASS
    return verdict, detail


def trigger_condition(trigger: Any, sample: Sample) -> bool | None:
    """True when the trigger's condition holds, False when clean, None when blind (error, no data)."""
    if sample.error or sample.no_data:
        return None
    if trigger.fire is not None:
        if sample.value is None:
            return None
        values = [v for _, v in sample.series] if sample.series else [sample.value]
        return any(trigger.fire.test(v) for v in values)
    if sample.ok is None:
        return None
    return not sample.ok
