"""The gate line under the header: open (proceed with p), or closed with every reason why."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from console.state import Gate, GoLiveState


def gate_content(gate: Gate, state: GoLiveState, missing_signoffs: list[str], rollback_label: str = "") -> Content:
    """The gate line for the state: the outcome and sign-offs once ended, a rollback request, or the gate."""
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
    parts: list[tuple[str, str] | Content] = [(" ■ GATE CLOSED ", "bold $status-text on $gate-closed"), (" ", "")]
    for i, reason in enumerate(gate.reasons):
        if i:
            parts.append((" · ", "dim"))
        parts.append((reason, ""))
    return Content.assemble(*parts)


class GateBar(Static):
    """Wraps onto a second line rather than cut reasons off; each reason is also in its pane."""

    DEFAULT_CSS = """
    GateBar { height: auto; max-height: 3; padding: 0 0; }
    """

    def __init__(self, **kw):
        super().__init__(**kw)
        self._shown: str | None = None

    def show(self, content: Content) -> None:
        key = content.markup
        if key != self._shown:
            self._shown = key
            self.update(content)
            # The line count may change with the text; lay out again once the new text is measured.
            self.call_after_refresh(self.refresh, layout=True)
