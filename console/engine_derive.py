"""The engine's derivations: the events a sample, the passing of time or a finished rollback cause.

They read the state and return events, never changing it (the fold does); the time is the sample's or the
``now`` the caller passes.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from golive.checks.base import Sample
from golive.console import events as ev
from golive.console import phase_rules, rollback_plans, trigger_scope
from golive.console.state import NO_GO, ROLLED_BACK
from golive.console.units import format_duration, format_number, round_sig


class Derivations:
    """Methods of Engine (``self`` is the Engine)."""

    runbook: Any
    state: Any
    _baseline_parent: dict[str, str]
    _judged: dict[str, tuple[str, str, float | None]]
    apply: Any
    active_phase: Any
    _trigger_condition: Any

    def sample_event(self, sample: Sample) -> ev.Sampled:
        """The event a sample is: NaN and ±Inf are no data, whichever source let them through."""
        if sample.check_id not in self._baseline_parent and sample.value is not None \
                and not math.isfinite(sample.value):
            sample = dataclasses.replace(sample, value=None, no_data=True, detail=f"value is {sample.value}")
        return ev.Sampled(at=sample.at, sample=sample)

    def observe(self, sample: Sample) -> list[ev.Event]:
        """Fold one sample (an event of its own, :class:`events.Sampled`) and return the events it causes,
        not yet applied: a verdict that changed, a trigger's new state."""
        event = self.sample_event(sample)
        self.apply(event)
        return self.caused(event)

    def caused(self, event: ev.Sampled) -> list[ev.Event]:
        """What a folded sample causes, read from the state the sample left."""
        st, sample = self.state, event.sample
        cs = st.checks.get(sample.check_id)
        if cs is None or st.outcome is not None or sample.check_id in self._baseline_parent:
            return []
        if sample.check_id in st.triggers:
            return self._trigger_events(sample)
        verdict, detail, value = self._judged.pop(cs.id)
        if verdict != cs.verdict:
            return [ev.Verdict(at=sample.at, check=cs.id, verdict=verdict, value=round_sig(value), detail=detail)]
        return []

    def _trigger_events(self, sample: Sample) -> list[ev.Event]:
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
                if cond is False and trig.keep_firing_for > 0:
                    return trigger_scope.keep_firing_events(self, sample.at)
                if cond is False:
                    return [ev.TriggerState(at=sample.at, trigger=ts.id, state="resolved", value=sample.value,
                                            detail="condition cleared")]
            return []
        cond = self._trigger_condition(trig, sample)
        value_text = format_number(sample.value) + (f" {trig.unit}" if trig.unit else "")
        if cond is None:
            if ts.state != "error":
                # blind: neither fires nor resets — "one clean sample resets it", and this is not clean
                return [ev.TriggerState(at=sample.at, trigger=ts.id, state="error", value=None,
                                        detail=sample.error or sample.detail or "no data")]
            return []
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

    def tick(self, now: float) -> list[ev.Event]:
        """Time-based events: a trigger's `for` elapsed, a phase timed out."""
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

    def rollback_finished(self, exit_code: int | None, dry_run: bool, error: str = "", *,
                          now: float) -> list[ev.Event]:
        """Outcome after the rollback ran: ROLLED BACK, or NO-GO when the rollback itself failed."""
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

