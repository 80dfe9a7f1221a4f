"""A read-only "session" for `golive watch`: the same reading surface as Session, fed by tailing the journal."""

from __future__ import annotations

# It takes no lock, so any number of followers can watch one driver. Every command raises ``Refused``.
import asyncio
import time
from pathlib import Path
from typing import Callable

from golive.checks.base import Sample
from golive.console import events as ev
from golive.console.driver_lock import driver_alive
from golive.console.engine import Refused
from golive.console.journal import JOURNAL_NAME, JournalError, JournalFollower
from golive.console.session import HEARTBEAT_EVERY, Listener, Listeners, default_operator, replay_session
from golive.console.units import format_age

POLL_EVERY = 0.3   # seconds between reads of the journal: every change shows within a second
# A running driver journals at least a heartbeat every HEARTBEAT_EVERY; silent this long before the outcome, it is
# not heard from (hung, on another host, or gone without a trace in its lock).
SILENT_AFTER = 3 * HEARTBEAT_EVERY


class Follower(Listeners):
    """Follows a session folder's journal; ``engine.state`` is the same fold the driver has."""

    read_only = True
    headless = False

    def __init__(self, folder: Path, *, clock: Callable[[], float] = time.time,
                 listeners: tuple[Listener, ...] = (), poll_every: float = POLL_EVERY):
        """Read the journal so far and fold it. Raises JournalError (damaged or missing journal) or
        ValueError (not a session journal, the runbook changed since it started)."""
        self.folder = Path(folder)
        self.clock = clock
        self.poll_every = poll_every
        self.operator = default_operator()
        self.record_paths: tuple[Path, Path] | None = None
        self.resume_warnings: list[str] = []
        self._reader = JournalFollower(self.folder / JOURNAL_NAME)
        raw = self._reader.read_new()
        if not raw:
            raise JournalError(f"{self.folder / JOURNAL_NAME}: no journal yet (has the go-live started?)")
        self.runbook, self.engine, events = replay_session(self.folder, raw)
        self.last_heard = max(e.at for e in events)   # the driver's last journaled word: holds count no further
        self.engine.evidence_until = self.last_heard
        for event in events:
            self._remember_value(event)
        self.dry_run = self.engine.state.dry_run
        self.broken = ""
        self.fixed = False
        self._listeners: list[Listener] = list(listeners)
        self._stop: asyncio.Event | None = None

    # ------------------------------------------------------------------ reading

    def _apply(self, event: ev.Event, journaled: bool = True) -> None:
        if journaled:
            self.last_heard = max(self.last_heard, event.at)
            self.engine.evidence_until = self.last_heard
        self.engine.apply(event)
        self._remember_value(event)
        self._notify("event", event)

    def _remember_value(self, event: ev.Event) -> None:
        # Samples are not journaled, only verdict changes and summaries; their values are what a follower
        # can draw a sparkline from.
        if isinstance(event, ev.Verdict) and event.value is not None:
            cs = self.engine.state.checks.get(event.check)
            if cs is not None:
                cs.history.append((event.at, event.value))
        elif isinstance(event, ev.Summary):
            for check_id, figures in event.checks.items():
                cs = self.engine.state.checks.get(check_id)
                if cs is not None and figures and figures[0] is not None:
                    cs.history.append((event.at, figures[0]))
        elif isinstance(event, ev.TriggerState) and event.value is not None:
            cs = self.engine.state.checks.get(event.trigger)
            if cs is not None:   # the trigger's value as of its last journaled change, shown with its age
                cs.value, cs.value_at = event.value, event.at
                cs.history.append((event.at, event.value))

    def driver_problem(self, now: float) -> str:
        """Empty while the driver is heard from; otherwise one line saying it is gone (its lock's pid is dead)
        or silent, and since when. After the outcome a silent live driver is normal: it only observes."""
        if self.fixed:
            return ""   # a state built from fixed samples has no driver to miss
        quiet = max(0.0, now - self.last_heard)
        alive = driver_alive(self.folder)
        if alive is False:
            return f"driver not running — last heard {format_age(quiet)}"
        if quiet > SILENT_AFTER and self.engine.state.outcome is None:
            return f"driver not heard from — last heard {format_age(quiet)}"
        return ""

    def poll(self) -> int:
        """Fold the journal lines written since the last poll; returns how many. A broken journal is logged
        once and following stops (``broken`` says why)."""
        if self.broken:
            return 0
        try:
            raw = self._reader.read_new()
        except JournalError as exc:
            self.broken = str(exc)
            self._apply(ev.Log(at=self.clock(), source="golive", level="error",
                               text=f"stopped following: {exc}"), journaled=False)
            return 0
        for data in raw:
            try:
                event = ev.Event.from_dict(data)
            except (TypeError, ValueError) as exc:
                self._apply(ev.Log(at=self.clock(), source="golive", level="warning",
                                   text=f"{JOURNAL_NAME}:{data.get('seq')}: skipped: {exc}"), journaled=False)
                continue
            self._apply(event)
        return len(raw)

    def observe(self, sample: Sample) -> None:
        """Fold a sample as a driver would (verdicts, pods, history) without journaling anything: for a state
        built from a fixed list of samples (screenshots, benchmarks), never alongside a live driver."""
        self.engine.evidence_until = None   # the samples are the evidence: holds count to the clock
        self.fixed = True
        for event in self.engine.observe(sample):
            self._apply(event)
        self._notify("sample", sample)

    async def run(self, until_outcome: bool | None = False) -> str | None:
        """Poll the journal until ``stop`` (or, with ``until_outcome``, until the go-live has an outcome)."""
        self._stop = self._stop or asyncio.Event()
        while not self._stop.is_set():
            self.poll()
            if until_outcome and self.engine.state.outcome is not None:
                break
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self.poll_every)
            except asyncio.TimeoutError:
                pass
        return self.engine.state.outcome

    def stop(self) -> None:
        if self._stop is None:
            self._stop = asyncio.Event()
        self._stop.set()

    def close(self) -> None:
        """Nothing to release: a follower holds no lock and writes nothing."""

    # ------------------------------------------------------------------ commands: all refused

    def _refuse(self, what: str) -> None:
        raise Refused(f"read-only: golive watch cannot {what}; drive from the terminal that runs the session")

    async def proceed(self, by: str | None = None) -> None:
        self._refuse("proceed")

    async def override(self, reason: str, by: str | None = None) -> None:
        self._refuse("override")

    async def tick(self, check_id: str, checked: bool = True, note: str = "", by: str | None = None) -> None:
        self._refuse("tick items")

    async def note(self, text: str, by: str | None = None, kind: str = "note") -> None:
        self._refuse("add notes")

    async def sign(self, role: str, name: str | None = None) -> None:
        self._refuse("sign off")

    async def abort(self, reason: str, by: str | None = None) -> None:
        self._refuse("abort")

    async def approve(self, role: str = "", note: str = "", by: str | None = None) -> None:
        self._refuse("approve")

    async def fire_trigger(self, trigger_id: str, reason: str, by: str | None = None) -> None:
        self._refuse("fire triggers")

    async def resume_paused(self, note: str, by: str | None = None) -> None:
        self._refuse("resume")

    async def confirm_step(self, step: str, note: str = "", by: str | None = None) -> None:
        self._refuse("confirm a rollback step")

    async def run_action(self, by: str | None = None) -> None:
        self._refuse("run actions")

    async def rollback(self, by: str | None = None, reason: str = "", trigger: str = "", plan: str = "") -> None:
        self._refuse("roll back")

    async def decline_rollback(self, reason: str, by: str | None = None) -> None:
        self._refuse("decline a rollback")

    def write_record(self) -> tuple[Path, Path]:
        self._refuse("write the record")
        raise AssertionError  # unreachable: _refuse raises
