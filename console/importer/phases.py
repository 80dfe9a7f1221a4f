"""One planned section to one or more phases: groups, contexts (triggers, decisions), actions, holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from golive.console.importer.commands import block_commands, code_kind, split_commands
from golive.console.importer.context import ImportContext
from golive.console.importer.draft import Entry, PhaseDraft
from golive.console.importer.items import ActionCandidate, action_fields, commands_text, convert_item, manual_entry
from golive.console.importer.markdown import Code, Item, Paragraph, Table
from golive.console.importer.roles import roles_in_list, team_label
from golive.console.importer.sections import (
    CRITERIA,
    TICK,
    TRIGGER_CONTEXT,
    Mode,
    PhasePlan,
    Section,
    counts,
    table_columns,
)
from golive.console.importer.table_kinds import (
    line_triggers,
    signoff_names,
    stage_rows,
    trigger_rows,
    without_trigger_clause,
)
from golive.console.importer.tables import convert_table
from golive.console.importer.text import plain, says_do, slug, strip_markers
from golive.console.importer.thresholds import (
    duration_in_brackets,
    find_duration,
    find_threshold,
    single_percentage,
    without_time_window,
)
from golive.console.importer.triggers import AUTOMATIC, convert_trigger

_DECISION = re.compile(r"\bdecision\s+point\b|\bgo\s*/\s*no[\s\-]go\b|\bproceed\b.*\bor\b.*\broll\s*back\b", re.I)
_DECISION_ITEM = re.compile(r"(?:→|->|=>)\s*\**\s*(?:proceed|roll\s*back|rollback|go\b|no[\s\-]go|abort|continue|stop)",
                            re.I)
_OUTCOME = re.compile(r"\(check one\)|\b(?:choose|select|pick|tick) one\b", re.I)
_OUTCOME_ITEM = re.compile(r"^(?:yes|no|partial|go|no-go)\b\s*[-–—:]", re.I)
_MONITOR = re.compile(r"\b(?:monitor|soak|observe|watch|bake|hold|wait)\b", re.I)
_ROLLBACK = re.compile(r"\broll\s*back\b|\brollback\b|\brevert\b", re.I)
_READINESS = re.compile(r"\b(?:readiness|ready|verification|preparation|prepare|triggers?|practice)\b", re.I)
# a branch the go path does not take: "If NO-GO", "If the canary fails"; "If GO" only repeats what the gate does
_NO_GO = re.compile(r"^\W*(?:if|on|when)\s+(?:a\s+|the\s+)?(?:no[\s\-]?go|rollback|roll\s*back|fail\w*|"
                    r"issues?|problems?|errors?|incident|metrics?\s+(?:are\s+)?(?:bad|degrad\w*)|[\w\s]{0,30}\bfails?)\b",
                    re.I)
_GO = re.compile(r"^\W*(?:if|on|when)\s+(?:go|success\w*|metrics?\s+(?:are\s+)?(?:good|ok|healthy|green)|"
                 r"all\s+(?:checks\s+)?pass\w*|passed|healthy)\b", re.I)
_HOLD_ITEM = re.compile(r"^\W*(?:[\d:]+\s*[-–—]\s*)?(?:monitor|watch|observe|wait|soak|bake|hold)\b[^.;]{0,60}?"
                        r"\bfor\s+(?:at\s+least\s+)?\d+\s*\+?\s*(?:s|sec|seconds?|m|min|mins|minutes?|h|hours?)\b"
                        r"[^.;]{0,40}$", re.I)
_CONDITIONAL = re.compile(r"\(optional\)|\boptional\b|\bif\s+(?:applicable|needed|required|necessary|any)\b|"
                          r"\b(?:use\s+)?only\s+(?:for|if|when|during)\b|\bwhen\s+(?:applicable|needed|required)\b|"
                          r"\bhotfix(?:es)?\b|\bemergency\b|\bp0\s*/\s*p1\b|\bif\s+scaled\b", re.I)


@dataclass
class Group:
    title: str
    label: str  # the title prefix of its checks
    triggers: bool = False
    rollback: bool = False
    branch: str = ""  # "no-go" or "go": a branch of a decision, never the go path
    conditional: bool = False  # "(optional)", "only for P0/P1 hotfixes": its checks are not required


@dataclass
class PhaseBuild:
    """The phases one plan produced, the watch items of its triggers, and what was left aside."""

    phases: list[PhaseDraft] = field(default_factory=list)
    triggers: list[Entry] = field(default_factory=list)
    watch: list[Entry] = field(default_factory=list)
    rollbacks: list[ActionCandidate] = field(default_factory=list)
    procedure_steps: list[str] = field(default_factory=list)


def branch_of(text: str) -> str:
    return "no-go" if _NO_GO.search(text) else "go" if _GO.search(text) else ""


def _group(section: Section) -> Group:
    title = section.title
    branch = branch_of(title)
    intro = next((b.text for b in section.blocks if isinstance(b, Paragraph)), "")
    return Group(title, without_time_window(title), bool(TRIGGER_CONTEXT.search(title)) or
                 bool(re.search(r"\brollback\s+triggers?\b", title, re.I)),
                 bool(_ROLLBACK.search(title)) or branch == "no-go", branch,
                 bool(_CONDITIONAL.search(title) or _CONDITIONAL.search(intro[:200])))


class PhaseBuilder:
    def __init__(self, plan: PhasePlan, ctx: ImportContext, mode: Mode, consumed: set[int]):
        self.plan, self.ctx, self.mode, self.consumed = plan, ctx, mode, consumed
        self.out = PhaseBuild()
        self.title = plan.section.title or "Checklist"
        # a rollback procedure, or a step of one ("4. Verify Recovery" under "Rollback Procedure"), is not the go path
        self.procedure = any(bool(_ROLLBACK.search(t)) and not _READINESS.search(t)
                             for t in [self.title, *(s.title for s in plan.section.ancestors() if s.level > 1)])
        self.phase = self._new_phase(self.title, single_percentage(self.title))
        self.action_group: str | None = None
        self.notes_seen: set[str] = set()

    def _new_phase(self, title: str, traffic: float | None) -> PhaseDraft:
        phase = PhaseDraft({"id": self.ctx.phase_ids.take(slug(title)), "title": self.ctx.variables.apply(title),
                            "description": None, "hold": None, "traffic": traffic}, line=self.plan.section.line)
        self.out.phases.append(phase)
        return phase

    def note(self, text: str) -> None:
        if text not in self.notes_seen:
            self.notes_seen.add(text)
            self.phase.comments.append(text)

    def build(self) -> PhaseBuild:
        intro = next((b.text for b in self.plan.section.blocks if isinstance(b, Paragraph)), "")
        branch = branch_of(self.title)
        top = Group("", "", rollback=bool(_ROLLBACK.search(self.title)) or branch == "no-go", branch=branch,
                    conditional=bool(_CONDITIONAL.search(self.title) or _CONDITIONAL.search(intro[:200])))
        self.procedure = self.procedure or bool(branch)
        self.walk(self.plan.section.blocks, top, own=True)
        if self.plan.whole:
            self.walk_children(self.plan.section, top)
        if self.procedure:
            # a rollback procedure is what [rollback] does, not a stage of the go-live: keep its steps as notes
            self.out.procedure_steps = [str(c.fields.get("title")) for p in self.out.phases for c in p.checks]
            self.out.phases = []
        return self.out

    def walk_children(self, section: Section, parent: Group) -> None:
        for child in section.children:
            group = _group(child)
            group.rollback = group.rollback or parent.rollback
            group.branch = group.branch or parent.branch
            group.conditional = group.conditional or parent.conditional
            hold = duration_in_brackets(child.title) if _MONITOR.search(child.title) else None
            if hold and not self.phase.fields.get("hold"):
                self.phase.fields["hold"] = hold
            self.walk(child.blocks, group, own=False)
            self.walk_children(child, group)

    def walk(self, blocks: list, group: Group, own: bool) -> None:
        context: tuple[str, object] | None = ("trigger", AUTOMATIC.search(group.title) is not None) \
            if group.triggers else None
        last_paragraph = ""
        description: list[str] = []
        for block in blocks:
            if isinstance(block, Item):
                # "**Verification**:" then "- ✅ Health endpoints return 200 OK": criteria to check, like "- [ ]"
                ticked = bool(TICK.match(block.text.lstrip())) and bool(
                    CRITERIA.search(last_paragraph[:60]) or CRITERIA.search(group.title or self.title))
                self.item(block, group, context, counted=ticked)
                continue
            context = ("trigger", AUTOMATIC.search(group.title) is not None) if group.triggers else None
            if isinstance(block, Paragraph):
                text = plain(block.text)
                last_paragraph = text
                for condition in line_triggers(block.text):
                    self.add_trigger(condition, AUTOMATIC.search(text + group.title) is not None)
                if TRIGGER_CONTEXT.search(text):
                    context = ("trigger", AUTOMATIC.search(text + group.title) is not None)
                elif _DECISION.search(text):
                    context = ("decision", text)
                elif _OUTCOME.search(text):
                    context = ("outcome", text)
                elif (role := team_label(block.text)) is not None:
                    context = ("role", role)
                elif own:
                    description.append(text)
            elif isinstance(block, Table):
                self.table(block, group)
            elif isinstance(block, Code) and code_kind(block.info, block.text) in ("shell", "promql"):
                commands = split_commands(block.text)
                title = last_paragraph.rstrip(":") or group.label or self.title or (commands[0] if commands else "Run")
                do = says_do(last_paragraph) or (not last_paragraph and says_do(group.title or self.title))
                # a command or query written under a paragraph rather than an item is a step all the same
                self.item(Item(title, block.line, 0, False, " ", [block]), group, None, counted=True, do=do)
                self.ctx.used.add(id(block))
        if own and description:
            self.phase.fields["description"] = self.ctx.variables.apply("\n".join(description))

    def table(self, table: Table, group: Group) -> None:
        heading = group.title or self.title
        context = heading if not group.triggers else f"rollback triggers: {heading}"
        rows = trigger_rows(table, context if not self.procedure else f"rollback triggers: {heading}")
        if rows is not None:
            self.ctx.used.add(id(table))
            for row in rows:
                self.add_trigger(row, AUTOMATIC.search(heading) is not None)
            return
        stages = stage_rows(table)
        if stages is not None:
            self.ctx.used.add(id(table))
            self.stages(stages, table.line)
            return
        names = signoff_names(table, False)
        if names is not None and roles_in_list(names):
            self.ctx.used.add(id(table))
            self.ctx.add_roles(roles_in_list(names))
            return
        columns = table_columns(table, heading)
        if columns is None:
            return  # kept as a comment with everything else the import made nothing of
        self.ctx.used.add(id(table))
        self.phase.checks.extend(convert_table(table, columns, self.ctx, group.label))

    def item(self, item: Item, group: Group, context: tuple[str, object] | None, counted: bool = False,
             do: bool = False) -> None:
        if id(item) in self.consumed:
            return
        if not counted and not (context and context[0] == "trigger") and not (
                counts(item, self.mode, group.title) or counts(item, self.mode, self.title)):
            return
        self.ctx.mark_used(item)
        text = strip_markers(plain(item.text))
        branch = group.branch or branch_of(re.sub(r"^\**\s*[\d:]+\s*\**\s*[-–—]\s*", "", text))
        if branch:
            # "If NO-GO: roll back", "If metrics good → Proceed": a branch of the decision, not a step of the go path
            result = convert_item(item, self.ctx, group.label, None, branch == "no-go")
            self.out.rollbacks.extend(result.rollbacks)
            self.note(f"a branch of the checklist's decision ({text[:80]}) is not a step of the go path: "
                      + ("its commands are rollback candidates" if branch == "no-go" else "Golive proceeds when the "
                         "gate opens"))
            self.ctx.check_ids.used.difference_update(c.fields["id"] for c in result.checks)
            return
        if (context and context[0] == "decision") or _DECISION_ITEM.search(text):
            self.note("a decision point of the checklist is Golive's gate: proceed when every check passes, "
                      "or roll back")
            return
        if (context and context[0] == "outcome") or _OUTCOME_ITEM.match(text):
            self.note("the outcome (GO / PARTIAL / ROLLED BACK) is recorded by Golive when the go-live ends")
            return
        if context and context[0] == "trigger":
            self.trigger_commands(item)
            self.add_trigger(item, bool(context[1]))
            return
        hold = _HOLD_ITEM.match(text)
        if hold and find_threshold(text) is None and not item.children:
            # "Monitor for 10 minutes": how long the phase's checks must hold, not a box to tick
            if not self.phase.fields.get("hold"):
                self.phase.fields["hold"] = find_duration(text)[0]
            self.note(f"{text!r} is the phase's hold ({self.phase.fields['hold']}): every check must pass that long")
            return
        conditions = line_triggers(item.text)
        if conditions:
            # "… will undo the rollout if p95 > 100 ms for 5 minutes": the conditions are triggers, not checks
            for condition in conditions:
                self.add_trigger(condition, AUTOMATIC.search(item.text) is not None)
            item = replace(item, text=without_trigger_clause(item.text))
        role = context[1] if context and context[0] == "role" else None
        result = convert_item(item, self.ctx, group.label, role if isinstance(role, str) else None, group.rollback,
                              do or says_do(group.title))
        for candidate in result.actions:
            self.action(candidate, group)  # first: the checks of the same item verify this action
        if group.conditional or _CONDITIONAL.search(text):
            for entry in result.checks:
                entry.fields["required"] = False
                entry.comments.append("conditional in the checklist (" + (group.title or text)[:60]
                                      + "): not required; mark it required = true when it applies")
        self.phase.checks.extend(result.checks)
        self.out.rollbacks.extend(result.rollbacks)

    def add_trigger(self, item: Item, automatic: bool) -> None:
        trigger, watch = convert_trigger(item, self.ctx, automatic)
        if trigger is not None:
            self.out.triggers.append(trigger)
        if watch is not None:
            self.out.watch.append(watch)

    def stages(self, stages: list[tuple[str, float, str | None]], line: int) -> None:
        """A canary stage table: one phase per stage, with its traffic and its hold."""
        for name, traffic, hold in stages:
            title = f"{name} ({traffic:g}% traffic)" if f"{traffic:g}%" not in name else name
            phase = self._new_phase(title, traffic)
            phase.fields["hold"] = hold
            entry = manual_entry(self.ctx, f"Traffic at {traffic:g}%", "", None, slug(name))
            entry.comments.append(f"from the stage table at line {line}: it gives no command; shift the traffic by "
                                  "hand, or give this phase an [phase.action]")
            phase.checks.append(entry)
        self.phase = self._new_phase(f"{self.title} (after the stages)", None)

    def trigger_commands(self, item: Item) -> None:
        """A command under a trigger ("Error rate >1%: kubectl rollout undo …") is what the trigger rolls back with."""
        commands = [c for child in item.children if isinstance(child, Code)
                    and code_kind(child.info, child.text) == "shell" for c in block_commands(child.text, child.info)]
        changes = [c for c in commands if c.changes]
        if changes:
            self.out.rollbacks.append(ActionCandidate(strip_markers(plain(item.text)) or "Roll back", changes))
        if len(changes) < len(commands):
            self.note("a read-only command under a rollback trigger was not imported: a trigger needs a query")

    def action(self, candidate: ActionCandidate, group: Group) -> None:
        if self.phase.action is None and self.phase.checks:
            # the checks so far come before this change: they gate the phase before it, not this action
            self.phase = self._new_phase(f"{self.title} — {without_time_window(candidate.title)}",
                                         single_percentage(group.title))
        if self.phase.action is None:
            self.phase.action = Entry(action_fields(candidate, self.ctx))
            self.action_group = group.title
            if self.phase.fields.get("traffic") is None:
                self.phase.fields["traffic"] = single_percentage(group.title)
            return
        if group.title and group.title != self.action_group:
            # a second change in a later group ("Scale to 50%") starts the next step: its own phase
            if self.phase.fields["title"] == self.ctx.variables.apply(self.title) and self.action_group:
                self.phase.fields["title"] += " — " + self.ctx.variables.apply(without_time_window(self.action_group))
            self.phase = self._new_phase(f"{self.title} — {group.label}", single_percentage(group.title))
            self.phase.action = Entry(action_fields(candidate, self.ctx))
            self.action_group = group.title
            return
        entry = manual_entry(self.ctx, candidate.title, "Run by hand:\n" + commands_text(candidate), None)
        entry.comments.append("a phase runs one action: this change is a manual item (move it to a phase of its own "
                              "to have Golive run it)")
        self.phase.checks.append(entry)
