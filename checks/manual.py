"""Manual items: their evidence is a person's tick, not a sample.

The screen ticks them with the keyboard; a headless run answers them from an
answers file (``[answers.<check-id>] by = "name"``, optional ``note``), read here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.base import Sample, SourceError


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
    """Read an answers file; raises ValueError with a one-line message naming the field."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{p}: TOML syntax: {exc}") from None
    unknown = set(raw) - {"answers", "signoff", "approve"}
    if unknown:
        raise ValueError(f"{p}: unknown section {sorted(unknown)[0]!r} (expected [answers.<check-id>] or [signoff.<role>])")
    items: dict[str, Answer] = {}
    for check_id, body in raw.get("answers", {}).items():
        if not isinstance(body, dict) or not isinstance(body.get("by"), str) or not body["by"].strip():
            raise ValueError(f'{p}: answers.{check_id}.by: expected the name of who confirmed it, e.g. by = "alice"')
        extra = set(body) - {"by", "note"}
        if extra:
            raise ValueError(f"{p}: answers.{check_id}: unknown field {sorted(extra)[0]!r}")
        items[check_id] = Answer(check_id, body["by"].strip(), str(body.get("note", "")))
    signoff: dict[str, str] = {}
    for role, body in raw.get("signoff", {}).items():
        if not isinstance(body, dict) or not isinstance(body.get("by"), str) or not body["by"].strip():
            raise ValueError(f'{p}: signoff.{role}.by: expected the name of who signs, e.g. by = "alice"')
        signoff[role] = body["by"].strip()
    approve: dict[str, str] = {}
    for role, body in raw.get("approve", {}).items():
        if not isinstance(body, dict) or not isinstance(body.get("by"), str) or not body["by"].strip():
            raise ValueError(f'{p}: approve.{role}.by: expected the name of who approves, e.g. by = "alice"')
        approve[role] = body["by"].strip()
    return Answers(items, signoff, approve)


class ManualSource:
    """Present for the protocol's sake: asking it to sample a manual item is a programming error."""

    kind = "manual"

    async def sample(self, check: Any) -> Sample:
        raise SourceError(f"{check.id} is a manual item: a person confirms it, nothing samples it")

    async def close(self) -> None:
        return None


def create(name: str, target: Any, *, on_change=None, on_log=None) -> ManualSource:
    return ManualSource()
