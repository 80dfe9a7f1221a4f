"""Label and field selectors as the sandbox Kubernetes API understands them.

Label selectors: ``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``.
Field selectors: ``path=value``, ``path==value``, ``path!=value`` on dotted paths
(``metadata.name``, ``status.phase``, ``involvedObject.name``, ``type``).
"""

from __future__ import annotations

import re
from typing import Any, Callable

Predicate = Callable[[dict], bool]


class SelectorError(ValueError):
    """A selector that cannot be parsed; the message quotes the bad part."""


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside ``( )`` (set-based values contain commas)."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


_SET_RE = re.compile(r"^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$")
_EQ_RE = re.compile(r"^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$")
_EXISTS_RE = re.compile(r"^(!?)([\w./-]+)$")


def parse_label_selector(text: str | None) -> Callable[[dict[str, str]], bool]:
    """A predicate on a labels dict; an empty selector matches everything.

    Raises:
        SelectorError: the selector does not parse.
    """
    tests: list[Callable[[dict[str, str]], bool]] = []
    for part in _split_top_level(text or ""):
        if m := _SET_RE.match(part):
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if op == "in":
                tests.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                tests.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
        elif m := _EQ_RE.match(part):
            key, op, value = m.groups()
            if op == "!=":
                tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif m := _EXISTS_RE.match(part):
            negate, key = m.group(1) == "!", m.group(2)
            tests.append(lambda labels, k=key, n=negate: (k in labels) != n)
        else:
            raise SelectorError(f"unable to parse requirement: {part!r}")
    return lambda labels: all(t(labels or {}) for t in tests)


def _field(obj: dict, path: str) -> Any:
    value: Any = obj
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def parse_field_selector(text: str | None) -> Predicate:
    """A predicate on a whole object; absent fields compare as the empty string.

    Raises:
        SelectorError: the selector does not parse.
    """
    tests: list[Predicate] = []
    for part in _split_top_level(text or ""):
        m = re.match(r"^([\w.]+)\s*(==|=|!=)\s*(.*)$", part)
        if not m:
            raise SelectorError(f"invalid field selector: {part!r}")
        path, op, value = m.groups()

        def test(obj: dict, p: str = path, o: str = op, v: str = value) -> bool:
            actual = _field(obj, p)
            actual = "" if actual is None else str(actual)
            return (actual != v) if o == "!=" else (actual == v)

        tests.append(test)
    return lambda obj: all(t(obj) for t in tests)


def label_selector_matches(selector: dict | None, labels: dict[str, str] | None) -> bool:
    """Whether a LabelSelector object (matchLabels/matchExpressions) selects these labels.

    An empty or absent selector selects nothing, as for a workload's pod selector.
    """
    if not selector:
        return False
    labels = labels or {}
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for expr in expressions:
        key, op, values = expr.get("key"), expr.get("operator"), set(expr.get("values") or [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def selector_string(selector: dict | None) -> str:
    """The LabelSelector object as a selector string (``app=x,tier in (a,b)``)."""
    if not selector:
        return ""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), ",".join(sorted(expr.get("values") or []))
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": key, "DoesNotExist": f"!{key}"}.get(op, key))
    return ",".join(parts)
