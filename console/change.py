"""The change a go-live is: the start rules (window, freeze, emergency reason), and what the header and record show.

Pure functions of the runbook, the state and ``now``; the CLI turns a refusal into exit 2.
"""

from __future__ import annotations

import os
import pwd
from datetime import datetime, timezone
from typing import Any

from golive.console import events as ev
from golive.console.redact import redact_urls
from golive.console.roles import refusal
from golive.console.runbook import Runbook
from golive.console.state import GoLiveState
from golive.console.window import window_status


class ChangeRefused(ValueError):
    """`golive run` may not start this change now; the message says why and what would allow it."""


def start_event(runbook: Runbook, now: float, operator: str, emergency_reason: str = "",
                bypass_reason: str = "") -> ev.ChangeStarted | None:
    """The change event to journal after session_started, or None for a runbook with no change metadata.

    Raises ChangeRefused: an emergency change without its reason, a reason for a change that is not one,
    or a start outside the window (or in a freeze) without a bypass reason.
    """
    meta = runbook.meta
    emergency_reason, bypass_reason = emergency_reason.strip(), bypass_reason.strip()
    if meta.change_type == "emergency" and len(emergency_reason) < 3:
        raise ChangeRefused('an emergency change needs its reason: golive run ... --emergency-reason "why"')
    if emergency_reason and meta.change_type != "emergency":
        raise ChangeRefused('--emergency-reason is for a runbook with change_type = "emergency"')
    if bypass_reason and len(bypass_reason) < 3:
        raise ChangeRefused("--bypass-window needs a written reason")
    status = window_status(runbook.window, datetime.fromtimestamp(now, timezone.utc), meta.environment)
    if not status.open and not bypass_reason:
        raise ChangeRefused(f"{status.reason}; next allowed: {status.next_text()}; "
                            f'to start anyway: --bypass-window "reason" (journaled and marked in the record)')
    if not status.open and runbook.window is not None and runbook.window.bypass_role:
        # who bypasses is the Unix user running golive (the kernel's word, not --operator)
        who = login_name()
        why = refusal(runbook, runbook.window.bypass_role, who, operator="")
        if why:
            raise ChangeRefused(f"{status.reason}; --bypass-window refused: {why}")
        operator = who
    if status.window is None and not (meta.change_id or meta.ticket or meta.change_type):
        return None
    window = "none" if status.window is None else ("open" if status.open else "bypassed")
    return ev.ChangeStarted(
        at=now, change_id=meta.change_id or "", ticket=redact_urls(meta.ticket or ""),
        change_type=meta.change_type or "", emergency_reason=emergency_reason, window=window,
        window_detail=status.reason if window != "none" else "",
        bypass_reason=bypass_reason if window == "bypassed" else "", by=operator)


def login_name() -> str:
    """The login name of the Unix user this process runs as."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def header_flags(state: GoLiveState) -> tuple[str, ...]:
    """Badges the header keeps for the whole session: EMERGENCY, WINDOW BYPASSED."""
    change = state.change
    flags = []
    if change.get("change_type") == "emergency":
        flags.append("EMERGENCY")
    if change.get("window") == "bypassed":
        flags.append("WINDOW BYPASSED")
    return tuple(flags)


def change_label(runbook: Runbook) -> str:
    """``CHG-4821 (normal)`` for the header; empty without a change id."""
    meta = runbook.meta
    if not meta.change_id:
        return ""
    return meta.change_id + (f" ({meta.change_type})" if meta.change_type else "")


def record_section(runbook: Runbook, state: GoLiveState) -> dict[str, Any]:
    """The record's [change] table (empty when the runbook names no change and no window binds)."""
    meta, change = runbook.meta, state.change
    out: dict[str, Any] = {}
    for key, value in (("id", meta.change_id), ("ticket", redact_urls(meta.ticket or "") or None),
                       ("type", meta.change_type)):
        if value:
            out[key] = value
    if change.get("emergency_reason"):
        out["emergency_reason"] = change["emergency_reason"]
    if meta.change_type == "emergency":
        # an emergency change skips the usual approval before it: someone must look at it afterwards
        out["review_required"] = True
        out["review_reason"] = "emergency change: review it afterwards with golive review"
    if change.get("window") and change["window"] != "none":
        out["window"] = change["window"]
        out["window_detail"] = change.get("window_detail", "")
        if change["window"] == "bypassed":
            out["bypass_reason"] = change.get("bypass_reason", "")
            out["bypass_by"] = change.get("by", "")
    return out


def failure_entries(state: GoLiveState) -> list[dict[str, Any]]:
    """The record's [[notification_failure]] entries."""
    from golive.console.record import iso

    return [{**f, "at": iso(f["at"])} for f in state.notify_failures]


def markdown_lines(record: dict[str, Any]) -> list[str]:
    """record.md's change section, from a parsed or built record."""
    change = record.get("change") or {}
    lines: list[str] = []
    if change:
        lines += ["", "## Change", "", "| | |", "|---|---|"]
        for key in ("id", "ticket", "type", "emergency_reason", "window", "window_detail", "bypass_reason",
                    "bypass_by"):
            if change.get(key):
                text = str(change[key]).replace("|", "\\|").replace("\n", " ")
                lines.append(f"| {key.replace('_', ' ').capitalize()} | {text} |")
        if change.get("review_required"):
            lines += ["", "> Needs a review: emergency change (`golive review DIR --role ROLE`)."]
    failures = record.get("notification_failure") or []
    if failures:
        lines += ["", "## Notifications not delivered", "", "| When | Target | Event | Attempts | Error |",
                  "|---|---|---|---|---|"]
        lines += [f"| {f.get('at')} | {f.get('target')} | {f.get('event')} | {f.get('attempts')} | {f.get('error')} |"
                  for f in failures]
    return lines
