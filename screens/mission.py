"""The mission screen: header, gate, the panes (side by side or as tabs), and the keys that work now.

It reads the engine's state and sends commands through the session's narrow interface; a command shows as
done only when the session returns (the journal is fsync'd by then). Redraws are coalesced: events refresh
the panes once per batch, samples at most four times a second, sparklines and clocks once a second.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import DataTable, TabbedContent

from console import events as ev
from console.engine import Refused
from screens import keymap
from screens.actions import BY_NAME
from screens.commands import MissionCommands
from screens.gate_bar import GateBar, gate_content
from screens.header import MissionHeader, overall_state
from screens.key_footer import KeyFooter
from screens.live_table import LiveTable
from screens.layouts import NarrowBody, Panes, WideBody, is_wide
from screens.messages import ActionOutput, SamplesArrived, SessionEvent, SessionFeed
from screens.mission_commands import MissionCommandsMixin
from screens.phase_list import PhaseList

SAMPLE_FLUSH = 0.25   # seconds: samples arriving faster than this are drawn together


class MissionScreen(MissionCommandsMixin, Screen):
    BINDINGS = keymap.bindings()
    COMMANDS = {MissionCommands}

    def __init__(self, session: Any, *, feed: SessionFeed | None = None, key: Any = None):
        super().__init__()
        self.session, self.engine, self.runbook = session, session.engine, session.runbook
        self.feed = feed or SessionFeed()
        self.key = key
        self.viewed = max(0, self.engine.state.active)
        self.follow_active = True
        self.wide: bool | None = None
        self.panes: Panes | None = None
        self.last_message = ""
        self._rollback_asked: str | None = None
        self._refresh_scheduled = False
        self._samples_scheduled = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield MissionHeader(read_only=self.session.read_only, dry_run=self.session.dry_run, id="header")
        yield GateBar(id="gate")
        with Container(id="body-slot"):
            yield self._new_body(*self.app.size)
        yield KeyFooter(id="footer")

    def _new_body(self, width: int, height: int):
        self.wide = is_wide(width, height)
        self.set_class(not self.wide, "narrow")
        self.panes = Panes.create(self.engine)
        return WideBody(self.panes) if self.wide else NarrowBody(self.panes)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.every_second)
        self.call_after_refresh(self.refresh_all)

    async def on_resize(self, event: Any) -> None:
        if is_wide(event.size.width, event.size.height) != self.wide:
            slot = self.query_one("#body-slot")
            await slot.remove_children()
            await slot.mount(self._new_body(event.size.width, event.size.height))
        self.call_after_refresh(self.refresh_all)

    @on(TabbedContent.TabActivated)
    @on(LiveTable.Resized)
    def _needs_layout(self) -> None:
        if not self._refresh_scheduled:
            self._refresh_scheduled = True
            self.call_after_refresh(self._after_events)

    # ------------------------------------------------------------------ what the state looks like now

    def now(self) -> float:
        return self.session.clock()

    @property
    def palette(self):
        return self.app.palette

    def refresh_all(self) -> None:
        """Redraw every pane from the state (each changes only what differs)."""
        if self.panes is None:
            return
        now = self.now()
        self._refresh_status(now)
        p, palette = self.panes, self.palette
        p.phases.show(self.engine.state, now)
        if p.phases.highlighted != self.viewed:
            p.phases.highlighted = self.viewed
        p.checks.show(self.viewed, now, palette)
        p.checklist.show(self.viewed, palette)
        shown = p.detail.check_id
        if shown is None or self.runbook.phase_of(shown) is not self.runbook.phases[self.viewed]:
            shown = p.checks.cursor_key() or p.checklist.cursor_key()
        p.detail.show(shown, now)
        p.sparklines.show(self.viewed, palette)
        p.triggers.show(now)
        p.pods.show(self.engine.state, palette)
        p.log.sync(self.engine.state, palette)
        self._set_titles()

    def _refresh_status(self, now: float) -> None:
        st, rb = self.engine.state, self.runbook
        gate = self.engine.gate(now)
        phase = self.engine.active_phase()
        started = st.started or now
        self.query_one(MissionHeader).show(
            service=rb.meta.service, version=rb.meta.version, environment=rb.meta.environment,
            phase_no=st.active + 1, phases=len(rb.phases), phase_title=phase.label if phase else "",
            since_start=(st.finished or now) - started, state_word=overall_state(st, gate.open))
        trigger_label = ""
        if st.rollback_request:
            trigger_label = rb.check(st.rollback_request).label
        self.query_one(GateBar).show(gate_content(gate, st, self.engine.missing_signoffs(), trigger_label))
        self.query_one(KeyFooter).show(self.action_available)

    def _set_titles(self) -> None:
        p = self.panes
        phase = self.runbook.phases[self.viewed] if 0 <= self.viewed < len(self.runbook.phases) else None
        label = phase.label if phase else ""
        suffix = "" if self.viewed == self.engine.state.active else " (not the active phase)"
        if self.wide:
            p.checks.border_title = f"Checks · {label}{suffix}"
            p.checklist.border_title = f"Checklist · {label}"
            bad = sum(1 for rows in self.engine.state.pods.values() for pod in rows
                      if pod.get("status") not in ("Running", "Succeeded", "Completed"))
            p.pods.border_title = f"Pods · {bad} in trouble" if bad else "Pods"

    def every_second(self) -> None:
        """Clocks, hold progress, trigger progress and sparklines move with time, not with events."""
        if self.panes is None:
            return
        now = self.now()
        self._refresh_status(now)
        p, palette = self.panes, self.palette
        p.phases.show(self.engine.state, now)
        passing = {c for c, cs in self.engine.state.checks.items() if cs.verdict == "PASS"}
        p.checks.show(self.viewed, now, palette, only=passing)
        p.detail.show(None, now)
        p.triggers.show(now)
        p.sparklines.show(self.viewed, palette)

    # ------------------------------------------------------------------ what the session says

    def on_session_event(self, message: SessionEvent) -> None:
        event = message.event
        if isinstance(event, ev.PhaseStarted) and self.follow_active:
            self.viewed = self.runbook.phase_index(event.phase)
        elif isinstance(event, ev.Outcome):
            self.say(f"{event.outcome}" + (f" — {event.reason}" if event.reason else ""))
        if not self._refresh_scheduled:
            self._refresh_scheduled = True
            self.call_later(self._after_events)

    def _after_events(self) -> None:
        self._refresh_scheduled = False
        self.refresh_all()
        self._maybe_ask_rollback()

    def on_samples_arrived(self, message: SamplesArrived) -> None:
        if not self._samples_scheduled:
            self._samples_scheduled = True
            self.set_timer(SAMPLE_FLUSH, self._flush_samples)

    def _flush_samples(self) -> None:
        self._samples_scheduled = False
        dirty, pods_changed = self.feed.take()
        if self.panes is None:
            return
        if dirty:
            self.panes.checks.show(self.viewed, self.now(), self.palette, only=dirty)
        if pods_changed:
            self.panes.pods.show(self.engine.state, self.palette)

    def on_action_output(self, message: ActionOutput) -> None:
        if self.panes is not None:
            self.panes.log.add_output(self.now(), message.action, message.line, self.palette)

    def _maybe_ask_rollback(self) -> None:
        """A fired `then = "rollback"` trigger without `auto` asks the lead, once per request."""
        st = self.engine.state
        request = st.rollback_request
        if not request or st.rollback_running or self.session.read_only or request == self._rollback_asked:
            return
        if self.app.screen is not self:
            return  # another dialog is open; the header and gate line already say ROLLBACK REQUESTED
        self._rollback_asked = request
        self.open_rollback(trigger=request)

    # ------------------------------------------------------------------ viewing

    @on(DataTable.RowHighlighted, "#check-table, #checklist")
    def _row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if self.panes is not None and message.row_key.value is not None and message.data_table.has_focus:
            self.panes.detail.show(message.row_key.value, self.now())
            self.query_one(KeyFooter).show(self.action_available)

    @on(PhaseList.Viewed)
    def _phase_highlighted(self, message: PhaseList.Viewed) -> None:
        if message.index != self.viewed:
            self.view_phase(message.index)

    def view_phase(self, index: int, focus: bool = False) -> None:
        """Show the checks, checklist and trends of phase ``index`` (following the active phase again when it
        is the active one)."""
        self.viewed = index
        self.follow_active = index == self.engine.state.active
        self.refresh_all()
        if focus and self.panes is not None:
            self._show_pane("tab-checks", self.panes.checks)

    def jump_to_check(self, check_id: str) -> None:
        """Show the phase of ``check_id`` and put the cursor on it (triggers: show the trigger pane)."""
        phase = self.runbook.phase_of(check_id)
        if phase is None:
            self._show_pane("tab-phases", self.panes.phases if self.panes else None)
            return
        self.view_phase(self.runbook.phase_index(phase.id))
        p = self.panes
        if p is None:
            return
        if p.checks.select_key(check_id):
            self._show_pane("tab-checks", p.checks)
        elif p.checklist.select_key(check_id):
            self._show_pane("tab-checks", p.checklist)

    def _show_pane(self, tab: str, widget: Any) -> None:
        if not self.wide:
            self.query_one(NarrowBody).active = tab
        if widget is not None:
            self.call_after_refresh(widget.focus)

    # ------------------------------------------------------------------ running commands

    def say(self, text: str, *, warning: bool = False, title: str = "") -> None:
        """Tell the lead something: kept in ``last_message`` and shown as a notification."""
        self.last_message = text
        self.notify(text, title=title, severity="warning" if warning else "information", timeout=8,
                    markup=False)

    def refuse(self, what: str, reason: str) -> None:
        self.say(reason, warning=True, title=f"{what}: refused")

    def command(self, what: str, make: Callable[[], Awaitable[Any]], done: str = "") -> None:
        """Await a session command in a worker; Refused shows its reason, success shows ``done``."""
        async def go() -> None:
            try:
                await make()
            except Refused as exc:
                self.refuse(what, str(exc))
                return
            except Exception as exc:  # a failing command must not take the screen down
                self.refuse(what, f"{type(exc).__name__}: {exc}")
                return
            if done:
                self.say(done)
        self.run_worker(go(), group="commands", exit_on_error=False)

    def action_available(self, name: str) -> bool:
        """Whether the key for ``name`` does something now (the footer shows only those)."""
        action = BY_NAME.get(name)
        if action is None:
            return False
        if self.session.read_only and not action.read_only:
            return False
        st = self.engine.state
        running = st.outcome is None and st.active >= 0
        if name in ("tick", "proceed", "override", "rollback", "note"):
            if name == "rollback":
                return running and not st.rollback_running
            if name == "tick":
                return running and self.viewed == st.active and bool(self.panes and self.panes.checklist.cursor_key())
            return running or name == "note"
        if name == "run_action":
            phase = self.engine.active_phase()
            ps = st.active_phase
            return running and phase is not None and phase.action is not None and ps is not None \
                and ps.action_done is None
        if name == "sign":
            return st.outcome is not None and bool(self.engine.missing_signoffs())
        return True
