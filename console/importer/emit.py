"""Write a draft as runbook TOML text, with the comments that say what was not mapped and why."""

from __future__ import annotations

import math
import re
from typing import Any

from golive.console.importer.draft import Draft, Entry, PhaseDraft

_BARE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_COMMENT_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")


def toml_string(text: str) -> str:
    """A TOML string for any text: a literal '…' when nothing needs escaping, else a basic "…" string."""
    if "'" not in text and not _NEEDS_ESCAPE.search(text):
        return f"'{text}'"
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0), f"\\u{ord(m.group(0)):04x}"), text) + '"'


def _multiline(text: str) -> str:
    """A multi-line basic string; quotes are escaped so a run of three can never close it early."""
    body = _NEEDS_ESCAPE.sub(
        lambda m: "\n" if m.group(0) == "\n" else _ESCAPES.get(m.group(0), f"\\u{ord(m.group(0)):04x}"), text
    )
    return '"""\n' + body + '"""'


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a runbook number must be finite, got {value}")
        return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)
    if isinstance(value, str):
        return _multiline(value) if "\n" in value else toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def comment(text: str) -> str:
    """One comment line; text that would break it (newlines, control characters) becomes spaces."""
    return "# " + _COMMENT_UNSAFE.sub(" ", text).strip() if text.strip() else "#"


def _fields(out: list[str], fields: dict[str, Any], indent: str, notes: dict[str, str] | None = None) -> None:
    for key, value in fields.items():
        if value is None:
            continue
        line = f"{indent}{toml_key(key)} = {toml_value(value)}"
        note = (notes or {}).get(key)
        out.append(f"{line}  {comment(note)}" if note else line)


def _table(out: list[str], header: str, entry: Entry, indent: str) -> None:
    out.append("")
    out.extend(indent + comment(c) for c in entry.comments)
    out.append(f"{indent}{header}")
    _fields(out, entry.fields, indent)


def _phase(out: list[str], phase: PhaseDraft) -> None:
    out.append("")
    out.extend(comment(c) for c in phase.comments)
    out.append("[[phase]]")
    _fields(out, phase.fields, "")
    if phase.action is not None:
        _table(out, "[phase.action]", phase.action, "  ")
    for check in phase.checks:
        _table(out, "[[phase.check]]", check, "  ")


def emit(draft: Draft) -> str:
    """The runbook text for a draft."""
    out = [comment(c) for c in draft.header]
    out.append("[runbook]")
    _fields(out, draft.meta, "", draft.meta_comments)
    if draft.variables:
        out += ["", "[runbook.vars]"]
        _fields(out, draft.variables, "", draft.variable_comments)
    for kind, named in draft.targets.items():
        for name, fields in named.items():
            out += ["", f"[targets.{toml_key(kind)}.{toml_key(name)}]"]
            _fields(out, fields, "")
    for phase in draft.phases:
        _phase(out, phase)
    for trigger in draft.triggers:
        _table(out, "[[trigger]]", trigger, "")
    if draft.rollback is not None:
        _table(out, "[rollback]", draft.rollback, "")
    return "\n".join(out) + "\n"


def as_data(draft: Draft) -> dict[str, Any]:
    """The data the emitted text must parse back to (to prove the escaping is right)."""
    def clean(fields: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in fields.items() if v is not None}

    meta = clean(draft.meta)
    if draft.variables:
        meta["vars"] = dict(draft.variables)
    data: dict[str, Any] = {"runbook": meta}
    if draft.targets:
        data["targets"] = {k: {n: clean(f) for n, f in named.items()} for k, named in draft.targets.items()}
    phases = []
    for phase in draft.phases:
        item = clean(phase.fields)
        if phase.action is not None:
            item["action"] = clean(phase.action.fields)
        if phase.checks:
            item["check"] = [clean(c.fields) for c in phase.checks]
        phases.append(item)
    data["phase"] = phases
    if draft.triggers:
        data["trigger"] = [clean(t.fields) for t in draft.triggers]
    if draft.rollback is not None:
        data["rollback"] = clean(draft.rollback.fields)
    return data
