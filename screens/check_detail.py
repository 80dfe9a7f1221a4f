"""One or two lines under the checks: everything about the highlighted check or item that a narrow table cuts
(full title, what it measures, value, target, why) — so nothing is out of reach at 80 columns."""

from __future__ import annotations

import shlex
from typing import Any

from textual.content import Content

from golive.console.redact import redact_urls
from golive.console.view import SessionView
from golive.console.wording import verdict_symbol
from golive.screens.check_cells import hold_text, target_text, value_text
from golive.screens.checklist import clock_text
from golive.screens.gate_reasons import active_phase, waits_for_action
from golive.screens.quiet_static import QuietStatic


def what_text(check: Any) -> str:
    """What the check measures: its query, deployment, URL (never with a password), command or matchers."""
    for attr in ("query", "deployment", "selector", "builtin"):
        value = getattr(check, attr, None)
        if value:
            return f"{check.source}: {' '.join(str(value).split())}"
    url = getattr(check, "url", None)
    if url:
        return f"{check.method} {redact_urls(url)}"
    run = getattr(check, "run", None)
    if run:
        return f"$ {run if isinstance(run, str) else shlex.join(run)}"
    if getattr(check, "matchers", None):
        return "alerts: " + ", ".join(check.matchers)
    if check.source == "manual":
        return f"manual item for {check.role}" if check.role else "manual item"
    return check.source


def detail_content(view: SessionView, runbook: Any, check_id: str, now: float, read_only: bool = False) -> Content:
    check = runbook.check(check_id)
    if check.source == "manual":
        ms = view.manual[check_id]
        done = f"ticked by {ms.by} at {clock_text(ms.at)}" + (f": {ms.note}" if ms.note else "") if ms.checked \
            else "not confirmed yet" + ("" if read_only else " — space ticks it")
        return Content.assemble((check.label, "bold"), ("  ", ""),
                                (done, "$status-pass" if ms.checked else "$status-warn"), ("\n", ""),
                                (what_text(check), "dim"))
    shown = view.checks[check_id]
    cs = shown.recorded or shown
    phase = runbook.phase_of(check_id)
    active = phase is not None and active_phase(view, runbook) is phase and view.outcome is None
    if active and waits_for_action(view, runbook, check):
        return Content.assemble(("◌ WAITING ", "bold $status-pending"), (check.label, "bold"),
                                ("  waits for the phase action to run", ""), ("\n", ""),
                                (what_text(check), "dim"))
    verdict_style = {"PASS": "$status-pass", "WARN": "$status-warn", "FAIL": "$status-fail",
                     "ERROR": "$status-error"}.get(cs.verdict, "$status-pending")
    why = hold_text(shown, check, now, active, read_only)
    # What matters first (verdict, value, target, why), then what is measured: a long query wraps last.
    return Content.assemble(
        (f"{verdict_symbol(cs.verdict)} {cs.verdict} ", f"bold {verdict_style}"), (check.label, "bold"),
        ("  value ", "dim"), (value_text(check, shown, now), ""), ("  target ", "dim"),
        (target_text(check) or "—", ""),
        ("  ", ""), (why, verdict_style if cs.verdict not in ("PASS", "PENDING") else ""), ("\n", ""),
        (what_text(check), "dim"),
    )


class CheckDetail(QuietStatic):
    """Shows the check (or manual item) last highlighted in the checks table or the checklist. A fixed height:
    a value growing a digit must not move the panes below (nor cost a layout pass)."""

    DEFAULT_CSS = """
    CheckDetail { height: 3; padding: 0 1; overflow: hidden; }
    """

    read_only = False   # a follower's detail names no key it cannot use

    def __init__(self, runbook: Any, **kw: Any):
        super().__init__(**kw)
        self.runbook = runbook
        self.check_id: str | None = None

    def show(self, view: SessionView, check_id: str | None, now: float) -> None:
        if check_id is not None:
            self.check_id = check_id
        if self.check_id is None:
            content = Content.assemble(("↑↓ to pick a check; its query and details show here", "dim"))
        else:
            content = detail_content(view, self.runbook, self.check_id, now, self.read_only)
        self.show_content(content)
