"""One checklist item to runbook entries: a manual check, a Prometheus/HTTP/command check, or an action."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from golive.console.importer.commands import Command, block_commands, classify, code_kind, promql_one_line
from golive.console.importer.context import ImportContext, has_code
from golive.console.importer.draft import Entry
from golive.console.importer.evidence import cert_check, guessed_query, state_check
from golive.console.importer.markdown import Code, Item, Paragraph, Table
from golive.console.importer.roles import item_owner
from golive.console.importer.text import plain, says_do, slug, split_title
from golive.console.importer.thresholds import Threshold, find_range, find_threshold, find_thresholds

_STATUS = re.compile(
    r"\b(?:returning|returns?|status|http|responds?\s+with|code)\s*:?\s*([1-5]\d\d)\b|\b([1-5]\d\d)\s+OK\b", re.I)
_READINESS = re.compile(r"\b(?:ready|available|prepared|documented|tested|verified|in place|reviewed)\b", re.I)
_SECONDS_METRIC = re.compile(r"_seconds(?:_bucket|_sum|_count)?\b")


@dataclass
class ActionCandidate:
    """Commands that change the system, from one item: they become an action, never a check."""

    title: str
    commands: list[Command]


@dataclass
class ItemResult:
    checks: list[Entry] = field(default_factory=list)
    actions: list[ActionCandidate] = field(default_factory=list)
    rollbacks: list[ActionCandidate] = field(default_factory=list)


def action_fields(candidate: ActionCandidate, ctx: ImportContext) -> dict:
    """The fields of an [action]/[rollback] table: one argv, or one shell line for several commands."""
    apply = ctx.variables.apply
    commands = candidate.commands
    fields: dict = {"title": apply(candidate.title) or None}
    if len(commands) == 1 and commands[0].argv is not None:
        fields["run"] = [apply(a) for a in commands[0].argv]
    elif any(c.script for c in commands) or len(commands) > 1:
        script = "\n".join(c.shown or c.text for c in commands)
        fields["run"] = apply(script if script.startswith("set -e") else "set -e\n" + script)
        fields["shell"] = True
    else:
        fields["run"] = apply(commands[0].text)
        fields["shell"] = True
    fields["confirm"] = True
    return fields


def commands_text(candidate: ActionCandidate) -> str:
    return "\n".join(c.display for c in candidate.commands)


def manual_entry(ctx: ImportContext, title: str, description: str, role: str | None, prefix: str = "",
                 base: str = "") -> Entry:
    """A manual check; its id is ``base`` (else the title's slug), made unique with the group's name."""
    apply = ctx.variables.apply
    fields = {"id": ctx.check_ids.take(base or slug(title), slug(prefix)), "title": apply(title), "source": "manual",
              "role": role, "description": apply(description) or None}
    return Entry(fields)


def needs_query_note(threshold: Threshold) -> str:
    """The comment on a manual check whose threshold has no query: what to add to make it measured."""
    unit = f', unit = "{threshold.unit}"' if threshold.unit else ""
    return f'needs a query: to measure it, set source = "prometheus", query = "…", pass = "{threshold.text}"{unit}'


def prometheus_entry(ctx: ImportContext, title: str, query: str, threshold: Threshold, description: str,
                     prefix: str, base: str = "", guessed: bool = False) -> Entry:
    comments = []
    if threshold.unit == "ms" and _SECONDS_METRIC.search(query) and not re.search(r"\*\s*1000\b", query):
        query = f"({query}) * 1000"
        comments.append("the metric is in seconds and the threshold in ms: the query is scaled by 1000")
    ctx.uses_prometheus = True
    apply = ctx.variables.apply
    fields = {"id": ctx.check_ids.take(base or slug(title), slug(prefix)), "title": apply(title),
              "source": "prometheus", "query": query if guessed else apply(query), "pass": threshold.text,
              "unit": threshold.unit or None,
              "description": apply(description) or None}
    return Entry(fields, comments)


def _command_entry(ctx: ImportContext, title: str, command: Command, text: str, prefix: str, base: str) -> Entry:
    apply = ctx.variables.apply
    head = {"id": ctx.check_ids.take(base, slug(prefix)), "title": apply(title)}
    if command.http is not None:
        m = _STATUS.search(text)
        status = int(m.group(1) or m.group(2)) if m else 200
        comments = ["curl -k skipped certificate checks; Golive verifies them"] if command.http.insecure else []
        comments += list(command.notes)
        return Entry({**head, "source": "http", "url": apply(command.http.url), "status": status}, comments)
    if command.argv is not None:
        run: list[str] | str = [apply(a) for a in command.argv]
        shell = None
    else:
        run, shell = apply(command.text), True
    return Entry({**head, "source": "command", "run": run, "shell": shell, "confirm": True}, list(command.notes))


def _short(command: Command) -> str:
    """A few words naming a command: the URL's path for a curl, else the program and its subcommand."""
    if command.http is not None:
        path = urlsplit(command.http.url).path
        return path if path not in ("", "/") else command.http.url
    words = [w for w in (command.argv or shlex_words(command.text)) if not w.startswith("-")]
    return " ".join(words[:3])


def shlex_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _sub_item_lines(item: Item, depth: int = 0) -> list[str]:
    box = {None: "-", " ": "- [ ]", "x": "- [x]"}[item.checkbox]
    lines = ["  " * depth + f"{box} {plain(item.text)}".rstrip()]
    for child in item.items:
        lines.extend(_sub_item_lines(child, depth + 1))
    return lines


def evidence_entry(ctx: ImportContext, title: str, text: str, description: str, group: str, base: str,
                   threshold: Threshold | None) -> Entry | None:
    """An automated check from an item's words alone: a query the checklist gave for the same metric elsewhere,
    a guessed query on a standard metric, or a kubernetes / alertmanager / http check; None when none fits."""
    if threshold is None:
        return state_check(ctx, title, text, description, group, base)
    cert = cert_check(ctx, title, text, threshold, group, base)
    if cert is not None:
        return cert
    known = ctx.query_for(threshold.metric_key, text)
    if known is not None:
        entry = prometheus_entry(ctx, title, known.query, threshold, description, group, base)
        entry.comments.append(f"query reused from {known.title!r} (same metric)")
        return entry
    guess = guessed_query(threshold, text)
    if guess is None:
        return None
    query, unit = guess
    if "${namespace}" in query:
        ctx.fill_ins.setdefault("namespace", "fill in: the Kubernetes namespace the service runs in")
    entry = prometheus_entry(ctx, title, query, Threshold(threshold.op, threshold.number, unit, threshold.metric),
                             description, group, base, guessed=True)
    entry.comments.append("query guessed from the words of the item and standard metric names: check the metric "
                          "and label names before a go-live")
    return entry


def inline_commands(text: str, in_rollback: bool = False) -> list[Command]:
    """Whole commands written as inline code in an item: read-only ones ("Pods up: `kubectl get pods -n prod`"),
    and under a rollback heading the one that rolls back ("Run `scripts/rollback.sh <deployment>`")."""
    found = []
    for span in re.findall(r"`([^`]{6,300})`", text):
        command = classify(span.strip())
        if not command.changes and command.evidence and command.argv and len(command.argv) > 1:
            found.append(command)
        elif in_rollback and command.rolls_back and len(span.split()) > 1:
            found.append(command)
            break  # the first rollback named is the one; "or …" alternatives are not steps
    return found


def convert_item(item: Item, ctx: ImportContext, group: str = "", role: str | None = None,
                 in_rollback: bool = False, do: bool = False) -> ItemResult:
    """The entries one checklist item becomes.

    PromQL under the item with a threshold in its text → prometheus checks; read-only
    commands → command or http checks; changing commands → action (or rollback)
    candidates, never checks; a threshold alone → a prometheus check when the checklist
    gave a query for the same metric elsewhere, else a manual check noting it needs one.
    Nested checkboxes become checks of their own, prefixed with this item's title;
    plain nested bullets are its description.
    """
    raw, owner = item_owner(item.text)
    role = owner or role
    title, rest = split_title(raw)
    title = title or "Checklist item"
    full_title = f"{group}: {title}" if group and group != title else title
    base = slug(title, 40) or "check"
    text = plain(raw)
    threshold, result = find_threshold(text), ItemResult()
    notes = [rest] if rest else []
    split_children = False
    queries: list[str] = []
    commands: list[Command] = []
    sql: list[str] = []
    for child in item.children:
        if isinstance(child, Code):
            kind = code_kind(child.info, child.text)
            if kind == "promql":
                queries.append(promql_one_line(child.text))
            elif kind == "shell":
                commands.extend(block_commands(child.text, child.info))
            elif kind == "sql":
                sql.append(child.text.strip())
            elif child.text.strip():
                notes.append(child.text.strip())
        elif isinstance(child, Item):
            # a nested checkbox is a tick of its own; a plain nested bullet describes its parent
            if child.checkbox is not None or has_code(child) or any(has_code(i) for i in child.items):
                sub = convert_item(child, ctx, title, role, in_rollback, do)
                result.checks += sub.checks
                result.actions += sub.actions
                result.rollbacks += sub.rollbacks
                split_children = True
            else:
                notes.extend(_sub_item_lines(child))
        elif isinstance(child, Paragraph):
            notes.append(plain(child.text))
        elif isinstance(child, Table):
            notes.extend(" | ".join(row) for row in [child.header, *child.rows])
    description = "\n".join(n for n in notes if n)
    queries = [q for q in queries if q]

    if queries:
        for n, query in enumerate(queries):
            name, name_base = (full_title, base) if n == 0 else (f"{full_title} ({n + 1})", f"{base}-{n + 1}")
            if threshold is not None:
                result.checks.append(prometheus_entry(ctx, name, query, threshold, description, group, name_base))
            else:
                entry = manual_entry(ctx, name, "\n".join(filter(None, [description, f"Query: {query}"])), role, group,
                                     name_base)
                entry.comments.append("needs a threshold: the item gives a query but no pass condition")
                entry.needs = "query"
                result.checks.append(entry)
    commands += inline_commands(item.text, in_rollback) if not commands else []
    reads = [c for c in commands if not c.changes and c.evidence]
    changes = [c for c in commands if c.changes]
    for n, command in enumerate(reads):
        short = _short(command) if len(reads) > 1 or changes else ""
        name = f"{full_title} ({short})" if short else full_title
        entry = _command_entry(ctx, name, command, text, group, f"{base}-{slug(short)}".strip("-"))
        if threshold is not None and command.http is None and n == 0:
            entry.comments.append(f"the item's threshold ({threshold.text} {threshold.unit}".rstrip()
                                  + ") is not tested by the exit status: read the output, or give it a query")
        result.checks.append(entry)
    # a script whose one top-level line undoes the release gives that line to [rollback], not the whole script
    changes = [classify(c.rollback_line) if c.rollback_line and (in_rollback or c.rolls_back) else c for c in changes]
    rollback_cmds = [c for c in changes if (in_rollback or c.rolls_back) and not c.long_running]
    running = [c for c in changes if c.long_running]
    action_cmds = [c for c in changes if c not in rollback_cmds and c not in running]
    if rollback_cmds:
        result.rollbacks.append(ActionCandidate(full_title, rollback_cmds))
        if _READINESS.search(title):
            result.checks.append(manual_entry(
                ctx, full_title, "\n".join(filter(None, [description, "The runbook's [rollback] runs: "
                                                         + "; ".join(c.display for c in rollback_cmds)])), role,
                group, base))
    for command in running:
        entry = manual_entry(ctx, full_title, "\n".join(filter(None, [description, "Start by hand and leave running:\n"
                                                                      + command.display])), role, group, base)
        entry.comments.append("a long-running command (`&` or `start`): Golive neither polls nor waits for it")
        result.checks.append(entry)
    if action_cmds and (says_do(raw) or do):
        result.actions.append(ActionCandidate(full_title, action_cmds))
    elif action_cmds:
        entry = manual_entry(ctx, full_title, "\n".join(filter(None, [description, "Command in the checklist:\n"
                                                                      + "\n".join(c.display for c in action_cmds)])),
                             role, group, base)
        entry.comments.append("the command may change the system and the item does not say to run it: "
                              "a manual item, never a check")
        result.checks.append(entry)
    for statement in sql:
        entry = manual_entry(ctx, full_title, "\n".join(filter(None, [description, f"SQL: {statement}"])), role, group,
                             base)
        entry.comments.append("needs a target: a postgres check with this query needs [targets.postgres.<name>]")
        entry.needs = "target"
        result.checks.append(entry)
    if queries or commands or sql:
        return result
    if split_children and threshold is None and not description:
        return result  # its nested checks carry its title as their prefix
    several = find_thresholds(text)
    if several:
        for one in several:
            name = f"{full_title}: {one.metric} {one.text}{one.unit}"
            found = evidence_entry(ctx, name, f"{one.metric} {one.text}{one.unit}", description, group,
                                   slug(f"{title} {one.metric}", 48), one)
            if found is None:
                found = manual_entry(ctx, name, description, role, group, slug(f"{title} {one.metric}", 48))
                found.comments.append(needs_query_note(one))
                found.needs = "query"
            result.checks.append(found)
        return result
    found = evidence_entry(ctx, full_title, text, description, group, base, threshold)
    if found is not None:
        result.checks.append(found)
        return result
    entry = manual_entry(ctx, full_title, description, role, group, base)
    if threshold is not None:
        entry.comments.append(needs_query_note(threshold))
        entry.needs = "query"
    elif (band := find_range(text)) is not None:
        entry.comments.append(f"a band ({band}): a threshold compares one side; needs a query and two checks")
        entry.needs = "query"
    result.checks.append(entry)
    return result
