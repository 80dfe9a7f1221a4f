"""The engine's seed-process semantics, mixed into Engine: baselines and windows, trigger responses
(pause, abort, people's triggers), soaks, `when`, several actions (see console.derived, console.trigger_scope,
console.phase_rules, console.rollback_plans for the rules themselves)."""

from __future__ import annotations

from typing import Any

from golive.checks.base import Sample
from golive.console import derived, phase_rules, trigger_scope
from golive.console import events as ev
from golive.console.judging import judge, trigger_condition
from golive.console.state import ERROR, Blocker, CheckState


class SeedSemantics:
    """Methods of Engine (``self`` is the Engine): kept apart so the core fold stays readable."""

    runbook: Any
    state: Any
    _windows: dict[str, Any]
    _baseline_parent: dict[str, str]
    _check: Any
    active_phase: Any
    _log: Any

    def _seed_init(self) -> None:
        """Baseline companions, windows and `when`-skipped checks (see console.derived, console.phase_rules)."""
        rb = self.runbook
        every = [c for _, c in rb.iter_checks()] + list(rb.triggers) + [c for _, c in rb.iter_verify_checks()]
        self.baselines = derived.baseline_companions(every)
        self._baseline_parent = {cid: cid[: -len(derived.SUFFIX)] for cid in self.baselines}
        self._windows: dict[str, Any] = {}
        self.skipped = phase_rules.skipped_checks(rb, rb.variables)
        for check_id, why in self.skipped.items():
            if check_id in self.state.checks:
                self.state.checks[check_id].skipped = why

    def _seed_gate_reasons(self, phase: Any, now: float) -> list[Blocker]:
        """Pause, not_before, soak and firing triggers: what else keeps the gate closed."""
        st = self.state
        out = [Blocker("paused", detail=r) for r in (trigger_scope.pause_reason(st),) if r]
        out += [Blocker("not_before", phase.id, detail=r) for r in (phase_rules.waiting_reason(self, phase, now),) if r]
        soak = phase_rules.soak_reasons(self, phase, st.phases[st.active], now)
        out += [Blocker("soak", phase.id, detail=r) for r in soak]
        for ts in st.triggers.values():
            trig = self.runbook.check(ts.id)
            # a firing rollback trigger is the rollback's business (requested, decided or declined)
            if ts.state == "firing" and trig.then != "rollback":
                out.append(Blocker("trigger_firing", ts.id))
        return out

    def _on_trigger_fired(self, e: ev.TriggerFired) -> None:
        ts = self.state.triggers.get(e.trigger)
        if ts is None:
            return
        trig = self.runbook.check(e.trigger)
        ts.state, ts.fired_at, ts.fired_by, ts.detail, ts.pending_since = "firing", e.at, e.by, e.reason, None
        self._respond(trig, e.at, f"{e.reason} (fired by {e.by})")
        self._log(e)

    def _respond(self, trig: Any, at: float, detail: str) -> None:
        """A fired trigger's response: a rollback waits for the lead; a pause holds the gate (abort: the driver)."""
        st = self.state
        if st.outcome is not None:
            return
        if trig.then == "rollback":
            st.rollback_request = trig.id
        elif trig.then == "pause" and st.paused is None:
            st.paused = {"at": at, "trigger": trig.id,
                         "reason": f"trigger {trig.label}" + (f" ({detail})" if detail else "")}

    def _judge_derived(self, check: Any, cs: CheckState, sample: Sample) -> tuple[str, str, float | None]:
        """judge(), with a baseline bound to its relative target and a window's figure in place of the value;
        returns (verdict, detail, the value judged)."""
        bound, blind = derived.bound(check, cs, sample.at)
        if bound is None:
            return ERROR, blind, sample.value  # an unreadable baseline makes the comparison unknown, never a pass
        windowed, early = derived.windowed(check, sample, self._windows)
        if windowed is None:
            return early[0], early[1], sample.value  # type: ignore[index]
        verdict, detail = judge(bound, windowed)
        note = derived.baseline_note(check, cs)
        return verdict, (f"{detail}; {note}" if detail and note else detail or note), windowed.value

    def _trigger_condition(self, trig: Any, sample: Sample) -> bool | None:
        bound, _ = derived.bound(trig, self.state.checks[trig.id], sample.at)
        return None if bound is None else trigger_condition(bound, sample)

    def next_action_name(self) -> str:
        """The journal name of the action cmd_action returns: ``phase:<id>``, then ``phase:<id>#2`` …"""
        return phase_rules.action_name(self.active_phase(), self.state.phases[self.state.active].actions_done)

    def cmd_resume(self, by: str, note: str, *, now: float) -> list[ev.Event]:
        """Resume a paused go-live; refused without a written note."""
        self._check("resume", by=by, now=now, note=note)
        return trigger_scope.cmd_resume(self, by, note, now)

    def cmd_confirm_step(self, step: str, by: str, note: str = "", *, now: float) -> list[ev.Event]:
        """Confirm a rollback plan's step written with ``confirm = true``: it runs only after this decision."""
        from golive.console.rollback_plans import cmd_confirm_step

        self._check("confirm_step", by=by, now=now, step=step)
        return cmd_confirm_step(self, step, by, note, now)

    def cmd_fire_trigger(self, trigger_id: str, by: str, reason: str, *, now: float) -> list[ev.Event]:
        """A person fires a manual trigger, with a reason; its response follows as for any trigger."""
        self._check("fire", by=by, now=now, trigger_id=trigger_id, reason=reason)   # [roles]: its members only
        return trigger_scope.cmd_fire(self, trigger_id, by, reason, now)
