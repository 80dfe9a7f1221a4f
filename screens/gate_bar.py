"""The gate line under the header: open (proceed with p), or closed with every reason why."""

from __future__ import annotations

from textual.content import Content

from console.state import Gate, GoLiveState
from screens.quiet_static import QuietStatic


def gate_content(gate: Gate, state: GoLiveState, missing_signoffs: list[str], rollback_label: str = "",
                 room: int = 1000) -> Content:
    """The gate line for the state: the outcome and sign-offs once ended, a rollback request, or the gate.

    Reasons stop at about ``room`` cells with "… and N more" (each is also shown in its own pane)."""
    if state.outcome:
        variable = {"GO": "status-pass", "PARTIAL": "status-warn"}.get(state.outcome, "status-fail")
        parts = [(f" {state.outcome} ", f"bold $status-text on ${variable}"),
                 (f" {state.outcome_reason}" if state.outcome_reason else "", "")]
        if missing_signoffs:
            parts += [("  │ sign-off missing: ", "dim"), (", ".join(missing_signoffs), "bold $status-warn"),
                      (" — press s", "dim")]
        else:
            parts += [("  │ every role signed off", "$status-pass")]
        return Content.assemble(*parts)
    if state.rollback_running:
        return Content.assemble((" ↺ ROLLING BACK ", "bold $status-text on $status-fail"),
                                (" the rollback command is running; its output is in the event log", ""))
    if state.rollback_request:
        return Content.assemble((" ⚑ ROLLBACK REQUESTED ", "bold $status-text on $status-fail"),
                                (f" trigger {rollback_label or state.rollback_request} fired — press r to confirm "
                                 "or cancel the rollback", "bold"))
    if gate.open:
        return Content.assemble((" ▶ GATE OPEN ", "bold $status-text on $gate-open"),
                                (" every required check held and every item confirmed — press p to proceed",
                                 "$gate-open"))
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
