"""The engine's fold: every event — a sample included — changes the state here and nowhere else.

Pure: the same events give the same state, so the live driver, a resume (replay) and a follower agree.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from typing import Any

from golive.checks.base import Sample
from golive.console import derived, phase_rules, rollback_plans, wording
from golive.console import events as ev
from golive.console.judging import judge
from golive.console.state import PASS, PENDING, CheckState
from golive.console.trigger_scope import scope_reason


class Fold:
    """Methods of Engine (``self`` is the Engine): ``apply`` and one handler per event type."""

    runbook: Any
    state: Any
    after: dict[str, CheckState]
    skipped: dict[str, str]
    _baseline_parent: dict[str, str]
    _judged: dict[str, tuple[str, str, float | None]]
    _respond: Any
    _judge_derived: Any
    _trigger_condition: Any

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
                ts.state, ts.pending_since, ts.condition = "armed", None, False
            if ts.state != "disarmed":
                ts.watch_since = e.at
        self._log(e)

    def _on_phase_started(self, e: ev.PhaseStarted) -> None:
        st = self.state
        st.active = self.runbook.phase_index(e.phase)
        # pods reported by the checks of finished phases are old news; triggers keep reporting theirs
        current = {c.id for c in self.runbook.phases[st.active].checks} | set(st.triggers)
        for check_id in [c for c in st.pods if c not in current]:
            del st.pods[check_id]
        ps = st.phases[st.active]
        ps.status, ps.started = "active", e.at
        self._log(e)

    def _on_phase_ended(self, e: ev.PhaseEnded) -> None:
        ps = self.state.phases[self.runbook.phase_index(e.phase)]
        ps.status, ps.ended, ps.reason = e.status, e.at, e.reason
        self._log(e)

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
        self._log(e)

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
        if e.state != "firing":   # the condition a sample found, as the journal shows it (a replay agrees)
            ts.condition = e.state == "pending"
        ts.state = "armed" if e.state == "resolved" else e.state
        ts.value, ts.detail = e.value, e.detail
        if e.state == "firing":
            self._respond(self.runbook.check(e.trigger), e.at, e.detail)
        self._log(e)

    def _on_tick(self, e: ev.Tick) -> None:
        st = self.state
        if e.check in st.manual:
            ms = st.manual[e.check]
            ms.checked, ms.by, ms.at, ms.note = e.checked, e.by, e.at, e.note
        elif e.check in st.checks:
            st.checks[e.check].confirmed = e.checked
        self._log(e)

    def _on_note(self, e: ev.Note) -> None:
        self.state.notes.append({"at": e.at, "by": e.by, "phase": e.phase, "text": e.text, "kind": e.kind})
        self._log(e)

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
        self._log(e)

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
        self._log(e)

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
        self._log(e)

    def _on_outcome(self, e: ev.Outcome) -> None:
        st = self.state
        st.outcome, st.outcome_reason, st.finished = e.outcome, e.reason, e.at
        st.rollback_request = None
        st.rollback_running, st.verifying_since = False, None
        self._log(e)

    def _on_signoff(self, e: ev.SignOff) -> None:
        self.state.signoffs.append({"role": e.role, "name": e.name, "at": e.at, "note": e.note})
        self._log(e)

    def _on_approval(self, e: ev.Approval) -> None:
        self.state.approvals.append({"at": e.at, "phase": e.phase, "role": e.role, "by": e.by, "note": e.note})
        self._log(e)

    def _on_log(self, e: ev.Log) -> None:
        self.state.log.append((e.at, e.level, e.text))

    # change management: facts for the header and the record (console/change.py)
    def _on_change(self, e: ev.ChangeStarted) -> None:
        self.state.change = {k: v for k, v in e.to_dict().items() if k != "type"}
        if e.window == "bypassed":
            self._log(e)

    def _on_notify_failed(self, e: ev.NotifyFailed) -> None:
        self.state.notify_failures.append({"at": e.at, "target": e.target, "event": e.event,
                                           "attempts": e.attempts, "error": e.error})
        self._log(e)

    def _on_review(self, e: ev.Review) -> None:
        self.state.reviews.append({"at": e.at, "role": e.role, "name": e.name, "note": e.note})

    def _log(self, e: ev.Event) -> None:
        """The event log's line for ``e``, worded by console.wording (the state keeps the words it shows)."""
        entry = wording.log_entry(self.runbook, e)
        if entry is not None:
            self.state.log.append((e.at, *entry))

    # ------------------------------------------------------------------ a sample's effect

    def _on_sample(self, e: ev.Sampled) -> None:
        """A sample's live figures, pods, baseline, window and judgement; what it causes (a verdict change,
        a trigger's state) are events of their own, derived from the state this leaves."""
        st, sample = self.state, e.sample
        parent = self._baseline_parent.get(sample.check_id)
        if parent is not None and st.outcome is None:
            derived.take_baseline(st.checks[parent], sample)
            return
        cs = st.checks.get(sample.check_id)
        if cs is None:
            return
        if st.outcome is not None:
            self._sample_after(sample)
            return
        if sample.error or sample.no_data:
            cs.errors += 1
        cs.record_value(sample.at, sample.value)
        cs.series = sample.series
        if "pods" in sample.extra:
            st.pods[sample.check_id] = sample.extra["pods"]
        if sample.check_id in st.triggers:
            self._sample_trigger(sample)
            return
        verdict, detail, value = self._judge_derived(self.runbook.check(sample.check_id), cs, sample)
        self._judged[cs.id] = (verdict, detail, value)
        cs.detail = detail
        if value is not sample.value:
            cs.value = value  # a window's figure is what was judged: show it, not the last raw value

    def _sample_after(self, sample: Sample) -> None:
        """A sample after the outcome: live figures, pods and a live verdict in ``after``; never the record."""
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

    def _sample_trigger(self, sample: Sample) -> None:
        """A trigger's last clean evaluation, and since when a firing one has been clean (keep_firing_for)."""
        ts = self.state.triggers[sample.check_id]
        trig = self.runbook.check(ts.id)
        if ts.state == "idle" or ts.state == "disarmed":
            return
        if scope_reason(self, trig, sample.at):
            return   # outside its scope a trigger is not judged
        cond = self._trigger_condition(trig, sample)
        if ts.state == "firing":
            if cond is True:
                ts.clear_since = None
            elif cond is False and trig.keep_firing_for > 0 and ts.clear_since is None:
                ts.clear_since = sample.at
            return
        ts.condition = bool(cond)   # blind is not a true condition: it neither fires nor resets
