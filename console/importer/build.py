"""A parsed checklist to a draft runbook: metadata, sign-off roles, phases, triggers, rollback, variables."""

from __future__ import annotations

import re

from console.importer.commands import code_kind, split_commands
from console.importer.context import ImportContext
from console.importer.draft import Draft, Entry, PhaseDraft
from console.importer.items import action_fields
from console.importer.markdown import Block, Code, Item, Paragraph, Table
from console.importer.phases import PhaseBuilder
from console.importer.placeholders import Variables, detect_version, guess_service
from console.importer.roles import SIGNOFF_HEADING, asks_for_signatures, is_form_field, roles_in_list, signoff_roles
from console.importer.sections import Section, build_tree, document_mode, first_title, iter_items, plan_phases
from console.importer.text import plain

PROMETHEUS_URL = "http://prometheus:9090"


class NoChecklist(ValueError):
    """The document holds nothing that becomes a phase."""


def _walk(section: Section, in_signoff: bool = False):
    """(section, inside a sign-off section) for every section under this one."""
    for child in section.children:
        inside = in_signoff or bool(SIGNOFF_HEADING.search(child.title))
        yield child, inside
        yield from _walk(child, inside)


def _texts(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Item):
            out.append(block.text)
            out.extend(_texts(block.children))
        elif isinstance(block, (Paragraph, Code)):
            out.append(block.text)
    return out


def _all_blocks(root: Section) -> list[Block]:
    blocks = list(root.blocks)
    for section, _ in _walk(root):
        blocks.extend(section.blocks)
    return blocks


def _shell_commands(blocks: list[Block]) -> list[str]:
    commands = []
    for block in blocks:
        children = block.children if isinstance(block, Item) else [block]
        for child in children:
            if isinstance(child, Code) and code_kind(child.info, child.text) == "shell":
                commands.extend(split_commands(child.text))
            elif isinstance(child, Item):
                commands.extend(_shell_commands([child]))
    return commands


def _signoff(root: Section, ctx: ImportContext) -> set[int]:
    """Collect sign-off roles from the whole document; return the items that were sign-off lines."""
    consumed: set[int] = set()
    for section, in_signoff in [(root, False), *_walk(root)]:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                for line in block.text.splitlines():
                    ctx.add_roles(signoff_roles(line, in_signoff) or [])
            elif isinstance(block, Table) and in_signoff:
                header = [plain(h).lower() for h in block.header]
                if "role" in header:
                    col = header.index("role")
                    ctx.add_roles(roles_in_list([r[col] for r in block.rows if col < len(r)]))
        for item in iter_items(section.blocks):
            roles = signoff_roles(item.text, True) if in_signoff else None
            if roles:
                ctx.add_roles(roles)
                consumed.add(id(item))
            elif in_signoff and is_form_field(item.text):
                consumed.add(id(item))  # "Date: ____" on a sign-off form: Golive stamps the time itself
            elif asks_for_signatures(item.text) and item.items:
                ctx.add_roles(roles_in_list([i.text for i in item.items]))
    return consumed


def _environment(texts: list[str]) -> str:
    for text in texts:
        m = re.search(r"\benvironment\s*:?\**\s*:?\s*(production|staging|prod|stage|qa|dev)\b", text, re.IGNORECASE)
        if m:
            return {"prod": "production", "stage": "staging"}.get(m.group(1).lower(), m.group(1).lower())
    return "production"


def build_draft(blocks: list[Block], name: str) -> Draft:
    """The draft runbook for a parsed checklist.

    Raises:
        NoChecklist: when no section holds a checklist item or a check table.
    """
    root = build_tree(blocks)
    mode = document_mode(blocks)
    everything = _all_blocks(root)
    texts = _texts(everything)
    title = first_title(root) or name
    version = detect_version(title, texts)
    commands = _shell_commands(everything)
    service, from_commands = guess_service(title, commands, version)
    ctx = ImportContext(Variables(version), service=service)
    ctx.learn_queries(everything)
    consumed = _signoff(root, ctx)

    phases: list[PhaseDraft] = []
    triggers: list[Entry] = []
    rollbacks, steps = [], []
    for plan in plan_phases(root, mode):
        built = PhaseBuilder(plan, ctx, mode, consumed).build()
        phases.extend(p for p in built.phases if p.checks or p.action is not None)
        triggers.extend(built.triggers)
        rollbacks.extend(built.rollbacks)
        steps.extend(built.procedure_steps)
        if built.watch:
            watch_title = "Rollback triggers"
            phases.append(PhaseDraft(
                {"id": ctx.phase_ids.take("rollback-triggers"), "title": watch_title,
                 "description": "Conditions the checklist rolls back on that have no query yet: watched by hand."},
                checks=built.watch))
    if not phases and (triggers or rollbacks):
        raise NoChecklist("nothing for a phase: every item is a rollback step or a trigger (a runbook needs a phase)")
    if not phases:
        raise NoChecklist("no checklist items found (no list items or check tables under its headings)")

    draft = Draft(meta={})
    if rollbacks:
        draft.rollback = Entry(action_fields(rollbacks[0], ctx))
        draft.rollback.fields["title"] = "Roll back"
        for other in rollbacks[1:]:
            draft.rollback.comments.append("another rollback command in the checklist: "
                                           + "; ".join(c.text for c in other.commands))
    if steps:
        target = draft.rollback.comments if draft.rollback else draft.header
        target.append("steps of the checklist's rollback procedure, done by hand: " + "; ".join(steps))
    for trigger in triggers:
        if draft.rollback is None:
            trigger.fields["then"] = "alert"
            trigger.comments.append(
                'no rollback command found in the checklist: add [rollback], then set then = "rollback"')
    draft.phases, draft.triggers = phases, triggers

    apply = ctx.variables.apply
    draft.meta = {"name": apply(title), "service": service, "version": version or "unknown",
                  "environment": _environment(texts), "description": f"Imported from {name} by golive import.",
                  "signoff": list(ctx.roles) or None}
    draft.meta_comments["service"] = "from the commands" if from_commands else "guessed from the title: check it"
    if not version:
        draft.meta_comments["version"] = "no release version found: set it here or pass --set version=…"
    ticked = sum(1 for item in iter_items(everything) if item.checkbox == "x")
    if ticked:
        draft.header.append(f"{ticked} items were ticked in the checklist: a runbook starts every go-live unticked")
    if not ctx.roles:
        draft.header.append("no sign-off block found: list the roles that sign the record in runbook.signoff")
    if ctx.uses_prometheus:
        draft.variables["prometheus_url"] = PROMETHEUS_URL
        draft.variable_comments["prometheus_url"] = "fill in: the Prometheus (or compatible) server to query"
        draft.targets = {"prometheus": {"main": {"url": "${prometheus_url}"}}}
    for variable, shown in sorted(ctx.variables.declared.items()):
        if variable not in draft.variables:
            draft.variables[variable] = shown
            draft.variable_comments[variable] = f"fill in, or pass --set {variable}=…"
    return draft
