"""The mission screen: header, gate, the panes (side by side or as tabs), and the keys that work now."""

from __future__ import annotations

# It draws from the seat's snapshot (console/view.py) and sends commands through one interface (console/seat.py,
# which the live session, the journal follower and a driver seat implement); a command shows as done only when the
# session returns (the journal is fsync'd by then). Redraws are coalesced: events refresh the panes an event
# touches once per batch; samples, sparklines and clocks once a second.
from typing import Any, Awaitable, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Container
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, TabbedContent

from golive.console import events as ev
from golive.console.change import change_label, header_flags
from golive.console.engine import Refused
from golive.console.rollback_plans import is_step
from golive.console.seat import Seat
from golive.console.state import Gate
from golive.console.view import SessionView
from golive.screens import keymap, mission_panes
from golive.screens.check_cells import value_is_old
from golive.screens.checklist import tickable_checks
from golive.screens.gate_bar import GateBar, gate_content, observing_text
from golive.screens.gate_reasons import shown_reasons, with_next_key
from golive.screens.header import MissionHeader, overall_state
from golive.screens.key_footer import KeyFooter
from golive.screens.layouts import NarrowBody, Panes, WideBody, is_wide
from golive.screens.live_table import LiveTable
from golive.screens.messages import ActionOutput, SamplesArrived, SessionEvent, SessionFeed
from golive.screens.mission_commands import MissionCommandsMixin
from golive.screens.mission_rules import MissionRulesMixin
from golive.screens.phase_list import PhaseList


def mission_commands():
    """The palette's provider, imported when the palette first opens."""
    from golive.screens.commands import MissionCommands

    return MissionCommands


MAX_HELD = 4                # messages held while a dialog is open (the newest; each is in last_message too)
MACHINE_EVENTS_WAIT = 0.5   # seconds a follower lets a verdict or trigger change wait for the next pass


class MissionScreen(MissionRulesMixin, MissionCommandsMixin, Screen):
    BINDINGS = keymap.bindings()
    COMMANDS = {mission_commands}
    AUTO_FOCUS = None   # _focus_checks picks the pane; Textual's first-focusable guess (the tab bar) raced it

    def __init__(self, session: Seat, *, feed: SessionFeed | None = None, key: Any = None):
        super().__init__()
        self.session, self.engine, self.runbook = session, session.engine, session.runbook
        self.feed = feed or SessionFeed()
        self.key = key
        self.viewed = max(0, session.view().active)
        self.shown: Any = None   # the SessionView the header and gate line show, taken anew by every pass
        self._trigger_ids = {t.id for t in self.runbook.triggers}
        self.follow_active = True
        self.wide: bool | None = None
        self.panes: Panes | None = None
        self.last_message = ""
        self._rollback_asked: str | None = None
        self._refresh_scheduled = False
        self._touched: set[str] = set()
        self._touched_checks: set[str] = set()
        self._machine_timer: Any = None
        self._held: list[tuple[str, bool, str]] = []   # messages said while a dialog was open

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
        self.panes = Panes.create(self.runbook)
        self.panes.checks.read_only = self.panes.detail.read_only = self.session.read_only
        return WideBody(self.panes) if self.wide else NarrowBody(self.panes)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.every_second)
        self.call_after_refresh(self.refresh_all)
        self.call_after_refresh(self._focus_checks)

    def _focus_checks(self) -> None:
        """Focus the first pane with rows (checks, else the checklist, else the phases), so j/k move at once."""
        p = self.panes
        if p is None:
            return
        # Decided from the runbook, not from the tables' rows: those come with the first layout, maybe later.
        phase = self.runbook.phases[self.viewed] if 0 <= self.viewed < len(self.runbook.phases) else None
        if phase is not None and phase.automated_checks:
            p.checks.focus()   # arrows move through the checks; the detail line follows
        elif phase is not None and tickable_checks(self.runbook, self.viewed):
            p.checklist.focus()
        else:
            self._show_pane("tab-phases", p.phases)

    async def on_resize(self, event: Any) -> None:
        if is_wide(event.size.width, event.size.height) != self.wide:
            slot = self.query_one("#body-slot")
            await slot.remove_children()
            await slot.mount(self._new_body(event.size.width, event.size.height))
            self.call_after_refresh(self._focus_checks)
        self.call_after_refresh(self.refresh_all)

    @on(TabbedContent.TabActivated)
    @on(LiveTable.Resized)
    def _needs_layout(self) -> None:
        self._touched.add("all")
        if not self._refresh_scheduled:
            self._refresh_scheduled = True
            self.call_after_refresh(self._after_events)

    # ------------------------------------------------------------------ what the state looks like now

    def now(self) -> float:
        return self.session.clock()

    @property
    def palette(self):
        return self.app.palette

    def shown_gate(self, now: float) -> Gate:
        """The gate with its reasons as the gate line words them (the next key named, waiting checks folded)."""
        view = self.session.view(now)
        return Gate(view.gate.open, shown_reasons(view, self.runbook, list(view.gate.reasons), view.read_only))

    def refresh_all(self) -> None:
        """Redraw every pane from the state (each changes only what differs)."""
        if self.panes is None:
            return
        now = self.now()
        self._refresh_status(now)
        p = self.panes
        mission_panes.draw(self, mission_panes.Pass(now, self.palette, frozenset({"all"})))
        self.set_titles()
        phase = self.runbook.phases[self.viewed] if 0 <= self.viewed < len(self.runbook.phases) else None
        if phase is not None and (self.focused is p.checks and not phase.automated_checks
                                  or self.focused is p.checklist and not tickable_checks(self.runbook, self.viewed)):
            self.call_after_refresh(self._focus_checks)   # a new phase emptied the focused table: j/k must move

    def _refresh_status(self, now: float) -> None:
        """Header, gate line and footer, from one snapshot of the session (console/view.py)."""
        view = self.shown = self.session.view(now)
        gate = Gate(view.gate.open, shown_reasons(view, self.runbook, list(view.gate.reasons), view.read_only))
        phase = view.active_phase
        started = view.started or now
        self.query_one(MissionHeader).show(
            service=view.service, version=view.version, environment=view.environment,
            phase_no=view.active + 1, phases=len(view.phases), phase_title=phase.label if phase else "",
            since_start=(view.finished or now) - started, state_word=overall_state(view, gate.open),
            change=change_label(self.runbook), flags=header_flags(view))
        trigger = view.triggers.get(view.rollback_request or "")
        trigger_label = trigger.label if trigger is not None else ""
        bar = self.query_one(GateBar)
        bar.show(gate_content(gate, view, list(view.missing_signoffs), trigger_label, room=bar.room,
                              **self._outcome_facts(view)))
        self.query_one(KeyFooter).show(self.action_available)

    def _outcome_facts(self, view: SessionView) -> dict[str, Any]:
        """For the gate line: read-only or not, a follower's gone driver, the record's path and what the driver
        still observes once the go-live has its outcome."""
        facts: dict[str, Any] = {"read_only": view.read_only, "banner": view.driver_problem}
        if view.outcome is not None:
            paths = view.record_paths
            record = paths[0] if paths else view.folder / "record.toml"
            facts["record"] = str(record) if paths or record.is_file() else ""
            facts["observing"] = "" if view.read_only else observing_text(view)
        return facts

    def set_titles(self) -> None:
        p, view = self.panes, self.shown
        phase = view.phases[self.viewed] if 0 <= self.viewed < len(view.phases) else None
        label = phase.label if phase else ""
        suffix = "" if self.viewed == view.active else " (not the active phase)"
        if self.wide:
            bad = view.pods_in_trouble()
            titles = ((p.checks, f"Checks · {label}{suffix}"), (p.checklist, f"Checklist · {label}"),
                      (p.pods, f"Pods · {bad} in trouble" if bad else "Pods"))
            for widget, title in titles:
                if widget.border_title != title:   # setting it repaints the whole pane, even unchanged
                    widget.border_title = title

    def every_second(self) -> None:
        """Clocks, holds, trigger progress, sparklines and the samples of the last second, in one pass: a
        second's burst of samples costs one redraw, and values are on screen within a second."""
        if self.panes is None:
            return
        now = self.now()
        self._refresh_status(now)   # first: the panes of the events pass draw from this snapshot
        self._after_events(status=False)
        view = self.shown
        dirty, pods_changed = self.feed.take()
        if self.viewed == view.active:   # holds grow with time in the active phase only
            dirty |= {c.id for c in self.runbook.phases[self.viewed].automated_checks
                      if view.checks[c.id].verdict == "PASS"}
        if 0 <= self.viewed < len(self.runbook.phases):   # and so does the age of an old value
            dirty |= {c.id for c in self.runbook.phases[self.viewed].automated_checks
                      if value_is_old(c, view.checks[c.id], now)}
        touched = {"second"} | ({"checks"} if dirty else set()) | ({"pods"} if pods_changed else set())
        mission_panes.draw(self, mission_panes.Pass(now, self.palette, frozenset(touched), frozenset(dirty)))

    # ------------------------------------------------------------------ what the session says

    def on_session_event(self, message: SessionEvent) -> None:
        """Note what the event touches; one pass after the batch redraws just that."""
        event = message.event
        if isinstance(event, ev.Verdict):
            self._touched_checks.add(event.check)
            if event.check in self._trigger_ids:
                self._touched.add("triggers")
        elif isinstance(event, ev.Tick):
            self._touched.add("checklist")
            self._touched_checks.add(event.check)
        elif isinstance(event, ev.TriggerState):
            self._touched.add("triggers")
        elif isinstance(event, (ev.Log, ev.Note)):
            self._touched.add("log")   # a note shows at once, not with the next state change
        elif not isinstance(event, (ev.Summary, ev.Heartbeat)):
            self._touched.add("all")   # phases, decisions, actions, outcome, sign-offs: everything may move
        if isinstance(event, ev.PhaseStarted) and self.follow_active:
            self.viewed = self.runbook.phase_index(event.phase)
        elif isinstance(event, ev.Outcome):
            self.say(f"{event.outcome}" + (f" — {event.reason}" if event.reason else ""))
            self.ask_to_cosign()
        # A person's action shows at once; machine events (verdicts, triggers) join the once-a-second pass, so a
        # burst of them costs one frame. A follower reads them up to 0.3 s late, so it waits half a second at most.
        if event.human and not self._refresh_scheduled:
            self._refresh_scheduled = True
            self.call_later(self._after_events)
        elif not event.human and self.session.read_only and self._machine_timer is None:
            self._machine_timer = self.set_timer(MACHINE_EVENTS_WAIT, self._machine_events_due)

    def _machine_events_due(self) -> None:
        self._machine_timer = None
        self._after_events()

    def _after_events(self, status: bool = True) -> None:
        self._refresh_scheduled = False
        if not (self._touched or self._touched_checks):
            return
        touched, checks = self._touched, self._touched_checks
        self._touched, self._touched_checks = set(), set()
        if "all" in touched or self.panes is None:
            self.refresh_all()
        else:
            now = self.now()
            if status:
                self._refresh_status(now)
            touched |= {"events"} | ({"checks"} if checks else set())
            mission_panes.draw(self, mission_panes.Pass(now, self.palette, frozenset(touched), frozenset(checks)))
        self._maybe_ask_rollback()

    def on_samples_arrived(self, message: SamplesArrived) -> None:
        """Samples wait in the feed for the once-a-second pass (``every_second``)."""
        self.feed.posted = False

    def on_action_output(self, message: ActionOutput) -> None:
        if self.panes is not None:
            self.panes.log.add_output(self.now(), message.action, message.line, self.palette)

    def _maybe_ask_rollback(self) -> None:
        """A fired `then = "rollback"` trigger without `auto` asks the lead, once per request."""
        view = self.shown   # the pass that called this has just taken it
        request = view.rollback_request
        if not request or view.rollback_running or self.session.read_only or request == self._rollback_asked:
            return
        if self.app.screen is not self:
            return  # another dialog is open; the header and gate line already say ROLLBACK REQUESTED
        self._rollback_asked = request
        self.open_rollback(trigger=request)

    # ------------------------------------------------------------------ viewing

    @on(DataTable.RowHighlighted, "#check-table, #checklist")
    def _row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if self.panes is not None and message.row_key.value is not None and message.data_table.has_focus:
            view = self.shown or self.session.view(self.now())
            self.panes.detail.show(view, message.row_key.value, view.at)
            self.query_one(KeyFooter).show(self.action_available)

    @on(PhaseList.Viewed)
    def _phase_highlighted(self, message: PhaseList.Viewed) -> None:
        if message.index != self.viewed:
            self.view_phase(message.index)

    def view_phase(self, index: int, focus: bool = False) -> None:
        """Show the checks, checklist and trends of phase ``index`` (following the active phase again when it
        is the active one)."""
        self.viewed = index
        self.follow_active = index == (self.shown or self.session.view()).active
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
        """Tell the lead something: kept in ``last_message`` and shown as a notification — held while a dialog
        is open (a toast must not cover its fields), shown when this screen is back on top."""
        if self.app.screen is not self and isinstance(self.app.screen, ModalScreen):
            self.last_message = text
            self._held.append((text, warning, title))
            del self._held[:-MAX_HELD]
            return
        if self._held:   # the dialog just closed: what was held is older than this, so it goes first
            self.on_screen_resume()
        self.last_message = text
        self.notify(text, title=title, severity="warning" if warning else "information", timeout=8,
                    markup=False)

    def on_screen_resume(self) -> None:
        held, self._held = self._held, []
        for text, warning, title in held:
            self.say(text, warning=warning, title=title)

    def refuse(self, what: str, reason: str) -> None:
        self.say(with_next_key(reason, self.session.read_only), warning=True, title=f"{what}: refused")

    def command(self, what: str, make: Callable[[], Awaitable[Any]], done: str | Callable[[], None] = "") -> None:
        """Await a session command in a worker; Refused shows its reason, success shows ``done`` (or calls it,
        to say what the command's result was)."""
        async def go() -> None:
            try:
                await make()
            except Refused as exc:
                self.refuse(what, str(exc))
                return
            except Exception as exc:  # a failing command must not take the screen down
                self.refuse(what, f"{type(exc).__name__}: {exc}")
                return
            if callable(done):
                done()
            elif done:
                self.say(done)
        self.run_worker(go(), group="commands", exit_on_error=False)

    def say_rollback_result(self) -> None:
        """After the rollback command: finished, or failed with its exit (then the outcome is NO-GO)."""
        view = self.session.view()
        run = next((a for a in reversed(view.actions) if is_step(a["action"])), None)  # plan steps too
        outcome = view.outcome or "no outcome yet"
        if run is None:
            self.say(f"rolled back (the runbook has no rollback command) — {outcome}")
        elif run.get("dry_run"):
            self.say(f"rollback shown, not run (dry run) — {outcome}")
        elif run.get("exit_code") == 0:
            self.say(f"rollback finished: exit 0 — {outcome}")
        else:
            how = run.get("error") or f"exit {run.get('exit_code')}"
            self.say(f"rollback failed: {how} — {outcome}", warning=True, title="rollback")
