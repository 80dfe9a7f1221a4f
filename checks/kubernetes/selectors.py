"""Kubernetes label selectors, parsed once for Golive's source and the demo's sandbox API server alike.

Strings: ``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``; LabelSelector
objects: ``matchLabels`` and ``matchExpressions`` (In, NotIn, Exists, DoesNotExist).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Callable


class SelectorError(ValueError):
    """A selector that cannot be parsed; the message quotes the bad part."""


_REQUIREMENT = re.compile(r"^\s*(!?)([\w./-]+)\s*(?:(==|=|!=)\s*([\w./-]*)|\s+(in|notin)\s+\(([^)]*)\))?\s*$")


def split_requirements(text: str) -> list[str]:
    """The comma-separated parts of a selector, not split inside ``( )`` (set values hold commas); blanks dropped."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _equals(labels: dict, key: str, value: str, negate: bool) -> bool:
    return (labels.get(key) == value) != negate


def _member(labels: dict, key: str, choices: set[str], negate: bool) -> bool:
    return (labels.get(key) in choices) != negate


def _exists(labels: dict, key: str, negate: bool) -> bool:
    return (key in labels) != negate


def parse_label_selector(text: str | None) -> Callable[[dict], bool]:
    """A predicate on a labels dict for a label selector string (``app=x,track!=canary,tier in (a,b)``).

    An empty selector matches everything.

    Raises:
        SelectorError: a requirement does not parse; the message quotes it.
    """
    tests: list[Callable[[dict], bool]] = []
    for part in split_requirements(text or ""):
        m = _REQUIREMENT.match(part)
        if not m or (m.group(1) and (m.group(3) or m.group(5))):
            raise SelectorError(f"cannot parse label selector requirement {part!r}")
        negate, key, eq, value, set_op, values = m.groups()
        if eq:
            tests.append(partial(_equals, key=key, value=value, negate=eq == "!="))
        elif set_op:
            choices = {v.strip() for v in values.split(",")}
            tests.append(partial(_member, key=key, choices=choices, negate=set_op == "notin"))
        else:
            tests.append(partial(_exists, key=key, negate=bool(negate)))
    return lambda labels: all(t(labels or {}) for t in tests)


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """Whether a workload's LabelSelector object selects these labels (an empty one selects nothing)."""
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return False
    labels = labels or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), set(e.get("values") or [])
        present = key in labels
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and present and labels[key] in values) \
                or (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True
