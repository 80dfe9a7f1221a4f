"""The driver of one go-live: journal, engine, scheduler and actions behind one narrow command interface.

Screens, the headless reporter and `golive watch` all read ``session.engine.state``
and hear about changes through ``subscribe``; commands (proceed, override, tick,
note, sign, roll back, run action) go through the methods below. Every human
event is fsync'd to the journal before listeners hear of it.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import functools
import getpass
import shutil
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from golive.checks.base import Sample
from golive.checks.manual import Answers
from golive.console import events as ev
from golive.console import redact
from golive.console.actions import run_action
from golive.console.engine import Engine, Refused
from golive.console.journal import Journal, JournalError, session_folder_name
from golive.console.resume import carry_on
from golive.console.runbook import Runbook, load_runbook
from golive.console.scheduler import Scheduler, SourcePool
from golive.console.session_seeds import SeedReactions
from golive.console.session_writes import DiskPipeline
from golive.console.state import HISTORY

if TYPE_CHECKING:
    from golive.console.view import SessionView

SUMMARY_EVERY = 1800.0  # seconds between batched per-check summaries (24 h of 500 checks stays < 10 MB)
SYNC_EVERY = 1.0        # machine events reach the disk within this long
TICK_EVERY = 0.25
TASKS_END_WAIT = 5.0    # seconds a stopping run gives its cancelled tasks to end
HEARTBEAT_EVERY = 5.0   # after this long with nothing journaled, a heartbeat line (at most ~2 MB a day)

# The seat a command came from (set by the driver's socket server for the command's task); journaled with it.
SEAT: contextvars.ContextVar[str] = contextvars.ContextVar("golive_seat", default="")

# ("event", Event) | ("sample", Sample) | ("output", (action, line)) | ("history", check_id)
Listener = Callable[[str, Any], None]


def default_operator() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


class Listeners:
    """Who hears a session's changes: the driver, the journal follower and a driver seat share this fan-out."""

    _listeners: list[Listener]

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self, kind: str, payload: Any) -> None:
        for listener in list(self._listeners):
            listener(kind, payload)

    def view(self, now: float | None = None) -> "SessionView":
        """What a screen shows now, as one immutable snapshot (console/view.py); ``subscribe`` says when to take
        a new one."""
        from golive.console.view import take_view

        return take_view(self, now)


class Session(Listeners, SeedReactions, DiskPipeline):
    """One go-live being driven. Create with ``Session.start`` or ``Session.resume``."""

    read_only = False
    resume_warnings: list[str]  # set by resume() only; readers ask with getattr and a default

    def __init__(self, runbook: Runbook, journal: Journal, engine: Engine, *, operator: str, headless: bool,
                 dry_run: bool, answers: Answers | None = None, clock: Callable[[], float] = time.time):
        self.runbook, self.journal, self.engine = runbook, journal, engine
        redact.gather(runbook)  # before any action runs: its output may print a credential not yet used
        self.operator, self.headless, self.dry_run = operator, headless, dry_run
        self.answers = answers
        self.clock = clock
        self.folder = journal.folder
        self._listeners: list[Listener] = []
        self._pending_sync = False
        self._last_summary = clock()
        self._last_written = clock()
        self._scheduler: Scheduler | None = None
        self._stop = asyncio.Event() if _loop_running() else None
        self._tasks: set[asyncio.Task] = set()
        self.record_paths: tuple[Path, Path] | None = None
        self._anchor: tuple[str, int] | None = None   # the journal line the outcome was written at
        self._backfilled: set[str] = set()
        self._failure: BaseException | None = None   # a write that failed off the main loop (a full disk)
        self._resumed = False

    # ------------------------------------------------------------------ creation

    @classmethod
    def start(cls, runbook: Runbook, *, session_dir: Path | None = None, operator: str | None = None,
              headless: bool = False, dry_run: bool = False, answers: Answers | None = None,
              overrides: dict[str, str] | None = None, clock: Callable[[], float] = time.time,
              listeners: tuple[Listener, ...] = (), change: ev.ChangeStarted | None = None) -> "Session":
        """``change``: the change event (console.change.start_event), journaled right after session_started."""
        now = clock()
        folder = session_dir or Path("golive-sessions") / session_folder_name(now, runbook.meta.service,
                                                                              runbook.meta.version)
        journal = Journal.create(Path(folder))
        if runbook.source_path and Path(runbook.source_path).is_file():
            try:
                shutil.copyfile(runbook.source_path, journal.folder / "runbook.toml")
            except OSError as exc:
                journal.close()
                raise JournalError(f"{journal.folder / 'runbook.toml'}: cannot copy the runbook: "
                                   f"{exc.strerror or exc}") from None
        engine = Engine(runbook)
        session = cls(runbook, journal, engine, operator=operator or default_operator(), headless=headless,
                      dry_run=dry_run, answers=answers, clock=clock)
        for listener in listeners:
            session.subscribe(listener)
        started = engine.cmd_start(
            now, runbook_sha256=runbook.sha256, runbook_path=runbook.source_path, name=runbook.meta.name,
            service=runbook.meta.service, version=runbook.meta.version, environment=runbook.meta.environment,
            operator=session.operator, host=socket.gethostname(), dry_run=dry_run, headless=headless,
            variables=dict(overrides or {}))
        if change is not None:
            started.insert(1, dataclasses.replace(change, at=now, by=change.by or session.operator))
        session.submit(started)
        return session

    @classmethod
    def resume(cls, folder: Path, *, operator: str | None = None, headless: bool = False,
               answers: Answers | None = None, clock: Callable[[], float] = time.time,
               listeners: tuple[Listener, ...] = ()) -> "Session":
        """Rebuild the state by replaying the journal, then carry on driving."""
        journal, replay = Journal.resume(Path(folder))
        try:
            runbook, engine, events = replay_session(Path(folder), replay.events)
            # the record and its signing modules stay off the path to the screen's first frame
            from golive.console.record import journal_anchor

            anchor = journal_anchor(replay.events, replay.head) if engine.state.outcome else None
        except Exception:
            journal.close()
            raise
        started: ev.SessionStarted = events[0]
        session = cls(runbook, journal, engine, operator=operator or default_operator(), headless=headless,
                      dry_run=started.dry_run, answers=answers, clock=clock)
        session.resume_warnings = replay.warnings
        session._anchor = anchor
        session._resumed = True
        for listener in listeners:
            session.subscribe(listener)
        session.submit([ev.Resumed(at=clock(), operator=session.operator, host=socket.gethostname())])
        return session

    # ------------------------------------------------------------------ events

    def submit(self, events: list[ev.Event]) -> None:
        """Journal (fsync'd when human), fold, tell listeners, then react — in that order. With the disk writer
        running (``run``), the line is written on its thread and the rest follows once it is on disk."""
        seat = SEAT.get()
        for event in events:
            if (self.engine.state.outcome is not None or self._anchor is not None) and not event.human:
                continue  # the record already holds the journal's head; only people may add to it now
            if isinstance(event, ev.Outcome) and self.engine.state.outcome is None and self._anchor is None:
                self._journal_figures(event.at)
            event = redact.scrub_fields(event)  # journal, engine (so the record), listeners: all see it scrubbed
            if seat and getattr(event, "seat", None) == "":
                with_seat: dict[str, Any] = {"seat": seat}  # only the events that have a seat get here
                event = dataclasses.replace(event, **with_seat)
            self._write_event(event, self._land)

    def _journaled(self, event: ev.Event) -> None:
        """What the session notes as soon as an event has its journal line (written or staged)."""
        self._last_written = self.clock()
        if isinstance(event, ev.Outcome):
            self._anchor = (self.journal.head, self.journal.seq)
        if not event.human:
            self._pending_sync = True

    def _land(self, event: ev.Event) -> None:
        """An event on disk: fold it, tell listeners, react."""
        self.engine.apply(event)
        self._notify("event", event)
        self._react(event)

    def _journal_figures(self, at: float) -> None:
        """The checks' figures go into the journal before the outcome: the record is rendered from it."""
        summary = self.engine.summary_event(at)
        if summary.checks:
            self._write_event(summary, self.engine.apply)

    def _observe(self, sample: Sample) -> None:
        sample = redact.scrub_fields(sample)
        try:
            self.submit(self.engine.observe(sample))
        except JournalError as exc:
            self._fail(exc)
            return
        self._then(lambda: self._notify("sample", sample))   # after the verdicts it led to

    def _fail(self, exc: BaseException) -> None:
        """A journal write failed in a callback or task: stop, and let ``run`` raise it as one clear line."""
        if self._failure is None:
            self._failure = exc
        self.stop()

    def _react(self, event: ev.Event) -> None:
        """What the driver does after an event: schedule checks, answer items, run actions."""
        if isinstance(event, (ev.PhaseStarted, ev.ActionStarted, ev.SessionStarted, ev.Resumed, ev.Tick,
                              ev.ActionFinished, ev.Decision)) \
                or isinstance(event, ev.TriggerState) and event.state in ("idle", "armed"):
            self._reschedule()
        if isinstance(event, ev.PhaseStarted) and self.headless:
            self._headless_phase_start()
        elif isinstance(event, ev.TriggerFired) or isinstance(event, ev.TriggerState) and event.state == "firing":
            self._respond(self.runbook.check(event.trigger))
        elif isinstance(event, ev.Verdict) and event.verdict == "FAIL":
            self._soak_broken()
        elif isinstance(event, ev.ActionFinished) and self.headless and event.action.startswith("phase:") \
                and (event.dry_run or event.exit_code == 0):
            self._headless_next_action()
        elif isinstance(event, ev.Outcome):
            self._reschedule()
            self._sign_from_answers()
            self._record_soon()
        elif isinstance(event, ev.SignOff):
            self._record_soon()

    def _reschedule(self) -> None:
        if self._scheduler is not None:
            states = self.engine.state.checks
            checks = [c for c in self.engine.automated_checks_now(self.clock())
                      if c.id not in states or states[c.id].confirmed]
            self._scheduler.set_checks(checks)
            fresh = [c for c in checks if c.source == "prometheus" and c.id not in self._backfilled]
            if fresh:
                self._backfilled.update(c.id for c in fresh)
                self._spawn(self._backfill(fresh))

    async def _backfill(self, checks: list[Any]) -> None:
        """Sparklines start with the recent past from Prometheus (query_range), on start and on resume.

        Only the picture: verdicts, holds and triggers come from samples taken here. A failure leaves
        the sparkline to fill as samples arrive.
        """
        if self._scheduler is None:
            return
        pool = self._scheduler.pool
        now = self.clock()
        for check in checks:
            if check.each:
                continue
            try:
                source = pool.get(pool.key(check))
                points = await source.query_range(check.query, now - HISTORY * check.every, now, check.every)
            except Exception:  # a sparkline without its past is no reason to stop a go-live
                continue
            self.engine.seed_history(check.id, points)
            self._notify("history", check.id)

    def _headless_phase_start(self) -> None:
        phase = self.engine.active_phase()
        if phase is None:
            return
        self._apply_answers()
        if phase.action is not None:
            self._spawn(self.run_action(self.operator))

    def _apply_answers(self) -> None:
        """Headless: the answers file confirms every item of the active phase still unconfirmed."""
        phase, st = self.engine.active_phase(), self.engine.state
        if phase is None or st.outcome is not None:
            return
        for check in phase.checks:
            answer = self.answers.items.get(check.id) if self.answers else None
            if check.source == "manual" and answer and not st.manual[check.id].checked:
                self._answer(self.engine.cmd_tick, check.id, answer.by, note=answer.note, now=self.clock())
            elif getattr(check, "confirm", False) and check.source == "command" and not st.checks[check.id].confirmed:
                self._answer(self.engine.cmd_tick, check.id, self.operator, note="confirmed by the headless run",
                             now=self.clock())
        self._approve_from_answers(phase)

    def _answer(self, command: Callable[..., list[ev.Event]], *args: Any, **kwargs: Any) -> None:
        """An answer the engine refuses (a bound role answered by someone outside it) is logged, not fatal.

        The command and its arguments are passed (not a closure) so each call binds this loop's values. With the
        disk writer, each answer is decided once the one before it has landed."""
        def refused(exc: Refused) -> None:
            self.submit([ev.Log(at=self.clock(), source="golive", level="warning", text=f"answers file: {exc}")])

        self._in_turn(lambda: command(*args, **kwargs), refused)

    def _approve_from_answers(self, phase: Any) -> None:
        """Headless: unbound roles' approvals from the answers file; a bound role waits for a person at a seat."""
        from golive.console import roles

        for role in roles.awaited(self.runbook, self.engine.state, phase):
            if role in self.runbook.roles:
                self.submit([ev.Log(at=self.clock(), source="golive", level="warning",
                                    text=f"{phase.label} waits for {role}'s approval: a bound role is approved by "
                                         f"{roles.describe(self.runbook.roles[role])} at a seat (golive attach), "
                                         "never from the answers file")])
            elif self.answers and role in self.answers.approve:
                self._answer(self.engine.cmd_approve, self.answers.approve[role], role, "from the answers file",
                             now=self.clock())

    def _sign_from_answers(self) -> None:
        """Headless: the answers file's sign-offs that the journal does not hold yet."""
        if not (self.headless and self.answers):
            return
        for role, name in self.answers.signoff.items():
            if any(s["role"] == role for s in self.engine.state.signoffs):
                continue  # signed before a crash: a resume completes the rest
            self._in_turn(functools.partial(self.engine.cmd_signoff, role, name, now=self.clock()), lambda _exc: None)

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and not isinstance(task.exception(), Refused):
            exc = task.exception()
            if isinstance(exc, (JournalError, OSError)):
                self._fail(exc)
                return
            try:
                self.submit([ev.Log(at=self.clock(), source="golive", level="error",
                                    text=f"internal error: {type(exc).__name__}: {exc}")])
            except JournalError as err:
                self._fail(err)

    # ------------------------------------------------------------------ commands (the narrow interface)

    async def proceed(self, by: str | None = None) -> None:
        await self._command(lambda: self.engine.cmd_proceed(by or self.operator, now=self.clock()))

    async def override(self, reason: str, by: str | None = None) -> None:
        await self._command(lambda: self.engine.cmd_override(by or self.operator, reason, now=self.clock()))

    async def tick(self, check_id: str, checked: bool = True, note: str = "", by: str | None = None) -> None:
        await self._command(lambda: self.engine.cmd_tick(check_id, by or self.operator, checked=checked, note=note,
                                                       now=self.clock()))

    async def note(self, text: str, by: str | None = None, kind: str = "note") -> None:
        await self._command(lambda: self.engine.cmd_note(by or self.operator, text, kind, now=self.clock()))

    async def sign(self, role: str, name: str | None = None) -> None:
        await self._command(lambda: self.engine.cmd_signoff(role, name or self.operator, now=self.clock()))

    async def approve(self, role: str = "", note: str = "", by: str | None = None) -> None:
        """Approve the active phase for a role its ``approve`` awaits (refused, with who may, for others)."""
        await self._command(lambda: self.engine.cmd_approve(by or self.operator, role, note, now=self.clock()))

    async def abort(self, reason: str, by: str | None = None) -> None:
        await self._command(lambda: self.engine.cmd_abort(by or self.operator, reason, now=self.clock()))

    async def decline_rollback(self, reason: str, by: str | None = None) -> None:
        """Decline the rollback a fired trigger requested (journaled with who and why)."""
        await self._command(lambda: self.engine.cmd_decline_rollback(by or self.operator, reason, now=self.clock()))

    async def run_action(self, by: str | None = None) -> None:
        """Run the active phase's next action (or show it, with --dry-run)."""
        await self._settled()   # decided on the state with every earlier event in it
        action = self.engine.cmd_action(now=self.clock())
        await self._run(self.engine.next_action_name(), action, by or self.operator)

    async def rollback(self, by: str | None = None, reason: str = "", trigger: str = "", plan: str = "") -> None:
        """Decide to roll back, run the plan's steps in order, and end ROLLED BACK — for a plan with
        verify checks only once they hold (the engine's tick decides) — or NO-GO if a step failed."""
        await self._command(lambda: self.engine.cmd_rollback(by or self.operator, reason, trigger, plan=plan,
                                                       now=self.clock()))
        await self._perform_rollback(by or self.operator)

    async def _perform_rollback(self, by: str) -> None:
        """Run the decided plan's steps (those not yet done, after a resume), then write its outcome."""
        from golive.console.rollback_plans import active_plan, step_done, step_name
        from golive.console.rollback_steps import await_confirm

        chosen = active_plan(self.engine)
        result = None
        for i, step in enumerate(chosen.steps if chosen is not None else []):
            if step_done(self.engine, step_name(self.runbook, chosen, i)):
                continue
            if not await await_confirm(self, step_name(self.runbook, chosen, i), step):
                break
            result = await self._run(step_name(self.runbook, chosen, i), step, by)
            if self.engine.state.outcome is not None or result is not None and result.exit_code != 0:
                break
        exit_code = None if result is None else result.exit_code
        error = "" if result is None else result.error
        # a phase action that started before the decision ends in the record, not after its anchor
        while any("finished" not in a for a in self.engine.state.actions) and self.engine.state.outcome is None:
            await asyncio.sleep(TICK_EVERY)
        verifying = chosen is not None and chosen.verify and not self.dry_run and exit_code in (0, None) \
            and self.engine.state.verifying_since is not None
        if self.engine.state.outcome is None and not verifying:
            await self._command(lambda: self.engine.rollback_finished(exit_code if result else 0, self.dry_run, error,
                                                            now=self.clock()))

    async def _run(self, name: str, action: Any, by: str):
        self.submit([ev.ActionStarted(at=self.clock(), action=name, argv=tuple(action.argv), shell=action.shell,
                                      dry_run=self.dry_run, by=by)])
        await self._durable(settle_all=False)   # an action runs only once the journal says, on disk, it started
        if self.dry_run:
            self.submit([ev.ActionFinished(at=self.clock(), action=name, dry_run=True,
                                           output_tail=f"dry run: would run {action.display()}")])
            await self._durable()
            return None
        result = await run_action(action, on_output=lambda line: self._notify("output", (name, line)))
        self.submit([ev.ActionFinished(at=self.clock(), action=name, exit_code=result.exit_code,
                                       duration=round(result.duration, 3), output_tail=result.output_tail,
                                       output_sha256=result.output_sha256, error=result.error)])
        await self._durable()
        return result

    # ------------------------------------------------------------------ running

    async def run(self, until_outcome: bool | None = None) -> str | None:
        """Sample, tick and react until the go-live has an outcome (headless) or ``stop`` is called."""
        until_outcome = self.headless if until_outcome is None else until_outcome
        self._stop = self._stop or asyncio.Event()

        def poke(target: str) -> None:
            if self._scheduler:
                self._scheduler.poke(target)

        pool = SourcePool(self.runbook, on_change=poke, on_log=self._source_log)
        self._scheduler = Scheduler(pool, self.on_sample, clock=self.clock)
        self._reschedule()
        carry_on(self)
        self._start_writer()   # from here the disk work runs on the writer thread
        last_sync = self.clock()
        try:
            while not self._stop.is_set():
                await self._settled()   # each pass decides on a state with every earlier event in it
                now = self.clock()
                self.submit(self.engine.tick(now))
                await self._settled()
                if self.headless and self.engine.state.outcome is None:
                    self._headless_due_action(now)
                if self.headless and self.engine.state.outcome is None and self.engine.gate(now).open \
                        and not self.engine.unseen_triggers():
                    self.submit(self.engine.cmd_proceed("golive (headless)", now=now))
                if now - self._last_summary >= SUMMARY_EVERY:
                    self._last_summary = now
                    self.submit([self.engine.summary_event(now)])
                if now - self._last_written >= HEARTBEAT_EVERY and self.engine.state.outcome is None:
                    self.submit([ev.Heartbeat(at=now)])   # a follower may count holds up to here
                if self._pending_sync and now - last_sync >= SYNC_EVERY:
                    self._sync_soon()
                    self._pending_sync, last_sync = False, now
                if until_outcome and self.engine.state.outcome is not None and not self._tasks:
                    break
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=TICK_EVERY)
                except asyncio.TimeoutError:
                    pass
        except JournalError as exc:  # a line staged after a failed write: the first failure is what is said
            self._fail(exc)
        finally:
            try:
                await self._scheduler.close()
                tasks = list(self._tasks)
                for task in tasks:
                    task.cancel()
                if tasks:   # let them end here (an action's process group killed), not in the loop's shutdown
                    await asyncio.wait(tasks, timeout=TASKS_END_WAIT)
            finally:
                self._stop_writer()
        if self._failure is not None:
            raise self._failure
        return self.engine.state.outcome

    def _source_log(self, level: str, text: str) -> None:
        self.submit([ev.Log(at=self.clock(), source="source", level=level, text=text)])

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def close(self) -> None:
        """Fsync and release the session lock; an unfinished go-live first gets a summary and a draft record."""
        self._stop_writer()   # whatever is queued is written before the journal closes
        try:
            if self.engine.state.outcome is None and self._failure is None:
                if any(c.count for c in self.engine.state.checks.values()):
                    self.submit([self.engine.summary_event(self.clock())])
                self.write_record()  # a draft, so an interrupted go-live still leaves its evidence
        finally:
            self.journal.close()  # the lock is released even when the disk is full


def replay_session(folder: Path, raw_events: list[dict]):
    """Load the session's runbook copy and fold its journal; returns (runbook, engine, events)."""
    if not raw_events or raw_events[0].get("type") != "session_started":
        raise ValueError(f"{folder}/journal.jsonl: does not start with a session_started event")
    events = []
    for raw in raw_events:
        try:
            events.append(ev.Event.from_dict(raw))
        except (TypeError, ValueError) as exc:  # an event type from a newer Golive, or a field missing
            raise ValueError(f"{folder / 'journal.jsonl'}:{raw.get('seq')}: {exc}") from None
    started: ev.SessionStarted = events[0]  # type: ignore[assignment]
    copy = folder / "runbook.toml"
    runbook = load_runbook(copy if copy.is_file() else started.runbook_path, started.variables)
    if runbook.sha256 != started.runbook_sha256:
        raise ValueError(f"{copy}: runbook changed since the session started (SHA-256 differs)")
    engine = Engine(runbook)
    for event in events:
        engine.apply(event)
    return runbook, engine, events


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False
