"""Checklists drawn in boxes inside a plain fence ("│  ✓ Tests passing  │"): read as the list they draw,
so their ticks become items and their "Auto-rollback triggers:" lists triggers, instead of one opaque block."""

from __future__ import annotations

import re

from golive.console.importer.markdown import Block, Code, Item, Paragraph

_BOX = "│┃║┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬═─━|+"
_BORDER = re.compile(rf"^[\s{re.escape(_BOX)}]*$")
_TICK = re.compile(r"^(?:✓|✔|☐|□|◻|⬜|\[ \])\s*")
_BULLET = re.compile(r"^(?:•|·|▪|‣|-)\s+")
_COLUMNS = re.compile(r"\S\s{2,}\S.*\S\s{2,}\S")  # column-aligned output ("pod-1  v2  Running  (2m ago)")


def _is_box(code: Code) -> bool:
    lines = [ln for ln in code.text.splitlines() if ln.strip()]
    if code.info not in ("", "text", "txt", "plain") or len(lines) < 3:
        return False
    boxed = sum(1 for ln in lines if ln.strip()[:1] in _BOX)
    return boxed * 10 >= len(lines) * 6


def _inner(line: str) -> str:
    return line.strip().strip(_BOX).strip()


def _read(code: Code) -> list[Block]:
    out: list[Block] = []
    for n, line in enumerate(code.text.splitlines()):
        if _BORDER.match(line):
            continue
        text = _inner(line)
        if not text:
            continue
        number = code.line + n + 1
        if (m := _TICK.match(text)) and not _COLUMNS.search(text):
            out.append(Item(text[m.end():].strip(), number, 0, False, " "))
        elif (m := _BULLET.match(text)) and not _COLUMNS.search(text):
            out.append(Item(text[m.end():].strip(), number, 0, False, None))
        elif not _TICK.match(text) and not _BULLET.match(text):
            out.append(Paragraph(text, number))
    return out


def unbox(blocks: list[Block]) -> list[Block]:
    """The document with every box-drawn checklist replaced by the paragraphs and items it draws."""
    out: list[Block] = []
    for block in blocks:
        out.extend(_read(block) if isinstance(block, Code) and _is_box(block) else [block])
    return out
