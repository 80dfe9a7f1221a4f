"""Turn a Markdown go-live checklist into a runbook that passes `golive lint`.

``import_checklist(data, name)`` returns the runbook text, the validated model and a
summary; it raises ``ChecklistError`` (one line) for input that is not a checklist.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from golive.console.importer.boxes import unbox
from golive.console.importer.build import NoChecklist, build_draft
from golive.console.importer.draft import Summary, summarise
from golive.console.importer.emit import as_data, emit
from golive.console.importer.markdown import parse_markdown
from golive.console.importer.mojibake import repair_mojibake
from golive.console.importer.text import clean_control

__all__ = ["ChecklistError", "ImporterBug", "ImportResult", "import_checklist", "decode_checklist", "MAX_BYTES",
           "MAX_CHECKS"]

MAX_BYTES = 5 * 1024 * 1024
MAX_CHECKS = 5000


class ChecklistError(ValueError):
    """The input cannot be imported (not text, empty, no checklist in it); the message is one line."""


class ImporterBug(RuntimeError):
    """The importer made a runbook that does not lint: a defect of the importer, never of the input."""


@dataclass(frozen=True)
class ImportResult:
    text: str
    runbook: Any  # console.runbook.Runbook
    summary: Summary


def decode_checklist(data: bytes | str, name: str) -> str:
    """The checklist as text: UTF-8 (with or without BOM), else cp1252 when that reads as text.

    Raises:
        ChecklistError: binary data, empty input, or input too large.
    """
    if isinstance(data, str):
        text = data
    else:
        if len(data) > MAX_BYTES:
            raise ChecklistError(f"{name}: too large for a checklist ({len(data)} bytes; the limit is {MAX_BYTES})")
        if b"\x00" in data:
            raise ChecklistError(f"{name}: not a Markdown checklist: binary data (NUL byte at offset {data.index(0)})")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise ChecklistError(f"{name}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    if "\x00" in text:
        raise ChecklistError(f"{name}: not a Markdown checklist: binary data (NUL character)")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text) // 100):
        raise ChecklistError(f"{name}: not a Markdown checklist: {controls} control characters (binary data?)")
    if not text.strip():
        raise ChecklistError(f"{name}: empty: nothing to import")
    return text


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def import_checklist(data: bytes | str, name: str = "<checklist>") -> ImportResult:
    """Import one Markdown checklist.

    Returns:
        The runbook text (TOML with comments), the model ``parse_runbook`` made of it, and a summary.
    Raises:
        ChecklistError: the input is not a checklist (one line, naming ``name``).
        ImporterBug: the result does not lint; never expected, reported rather than written.
    """
    from golive.console.runbook import RunbookError, parse_runbook

    text = decode_checklist(data, name)
    repair = repair_mojibake(clean_control(text.replace("\r\n", "\n").replace("\r", "\n")))
    blocks = unbox(parse_markdown(repair.text))
    try:
        draft = build_draft(blocks, name)
    except NoChecklist as exc:
        raise ChecklistError(f"{name}: {exc}") from None
    summary = summarise(draft, repair.restored, repair.dropped)
    total = sum(summary.checks_by_source.values()) + summary.triggers
    if total > MAX_CHECKS:
        raise ChecklistError(f"{name}: {total} checks and triggers: more than a go-live can drive "
                             f"(at most {MAX_CHECKS}); split the checklist")
    draft.header[:0] = [f"Runbook imported by `golive import` from {name}.",
                        "Review it before a go-live: the comments say what could not be mapped and why.",
                        "Command checks pass when the command exits 0; confirm = true makes Golive ask first.",
                        *summary.lines(), ""]
    runbook_text = emit(draft)
    try:
        parsed = tomllib.loads(runbook_text)
    except tomllib.TOMLDecodeError as exc:
        raise ImporterBug(f"{name}: the runbook made from it is not valid TOML: {_one_line(exc)}") from None
    if parsed != as_data(draft):
        raise ImporterBug(f"{name}: the runbook text does not read back as written (a string escaping defect)")
    try:
        runbook = parse_runbook(runbook_text, name)
    except RunbookError as exc:
        raise ImporterBug(f"{name}: the runbook made from it does not lint: {_one_line(exc.problems[0])}") from None
    return ImportResult(runbook_text, runbook, summary)

