"""Headless progress: Rich lines with symbols as well as colour, or one JSON object per event."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any, TextIO

from golive.console import events as ev
from golive.console.runbook import Runbook
from golive.console.units import format_number
from golive.console.wording import verdict_symbol

_STYLE = {"PASS": "green", "WARN": "yellow", "FAIL": "red", "ERROR": "magenta", "PENDING": "dim"}
_OUTCOME = {"GO": ("✓", "bold green"), "PARTIAL": ("⚠", "bold yellow"), "NO-GO": ("✗", "bold red"),
            "ROLLED BACK": ("↺", "bold red")}


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%H:%M:%S")


class JsonReporter:
    """One JSON object per line for every journaled event (machine-readable CI logs)."""

    def __init__(self, stream: TextIO = sys.stdout):
        self.stream = stream

    def __call__(self, kind: str, payload: Any) -> None:
        if kind == "event":
            self.stream.write(json.dumps(payload.to_dict(), ensure_ascii=False) + "\n")
            self.stream.flush()


class RichReporter:
    """Phase by phase: each check's value against its target, decisions, actions, the outcome."""

    def __init__(self, runbook: Runbook, console: Any = None):
        from rich.console import Console

        self.runbook = runbook
        self.console = console or Console(highlight=False, soft_wrap=True)

    def line(self, at: float, text: str) -> None:
        self.console.print(f"[dim]{_clock(at)}[/] {text}")

    def _command(self, action: str) -> str:
        from golive.console.phase_rules import action_name
        from golive.console.rollback_plans import step_name

        rb = self.runbook
        named = {action_name(p, i): a for p in rb.phases for i, a in enumerate(p.all_actions)}
        named.update({step_name(rb, plan, i): s for plan in rb.rollback_plans for i, s in enumerate(plan.steps)})
        found = named.get(action)
        return found.display() if found is not None else action

    def __call__(self, kind: str, payload: Any) -> None:
        if kind == "output":
            action, text = payload
            self.console.print(f"[dim]         {action} │[/] ", end="")
            self.console.out(text, highlight=False)  # command output is shown as it is, never as markup
            return
        if kind != "event":
            return
        e = payload
        rb = self.runbook
        if isinstance(e, ev.SessionStarted):
            self.line(e.at, f"[bold]{rb.meta.name}[/] — {rb.meta.service} {rb.meta.version} "
                            f"→ {rb.meta.environment}{' [yellow](dry run)[/]' if e.dry_run else ''}")
        elif isinstance(e, ev.PhaseStarted):
            phase = rb.phases[rb.phase_index(e.phase)]
            n = rb.phase_index(e.phase) + 1
            self.line(e.at, f"[bold cyan]◐ phase {n}/{len(rb.phases)}: {phase.label}[/]")
        elif isinstance(e, ev.Verdict):
            check = rb.check(e.check)
            unit = f" {check.unit}" if check.unit else ""
            value = "" if e.value is None else f" {format_number(e.value)}{unit}"
            target = f" (pass {check.pass_})" if getattr(check, "pass_", None) else ""
            style = _STYLE.get(e.verdict, "")
            self.line(e.at, f"  [{style}]{verdict_symbol(e.verdict)} {e.verdict:<5}[/] {check.label}{value}{target}"
                            + (f" [dim]— {e.detail}[/]" if e.detail and e.verdict != "PASS" else ""))
        elif isinstance(e, ev.Tick):
            self.line(e.at, f"  [green]✓[/] {rb.check(e.check).label} — confirmed by {e.by}"
                            + (f": {e.note}" if e.note else ""))
        elif isinstance(e, ev.TriggerState):
            style = "red" if e.state == "firing" else "yellow" if e.state in ("pending", "error") else "dim"
            self.line(e.at, f"  [{style}]⚑ trigger {rb.check(e.trigger).label}: {e.state}[/]"
                            + (f" — {e.detail}" if e.detail else ""))
        elif isinstance(e, ev.TriggerFired):
            self.line(e.at, f"  [red]⚑ trigger {rb.check(e.trigger).label}: fired by {e.by}[/] — {e.reason}")
        elif isinstance(e, ev.Decision):
            self.line(e.at, f"[bold]» {e.kind}[/] by {e.by}" + (f": {e.reason}" if e.reason else ""))
        elif isinstance(e, ev.ActionStarted):
            self.line(e.at, f"  ▶ {e.action}{' [yellow](dry run)[/]' if e.dry_run else ''}: {' '.join(e.argv)}")
        elif isinstance(e, ev.ActionFinished) and e.interrupted:
            self.line(e.at, f"  [yellow]⚠ {e.action} was interrupted (exit unknown)[/]: {self._command(e.action)}")
        elif isinstance(e, ev.ActionFinished):
            ok = e.dry_run or e.exit_code == 0
            how = "dry run" if e.dry_run else (e.error or f"exit {e.exit_code}")
            self.line(e.at, f"  {'[green]✓' if ok else '[red]✗'} {e.action} finished: {how}[/]")
        elif isinstance(e, ev.PhaseEnded):
            self.line(e.at, f"[bold]phase {e.phase}: {e.status}[/]" + (f" — {e.reason}" if e.reason else ""))
        elif isinstance(e, ev.Log) and e.level in ("warning", "error"):
            self.line(e.at, f"  [yellow]![/] {e.text}")
        elif isinstance(e, ev.SignOff):
            self.line(e.at, f"  ✍ signed off as {e.role} by {e.name}")
        elif isinstance(e, (ev.ChangeStarted, ev.NotifyFailed)):
            self.change_line(e)
        elif isinstance(e, ev.Outcome):
            sym, style = _OUTCOME.get(e.outcome, ("?", "bold"))
            self.line(e.at, f"[{style}]{sym} {e.outcome}[/]" + (f" — {e.reason}" if e.reason else ""))

    def change_line(self, e: Any) -> None:
        """The change and how it passed its window; a notification that was not delivered."""
        from rich.markup import escape

        if isinstance(e, ev.NotifyFailed):
            self.line(e.at, f"  [yellow]![/] notification {e.target} ({e.event}) not delivered: {e.error}")
            return
        what = " ".join(x for x in (e.change_id, f"({e.change_type})" if e.change_type else "") if x) or "change"
        if e.emergency_reason:
            what += f" [bold red]EMERGENCY[/]: {escape(e.emergency_reason)}"
        if e.window == "bypassed":
            what += f" [bold yellow]window bypassed[/] by {escape(e.by)}: {escape(e.bypass_reason)}"
        self.line(e.at, f"  {escape(what) if what == e.change_id else what}")
