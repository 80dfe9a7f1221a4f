"""Nothing dropped silently: every block, table and list the import made nothing of is kept as a comment
on the phase it came from (or the header, before the first phase), and counted in the summary."""

from __future__ import annotations

from golive.console.importer.context import ImportContext
from golive.console.importer.draft import Draft
from golive.console.importer.markdown import Code, Item, Table
from golive.console.importer.sections import Section
from golive.console.importer.text import plain

_SHOWN = 100


def _walk(section: Section):
    yield section
    for child in section.children:
        yield from _walk(child)


def _short(text: str) -> str:
    text = " ".join(plain(text).split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _describe(block) -> str:
    if isinstance(block, Code):
        first = next((ln.strip() for ln in block.text.splitlines() if ln.strip()), "")
        lines = len([ln for ln in block.text.splitlines() if ln.strip()])
        return f"a {block.info or 'plain'} block of {lines} lines: {_short(first)}"
    if isinstance(block, Table):
        return f"a table of {len(block.rows)} rows ({_short(' | '.join(block.header))})"
    return f"a list item: {_short(block.text)}"


def _groups(section: Section, used: set[int]):
    """Unused blocks of a section; a run of unused list items counts as one list."""
    run: list[Item] = []
    for block in section.blocks:
        if isinstance(block, Item) and id(block) not in used:
            run.append(block)
            continue
        if run:
            yield run[0].line, _list(run)
            run = []
        if isinstance(block, (Code, Table)) and id(block) not in used and (
                not isinstance(block, Code) or block.text.strip()):
            yield block.line, _describe(block)
    if run:
        yield run[0].line, _list(run)


def _list(items: list[Item]) -> str:
    if len(items) == 1:
        return _describe(items[0])
    return f"a list of {len(items)} items: {_short(items[0].text)}; …"


def keep_leftovers(root: Section, draft: Draft, ctx: ImportContext) -> int:
    """Attach a comment for every unused block to the phase at or before its line; returns how many."""
    kept = 0
    ordered = sorted((p for p in draft.phases if p.line < 10**9), key=lambda p: p.line)
    for section in _walk(root):
        for line, what in _groups(section, ctx.used):
            where = f" under {section.title!r}" if section.title else ""
            text = f"not imported (line {line}{where}): {what}"
            before = [p for p in ordered if p.line <= line]
            (before[-1].comments if before else draft.header).append(text)
            kept += 1
    return kept
