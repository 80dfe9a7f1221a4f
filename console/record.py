"""The record: record.toml for machines and record.md for people, rendered from the folded state."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from golive.console import rollback_plans
from golive.console.engine import Engine
from golive.console.record_file import write_record  # noqa: F401  (the writer; its home is console.record_file)
from golive.console.redact import redact_urls
from golive.console.role_signers import record_roles
from golive.console.runbook import resolve_target
from golive.console.units import format_duration, format_number
from golive.console.wording import verdict_symbol


def iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """TOML has no null: a missing value is an omitted key."""
    return {k: v for k, v in d.items() if v is not None}


def check_what(check: Any) -> str:
    """What a check looks at, as shown to people: its query, deployment, URL (never with a password)."""
    return redact_urls(_what(check))


def _what(check: Any) -> str:
    for attr in ("query", "deployment", "selector", "url", "builtin"):
        value = getattr(check, attr, None)
        if value:
            return str(value)
    run = getattr(check, "run", None)
    if run:
        return run if isinstance(run, str) else " ".join(run)
    if getattr(check, "matchers", None):
        return ", ".join(check.matchers)
    return ""


def journal_anchor(events: list[dict[str, Any]], final_head: str) -> tuple[str, int]:
    """(SHA-256, line number) of the journal line that decided the outcome; the end for a draft.

    The record is bound there, not to the final line, so sign-offs that follow the
    outcome do not change the body earlier roles signed. A line's hash is the next line's ``prev``.
    """
    for i, event in enumerate(events):
        if event.get("type") == "outcome":
            return (events[i + 1]["prev"] if i + 1 < len(events) else final_head), i + 1
    return final_head, len(events)


def _line_hash(events: list[dict[str, Any]], index: int, final_head: str) -> str:
    """SHA-256 of journal line ``index + 1``: the next line's ``prev``, or the head for the last line."""
    return events[index + 1]["prev"] if index + 1 < len(events) else final_head


def signoff_lines(events: list[dict[str, Any]], final_head: str) -> list[tuple[int, str]]:
    """(line number, SHA-256) of each sign-off line of the journal, in order."""
    return [(i + 1, _line_hash(events, i, final_head)) for i, e in enumerate(events) if e.get("type") == "signoff"]


def interruptions(events: list[dict[str, Any]], upto: int) -> list[dict[str, Any]]:
    """Each resume among the first ``upto`` journal lines, with the last line before it: the driver stopped
    there (a crash, a dropped link or a quit) and nothing was observed until the resume."""
    out = []
    for i, event in enumerate(events[:upto]):
        if event.get("type") == "resumed" and i > 0:
            before = events[i - 1]
            out.append(_clean({"stopped_after_line": i, "stopped_after": iso(before.get("at")),
                               "resumed": iso(event.get("at")), "by": event.get("operator") or None,
                               "host": event.get("host") or None}))
    return out


def _check_row(engine: Engine, check: Any) -> dict[str, Any]:
    rb, cs = engine.runbook, engine.state.checks[check.id]
    return _clean({
        "id": check.id, "title": check.label, "source": check.source,
        "target": resolve_target(rb, check), "what": check_what(check), "unit": check.unit or None,
        "pass": str(check.pass_) if check.pass_ else None,
        "expect": getattr(check, "expect", None) if check.source == "kubernetes" else None,
        "warn": str(check.warn) if check.warn else None,
        "last": cs.value, "min": cs.min, "max": cs.max, "samples": cs.count, "errors": cs.errors,
        "verdict": cs.verdict, "detail": cs.detail or None, "required": check.required,
        "skipped": cs.skipped or None,
    })


def build_record(engine: Engine, journal_head: str, journal_events: int,
                 raw_events: list[dict[str, Any]] | None = None, final_head: str = "") -> dict[str, Any]:
    """Everything an auditor needs, in a stable key order (see the README's record section).

    ``journal_head``/``journal_events`` name the journal line the record is bound to (journal_anchor).
    With ``raw_events`` (the journal's lines) and its ``final_head``, the record also names the resumes
    before the anchor and the journal line of each sign-off.
    """
    rb, st = engine.runbook, engine.state
    record = _clean({
        "format": 1,
        "outcome": st.outcome or "IN PROGRESS",
        "reason": st.outcome_reason,
        "draft": st.outcome is None,
        "name": rb.meta.name,
        "service": rb.meta.service,
        "version": rb.meta.version,
        "environment": rb.meta.environment,
        # the path the session was started with, not the copy a replay reads
        "runbook_path": (raw_events[0].get("runbook_path") if raw_events else None) or rb.source_path,
        "runbook_sha256": rb.sha256,
        "started": iso(st.started),
        "finished": iso(st.finished),
        "operator": st.operator,
        "host": st.host,
        "dry_run": st.dry_run,
        "signoff": list(rb.meta.signoff),
        "signoff_distinct": rb.meta.signoff_distinct,
        "journal_sha256": journal_head,
        "journal_events": journal_events,
    }) | record_roles(rb)
    phases = []
    for phase, ps in zip(rb.phases, st.phases, strict=True):
        checks, manual = [], []
        for check in phase.checks:
            if check.source == "manual":
                ms = st.manual[check.id]
                manual.append(_clean({"id": check.id, "title": check.label, "role": check.role,
                                      "checked": ms.checked, "by": ms.by or None, "at": iso(ms.at),
                                      "note": ms.note or None}))
                continue
            checks.append(_check_row(engine, check))
        phases.append(_clean({
            "id": phase.id, "title": phase.label, "status": ps.status, "started": iso(ps.started),
            "ended": iso(ps.ended), "hold": format_duration(phase.hold), "reason": ps.reason or None,
            "check": checks or None, "manual": manual or None,
        }))
    record_doc: dict[str, Any] = {"record": record}
    # change management (console/change.py): the change, its window, deliveries that failed
    from golive.console.change import failure_entries, record_section

    if change := record_section(rb, st):
        record_doc["change"] = change
    record_doc["phase"] = phases
    if failures := failure_entries(st):
        record_doc["notification_failure"] = failures
    record_doc["decision"] = [_clean({**d, "at": iso(d["at"]), "trigger": d["trigger"] or None,
                                      "reason": d["reason"] or None}) for d in st.decisions]
    record_doc["trigger"] = [_clean({
        "id": t.id, "title": t.label, "then": t.then, "fire": str(t.fire) if t.fire else None,
        "for": format_duration(t.for_), "state": st.triggers[t.id].state,
        "fired_at": iso(st.triggers[t.id].fired_at), "value": st.checks[t.id].value,
        "samples": st.checks[t.id].count, "fired_by": st.triggers[t.id].fired_by or None,
        "detail": st.triggers[t.id].detail or None, "plan": t.plan, "during": list(t.during) or None,
        "for_after_action": format_duration(t.for_after_action) if t.for_after_action is not None else None,
        "keep_firing_for": format_duration(t.keep_firing_for) if t.keep_firing_for else None,
    }) for t in rb.triggers]
    record_doc["rollback"] = rollback_plans.record_section(engine, lambda c: _check_row(engine, c))
    record_doc["action"] = [_clean({
        "action": a["action"], "argv": a["argv"], "shell": a["shell"], "dry_run": a["dry_run"], "by": a["by"],
        "started": iso(a["started"]), "finished": iso(a.get("finished")), "exit_code": a.get("exit_code"),
        "duration": a.get("duration"), "error": a.get("error") or None,
        "output_sha256": a.get("output_sha256") or None, "output_tail": a.get("output_tail") or None,
    }) for a in st.actions]
    record_doc["note"] = [_clean({**n, "at": iso(n["at"]), "kind": n.get("kind") or "note"}) for n in st.notes]
    record_doc["approval"] = [_clean({**a, "at": iso(a["at"]), "note": a["note"] or None}) for a in st.approvals]
    record_doc["resume"] = interruptions(raw_events or [], journal_events)
    record_doc = {k: v for k, v in record_doc.items() if v != []}
    # sign-offs arrive one by one after the outcome: they sit beside the signatures, outside the signed body,
    # each naming its journal line so the role's signature can cover it (console.signed_body)
    lines = signoff_lines(raw_events or [], final_head) if raw_events else []
    signed_off = [_clean({"role": s["role"], "name": s["name"], "at": iso(s["at"]), "note": s.get("note") or None,
                          "line": lines[i][0] if i < len(lines) else None,
                          "line_sha256": lines[i][1] if i < len(lines) else None})
                  for i, s in enumerate(st.signoffs)]
    record_doc["signature_status"] = {"signed_off": signed_off} if signed_off else {}
    return record_doc


_PHASE_SYMBOL = {"passed": "✓", "overridden": "⚠", "failed": "✗", "timeout": "✗", "rolled_back": "↺",
                 "aborted": "✗", "active": "◐", "pending": "○", "skipped": "–"}


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_check_row(c: dict[str, Any]) -> str:
    unit = f" {c['unit']}" if c.get("unit") else ""
    value = "—" if c.get("last") is None else f"{format_number(c['last'])}{unit}"
    if c.get("min") is not None and c.get("max") is not None and c.get("samples", 0) > 1:
        value += f" (min {format_number(c['min'])}, max {format_number(c['max'])}, {c['samples']} samples)"
    target = c.get("pass", "") or c.get("expect", "") or "—"
    status = f"{verdict_symbol(c.get('verdict', ''))} {c.get('verdict', '')}"
    if c.get("skipped"):
        status = f"– {c['skipped']}"
    return f"| {_md(c.get('title', c['id']))} | {_md(value)} | {_md(target)}{_md(unit)} | {_md(status)} |"


def render_markdown(record: dict[str, Any]) -> str:
    """record.md: the tables people write by hand today, from a parsed or built record."""
    r = record["record"]
    lines = [f"# Go-live record: {_md(r.get('name', ''))}", ""]
    outcome = r.get("outcome", "")
    mark = {"GO": "✓", "PARTIAL": "⚠", "NO-GO": "✗", "ROLLED BACK": "↺"}.get(outcome, "…")
    lines += [f"**Outcome: {mark} {outcome}**" + (f" — {_md(r['reason'])}" if r.get("reason") else ""), ""]
    if r.get("draft"):
        lines += ["> Draft: the go-live is still running.", ""]
    lines += ["| | |", "|---|---|"]
    for key in ("service", "version", "environment", "operator", "host", "started", "finished",
                "runbook_path", "runbook_sha256", "journal_sha256", "journal_events"):
        if key in r:
            lines.append(f"| {key.replace('_', ' ').capitalize()} | `{_md(r[key])}` |")
    if r.get("dry_run"):
        lines.append("| Dry run | yes: no action was run |")
    from golive.console.change import markdown_lines  # change management

    lines += markdown_lines(record)
    lines += ["", "## Timeline", ""]
    for p in record.get("phase", []):
        sym = _PHASE_SYMBOL.get(p.get("status", ""), "?")
        span = f"{p.get('started', '—')} → {p.get('ended', '—')}"
        lines.append(f"- {sym} **{_md(p.get('title', p['id']))}** ({p.get('status')}) {span}"
                     + (f" — {_md(p['reason'])}" if p.get("reason") else ""))
    for p in record.get("phase", []):
        lines += ["", f"## {_PHASE_SYMBOL.get(p.get('status', ''), '?')} {_md(p.get('title', p['id']))}", ""]
        if p.get("check"):
            lines += ["| Check | Value | Target | Status |", "|---|---|---|---|"]
            lines += [_md_check_row(c) for c in p["check"]]
        if p.get("manual"):
            lines += ["", "| Manual item | Confirmed by | When | Note |", "|---|---|---|---|"]
            for m in p["manual"]:
                box = "[x]" if m.get("checked") else "[ ]"
                lines.append(f"| {box} {_md(m.get('title', m['id']))} | {_md(m.get('by', '—'))} | "
                             f"{m.get('at', '—')} | {_md(m.get('note', ''))} |")
    if record.get("decision"):
        lines += ["", "## Decisions", "", "| When | Decision | Phase | By | Reason |", "|---|---|---|---|---|"]
        for d in record["decision"]:
            lines.append(f"| {d.get('at')} | {d.get('kind')} | {d.get('phase')} | {_md(d.get('by', ''))} | "
                         f"{_md(d.get('reason', d.get('trigger', '')))} |")
    if record.get("trigger"):
        lines += ["", "## Rollback triggers", "", "| Trigger | Condition | Then | State | Fired |",
                  "|---|---|---|---|---|"]
        for t in record["trigger"]:
            cond = f"{t.get('fire', 'fails')} for {t.get('for', '0s')}"
            lines.append(f"| {_md(t.get('title', t['id']))} | {_md(cond)} | {t.get('then')} | {t.get('state')} | "
                         f"{t.get('fired_at', '—')} |")
    lines += rollback_plans.markdown_lines(record, _md_check_row)
    if record.get("action"):
        lines += ["", "## Actions", "", "| Action | Command | Exit | Duration |", "|---|---|---|---|"]
        for a in record["action"]:
            exit_text = "dry run" if a.get("dry_run") else (a.get("error") or str(a.get("exit_code", "—")))
            dur = f"{a['duration']:.1f}s" if a.get("duration") is not None else "—"
            lines.append(f"| {a.get('action')} | `{_md(' '.join(a.get('argv', [])))}` | {_md(exit_text)} | {dur} |")
    for kind, heading in (("note", "Notes"), ("anomaly", "Anomalies"), ("lesson", "Lessons learned")):
        notes = [n for n in record.get("note", []) if n.get("kind", "note") == kind]
        if notes:
            lines += ["", f"## {heading}", ""]
            lines += [f"- {n.get('at')} {_md(n.get('by', ''))}: {_md(n.get('text', ''))}" for n in notes]
    if record.get("resume"):
        lines += ["", "## Interruptions", ""]
        lines += [f"- the driver stopped after journal line {x.get('stopped_after_line')} "
                  f"({x.get('stopped_after', '—')}); resumed {x.get('resumed', '—')} by {_md(x.get('by', '—'))} on "
                  f"{_md(x.get('host', '—'))}"
                  for x in record["resume"]]
    lines += ["", "## Sign-off", "", "| Role | Signed off by | When | Signature |", "|---|---|---|---|"]
    sigs = {s.get("role"): s for s in record.get("signature", [])}
    offs = {s.get("role"): s for s in record.get("signature_status", {}).get("signed_off", [])}
    for role in list(r.get("signoff", [])) + [x for x in offs if x not in r.get("signoff", [])]:
        so, sig = offs.get(role, {}), sigs.get(role)
        sig_text = f"✓ {sig.get('fingerprint', '')} ({sig.get('principal', '')})" if sig else "✗ missing"
        lines.append(f"| {_md(role)} | {_md(so.get('name', '—'))} | {so.get('at', '—')} | {_md(sig_text)} |")
    missing = record.get("signature_status", {}).get("missing")
    if missing:
        lines += ["", f"Signatures still missing: {', '.join(missing)}."]
    return "\n".join(lines) + "\n"
