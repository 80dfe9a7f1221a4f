"""The runbook an import builds, before it is written: tables of fields, each with the comments that explain it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from golive.console.units import plural


@dataclass
class Entry:
    """One TOML table (a check, a trigger, an action): its fields in order and comments shown above it."""

    fields: dict[str, Any]
    comments: list[str] = field(default_factory=list)
    needs: str = ""  # "query" or "target" when a person must fill something in before it can run

    @property
    def source(self) -> str:
        return str(self.fields.get("source", ""))


@dataclass
class PhaseDraft:
    fields: dict[str, Any]
    checks: list[Entry] = field(default_factory=list)
    action: Entry | None = None
    comments: list[str] = field(default_factory=list)
    line: int = 0  # where its section starts in the checklist

    @property
    def title(self) -> str:
        return str(self.fields.get("title") or self.fields.get("id"))


@dataclass
class Draft:
    meta: dict[str, Any]
    meta_comments: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    variable_comments: dict[str, str] = field(default_factory=dict)
    targets: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    phases: list[PhaseDraft] = field(default_factory=list)
    triggers: list[Entry] = field(default_factory=list)
    rollback: Entry | None = None
    header: list[str] = field(default_factory=list)
    kept: int = 0  # blocks and tables not imported, kept as comments


@dataclass(frozen=True)
class Summary:
    """What an import recognised, for the lines printed on stderr."""

    phases: int
    checks_by_source: dict[str, int]
    triggers: int
    roles: int
    needs_query: int
    needs_target: int
    variables: list[str]
    actions: int
    rollback: bool
    repaired: int
    dropped: int
    kept: int = 0

    def lines(self) -> list[str]:
        """The summary as a few short lines."""
        checks = sum(self.checks_by_source.values())
        by_source = ", ".join(f"{source} {n}" for source, n in sorted(self.checks_by_source.items()))
        out = [
            f"{plural(self.phases, 'phase')}, {plural(checks, 'check')} ({by_source or 'none'}), "
            f"{plural(self.triggers, 'trigger')}, {plural(self.roles, 'sign-off role')}, "
            f"{plural(self.actions, 'action')}, rollback {'yes' if self.rollback else 'none'}",
        ]
        todo = []
        if self.needs_query:
            todo.append(f"{plural(self.needs_query, 'item needs', 'items need')} a query")
        if self.needs_target:
            todo.append(f"{plural(self.needs_target, 'needs', 'need')} a target")
        if self.variables:
            todo.append(f"variables to set: {', '.join(self.variables)}")
        if todo:
            out.append("to fill in: " + "; ".join(todo))
        if self.kept:
            what = "block, table or list" if self.kept == 1 else "blocks, tables and lists"
            out.append(f"{self.kept} {what} not imported: kept as comments where they were")
        if self.repaired or self.dropped:
            text = f"repaired {self.repaired} characters damaged by a wrong encoding"
            if self.dropped:
                text += f" ({self.dropped} beyond repair, dropped)"
            out.append(text)
        return out


def summarise(draft: Draft, repaired: int = 0, dropped: int = 0) -> Summary:
    """Count what a draft holds."""
    checks = [c for p in draft.phases for c in p.checks]
    by_source = Counter(c.source for c in checks)
    everything = checks + draft.triggers
    return Summary(
        phases=len(draft.phases),
        checks_by_source=dict(by_source),
        triggers=len(draft.triggers),
        roles=len(draft.meta.get("signoff") or []),
        needs_query=sum(1 for e in everything if e.needs == "query"),
        needs_target=sum(1 for e in everything if e.needs == "target")
        + sum(1 for v in draft.variables if v.endswith("_url")),
        variables=sorted(draft.variables),
        actions=sum(1 for p in draft.phases if p.action is not None),
        rollback=draft.rollback is not None,
        repaired=repaired,
        dropped=dropped,
        kept=draft.kept,
    )
