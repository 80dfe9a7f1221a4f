"""The header line: service, version, environment, phase n/m, T+ since the start, and the overall state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content

from golive.console.state import GoLiveState
from golive.screens.quiet_static import QuietStatic

# overall state → (symbol, theme variable); status is a symbol as well as a colour
_STATES = {
    "GO": ("✓", "status-pass"),
    "PARTIAL": ("⚠", "status-warn"),
    "NO-GO": ("✗", "status-fail"),
    "ROLLED BACK": ("↺", "status-fail"),
    "ROLLING BACK": ("↺", "status-fail"),
    "ROLLBACK REQUESTED": ("⚑", "status-fail"),
    "GATE OPEN": ("▶", "gate-open"),
    "RUNNING": ("◐", "phase-active"),
}


def overall_state(state: GoLiveState, gate_open: bool) -> str:
    """RUNNING, GATE OPEN, ROLLBACK REQUESTED, ROLLING BACK, or the outcome (GO, NO-GO, ROLLED BACK, PARTIAL)."""
    if state.outcome:
        return state.outcome
    if state.rollback_running:
        return "ROLLING BACK"
    if state.rollback_request:
        return "ROLLBACK REQUESTED"
    return "GATE OPEN" if gate_open else "RUNNING"


def elapsed(seconds: float) -> str:
    """``T+01:02:03`` (hours grow past 99 rather than wrap)."""
    whole = max(0, int(seconds))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"T+{h:02d}:{m:02d}:{s:02d}"


def badge(word: str, variable: str, symbol: str = "") -> Content:
    text = f" {symbol} {word} " if symbol else f" {word} "
    return Content.assemble((text, f"bold $status-text on ${variable}"))


class MissionHeader(Horizontal):
    """One line; the left part is cut with an ellipsis before the state badge ever is."""

    DEFAULT_CSS = """
    MissionHeader { height: 1; }
    MissionHeader > #header-left { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    MissionHeader > #header-right { width: auto; height: 1; }
    """

    def __init__(self, read_only: bool = False, dry_run: bool = False, **kw):
        super().__init__(**kw)
        self.read_only, self.dry_run = read_only, dry_run
        self._shown: tuple = ()

    def compose(self) -> ComposeResult:
        yield QuietStatic(id="header-left")
        yield QuietStatic(id="header-right")

    def show(self, *, service: str, version: str, environment: str, phase_no: int, phases: int,
             phase_title: str, since_start: float, state_word: str, change: str = "",
             flags: tuple[str, ...] = ()) -> None:
        """Redraw only when something visible changed (the clock changes once a second).

        ``change``: the change id (and type); ``flags``: badges kept all session (EMERGENCY, WINDOW BYPASSED).
        """
        shown = (service, version, environment, phase_no, phases, phase_title, int(since_start), state_word,
                 change, flags)
        if shown == self._shown:
            return
        self._shown = shown
        compact = (self.size.width or 80) < 110   # at 80 columns the phase title is in the Phases tab
        left = Content.assemble(
            (f" {service} ", "bold"), (version, "bold $phase-active"), (" → ", "dim"), (environment, "bold"),
            (" │ ", "dim"), (f"{phase_no}/{phases}" if compact else f"phase {phase_no}/{phases}", "bold"),
            (f" {phase_title}" if phase_title and not compact else "", ""),
            (" │ ", "dim"), (elapsed(since_start), "bold"),
            (f" │ {change}" if change else "", "bold"),
        )
        self.query_one("#header-left", QuietStatic).show_content(left)
        symbol, variable = _STATES.get(state_word, ("?", "status-pending"))
        parts = [badge(state_word, variable, symbol)]
        for flag in flags:
            parts += [Content(" "), badge(flag, "status-fail" if flag == "EMERGENCY" else "status-warn", "⚠")]
        if self.dry_run:
            parts += [Content(" "), badge("DRY RUN", "status-warn")]
        if self.read_only:
            parts += [Content(" "), badge("READ-ONLY", "badge-read-only")]
        self.query_one("#header-right", QuietStatic).show_content(Content.assemble(*parts))
