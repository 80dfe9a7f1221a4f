"""Manual items: their evidence is a person's tick, not a sample.

The screen ticks them with the keyboard; a headless run answers them from an
answers file (``[answers.<check-id>] by = "name"``, optional ``note``), read here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.checks.base import Sample, SourceError


@dataclass(frozen=True)
class Answer:
    check: str
    by: str
    note: str = ""


@dataclass(frozen=True)
class Answers:
    items: dict[str, Answer]
    signoff: dict[str, str]   # role -> name
    approve: dict[str, str] = field(default_factory=dict)   # role -> name; only roles [roles] does not bind


def load_answers(path: str | Path) -> Answers:
    """Read an answers file; raises ValueError with a one-line message naming the file and the field."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
        raw = tomllib.loads(text)
    except OSError as exc:
        raise ValueError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{p}: TOML syntax: {exc}") from None
    except (ValueError, RecursionError) as exc:  # thousands of digits, or nested thousands deep
        why = "nested too deeply" if isinstance(exc, RecursionError) else "a number too long"
        raise ValueError(f"{p}: {why}") from None
    unknown = set(raw) - {"answers", "signoff", "approve"}
    if unknown:
        raise ValueError(f"{p}: unknown section {_shown(sorted(unknown)[0])} "
                         "(expected [answers.<check-id>] or [signoff.<role>])")
    items: dict[str, Answer] = {}
    for check_id, body in _table(p, raw, "answers", "[answers.<check-id>] by = \"alice\"").items():
        where = f"{p}: answers.{_key(check_id)}"
        if not isinstance(body, dict) or not isinstance(body.get("by"), str) or not body["by"].strip():
            raise ValueError(f'{where}.by: expected the name of who confirmed it, e.g. by = "alice"')
        extra = set(body) - {"by", "note"}
        if extra:
            raise ValueError(f"{where}: unknown field {_shown(sorted(extra)[0])} (expected by or note)")
        if not isinstance(body.get("note", ""), str):
            raise ValueError(f"{where}.note: expected a string")
        items[check_id] = Answer(check_id, body["by"].strip(), body.get("note", ""))
    signoff: dict[str, str] = {}
    for role, body in _table(p, raw, "signoff", "[signoff.<role>] by = \"alice\"").items():
        if not isinstance(body, dict) or not isinstance(body.get("by"), str) or not body["by"].strip():
            raise ValueError(f'{p}: signoff.{_key(role)}.by: expected the name of who signs, e.g. by = "alice"')
        signoff[role] = body["by"].strip()
    approve: dict[str, str] = {}
    for role, body in _table(p, raw, "approve", "[approve.<role>] by = \"alice\"").items():
        if not isinstance(body, dict) or not isinstance(body.get("by"), str) or not body["by"].strip():
            raise ValueError(f'{p}: approve.{_key(role)}.by: expected the name of who approves, e.g. by = "alice"')
        approve[role] = body["by"].strip()
    return Answers(items, signoff, approve)


def _table(path: Path, raw: dict, name: str, example: str) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ValueError(f"{path}: {name}: expected a table like {example}, got {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "…" + text[-3:]


def _key(key: str) -> str:
    return key if len(key) <= 40 else key[:39] + "…"


def check_answers(answers: Answers, runbook: Any, path: str | Path) -> None:
    """Refuse answers the runbook cannot use: an unknown or automated check, an unknown role or approval.

    Raises:
        ValueError: one line naming the file and the field.
    """
    manual = [c.id for _, c in runbook.iter_checks() if c.source == "manual"]
    for check_id in answers.items:
        if check_id not in manual:
            known = ", ".join(manual[:10]) + (" …" if len(manual) > 10 else "") if manual else "none"
            raise ValueError(f"{path}: answers.{_key(check_id)}: the runbook has no manual item {_shown(check_id)} "
                             f"(its manual items: {known})")
    roles = list(runbook.meta.signoff)
    for role in answers.signoff:
        if role not in roles:
            raise ValueError(f"{path}: signoff.{_key(role)}: the runbook has no sign-off role {_shown(role)} "
                             f"(its roles: {', '.join(roles) or 'none'})")
    awaited = list(dict.fromkeys(role for phase in runbook.phases for role in phase.approve))
    for role in answers.approve:
        if role not in awaited:
            raise ValueError(f"{path}: approve.{_key(role)}: no phase of the runbook awaits an approval by role "
                             f"{_shown(role)} (approvals awaited: {', '.join(awaited) or 'none'})")


def unanswered(runbook: Any, answers: Answers | None, done: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """One line per manual item a headless run will wait for: no answer, not confirmed yet (``done``)."""
    from golive.console.units import format_duration

    lines = []
    for phase in runbook.phases:
        for check in phase.manual_checks:
            if check.id in done or (answers is not None and check.id in answers.items):
                continue
            role = f", role {check.role}" if check.role else ""
            until = (f"until the phase times out after {format_duration(phase.timeout)}" if phase.timeout
                     else "and the phase has no timeout: until the run is stopped")
            lines.append(f"manual item {check.id!r} (phase {phase.id!r}: {check.label}{role}) has no answer: "
                         f"the run will wait for it {until}; add [answers.{check.id}] to --answers")
    return lines


class ManualSource:
    """Present for the protocol's sake: asking it to sample a manual item is a programming error."""

    kind = "manual"

    async def sample(self, check: Any) -> Sample:
        raise SourceError(f"{check.id} is a manual item: a person confirms it, nothing samples it")

    async def close(self) -> None:
        return None


def create(name: str, target: Any, *, on_change=None, on_log=None) -> ManualSource:
    return ManualSource()
