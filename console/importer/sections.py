"""Headings as a tree, which of its sections hold checklist items, and which of them become phases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from golive.console.importer.commands import code_kind
from golive.console.importer.markdown import Block, Code, Heading, Item, Paragraph, Table
from golive.console.importer.text import clean_title, starts_with_marker
from golive.console.importer.thresholds import looks_like_stage

TRIGGER_CONTEXT = re.compile(
    r"\broll\s*-?backs?\s+(?:immediately\s+|automatically\s+)?(?:if|when|on)\b"
    r"|\brollback\s+(?:triggers?|conditions?|criteria|decision)\b|\btrigger\s+(?:criteria|conditions?)\b"
    r"|\bwhen\s+to\s+roll\s*-?back\b|\babort\s+(?:if|when|criteria|conditions?)\b"
    r"|\b(?:automatic|auto)(?:ed)?[\s\-]+(?:rollback|triggers?)\b|\bfailure\s+signals?\b|\bno[\s\-]go\s+(?:criteria|conditions?)\b",
    re.IGNORECASE,
)
TICK = re.compile(r"^(?:✅|✔|✓|☐|☑|⬜)")
CRITERIA = re.compile(r"\b(?:verif\w*|criteria|expected|acceptance|checks?|success\w*|validat\w*)\b", re.I)
_STEPS = re.compile(r"\broll\s*-?back\b|\brevert\b|^\s*step\s*\d+|\bdeploy(?:ment)?\s+steps?\b|\bverif\w*|"
                    r"\bvalidat\w*|\bhealth\b|\bsmoke\b|\bchecks?\b|\bmonitor\w*|\bbaseline\b", re.I)
_SUMMARY_HEADING = re.compile(r"\b(?:summary|overview|results?|report|achievements?|metrics)\b", re.IGNORECASE)
_CHECK_COLUMNS = ("check", "metric", "test", "item", "task", "step", "validation", "criteria", "criterion",
                  "requirement", "control")
_TARGET_COLUMNS = ("target", "threshold", "expected", "goal", "sla", "slo", "limit", "pass criteria")
_STATUS_COLUMNS = ("status", "result", "done", "pass/fail", "ok")


@dataclass
class Section:
    """A heading and what lies under it up to the next heading of the same or a higher level."""

    title: str
    level: int
    line: int
    blocks: list[Block] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)
    parent: "Section | None" = field(default=None, repr=False, compare=False)

    def ancestors(self) -> list["Section"]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


def build_tree(blocks: list[Block]) -> Section:
    """The document as a tree of sections under a root of level 0."""
    root = Section("", 0, 0)
    path = [root]
    for block in blocks:
        if isinstance(block, Heading):
            while path[-1].level >= block.level:
                path.pop()
            section = Section(clean_title(block.text), block.level, block.line, parent=path[-1])
            path[-1].children.append(section)
            path.append(section)
        else:
            path[-1].blocks.append(block)
    return root


def iter_items(blocks: list[Block]):
    """Every list item in the blocks, nested ones included, in document order."""
    for block in blocks:
        if isinstance(block, Item):
            yield block
            yield from iter_items(block.children)


def _header_index(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [clean_title(h).lower() for h in header]
    for i, cell in enumerate(lowered):
        if any(cell == n or cell.startswith(n) for n in names):
            return i
    return None


def table_columns(table: Table, heading: str) -> tuple[int, int | None] | None:
    """(check column, target column or None) when a table lists checks; None for a table of results."""
    if _SUMMARY_HEADING.search(heading) or not table.rows:
        return None
    check = _header_index(table.header, _CHECK_COLUMNS)
    target = _header_index(table.header, _TARGET_COLUMNS)
    status = _header_index(table.header, _STATUS_COLUMNS)
    if check is None or (target is None and status is None):
        return None
    return check, target


@dataclass(frozen=True)
class Mode:
    """Which list items count as checklist items in this document.

    "checkbox": the document uses - [ ] items, so only those count (and plain items
    under headings that name a stage); "marked": numbered or ✅-marked items;
    "plain": every top-level item, for documents that are bullet lists only.
    """

    name: str


def document_mode(blocks: list[Block]) -> Mode:
    """How this document marks its checklist items."""
    items = list(iter_items(blocks))
    if any(i.checkbox is not None for i in items):
        return Mode("checkbox")
    top = [b for b in blocks if isinstance(b, Item)]
    if any(i.ordered or starts_with_marker(i.text) for i in top):
        return Mode("marked")
    return Mode("plain")


def counts(item: Item, mode: Mode, heading: str) -> bool:
    """True when a top-level item of a section is a checklist item under the document's mode."""
    if mode.name == "checkbox":
        return item.checkbox is not None or any(c.checkbox is not None for c in iter_items(item.children)) \
            or looks_like_stage(heading)
    if mode.name == "marked":
        return item.ordered or starts_with_marker(item.text)
    return True


def own_items(section: Section, mode: Mode) -> bool:
    """True when the section's own blocks (not its subsections') hold checklist items or a check table."""
    triggers = bool(TRIGGER_CONTEXT.search(section.title))
    criteria = bool(CRITERIA.search(section.title))
    for block in section.blocks:
        if isinstance(block, Paragraph):
            triggers = bool(TRIGGER_CONTEXT.search(block.text)) or bool(TRIGGER_CONTEXT.search(section.title))
            criteria = bool(CRITERIA.search(block.text[:60])) or bool(CRITERIA.search(section.title))
        if isinstance(block, Item) and criteria and TICK.match(block.text.lstrip()):
            return True
        if isinstance(block, Item) and (triggers or counts(block, mode, section.title)):
            return True
        if isinstance(block, Code) and _STEPS.search(section.title) and code_kind(block.info, block.text) == "shell":
            return True  # a rollback procedure or a step written as commands only
        if isinstance(block, Table) and (table_columns(block, section.title) is not None
                                         or _special_table(block, section.title)):
            return True
    return False


def _special_table(table: Table, heading: str) -> bool:
    from golive.console.importer.table_kinds import stage_rows, trigger_rows  # they read this module's patterns

    return trigger_rows(table, heading) is not None or stage_rows(table) is not None


def has_items(section: Section, mode: Mode) -> bool:
    return own_items(section, mode) or any(has_items(c, mode) for c in section.children)


@dataclass(frozen=True)
class PhasePlan:
    """A section that becomes a phase; with ``whole`` its subsections are groups inside it."""

    section: Section
    whole: bool = True


def _plan(section: Section, mode: Mode, top: bool = True) -> list[PhasePlan]:
    if not top and looks_like_stage(section.title):
        return [PhasePlan(section)]  # a stage is one phase; its subsections ("Deploy Canary") are its groups
    children = [c for c in section.children if has_items(c, mode)]
    stages = sum(1 for c in children if looks_like_stage(c.title))
    if len(children) >= 2 and stages * 2 >= len(children):
        plans = [PhasePlan(section, whole=False)] if own_items(section, mode) else []
        for child in children:
            plans.extend(_plan(child, mode, top=False))
        return plans
    return [PhasePlan(section)]


def plan_phases(root: Section, mode: Mode) -> list[PhasePlan]:
    """The sections that become phases, in document order.

    Title wrappers (an H1 holding everything) are looked through; a section whose
    subsections are mostly stages ("Phase 1", "Canary (5%)", "(T+0 to T+30min)") is
    split into one phase per stage, other subsections stay groups of one phase.
    """
    node = root
    while not own_items(node, mode):
        children = [c for c in node.children if has_items(c, mode)]
        if len(children) != 1:
            break
        node = children[0]
    plans = [PhasePlan(node, whole=False)] if own_items(node, mode) else []
    for child in node.children:
        if has_items(child, mode):
            plans.extend(_plan(child, mode))
    return plans


def first_title(root: Section) -> str:
    """The document's title: its first heading of the highest level used."""
    def walk(section: Section):
        for child in section.children:
            yield child
            yield from walk(child)

    headings = [s for s in walk(root) if s.title]
    if not headings:
        return ""
    top = min(s.level for s in headings)
    return next(s.title for s in headings if s.level == top)
