"""What a runbook still needs before a go-live: unset variables, empty or placeholder target URLs. An imported
runbook leaves these for a person; ``golive run`` names each one (and checks.manual.unanswered the manual items)."""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import urlsplit

_PLACEHOLDER = re.compile(r"^\s*$|[<>\[\]]|\bTODO\b|\bCHANGE[_\s-]?ME\b|\bfill[\s-]in\b|\bREPLACE\b", re.I)
_META = ("service", "version", "environment")
_META_VARS = ("name", "service", "version", "environment", "owner")   # the [runbook] fields ${...} can name
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_\-]*)\}")


def _line(text: str, key: str) -> str:
    """``:N`` for the first line that sets ``key``, so the message points at what to edit."""
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return f":{n}"
    return ""


def missing_inputs(runbook: Any, text: str = "", overrides: dict[str, str] | None = None) -> list[str]:
    """One line per thing to fill in before the runbook can drive a go-live; [] when nothing is missing."""
    name = runbook.source_path or "<runbook>"
    overrides = overrides or {}
    out: list[str] = []
    for key in _META:
        if not str(getattr(runbook.runbook, key, "")).strip() and key not in overrides:
            out.append(f"{name}{_line(text, key)}: runbook.{key} is not set: fill it in or pass --set {key}=…")
    for key, value in runbook.runbook.vars.items():
        if not str(runbook.variables.get(key, value)).strip():
            out.append(f"{name}{_line(text, key)}: variable ${{{key}}} is not set (runbook.vars.{key}): "
                       f"fill it in or pass --set {key}=…")
    for kind in ("prometheus", "alertmanager"):
        for target, spec in getattr(runbook.targets, kind).items():
            if _PLACEHOLDER.search(spec.url) or not urlsplit(spec.url).netloc:
                shown = spec.url or "empty"
                out.append(f"{name}: targets.{kind}.{target}.url is a placeholder ({shown}): give the server's URL")
    for phase, check in runbook.iter_checks():
        host = urlsplit(check.url).hostname or "" if check.source == "http" else None
        if host is not None and not check.target and (not host or re.search(r"(?:^|\.)example(?:\.com|\.org)?$", host)):
            out.append(f"{name}: check {check.id!r} (phase {phase.id!r}) has no real host in its url ({check.url})")
    return out



def unknown_overrides(runbook: Any, text: str, overrides: dict[str, str]) -> list[str]:
    """One line per ``--set NAME=…`` the runbook neither declares nor uses: a misspelt name would otherwise leave
    the runbook's own value (production's URL, a five-minute hold) in force without a word. The value is not shown."""
    name = runbook.source_path or "<runbook>"
    known = set(_META_VARS) | set(runbook.runbook.vars) | set(_REFERENCE.findall(text))
    out = []
    for key in overrides:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            out.append(f"--set {key}=…: {name} has no variable ${{{key}}}{hint}")
    return out
