"""Label and field selectors as the sandbox Kubernetes API understands them.

Label selectors are parsed by Golive's own Kubernetes source (``golive.checks.kubernetes.selectors``).
Field selectors: ``path=value``, ``path==value``, ``path!=value`` on dotted paths
(``metadata.name``, ``status.phase``, ``involvedObject.name``, ``type``).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from golive.checks.kubernetes.selectors import SelectorError, parse_label_selector, split_requirements

__all__ = ["SelectorError", "parse_label_selector", "parse_field_selector", "selector_string"]

Predicate = Callable[[dict], bool]


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
    for part in split_requirements(text or ""):
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
