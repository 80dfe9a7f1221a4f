"""A parsed checklist to a draft runbook: metadata, sign-off roles, phases, triggers, rollback, variables."""

from __future__ import annotations

from golive.console.importer.commands import is_validation
from golive.console.importer.context import ImportContext
from golive.console.importer.draft import Draft, Entry, PhaseDraft
from golive.console.importer.items import action_fields
from golive.console.importer.leftovers import keep_leftovers
from golive.console.importer.markdown import Block, Code, Item, Paragraph, Table
from golive.console.importer.meta import explicit_meta
from golive.console.importer.phases import PhaseBuilder
from golive.console.importer.placeholders import Variables, detect_version
from golive.console.importer.roles import (
    SIGNOFF_HEADING,
    asks_for_signatures,
    is_form_field,
    roles_in_list,
    signoff_item,
    signoff_roles,
)
from golive.console.importer.sections import Section, build_tree, document_mode, first_title, iter_items, plan_phases
from golive.console.importer.text import plain

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
                col = next((i for i, h in enumerate(header) if h in ("role", "approver", "approver role", "sign-off",
                                                                       "signoff", "team", "function")), 0)
                roles: list[str] | None = roles_in_list([r[col] for r in block.rows if col < len(r)])
                if roles:
                    ctx.add_roles(roles)
                    ctx.used.add(id(block))
        for item in iter_items(section.blocks):
            if id(item) in ctx.used:
                continue  # under a sign-off line already read: "Owner: [Tech Lead]" repeats who signs
            roles = signoff_item(item.text) if in_signoff else None
            if roles:
                ctx.add_roles(roles)
                consumed.add(id(item))
                ctx.mark_used(item)
            elif in_signoff and is_form_field(item.text):
                consumed.add(id(item))  # "Date: ____" on a sign-off form: Golive stamps the time itself
                ctx.mark_used(item)
            elif asks_for_signatures(item.text) and item.items:
                ctx.add_roles(roles_in_list([i.text for i in item.items], strict=True))
    return consumed


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
    explicit = explicit_meta(everything)
    # a release tag the checklist's commands and queries use ("api:v1.2.3") names the version as plainly as a field
    version = explicit.get("version") or detect_version(title, texts)
    service = explicit.get("service", "")
    ctx = ImportContext(Variables(version), service=service)
    ctx.learn_queries(everything)
    ctx.learn_endpoints(everything)
    consumed = _signoff(root, ctx)

    phases: list[PhaseDraft] = []
    triggers: list[Entry] = []
    rollbacks, steps, watch = [], [], []
    for plan in plan_phases(root, mode):
        built = PhaseBuilder(plan, ctx, mode, consumed).build()
        phases.extend(p for p in built.phases if p.checks or p.action is not None)
        triggers.extend(built.triggers)
        rollbacks.extend(built.rollbacks)
        steps.extend(built.procedure_steps)
        watch.extend(built.watch)
    if watch:
        # watched by hand through the whole go-live: the last phase, never before the first stage
        phases.append(PhaseDraft(
            {"id": ctx.phase_ids.take("rollback-triggers"), "title": "Rollback triggers",
             "description": "Conditions the checklist rolls back on that have no query yet: watched by hand."},
            checks=watch, line=10**9))
    if not phases and (triggers or rollbacks):
        raise NoChecklist("nothing for a phase: every item is a rollback step or a trigger (a runbook needs a phase)")
    if not phases:
        raise NoChecklist("no checklist items found (no list items or check tables under its headings)")

    draft = Draft(meta={})
    # the rollback is the command that says it undoes ("undo", "emergency", "switch back"), never a validation step
    ranked = sorted(rollbacks, key=lambda c: (not any(x.rolls_back for x in c.commands),
                                              any(is_validation(x.text) for x in c.commands)))
    chosen = [c for c in ranked if not all(is_validation(x.text) for x in c.commands)][:1]
    if chosen:
        draft.rollback = Entry(action_fields(chosen[0], ctx))
        draft.rollback.fields["title"] = "Roll back"
        for other in ranked:
            if other is not chosen[0]:
                draft.rollback.comments.append("another rollback command in the checklist: "
                                               + "; ".join(c.display for c in other.commands))
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
    draft.meta = {"name": apply(title), "service": service, "version": version or "",
                  "environment": explicit.get("environment", ""),
                  "description": f"Imported from {name} by golive import.", "signoff": list(ctx.roles) or None}
    for key in ("service", "version", "environment"):
        if not draft.meta[key]:
            draft.meta_comments[key] = f"fill in: the checklist names no {key} (or pass --set {key}=…)"
        elif key in explicit:
            draft.meta_comments[key] = "as the checklist states it"
        else:
            draft.meta_comments[key] = "the release tag the checklist uses most: check it"
    ticked = sum(1 for item in iter_items(everything) if item.checkbox == "x")
    if ticked:
        draft.header.append(f"{ticked} items were ticked in the checklist: a runbook starts every go-live unticked")
    if not ctx.roles:
        draft.header.append("no sign-off block found: list the roles that sign the record in runbook.signoff")
    declare_targets(draft, ctx)
    for variable, comment in ctx.fill_ins.items():
        draft.variables[variable] = ""
        draft.variable_comments[variable] = comment
    for variable, shown in sorted(ctx.variables.declared.items()):
        if variable not in draft.variables:
            draft.variables[variable] = ""
            draft.variable_comments[variable] = f"fill in ({shown} in the checklist), or pass --set {variable}=…"
    draft.kept = keep_leftovers(root, draft, ctx)
    return draft


_TARGETS = {
    "prometheus": ("prometheus_url", "url", "the Prometheus (or compatible) server to query, e.g. " + PROMETHEUS_URL),
    "alertmanager": ("alertmanager_url", "url", "the Alertmanager to ask for firing alerts"),
}


def declare_targets(draft: Draft, ctx: ImportContext) -> None:
    """The targets the checks use, each with a variable a person must fill in before a go-live."""
    for kind, (variable, field, comment) in _TARGETS.items():
        if kind in ctx.targets or (kind == "prometheus" and ctx.uses_prometheus):
            draft.variables[variable] = ""
            draft.variable_comments[variable] = f"fill in: {comment}"
            draft.targets.setdefault(kind, {})["main"] = {field: "${" + variable + "}"}
    if "kubernetes" in ctx.targets:
        draft.variables["namespace"] = ""
        draft.variable_comments["namespace"] = "fill in: the Kubernetes namespace the service runs in"
        draft.targets["kubernetes"] = {"main": {"namespace": "${namespace}"}}
