"""The engine: a pure state machine that folds events into GoLiveState and derives new ones.

No I/O and no clock of its own: time comes from the events and from the ``now``
the caller passes. The same ``apply`` serves the live driver, a resume (replay)
and a read-only follower, so all three show the same state.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import deque
from typing import Any, Callable

from golive.checks.base import Sample
from golive.console import derived, phase_rules, refusals, roles, rollback_plans, trigger_scope
from golive.console import events as ev
from golive.console.engine_seeds import SeedSemantics
from golive.console.runbook import Runbook
from golive.console.state import (
    ERROR,
    FAIL,
    NO_GO,
    PASS,
    PENDING,
    ROLLED_BACK,
    WARN,
    CheckState,
    Gate,
    GoLiveState,
    ManualState,
    PhaseStatus,
    TriggerStatus,
)
from golive.console.units import Threshold, format_duration, format_number, round_sig

DEFAULT_ALERT_PASS = Threshold("==", 0.0)
NOTE_KINDS = ("note", "anomaly", "lesson")


class Refused(Exception):
    """A command the state does not allow now; the message says why, in one line."""


def judge(check: Any, sample: Sample) -> tuple[str, str]:
    """Verdict and a one-line detail for one sample of one check.

    ERROR for errors; no data is ERROR unless the check says ``on_no_data = "fail"``
    — never a pass. A numeric value is compared with ``pass`` (then ``warn``); a
    source's own judgement (``ok``) must also hold.
    """
    if sample.error:
        return ERROR, sample.error
    if sample.no_data:
        return (FAIL if check.on_no_data == "fail" else ERROR), sample.detail or "no data"
    threshold = check.pass_
    if threshold is None and check.source == "alertmanager":
        threshold = DEFAULT_ALERT_PASS
    verdict: str | None = None
    detail = sample.detail
    if threshold is not None and sample.value is not None:
        values = [v for _, v in sample.series] if sample.series else [sample.value]
        if all(threshold.test(v) for v in values):
            verdict = PASS
        elif check.warn is not None and all(check.pass_.test(v) or check.warn.test(v) for v in values):
            verdict = WARN
        else:
            verdict = FAIL
    elif threshold is not None and sample.ok is None:
        return ERROR, sample.detail or "the source returned no value to compare"
    if sample.ok is False:
        return FAIL, detail or "failed"
    if verdict is None:
        if sample.ok is None:
            return ERROR, sample.detail or "the source returned neither a value nor a judgement"
        verdict = PASS
    return verdict, detail


def trigger_condition(trigger: Any, sample: Sample) -> bool | None:
    """True when the trigger's condition holds, False when clean, None when blind (error, no data)."""
    if sample.error or sample.no_data:
        return None
    if trigger.fire is not None:
        if sample.value is None:
            return None
        values = [v for _, v in sample.series] if sample.series else [sample.value]
        return any(trigger.fire.test(v) for v in values)
    if sample.ok is None:
        return None
    return not sample.ok


class Engine(SeedSemantics):
    """Folds events into ``state``; derives verdict, trigger, timeout and outcome events."""

    refusal = Refused
    # A follower sets this to the time of the journal's last line: holds count no further than it proves.
    evidence_until: float | None = None

    def __init__(self, runbook: Runbook, clock: Callable[[], float] = time.time):
        self.runbook = runbook
        self.clock = clock
        self.state = GoLiveState()
        # After the outcome, samples land here (live figures for the screen); the record reads ``state`` only.
        self.after: dict[str, CheckState] = {}
        st = self.state
        st.phases = [PhaseStatus(p.id) for p in runbook.phases]
        for phase, check in runbook.iter_checks():
            if check.source == "manual":
                st.manual[check.id] = ManualState(check.id, phase.id)
            else:
                st.checks[check.id] = CheckState(check.id, phase.id, confirmed=not getattr(check, "confirm", False))
        for trig in runbook.triggers:
            st.checks[trig.id] = CheckState(trig.id, None)
            st.triggers[trig.id] = TriggerStatus(trig.id)
        for _, check in runbook.iter_verify_checks():
            st.checks[check.id] = CheckState(check.id, None)
        self._seed_init()

    # ------------------------------------------------------------------ queries

    @property
    def finished(self) -> bool:
        return self.state.outcome is not None

    def active_phase(self):
        st = self.state
        return self.runbook.phases[st.active] if 0 <= st.active < len(self.runbook.phases) else None

    def hold_start(self, check_id: str) -> float | None:
        """When the check's unbroken pass began, counted from the phase action at the earliest."""
        cs = self.state.checks[check_id]
        if cs.verdict != PASS or cs.pass_since is None:
            return None
        phase = self.state.phases[self.runbook.phase_index(cs.phase)] if cs.phase else None
        start = cs.pass_since
        if phase is not None and self.runbook.phases[self.runbook.phase_index(cs.phase)].action is not None \
                and phase.action_done is None:
            return None  # evidence before the phase's action is not evidence about the change
        if phase is not None:
            not_before = phase_rules.not_before_at(self, self.runbook.phases[self.runbook.phase_index(cs.phase)])
            for t in (phase.started, phase.action_done, not_before):
                if t is not None:
                    start = max(start, t)
        return start

    def hold_progress(self, check_id: str, now: float | None = None) -> tuple[float, float]:
        """(seconds held so far, seconds required) for a check of its phase."""
        now = self.proven(self.clock() if now is None else now)
        cs = self.state.checks[check_id]
        hold = self.runbook.phases[self.runbook.phase_index(cs.phase)].hold if cs.phase else 0.0
        start = self.hold_start(check_id)
        return (0.0 if start is None else max(0.0, now - start)), hold

    def proven(self, now: float) -> float:
        """``now``, or the last moment the journal proves when this engine follows one."""
        return now if self.evidence_until is None else min(now, self.evidence_until)

    def live(self, check_id: str) -> CheckState:
        """The check's latest figures: after the outcome, those observed since (never in the record)."""
        return self.after.get(check_id) or self.state.checks[check_id]

    def is_held(self, check_id: str, now: float | None = None) -> bool:
        held, hold = self.hold_progress(check_id, now)
        return self.hold_start(check_id) is not None and held >= hold

    def gate(self, now: float | None = None) -> Gate:
        """Open when every required check is HELD, every manual item confirmed, the action done."""
        now = self.clock() if now is None else now
        st = self.state
        phase = self.active_phase()
        if phase is None or st.outcome is not None:
            return Gate(False, ["the go-live is not running"])
        reasons: list[str] = self.rollback_reasons() + self.trigger_reasons(now) + self._seed_gate_reasons(phase, now)
        awaiting = roles.awaited_text(self.runbook, st, phase)
        if awaiting:
            reasons.append(awaiting)
        status = st.phases[st.active]
        if phase.action is not None and status.action_done is None:
            if status.action_interrupted:
                reasons.append("the phase action was interrupted (exit unknown) and has to run again")
            else:
                reasons.append("the phase action has not run" if not status.action_failed
                               else f"the phase action failed ({status.action_failed})")
        for check in phase.checks:
            if check.id in self.skipped:
                continue
            if check.source == "manual":
                if check.required and not st.manual[check.id].checked:
                    reasons.append(f"{check.label}: not confirmed")
                continue
            if not check.required:
                continue
            cs = st.checks[check.id]
            if cs.verdict != PASS:
                why = cs.detail
                if cs.verdict in (WARN, FAIL) and cs.value is not None and getattr(check, "pass_", None):
                    unit = f" {check.unit}" if check.unit else ""
                    why = f"{format_number(cs.value)}{unit}, needs {check.pass_}" + (f"; {why}" if why else "")
                reasons.append(f"{check.label}: {cs.verdict}" + (f" — {why}" if why else ""))
            elif not self.is_held(check.id, now) and phase.duration is None:
                held, hold = self.hold_progress(check.id, now)
                reasons.append(f"{check.label}: held {format_duration(held)} of {format_duration(hold)}")
        return Gate(not reasons, reasons)

    def rollback_reasons(self) -> list[str]:
        """Why a rollback keeps the gate shut: decided (final), interrupted, or requested by a trigger."""
        st = self.state
        if st.rollback_interrupted:
            return ["the rollback was interrupted (exit unknown): run it again (r) or abort"]
        if st.rollback_decided:
            return ["a rollback was decided; the go-live ends when it has run"]
        if st.rollback_request:
            return [f"trigger {self.runbook.check(st.rollback_request).label} fired: "
                    "confirm or decline the rollback"]
        return []

    def trigger_reasons(self, now: float) -> list[str]:
        """A pending or blind trigger keeps the gate closed: nobody proceeds while the watchdog barks or cannot see."""
        out: list[str] = []
        for ts in self.state.triggers.values():
            trig = self.runbook.check(ts.id)
            if ts.state == "pending":
                held = 0.0 if ts.pending_since is None else max(0.0, self.proven(now) - ts.pending_since)
                out.append(f"{trig.label} pending {format_duration(held)} of {format_duration(trig.for_)}")
            elif ts.state == "error":
                out.append(f"{trig.label} cannot see: {ts.detail or 'no data'}")
        return out

    def unseen_triggers(self) -> list[str]:
        """Watching triggers not sampled since they were armed or resumed: a driver that proceeds by itself
        waits for their first look (live figures, so not part of the gate a follower shows)."""
        out = []
        for ts in self.state.triggers.values():
            last = self.state.checks[ts.id].last_at
            # a manual trigger is never sampled and an idle one is out of its scope: neither is waited for
            if ts.watch_since is not None and ts.state not in ("disarmed", "idle") \
                    and self.runbook.check(ts.id).source != "manual" and (last is None or last < ts.watch_since):
                out.append(ts.id)
        return out

    def automated_checks_now(self) -> list[Any]:
        """The checks a scheduler should sample now: the active phase's, armed triggers in scope, baseline
        companions and a rollback's verify checks — after the outcome too, so the lead watches a rollback land
        (those samples change no verdict)."""
        now = self.clock()
        phase = self.active_phase()
        out = [] if phase is None else [c for c in phase.checks if c.source != "manual" and c.id not in self.skipped]
        if self.state.armed:
            out.extend(trigger_scope.watched_triggers(self, now))
        out.extend(rollback_plans.verify_checks_now(self))
        out.extend(self.baselines[c.id + derived.SUFFIX] for c in list(out) if c.id + derived.SUFFIX in self.baselines)
        return out

    # ------------------------------------------------------------------ fold

    def apply(self, event: ev.Event) -> None:
        """Fold one event into the state. Pure: the same events give the same state."""
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(event)

    def _on_session_started(self, e: ev.SessionStarted) -> None:
        st = self.state
        st.started, st.operator, st.host = e.at, e.operator, e.host
        st.dry_run, st.headless, st.variables = e.dry_run, e.headless, dict(e.variables)
        if not any(p.action for p in self.runbook.phases):
            st.armed = True  # with no action to wait for, triggers are watched from the start
            for ts in st.triggers.values():
                ts.state, ts.watch_since = "armed", e.at

    def _on_resumed(self, e: ev.Resumed) -> None:
        # Nothing was observed while no driver ran: an unbroken hold cannot be claimed across the gap
        # (a check is PENDING until a fresh sample), and a trigger's `for` must hold continuously.
        for check_id, cs in self.state.checks.items():
            if check_id not in self.state.triggers and cs.verdict != PENDING:
                cs.verdict, cs.pass_since, cs.detail = PENDING, None, "not sampled since the resume"
        for ts in self.state.triggers.values():
            if ts.state in ("pending", "error"):
                ts.state, ts.pending_since = "armed", None
            if ts.state != "disarmed":
                ts.watch_since = e.at
        self.state.log.append((e.at, "info", f"resumed by {e.operator} on {e.host}"))

    def _on_phase_started(self, e: ev.PhaseStarted) -> None:
        st = self.state
        st.active = self.runbook.phase_index(e.phase)
        # pods reported by the checks of finished phases are old news; triggers keep reporting theirs
        current = {c.id for c in self.runbook.phases[st.active].checks} | set(st.triggers)
        for check_id in [c for c in st.pods if c not in current]:
            del st.pods[check_id]
        ps = st.phases[st.active]
        ps.status, ps.started = "active", e.at
        st.log.append((e.at, "info", f"phase {self.runbook.phases[st.active].label} started"))

    def _on_phase_ended(self, e: ev.PhaseEnded) -> None:
        ps = self.state.phases[self.runbook.phase_index(e.phase)]
        ps.status, ps.ended, ps.reason = e.status, e.at, e.reason
        self.state.log.append((e.at, "info", f"phase {e.phase} {e.status}" + (f": {e.reason}" if e.reason else "")))

    def _on_verdict(self, e: ev.Verdict) -> None:
        cs = self.state.checks.get(e.check)
        if cs is None:
            return
        if e.verdict == PASS and cs.verdict != PASS:
            cs.pass_since = e.at
        elif e.verdict != PASS:
            cs.pass_since = None
        cs.verdict, cs.since, cs.detail = e.verdict, e.at, e.detail
        if e.value is not None:
            cs.value, cs.value_at = e.value, e.at
        phase_rules.on_verdict(self, e)
        level = {PASS: "info", WARN: "warning", FAIL: "error", ERROR: "error"}.get(e.verdict, "info")
        self.state.log.append((e.at, level, f"{e.check} → {e.verdict}" + (f": {e.detail}" if e.detail else "")))

    def _on_summary(self, e: ev.Summary) -> None:
        for check_id, figures in e.checks.items():
            cs = self.state.checks.get(check_id)
            if cs is None or len(figures) < 5:
                continue
            last, lo, hi, count, errors = figures[:5]
            if last is not None:
                cs.value, cs.value_at = last, e.at
            cs.min, cs.max, cs.count, cs.errors = lo, hi, count, errors

    def _on_trigger(self, e: ev.TriggerState) -> None:
        ts = self.state.triggers.get(e.trigger)
        if ts is None:
            return
        if e.state == "pending":
            if ts.pending_since is None:  # back from blind (error) keeps the original start
                ts.pending_since = e.at
        elif e.state == "firing":
            ts.fired_at = e.at
        elif e.state in ("armed", "resolved", "idle"):
            ts.pending_since = None
        ts.clear_since = None
        ts.state = "armed" if e.state == "resolved" else e.state
        ts.value, ts.detail = e.value, e.detail
        trig = self.runbook.check(e.trigger)
        if e.state == "firing":
            level = "error"
            self._respond(trig, e.at, e.detail)
        else:
            level = "warning" if e.state in ("pending", "error") else "info"
        self.state.log.append((e.at, level,
                               f"trigger {trig.label}: {e.state}" + (f" — {e.detail}" if e.detail else "")))

    def _on_tick(self, e: ev.Tick) -> None:
        st = self.state
        if e.check in st.manual:
            ms = st.manual[e.check]
            ms.checked, ms.by, ms.at, ms.note = e.checked, e.by, e.at, e.note
        elif e.check in st.checks:
            st.checks[e.check].confirmed = e.checked
        st.log.append((e.at, "info",
                       f"{'✓' if e.checked else '✗'} {e.check} by {e.by}" + (f": {e.note}" if e.note else "")))

    def _on_note(self, e: ev.Note) -> None:
        self.state.notes.append({"at": e.at, "by": e.by, "phase": e.phase, "text": e.text, "kind": e.kind})
        self.state.log.append((e.at, "info", f"{e.kind or 'note'} by {e.by}: {e.text}"))

    def _on_decision(self, e: ev.Decision) -> None:
        st = self.state
        st.decisions.append({"at": e.at, "kind": e.kind, "phase": e.phase, "by": e.by,
                             "reason": e.reason, "trigger": e.trigger, **({"step": e.step} if e.step else {})})
        if e.kind == "rollback":
            st.rollback_request = None
            st.rollback_running, st.rollback_decided = True, True
            st.rollback_plan = e.plan
        elif e.kind == "decline_rollback":
            st.rollback_request = None
        elif e.kind == "resume":
            st.paused = None
        st.log.append((e.at, "warning" if e.kind != "proceed" else "info",
                       f"decision {e.kind} by {e.by}" + (f": {e.reason}" if e.reason else "")))

    def _on_action_started(self, e: ev.ActionStarted) -> None:
        st = self.state
        st.actions.append({"action": e.action, "argv": list(e.argv), "shell": e.shell, "dry_run": e.dry_run,
                           "started": e.at, "by": e.by})
        if e.action.startswith("phase:"):
            ps = st.phases[self.runbook.phase_index(phase_rules.phase_of_action(e.action))]
            ps.action_started, ps.action_failed, ps.action_interrupted = e.at, "", False
        if rollback_plans.is_step(e.action):
            st.rollback_interrupted = False
        st.armed = True  # triggers are watched from the first action on
        for ts in st.triggers.values():
            if ts.state == "disarmed":
                ts.state, ts.watch_since = "armed", e.at
        st.log.append((e.at, "info", f"action {e.action}{' (dry run)' if e.dry_run else ''}: {' '.join(e.argv)}"))

    def _on_action_finished(self, e: ev.ActionFinished) -> None:
        st = self.state
        for rec in reversed(st.actions):
            if rec["action"] == e.action and "finished" not in rec:
                rec.update(finished=e.at, exit_code=e.exit_code, duration=e.duration,
                           output_tail=e.output_tail, output_sha256=e.output_sha256, error=e.error)
                if e.interrupted:
                    rec["interrupted"] = True
                break
        ok = not e.interrupted and (e.dry_run or e.exit_code == 0)
        if e.action.startswith("phase:"):
            phase = self.runbook.phases[self.runbook.phase_index(phase_rules.phase_of_action(e.action))]
            ps = st.phases[self.runbook.phase_index(phase.id)]
            ps.action_exit = e.exit_code
            if ok:
                ps.actions_done += 1
                if ps.actions_done >= len(phase.all_actions):  # the phase's work is done after its last action
                    ps.action_done = e.at
            else:
                ps.action_failed = e.error or f"exit {e.exit_code}"
                ps.action_interrupted = e.interrupted
        if rollback_plans.is_step(e.action):
            # a plan's rollback runs on after a good step (its next step, then verification)
            if e.action == "rollback" or not ok:
                st.rollback_running = False
            st.rollback_interrupted = e.interrupted
        rollback_plans.on_action_finished(self, e)
        how = "dry run" if e.dry_run else (e.error or f"exit {e.exit_code}")
        st.log.append((e.at, "info" if ok else "error", f"action {e.action} finished: {how}"))

    def _on_outcome(self, e: ev.Outcome) -> None:
        st = self.state
        st.outcome, st.outcome_reason, st.finished = e.outcome, e.reason, e.at
        st.rollback_request = None
        st.rollback_running, st.verifying_since = False, None
        st.log.append((e.at, "info", f"outcome {e.outcome}" + (f": {e.reason}" if e.reason else "")))

    def _on_signoff(self, e: ev.SignOff) -> None:
        self.state.signoffs.append({"role": e.role, "name": e.name, "at": e.at, "note": e.note})
        self.state.log.append((e.at, "info", f"signed off as {e.role} by {e.name}"))

    def _on_approval(self, e: ev.Approval) -> None:
        self.state.approvals.append({"at": e.at, "phase": e.phase, "role": e.role, "by": e.by, "note": e.note})
        self.state.log.append((e.at, "info", f"approved as {e.role} by {e.by}" + (f": {e.note}" if e.note else "")))

    def _on_log(self, e: ev.Log) -> None:
        self.state.log.append((e.at, e.level, e.text))

    # change management: facts for the header and the record (console/change.py)
    def _on_change(self, e: ev.ChangeStarted) -> None:
        self.state.change = {k: v for k, v in e.to_dict().items() if k != "type"}
        if e.window == "bypassed":
            self.state.log.append((e.at, "warning", f"change window bypassed by {e.by}: {e.bypass_reason}"))

    def _on_notify_failed(self, e: ev.NotifyFailed) -> None:
        self.state.notify_failures.append({"at": e.at, "target": e.target, "event": e.event,
                                           "attempts": e.attempts, "error": e.error})
        self.state.log.append((e.at, "warning", f"notification {e.target} ({e.event}) not delivered: {e.error}"))

    def _on_review(self, e: ev.Review) -> None:
        self.state.reviews.append({"at": e.at, "role": e.role, "name": e.name, "note": e.note})

    # ------------------------------------------------------------------ derivations

    def observe(self, sample: Sample) -> list[ev.Event]:
        """Take one sample: update live figures, return the events it causes (not yet applied)."""
        st = self.state
        parent = self._baseline_parent.get(sample.check_id)
        if parent is not None and st.outcome is None:
            derived.take_baseline(st.checks[parent], sample)
            return []
        cs = st.checks.get(sample.check_id)
        if cs is None:
            return []
        if sample.value is not None and not math.isfinite(sample.value):
            # NaN and ±Inf are no data, whichever source let them through
            sample = dataclasses.replace(sample, value=None, no_data=True, detail=f"value is {sample.value}")
        if st.outcome is not None:
            self._observe_after(sample)
            return []
        if sample.error or sample.no_data:
            cs.errors += 1
        cs.record_value(sample.at, sample.value)
        cs.series = sample.series
        if "pods" in sample.extra:
            st.pods[sample.check_id] = sample.extra["pods"]
        if sample.check_id in st.triggers:
            return self._observe_trigger(sample)
        check = self.runbook.check(sample.check_id)
        verdict, detail, value = self._judge_derived(check, cs, sample)
        cs.detail = detail
        if value is not sample.value:
            cs.value = value  # a window's figure is what was judged: show it, not the last raw value
        if verdict != cs.verdict:
            return [ev.Verdict(at=sample.at, check=cs.id, verdict=verdict, value=round_sig(value),
                               detail=detail)]
        return []

    def _observe_after(self, sample: Sample) -> None:
        """A sample after the outcome: live figures, pods and a live verdict in ``after``; no event, no record."""
        cs = self.state.checks[sample.check_id]
        live = self.after.get(cs.id)
        if live is None:
            live = self.after[cs.id] = dataclasses.replace(cs, history=deque(cs.history, maxlen=cs.history.maxlen))
        live.record_value(sample.at, sample.value)
        live.series = sample.series
        if sample.error or sample.no_data:
            live.errors += 1
        if "pods" in sample.extra:
            self.state.pods[sample.check_id] = sample.extra["pods"]
            cs.last_at = sample.at   # which check saw the pods last (the record never reads it)
        if sample.check_id not in self.state.triggers:
            live.verdict, live.detail = judge(self.runbook.check(sample.check_id), sample)

    def _observe_trigger(self, sample: Sample) -> list[ev.Event]:
        ts = self.state.triggers[sample.check_id]
        trig = self.runbook.check(ts.id)
        if ts.state == "idle":
            return []
        why = trigger_scope.scope_reason(self, trig, sample.at)
        if why and ts.state != "disarmed":
            # outside its scope a trigger is not judged: it says so instead of looking quiet
            return [ev.TriggerState(at=sample.at, trigger=ts.id, state="idle", detail=why)]
        if ts.state in ("disarmed", "firing"):
            if ts.state == "firing":
                cond = self._trigger_condition(trig, sample)
                if cond is True:
                    ts.clear_since = None
                elif cond is False and trig.keep_firing_for > 0:
                    if ts.clear_since is None:
                        ts.clear_since = sample.at
                    return trigger_scope.keep_firing_events(self, sample.at)
                elif cond is False:
                    return [ev.TriggerState(at=sample.at, trigger=ts.id, state="resolved", value=sample.value,
                                            detail="condition cleared")]
            return []
        cond = self._trigger_condition(trig, sample)
        value_text = format_number(sample.value) + (f" {trig.unit}" if trig.unit else "")
        if cond is None:
            ts.condition = False
            if ts.state != "error":
                # blind: neither fires nor resets — "one clean sample resets it", and this is not clean
                return [ev.TriggerState(at=sample.at, trigger=ts.id, state="error", value=None,
                                        detail=sample.error or sample.detail or "no data")]
            return []
        ts.condition = cond
        if not cond:
            if ts.state in ("pending", "error"):
                return [ev.TriggerState(at=sample.at, trigger=ts.id, state="resolved", value=sample.value,
                                        detail=f"clean sample {value_text}")]
            return []
        out: list[ev.Event] = []
        since = ts.pending_since if ts.pending_since is not None else sample.at
        if ts.state != "pending":
            out.append(ev.TriggerState(at=sample.at, trigger=ts.id, state="pending", value=sample.value,
                                       detail=f"{value_text} {trig.fire or ''}".strip()))
        if sample.at - since >= trig.for_:
            out.append(ev.TriggerState(at=sample.at, trigger=ts.id, state="firing", value=sample.value,
                                       detail=f"{value_text} for {format_duration(sample.at - since)}"))
        return out

    def tick(self, now: float | None = None) -> list[ev.Event]:
        """Time-based events: a trigger's `for` elapsed, a phase timed out."""
        now = self.clock() if now is None else now
        st = self.state
        if st.outcome is not None:
            return []
        out: list[ev.Event] = trigger_scope.scope_events(self, now) + trigger_scope.keep_firing_events(self, now)
        out += rollback_plans.verification_events(self, now)
        for ts in st.triggers.values():
            if ts.state == "pending" and ts.condition and ts.pending_since is not None:
                trig = self.runbook.check(ts.id)
                if now - ts.pending_since >= trig.for_:
                    out.append(ev.TriggerState(at=now, trigger=ts.id, state="firing", value=ts.value,
                                               detail=f"held for {format_duration(now - ts.pending_since)}"))
        phase = self.active_phase()
        ps = st.active_phase
        # a rollback decided or still awaiting the lead's answer stops the clock: a timeout must not write
        # NO-GO over a release that a trigger asked to roll back while nobody has rolled it back
        if phase is not None and ps is not None and phase.timeout and ps.started is not None \
                and now - ps.started >= phase.timeout and not st.rollback_decided and st.rollback_request is None:
            reason = f"phase {phase.label} timed out after {format_duration(phase.timeout)}"
            out += [ev.PhaseEnded(at=now, phase=phase.id, status="timeout", reason=reason),
                    ev.Outcome(at=now, outcome=NO_GO, reason=reason)]
        return out

    def seed_history(self, check_id: str, points: list[tuple[float, float]]) -> None:
        """Fill a check's sparkline with history from before it was sampled here (never its verdict)."""
        cs = self.state.checks.get(check_id)
        if cs is None:
            return
        first = cs.history[0][0] if cs.history else float("inf")
        older = [(t, v) for t, v in points if t < first]
        cs.history.extendleft(reversed(older[-(cs.history.maxlen or len(older)):]))

    def summary_event(self, now: float) -> ev.Summary:
        figures = {cs.id: [round_sig(cs.value), round_sig(cs.min), round_sig(cs.max), cs.count, cs.errors]
                   for cs in self.state.checks.values() if cs.count}
        return ev.Summary(at=now, checks=figures)

    # ------------------------------------------------------------------ commands

    def why_not(self, command: str, *, by: str = "", now: float | None = None, **args: Any) -> str | None:
        """Why ``command`` is refused now (None: it may run): the rule the screens' keys and footer ask too
        (console/refusals.py). Arguments left out are not judged."""
        return refusals.refusal(self, command, by=by, now=now, **args)

    def _check(self, command: str, **args: Any) -> None:
        why = refusals.refusal(self, command, **args)
        if why:
            raise Refused(str(why))

    def cmd_start(self, now: float, **meta: Any) -> list[ev.Event]:
        return [ev.SessionStarted(at=now, **meta)] + phase_rules.enter_events(self, 0, now, overridden=False)

    def _advance(self, now: float, status: str, reason: str = "") -> list[ev.Event]:
        phase = self.active_phase()
        out: list[ev.Event] = [ev.PhaseEnded(at=now, phase=phase.id, status=status, reason=reason)]
        return out + self.next_phase(now, overridden=status == "overridden")

    def next_phase(self, now: float, overridden: bool = False) -> list[ev.Event]:
        """After the active phase ended: the next phase whose `when` holds (those skipped end "skipped"),
        or the outcome after the last one."""
        st = self.state
        overridden = overridden or any(p.status == "overridden" for p in st.phases)
        return phase_rules.enter_events(self, st.active + 1, now, overridden)

    def cmd_proceed(self, by: str, now: float | None = None) -> list[ev.Event]:
        """Proceed to the next phase; refused, with the reasons, while the gate is closed."""
        now = self.clock() if now is None else now
        self._check("proceed", by=by, now=now)
        phase = self.active_phase()
        return [ev.Decision(at=now, kind="proceed", phase=phase.id, by=by)] + self._advance(now, "passed")

    def cmd_override(self, by: str, reason: str, now: float | None = None) -> list[ev.Event]:
        """Proceed despite a closed gate; needs a written reason and marks the outcome PARTIAL."""
        now = self.clock() if now is None else now
        self._check("override", by=by, now=now, reason=reason)
        phase = self.active_phase()
        gate = self.gate(now)
        # every trigger that barked or was blind is named; of the other reasons the first three
        watched = self.rollback_reasons() + self.trigger_reasons(now)
        shown = watched + [r for r in gate.reasons if r not in watched][:3]
        full = reason.strip() + ("" if gate.open else f" [gate was closed: {'; '.join(shown)}]")
        return [ev.Decision(at=now, kind="override", phase=phase.id, by=by, reason=full)] + \
            self._advance(now, "overridden", reason.strip())

    def cmd_rollback(self, by: str, reason: str = "", trigger: str = "", now: float | None = None,
                     plan: str = "") -> list[ev.Event]:
        """Decide to roll back; the driver then runs the plan's steps and calls rollback_finished
        (or, for a plan with verify checks, the engine's tick decides once they have held)."""
        now = self.clock() if now is None else now
        self._check("rollback", by=by, now=now, trigger=trigger, plan=plan)
        if not plan and trigger:
            plan = getattr(self.runbook.check(trigger), "plan", None) or ""
        if not plan and isinstance(self.runbook.rollback, list):
            plan = self.runbook.rollback_plans[0].id
        return [ev.Decision(at=now, kind="rollback", phase=self.active_phase().id, by=by, reason=reason,
                            trigger=trigger, plan=plan)]

    def cmd_decline_rollback(self, by: str, reason: str, now: float | None = None) -> list[ev.Event]:
        """Decline the rollback a fired trigger requested: a decision with who and why, kept in the record."""
        now = self.clock() if now is None else now
        self._check("decline_rollback", by=by, now=now, reason=reason)
        request = self.state.rollback_request
        return [ev.Decision(at=now, kind="decline_rollback", phase=self.active_phase().id, by=by,
                            reason=reason.strip(), trigger=request)]

    def rollback_finished(self, exit_code: int | None, dry_run: bool, error: str = "",
                          now: float | None = None) -> list[ev.Event]:
        """Outcome after the rollback ran: ROLLED BACK, or NO-GO when the rollback itself failed."""
        now = self.clock() if now is None else now
        phase = self.active_phase()
        decision: dict[str, Any] = next((d for d in reversed(self.state.decisions) if d["kind"] == "rollback"), {})
        trig = self.runbook.check(decision["trigger"]) if decision.get("trigger") else None
        why = f"trigger {trig.label} fired" if trig else (decision.get("reason") or "")
        out: list[ev.Event] = [ev.PhaseEnded(at=now, phase=phase.id, status="rolled_back", reason=why)]
        if dry_run or exit_code == 0 or self.runbook.rollback is None:
            out.append(ev.Outcome(at=now, outcome=ROLLED_BACK, reason=why))
        else:
            out.append(ev.Outcome(at=now, outcome=NO_GO,
                                  reason=f"rollback failed ({error or f'exit {exit_code}'}); {why}".strip("; ")))
        return out

    def cmd_abort(self, by: str, reason: str, now: float | None = None) -> list[ev.Event]:
        now = self.clock() if now is None else now
        self._check("abort", by=by, now=now, reason=reason)
        phase = self.active_phase()
        return [ev.Decision(at=now, kind="abort", phase=phase.id, by=by, reason=reason),
                ev.PhaseEnded(at=now, phase=phase.id, status="aborted", reason=reason),
                ev.Outcome(at=now, outcome=NO_GO, reason=f"aborted by {by}" + (f": {reason}" if reason else ""))]

    def cmd_tick(self, check_id: str, by: str, checked: bool = True, note: str = "",
                 now: float | None = None) -> list[ev.Event]:
        """Confirm (or un-confirm) a manual item of the active phase, or allow a confirm-first command."""
        now = self.clock() if now is None else now
        self._check("tick", by=by, now=now, check_id=check_id)
        return [ev.Tick(at=now, check=check_id, by=by, checked=checked, note=note)]

    def cmd_note(self, by: str, text: str, kind: str = "note", now: float | None = None) -> list[ev.Event]:
        """A note for the record; ``kind`` marks it an anomaly or a lesson learned."""
        now = self.clock() if now is None else now
        self._check("note", by=by, now=now, text=text, kind=kind)
        phase = self.active_phase()
        return [ev.Note(at=now, by=by, text=text.strip(), phase=phase.id if phase else "", kind=kind)]

    def cmd_signoff(self, role: str, name: str, note: str = "", now: float | None = None) -> list[ev.Event]:
        """Sign off the go-live's outcome for a role the runbook lists."""
        now = self.clock() if now is None else now
        self._check("sign", now=now, role=role, name=name)
        return [ev.SignOff(at=now, role=role, name=name.strip(), note=note)]

    def cmd_approve(self, by: str, role: str = "", note: str = "", now: float | None = None) -> list[ev.Event]:
        """Approve the active phase for a role its ``approve`` awaits (no role: the first one ``by`` may approve)."""
        now = self.clock() if now is None else now
        self._check("approve", by=by, now=now, role=role)
        phase = self.active_phase()
        role = role or refusals.approve_role(self, by, phase)
        return [ev.Approval(at=now, phase=phase.id, role=role, by=by, note=note.strip())]

    def cmd_action(self) -> Any:
        """The active phase's action, if it may run now (the driver runs it)."""
        self._check("run_action")
        phase, ps = self.active_phase(), self.state.phases[self.state.active]
        return phase.all_actions[ps.actions_done]

    def missing_signoffs(self) -> list[str]:
        signed = {s["role"] for s in self.state.signoffs}
        return [r for r in self.runbook.meta.signoff if r not in signed]


def verdict_symbol(verdict: str) -> str:
    """Status is shown by symbol as well as colour."""
    return {PASS: "✓", WARN: "!", FAIL: "✗", ERROR: "⚠", PENDING: "…"}.get(verdict, "?")
