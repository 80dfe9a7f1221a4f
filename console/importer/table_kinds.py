"""Tables and lines that say more than "a check per row": rollback-trigger tables ("Signal | Threshold | Window"),
canary stage tables ("Stage | Traffic | Duration"), sign-off tables ("Role | Name | Signature"), and
"rollback if … for N minutes" lines."""

from __future__ import annotations

import re

from golive.console.importer.markdown import Item, Table
from golive.console.importer.sections import TRIGGER_CONTEXT
from golive.console.importer.text import clean_title, plain
from golive.console.importer.thresholds import find_threshold

_TRIGGER_HEAD = re.compile(r"\b(?:threshold|condition|limit|when|fire|value|level)\b", re.I)
_TRIGGER_WEAK = re.compile(r"\b(?:trigger|criteria|criterion|target)\b", re.I)
_SIGNAL_HEAD = re.compile(r"\b(?:signal|metric|criteria|criterion|condition|indicator|check|trigger|symptom|alert)\b",
                          re.I)
_WINDOW_HEAD = re.compile(r"\b(?:window|duration|for|sustained|period|delay|time)\b", re.I)
_ACTION_HEAD = re.compile(r"\b(?:action|response|then|do)\b", re.I)
_ROLLBACK_WORD = re.compile(r"\broll\s*-?back|\babort\b|\brevert\b|\bhalt\b|\bstop\b", re.I)
_TRAFFIC_HEAD = re.compile(r"\b(?:traffic|weight|percent(?:age)?|share|%|canary\s+size|users?)\b", re.I)
_HOLD_HEAD = re.compile(r"\b(?:duration|hold|bake|soak|wait|time|minimum|min\.?\s+time|observation)\b", re.I)
_STAGE_HEAD = re.compile(r"\b(?:stage|phase|step|wave|ring)\b", re.I)
_ROLE_HEAD = re.compile(r"^(?:role|approver|sign[\s-]?off(?:\s+by)?|signatory|function|team|stakeholder|"
                        r"approval|approved by|reviewer)$", re.I)
_SIGN_HEAD = re.compile(r"\b(?:signature|sign[\s-]?off|signed|approv\w*)\b", re.I)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*\+?\s*"
                       r"(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\b",
                       re.I)
_UNITS = {"ms": "ms", "s": "s", "m": "m", "h": "h", "d": "d"}
_LINE_TRIGGER = re.compile(
    r"\b(?:roll\s*-?back|revert|abort|undo(?:\s+the\s+\w+)?)\s+(?:immediately\s+|automatically\s+)?(?:if|when|on)\b"
    r"\s*:?\s*(?P<cond>.+)$", re.I)


def _index(header: list[str], pattern: re.Pattern) -> int | None:
    for i, cell in enumerate(header):
        if pattern.search(clean_title(cell)):
            return i
    return None


def _cell(row: list[str], i: int | None) -> str:
    return plain(row[i]).strip() if i is not None and i < len(row) else ""


def trigger_rows(table: Table, heading: str) -> list[Item] | None:
    """A rollback-trigger table as one condition per row ("Error rate > 5% for 5m"), or None for another table.

    It is one when a column gives thresholds and the table sits under a rollback heading, or has an action
    column that says roll back, or a window column.
    """
    if not table.rows or len(table.header) < 2:
        return None
    threshold = _index(table.header, _TRIGGER_HEAD)
    if threshold is None:
        threshold = _index(table.header, _TRIGGER_WEAK)
    signal = next((i for i, h in enumerate(table.header) if i != threshold and _SIGNAL_HEAD.search(clean_title(h))),
                  None)
    if signal is None:
        signal = 0 if threshold != 0 else None
    if threshold is None or signal is None:
        return None
    window = next((i for i, h in enumerate(table.header) if i not in (signal, threshold)
                   and _WINDOW_HEAD.search(clean_title(h))), None)
    action = _index(table.header, _ACTION_HEAD)
    rolls_back = action is not None and any(_ROLLBACK_WORD.search(_cell(r, action)) for r in table.rows)
    if not (TRIGGER_CONTEXT.search(heading) or rolls_back or window is not None and action is not None):
        return None
    items = []
    for row in table.rows:
        name, condition, span = _cell(row, signal), _cell(row, threshold), _cell(row, window)
        if not name and not condition:
            continue
        if span and _DURATION.search(span) and not re.search(r"\b(?:for|over|sustained)\b", condition, re.I):
            condition = f"{condition} for {span}"
        items.append(Item(f"{name} {condition}".strip(), table.line, 0, False))
    return items or None


def without_trigger_clause(text: str) -> str:
    """The text before its "… undo the rollout if …" clause: what is left is what the item asks to do."""
    m = _LINE_TRIGGER.search(text)
    return text[: m.start()].rstrip(" ,;:-–—") if m else text


def line_triggers(text: str) -> list[Item]:
    """"ROLLBACK IF error rate > 1% for 3 minutes" written as a line of prose: one condition per "or"/";"."""
    items = []
    for line in plain(text).splitlines() or [plain(text)]:
        m = _LINE_TRIGGER.search(line)
        if not m:
            continue
        for part in re.split(r"\s*(?:;|,?\s+\bor\b\s+)\s*", m.group("cond").rstrip(" .")):
            if find_threshold(part) is not None:
                items.append(Item(part.strip(), 0, 0, False))
    return items


def _duration(text: str) -> str | None:
    m = _DURATION.search(text)
    if not m:
        return None
    unit = m.group(2).lower()
    unit = "ms" if unit == "ms" else unit[0]
    return f"{m.group(1)}{_UNITS[unit]}"


def stage_rows(table: Table) -> list[tuple[str, float, str | None]] | None:
    """(stage, traffic %, hold) per row of a canary stage table, or None when the table is not one."""
    traffic = _index(table.header, _TRAFFIC_HEAD)
    hold = next((i for i, h in enumerate(table.header) if i != traffic and _HOLD_HEAD.search(clean_title(h))), None)
    if traffic is None or not table.rows:
        return None
    stage = _index(table.header, _STAGE_HEAD)
    stages = []
    for n, row in enumerate(table.rows, 1):
        m = re.search(r"(\d{1,3}(?:\.\d+)?)\s*%", _cell(row, traffic))
        if not m or float(m.group(1)) > 100:
            return None
        name = _cell(row, stage) if stage is not None and stage != traffic else ""
        stages.append((name or f"Stage {n}", float(m.group(1)), _duration(_cell(row, hold)) if hold is not None
                       else None))
    return stages if len(stages) >= 2 and (hold is not None or stage is not None) else None


def signoff_names(table: Table, in_signoff: bool) -> list[str] | None:
    """The role cells of a sign-off table ("Role | Name | Signature | Date"), or None for another table."""
    header = [clean_title(h).lower() for h in table.header]
    role = next((i for i, h in enumerate(header) if _ROLE_HEAD.match(h)), None)
    signs = any(_SIGN_HEAD.search(h) for h in header)
    if role is None and (in_signoff or signs):
        role = 0
    if role is None or not (in_signoff or signs):
        return None
    return [_cell(r, role) for r in table.rows if _cell(r, role)]
