"""A small Markdown block parser: headings, nested list items with checkboxes, fences, tables, paragraphs.

It never fails: any text parses into blocks, which is what an importer of hand-written checklists needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])(?:( +)(.*))?$")
_CHECKBOX = re.compile(r"^\[([ xX])\](?:\s+|$)")
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
MAX_DEPTH = 16  # deeper nesting is kept at this depth: no checklist needs more, and recursion stays bounded
MAX_TEXT = 20_000  # characters of one paragraph or item; the rest is cut so pathological lines stay cheap
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


@dataclass
class Heading:
    level: int
    text: str
    line: int


@dataclass
class Paragraph:
    text: str
    line: int


@dataclass
class Code:
    info: str
    text: str
    line: int


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    line: int


@dataclass
class Item:
    """A list item: its own text, its checkbox (None, " " or "x"), and what is nested in it."""

    text: str
    line: int
    indent: int
    ordered: bool
    checkbox: str | None = None
    children: list = field(default_factory=list)

    @property
    def items(self) -> list["Item"]:
        return [c for c in self.children if isinstance(c, Item)]


Block = Heading | Paragraph | Code | Table | Item


def _cells(line: str) -> list[str]:
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row)]


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Parser:
    def __init__(self, text: str):
        self.lines = [ln.expandtabs(4).rstrip() for ln in text.splitlines()]
        self.pos = 0
        self.blocks: list[Block] = []
        self.stack: list[Item] = []  # open list items, outermost first
        self.blank_before = False

    def add(self, block: Block, indent: int) -> None:
        """Attach a block to the deepest open item it is indented under, else to the document."""
        while self.stack and indent <= self.stack[-1].indent:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.blocks).append(block)

    def parse(self) -> list[Block]:
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if not line.strip():
                self.blank_before = True
                self.pos += 1
                continue
            self.step(line)
            self.blank_before = False
        return self.blocks

    def step(self, line: str) -> None:
        number = self.pos + 1
        indent = _indent_of(line)
        if m := _FENCE.match(line):
            self.fence(m, number)
            return
        if m := _HEADING.match(line):
            self.stack.clear()
            self.blocks.append(Heading(len(m.group(1)), (m.group(2) or "").strip(), number))
            self.pos += 1
            return
        if _BREAK.match(line):
            self.stack.clear()
            self.pos += 1
            return
        if m := _ITEM.match(line):
            self.item(m, number)
            return
        if "|" in line and self.pos + 1 < len(self.lines) and _TABLE_RULE.match(self.lines[self.pos + 1]) \
                and "-" in self.lines[self.pos + 1]:
            self.table(indent, number)
            return
        self.paragraph(line, indent, number)

    def fence(self, m: re.Match, number: int) -> None:
        indent, marker, info = len(m.group(1)), m.group(2), m.group(3).strip()
        body: list[str] = []
        self.pos += 1
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            self.pos += 1
            close = line.strip()
            if close.startswith(marker[0] * len(marker)) and not close.strip(marker[0]):
                break
            body.append(line[min(indent, _indent_of(line)):])
        language = info.split()[0].lower() if info else ""
        code = Code(language, "\n".join(body), number)
        if self.stack and not self.blank_before and indent <= self.stack[0].indent:
            self.stack[-1].children.append(code)  # a fence written flush under its item still belongs to it
        else:
            self.add(code, indent)

    def item(self, m: re.Match, number: int) -> None:
        indent, marker, text = len(m.group(1)), m.group(2), (m.group(4) or "").strip()
        checkbox = None
        if c := _CHECKBOX.match(text):
            checkbox = "x" if c.group(1) in "xX" else " "
            text = text[c.end():].strip()
        item = Item(_cut(text), number, indent, ordered=marker[0].isdigit(), checkbox=checkbox)
        if len(self.stack) >= MAX_DEPTH and indent > self.stack[-1].indent:
            self.stack.pop()  # too deep: a sibling of the deepest item instead of its child
        self.add(item, indent)
        self.stack.append(item)
        self.pos += 1

    def table(self, indent: int, number: int) -> None:
        header = _cells(self.lines[self.pos])
        rows: list[list[str]] = []
        self.pos += 2
        while self.pos < len(self.lines) and "|" in self.lines[self.pos] and self.lines[self.pos].strip():
            rows.append(_cells(self.lines[self.pos]))
            self.pos += 1
        self.add(Table(header, rows, number), indent)

    def paragraph(self, line: str, indent: int, number: int) -> None:
        text = line.strip()
        self.pos += 1
        item = self.stack[-1] if self.stack else None
        if item is not None and not self.blank_before and not item.children:
            if len(item.text) < MAX_TEXT:  # a continuation (or lazy) line of the item's text
                item.text = _cut(f"{item.text} {text}".strip())
            return
        siblings = item.children if item is not None and indent > item.indent else self.blocks
        if not self.blank_before and siblings and isinstance(siblings[-1], Paragraph):
            if len(siblings[-1].text) < MAX_TEXT:
                siblings[-1].text = _cut(siblings[-1].text + "\n" + text)
            return
        self.add(Paragraph(_cut(text), number), indent)


def parse_markdown(text: str) -> list[Block]:
    """The document's top-level blocks; list items carry their nested blocks in ``children``."""
    return _Parser(text).parse()
