"""What a screen shows of a go-live, as one immutable snapshot (``SessionView``) taken from any seat: the live
session, the journal follower or a driver seat. Changes arrive through the seat's ``subscribe``: take a new one."""

from __future__ import annotations

# Data only, no wording: the screens word it (header, gate line, panes). Field names follow GoLiveState where the
# meaning is the same, so the presentation helpers read a view as they read the state. The rows are named tuples:
# immutable, and cheap enough to take 500 of every second.
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from golive.console.state import PASS


class GateView(NamedTuple):
    open: bool
    reasons: tuple[str, ...]


class PhaseView(NamedTuple):
    id: str
    label: str
    status: str
    started: float | None
    ended: float | None
    reason: str
    action_started: float | None
    action_done: float | None
    actions_done: int             # of the phase's actions, how many have finished (they run in order)


class CheckView(NamedTuple):
    id: str
    label: str
    phase: str | None
    source: str
    verdict: str
    value: float | None
    value_at: float | None
    detail: str
    last_at: float | None
    confirmed: bool
    history: tuple[tuple[float, float], ...]   # the last values, for the sparklines
    baseline: float | None
    held: float                   # seconds of unbroken pass so far (0 unless it passes in the running phase)
    hold: float                   # seconds the check's phase requires
    # After the outcome the figures above are those observed since (never in the record); ``recorded`` is then
    # the check as the record has it. None while the two are one.
    recorded: CheckView | None


class ManualView(NamedTuple):
    id: str
    label: str
    phase: str
    checked: bool
    by: str
    at: float | None
    note: str


class TriggerView(NamedTuple):
    id: str
    label: str
    state: str
    value: float | None
    detail: str
    pending_since: float | None
    fired_at: float | None
    fired_by: str


@dataclass(frozen=True)
class SessionView:
    at: float
    # who and where
    read_only: bool
    dry_run: bool
    operator: str
    folder: Path
    record_paths: tuple[Path, Path] | None
    driver_problem: str           # a follower's or a seat's gone driver, in one line ("" while heard from)
    # the header
    name: str
    service: str
    version: str
    environment: str
    started: float | None
    finished: float | None
    change: Mapping[str, Any]
    notify_failures: tuple[Mapping[str, Any], ...]
    # the phases and the gate
    phases: tuple[PhaseView, ...]
    active: int                   # index of the active phase, -1 before the start
    gate: GateView
    paused: Mapping[str, Any] | None
    rollback_request: str | None
    rollback_running: bool
    rollback_decided: bool
    decisions: tuple[Mapping[str, Any], ...]
    actions: tuple[Mapping[str, Any], ...]   # each action run: phase actions, steps, the rollback
    # the evidence
    proven: float                 # ``at``, or the last moment the journal proves (a follower counts no further)
    checks: Mapping[str, CheckView]
    manual: Mapping[str, ManualView]
    triggers: Mapping[str, TriggerView]
    pods: Mapping[str, tuple[Mapping[str, Any], ...]]
    # the end
    outcome: str | None
    outcome_reason: str
    signoffs: tuple[Mapping[str, Any], ...]
    missing_signoffs: tuple[str, ...]
    log: tuple[tuple[float, str, str], ...]
    sampled: tuple[tuple[str, str], ...]   # (id, source) a driver still samples once the outcome is in, else ()

    @property
    def active_phase(self) -> PhaseView | None:
        return self.phases[self.active] if 0 <= self.active < len(self.phases) else None

    def pods_in_trouble(self) -> int:
        return sum(1 for rows in self.pods.values() for pod in rows
                   if pod.get("status") not in ("Running", "Succeeded", "Completed"))


def _frozen(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(data))


def take_view(seat: Any, now: float | None = None) -> SessionView:
    """The snapshot of ``seat`` (anything with ``engine``, ``read_only``, ``operator``, … — console/seat.py)."""
    now = seat.clock() if now is None else now
    problem = getattr(seat, "driver_problem", None)
    return engine_view(seat.engine, now, read_only=bool(seat.read_only), dry_run=bool(seat.dry_run),
                       operator=seat.operator, folder=Path(seat.folder), record_paths=seat.record_paths,
                       driver_problem=problem(now) if problem else "")


def engine_view(engine: Any, now: float, *, read_only: bool = False, dry_run: bool = False, operator: str = "",
                folder: Path = Path("."), record_paths: tuple[Path, Path] | None = None,
                driver_problem: str = "") -> SessionView:
    """The snapshot of ``engine``'s state at ``now``; the seat's own facts are given."""
    rb, st = engine.runbook, engine.state
    labels = {c.id: c for _, c in rb.iter_checks()} | {t.id: t for t in rb.triggers}

    holds = {phase.id: phase.hold for phase in rb.phases}
    active = rb.phases[st.active].id if 0 <= st.active < len(rb.phases) and st.outcome is None else None

    def figures(cs: Any, fig: Any, recorded: CheckView | None) -> CheckView:
        check = labels.get(cs.id)
        hold = holds.get(cs.phase, 0.0) if cs.phase else 0.0
        # only a passing check of the running phase holds: the others skip the engine's hold rules
        held = engine.hold_progress(cs.id, now)[0] if cs.verdict == PASS and cs.phase == active else 0.0
        return CheckView(id=cs.id, label=check.label if check else cs.id, phase=cs.phase,
                         source=check.source if check else "", verdict=fig.verdict, value=fig.value,
                         value_at=fig.value_at, detail=fig.detail, last_at=fig.last_at, confirmed=cs.confirmed,
                         history=tuple(fig.history), baseline=fig.baseline, held=held, hold=hold,
                         recorded=recorded)

    def check_view(cs: Any) -> CheckView:
        live = engine.live(cs.id)
        return figures(cs, live, None if live is cs else figures(cs, cs, None))

    return SessionView(
        at=now, read_only=read_only, dry_run=dry_run, operator=operator, folder=folder, record_paths=record_paths,
        driver_problem=driver_problem,
        name=rb.meta.name, service=rb.meta.service, version=rb.meta.version, environment=rb.meta.environment,
        started=st.started, finished=st.finished, change=_frozen(st.change or {}),
        notify_failures=tuple(_frozen(f) for f in st.notify_failures),
        phases=tuple(PhaseView(id=ps.id, label=phase.label, status=ps.status, started=ps.started, ended=ps.ended,
                               reason=ps.reason, action_started=ps.action_started, action_done=ps.action_done,
                               actions_done=ps.actions_done)
               for phase, ps in zip(rb.phases, st.phases, strict=True)),
        active=st.active, gate=_gate(engine, now),
        paused=_frozen(st.paused) if st.paused is not None else None,
        rollback_request=st.rollback_request, rollback_running=st.rollback_running,
        rollback_decided=st.rollback_decided, decisions=tuple(_frozen(d) for d in st.decisions),
        actions=tuple(_frozen(a) for a in st.actions),
        proven=engine.proven(now),
        checks=MappingProxyType({cid: check_view(cs) for cid, cs in st.checks.items()}),
        manual=MappingProxyType({mid: ManualView(id=mid, label=labels[mid].label if mid in labels else mid,
                                                 phase=ms.phase, checked=ms.checked, by=ms.by, at=ms.at,
                                                 note=ms.note) for mid, ms in st.manual.items()}),
        triggers=MappingProxyType({tid: TriggerView(id=tid, label=labels[tid].label if tid in labels else tid,
                                                    state=ts.state, value=ts.value, detail=ts.detail,
                                                    pending_since=ts.pending_since, fired_at=ts.fired_at,
                                                    fired_by=ts.fired_by)
                                   for tid, ts in st.triggers.items()}),
        pods=MappingProxyType({cid: tuple(_frozen(p) for p in rows) for cid, rows in st.pods.items()}),
        outcome=st.outcome, outcome_reason=st.outcome_reason,
        signoffs=tuple(_frozen(s) for s in st.signoffs), missing_signoffs=tuple(engine.missing_signoffs()),
        log=tuple(st.log),
        sampled=tuple((c.id, c.source) for c in engine.automated_checks_now(now))
        if st.outcome is not None and not read_only else ())


def _gate(engine: Any, now: float) -> GateView:
    gate = engine.gate(now)
    return GateView(gate.open, tuple(gate.reasons))
