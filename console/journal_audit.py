"""`golive verify --journal`: the record held against its journal — outcome, phases, verdicts, manual items,
decisions and actions re-derived from the journal's lines, and every sign-off line against its signature.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def _iso(t: Any) -> str | None:
    if not isinstance(t, (int, float)):
        return None
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _facts(events: list[dict]) -> dict[str, Any]:
    """What the journal's lines say happened, without the runbook: the last word on each thing, by line."""
    facts: dict[str, Any] = {"outcome": None, "phases": {}, "verdicts": {}, "manual": {}, "decisions": [],
                             "actions": []}
    for line, e in enumerate(events, start=1):
        kind = e.get("type")
        if kind == "outcome":
            facts["outcome"] = (e.get("outcome"), e.get("reason") or "", line)
        elif kind == "phase_started":
            facts["phases"][e.get("phase")] = ("active", line)
        elif kind == "phase_ended":
            facts["phases"][e.get("phase")] = (e.get("status"), line)
        elif kind == "verdict":
            facts["verdicts"][e.get("check")] = (e.get("verdict"), line)
        elif kind == "resumed":
            # nothing was observed while no driver ran: every check is PENDING until a fresh sample
            facts["verdicts"] = {check: ("PENDING", line) for check in facts["verdicts"]}
        elif kind == "tick":
            facts["manual"][e.get("check")] = (bool(e.get("checked", True)), e.get("by") or "", line)
        elif kind == "decision":
            facts["decisions"].append(({"kind": e.get("kind"), "phase": e.get("phase"), "by": e.get("by"),
                                        "reason": e.get("reason") or "", "trigger": e.get("trigger") or "",
                                        "at": _iso(e.get("at"))}, line))
        elif kind == "action_started":
            facts["actions"].append([e.get("action"), None, line])
        elif kind == "action_finished":
            for action in reversed(facts["actions"]):
                if action[0] == e.get("action") and action[1] is None:
                    action[1] = ("exit", e.get("exit_code"), e.get("error") or "", bool(e.get("dry_run")))
                    break
    return facts


def record_differences(record: dict, events: list[dict], upto: int) -> list[str]:
    """Every place where ``record`` says something other than the first ``upto`` journal lines."""
    facts, head, out = _facts(events[:upto]), record.get("record", {}), []
    outcome, reason, line = facts["outcome"] or ("IN PROGRESS", head.get("reason", ""), None)
    where = f" (journal line {line})" if line else ""
    if head.get("outcome") != outcome:
        out.append(f"outcome: the record says {head.get('outcome')}, the journal says {outcome}{where}")
    elif line and (head.get("reason") or "") != reason:
        out.append(f"outcome reason: the record says {head.get('reason')!r}, the journal says {reason!r}{where}")
    for phase in record.get("phase", []):
        status, pline = facts["phases"].get(phase.get("id"), ("pending", None))
        if phase.get("status") != status:
            at = f" (journal line {pline})" if pline else ""
            out.append(f"phase {phase.get('id')}: the record says {phase.get('status')}, the journal says {status}{at}")
        for check in phase.get("check", []):
            verdict, vline = facts["verdicts"].get(check.get("id"), ("PENDING", None))
            if check.get("verdict") != verdict:
                at = f" (journal line {vline})" if vline else ""
                out.append(f"check {check.get('id')}: the record says {check.get('verdict')}, "
                           f"the journal says {verdict}{at}")
        for item in phase.get("manual", []):
            checked, by, mline = facts["manual"].get(item.get("id"), (False, "", None))
            if bool(item.get("checked")) != checked or (checked and item.get("by", "") != by):
                said = f"confirmed by {by}" if checked else "not confirmed"
                out.append(f"manual item {item.get('id')}: the journal says {said}"
                           + (f" (journal line {mline})" if mline else ""))
    out += _decision_differences(record.get("decision", []), facts["decisions"])
    out += _action_differences(record.get("action", []), facts["actions"])
    return out


def _decision_differences(recorded: list[dict], journaled: list[tuple[dict, int]]) -> list[str]:
    out = []
    for i in range(max(len(recorded), len(journaled))):
        mine = recorded[i] if i < len(recorded) else None
        theirs, line = journaled[i] if i < len(journaled) else (None, None)
        if mine is None:
            assert theirs is not None  # i is below the longer length: one side holds decision i
            out.append(f"decision {i + 1}: the journal has {theirs['kind']} by {theirs['by']} (line {line}); "
                       "the record has none")
            continue
        if theirs is None:
            out.append(f"decision {i + 1}: the record has {mine.get('kind')} by {mine.get('by')}; the journal has none")
            continue
        for key in ("kind", "phase", "by", "reason", "trigger", "at"):
            if (mine.get(key) or "") != (theirs[key] or ""):
                out.append(f"decision {i + 1} {key}: the record says {mine.get(key)!r}, "
                           f"the journal says {theirs[key]!r} (line {line})")
    return out


def _action_differences(recorded: list[dict], journaled: list[list]) -> list[str]:
    out = []
    if len(recorded) != len(journaled):
        out.append(f"actions: the record lists {len(recorded)}, the journal {len(journaled)}")
    for i, (mine, (name, finished, line)) in enumerate(zip(recorded, journaled, strict=False), start=1):
        exit_code = finished[1] if finished else None
        if mine.get("action") != name or mine.get("exit_code") != exit_code:
            out.append(f"action {i}: the record says {mine.get('action')} exit {mine.get('exit_code')}, "
                       f"the journal says {name} exit {exit_code} (line {line})")
    return out


def _line_hash(events: list[dict], index: int, head: str) -> str:
    return events[index + 1]["prev"] if index + 1 < len(events) else head


def signoff_problems(record: dict, events: list[dict], head: str, anchor: int) -> list[str]:
    """The journal's sign-off lines against what each role's signature covers.

    A signature covers its role's sign-off entry, which names the journal line and its SHA-256: that line must
    be there, unchanged; and a sign-off line no signature covers, for a role that has signed or is not
    required at all, was added after the fact.
    """
    out: list[str] = []
    covered: dict[str, dict] = {}
    for entry in record.get("signature", []):
        if isinstance(entry, dict) and isinstance(entry.get("signoff"), dict):
            covered.setdefault(str(entry.get("role")), entry["signoff"])
    signed = {str(e.get("role")) for e in record.get("signature", []) if isinstance(e, dict)}
    required = set(record.get("record", {}).get("signoff", []))
    for role, signoff in covered.items():
        line = signoff.get("line")
        if not isinstance(line, int) or not 1 <= line <= len(events):
            out.append(f"the signature of {role} covers a sign-off at journal line {line}, which is not there")
            continue
        event = events[line - 1]
        if _line_hash(events, line - 1, head) != signoff.get("line_sha256"):
            what = f"{event.get('type')} of {event.get('role', '?')} by {event.get('name', '?')}"
            out.append(f"journal line {line} ({what}) is not the sign-off the signature of {role} covers")
    for index, event in enumerate(events):
        if event.get("type") != "signoff":
            continue
        line, role = index + 1, str(event.get("role"))
        mine = covered.get(role)
        if mine is not None and mine.get("line") == line:
            continue
        if line <= anchor:
            out.append(f"journal line {line}: a sign-off of {role} before the record's anchor")
        elif role in signed or role not in required:
            out.append(f"journal line {line}: a sign-off of {role} by {event.get('name')} that no signature covers")
    return out
