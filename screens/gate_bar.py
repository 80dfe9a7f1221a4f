"""The gate line under the header: open (proceed with p), or closed with every reason why."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from golive.console.state import Gate, GoLiveState
from golive.screens.quiet_static import QuietStatic


def gate_content(gate: Gate, state: GoLiveState, missing_signoffs: list[str], rollback_label: str = "",
                 room: int = 1000, *, read_only: bool = False, banner: str = "", record: str = "",
                 observing: str = "") -> Content:
    """The gate line for the state: the outcome, where its record is, what is still observed and the sign-offs
    once ended; a rollback request; or the gate. A follower (``read_only``) is told no key it cannot use, and a
    ``banner`` (its driver gone) comes first.

    Reasons stop at about ``room`` cells with "… and N more" (each is also shown in its own pane)."""
    room -= len(banner) + 4 if banner else 0   # the banner takes its share of the lines
    content = _gate_content(gate, state, missing_signoffs, rollback_label, room, read_only, record, observing)
    if banner:
        return Content.assemble((f" ⚠ {banner} ", "bold $status-text on $status-error"), (" ", ""), content)
    return content


def observing_text(view: Any) -> str:
    """What a driver still samples after the outcome: ``4 checks, 2 triggers, pods``."""
    sampled = view.sampled
    triggers = sum(1 for cid, _ in sampled if cid in view.triggers)
    checks = len(sampled) - triggers
    parts = [f"{checks} check{'s' * (checks != 1)}"] if checks else []
    if triggers:
        parts.append(f"{triggers} trigger{'s' * (triggers != 1)}")
    if any(source == "kubernetes" for _, source in sampled):
        parts.append("pods")
    return ", ".join(parts)


def _outcome_content(state: GoLiveState, missing_signoffs: list[str], read_only: bool, record: str,
                     observing: str) -> Content:
    variable = {"GO": "status-pass", "PARTIAL": "status-warn"}.get(state.outcome or "", "status-fail")
    parts = [(f" {state.outcome} ", f"bold $status-text on ${variable}"),
             (f" {state.outcome_reason}" if state.outcome_reason else "", "")]
    if record:
        parts += [("  │ record written: ", "dim"), (record, "")]
    if observing:
        parts += [("  │ still observing ", "dim"), (observing, ""), (" (not in the record)", "dim")]
    if missing_signoffs:
        parts += [("  │ sign-off missing: ", "dim"), (", ".join(missing_signoffs), "bold $status-warn"),
                  ("" if read_only else " — press s", "dim")]
    else:
        parts += [("  │ every role signed off", "$status-pass")]
    return Content.assemble(*parts)


def _gate_content(gate: Gate, state: GoLiveState, missing_signoffs: list[str], rollback_label: str, room: int,
                  read_only: bool, record: str, observing: str) -> Content:
    if state.outcome:
        return _outcome_content(state, missing_signoffs, read_only, record, observing)
    if state.rollback_running:
        return Content.assemble((" ↺ ROLLING BACK ", "bold $status-text on $status-fail"),
                                (" the rollback command is running; its output is in the event log", ""))
    if state.rollback_request:
        then = "the lead confirms or cancels the rollback" if read_only else \
            "press r to confirm or cancel the rollback"
        return Content.assemble((" ⚑ ROLLBACK REQUESTED ", "bold $status-text on $status-fail"),
                                (f" trigger {rollback_label or state.rollback_request} fired — {then}", "bold"))
    if gate.open:
        then = "the lead may proceed" if read_only else "press p to proceed"
        return Content.assemble((" ▶ GATE OPEN ", "bold $status-text on $gate-open"),
                                (f" every required check held and every item confirmed — {then}", "$gate-open"))
    parts: list[tuple[str, str]] = [(" ■ GATE CLOSED ", "bold $status-text on $gate-closed"), (" ", "")]
    used = 17
    for i, reason in enumerate(gate.reasons):
        if i and used + len(reason) + 3 > room:
            parts.append((f" · … and {len(gate.reasons) - i} more (see the checks)", "bold"))
            break
        if i:
            parts.append((" · ", "dim"))
        parts.append((reason, ""))
        used += len(reason) + 3
    return Content.assemble(*parts)


class GateBar(QuietStatic):
    """Wraps onto a second line rather than cut reasons off; each reason is also in its pane."""

    DEFAULT_CSS = """
    GateBar { height: auto; max-height: 3; padding: 0 0; }
    """

    @property
    def room(self) -> int:
        """Roughly how many cells of text fit in the lines the bar may take."""
        width = self.content_region.width or self.size.width or 80
        lines = self.styles.max_height.value if self.styles.max_height is not None else 3
        return int(width * lines) - 30   # word wrapping wastes some of each line

    def show(self, content: Content) -> None:
        self.show_content(content)
