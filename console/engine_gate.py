"""The engine's gate and commands: when a phase may end, and every refusal a command meets, in one module.

A command returns the events it decides (not yet applied) or raises ``Refused`` with one line saying why;
the time is the ``now`` the caller passes.
"""

from __future__ import annotations

from typing import Any

from golive.console import events as ev
from golive.console import phase_rules, refusals, roles, wording
from golive.console.state import NO_GO, PASS, Blocker, Gate

NOTE_KINDS = ("note", "anomaly", "lesson")
# an override names every one of these (a rollback or a trigger that barked or was blind), the rest up to three
WATCHED = frozenset({"rollback_interrupted", "rollback_decided", "rollback_requested", "trigger_pending",
                     "trigger_blind"})


class Refused(Exception):
    """A command the state does not allow now; the message says why, in one line."""


class GateRules:
    """Methods of Engine (``self`` is the Engine)."""

    runbook: Any
    state: Any
    skipped: dict[str, str]
    evidence_until: float | None
    active_phase: Any
    _advance: Any
    _seed_gate_reasons: Any

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

    def hold_progress(self, check_id: str, now: float) -> tuple[float, float]:
        """(seconds held so far, seconds required) for a check of its phase."""
        now = self.proven(now)
        cs = self.state.checks[check_id]
        hold = self.runbook.phases[self.runbook.phase_index(cs.phase)].hold if cs.phase else 0.0
        start = self.hold_start(check_id)
        return (0.0 if start is None else max(0.0, now - start)), hold

    def proven(self, now: float) -> float:
        """``now``, or the last moment the journal proves when this engine follows one."""
        return now if self.evidence_until is None else min(now, self.evidence_until)

    def is_held(self, check_id: str, now: float) -> bool:
        held, hold = self.hold_progress(check_id, now)
        return self.hold_start(check_id) is not None and held >= hold

    def gate(self, now: float) -> Gate:
        """Open when every required check is HELD, every manual item confirmed, the action done; its reasons
        are ``blockers`` (data, alike for a driver and a follower) put into words by console.wording."""
        blockers = self.blockers(now)
        return Gate(not blockers, [wording.blocker_text(self, b) for b in blockers], blockers)

    def blockers(self, now: float) -> list[Blocker]:
        """Why the gate is closed, in order: rollback, triggers, pause and time, approvals, action, checks."""
        st = self.state
        phase = self.active_phase()
        if phase is None or st.outcome is not None:
            return [Blocker("not_running")]
        out: list[Blocker] = self.rollback_blockers() + self.trigger_blockers(now) + self._seed_gate_reasons(phase, now)
        awaiting = roles.awaited_text(self.runbook, st, phase)
        if awaiting:
            out.append(Blocker("approval", phase.id, detail=awaiting))
        status = st.phases[st.active]
        if phase.action is not None and status.action_done is None:
            if status.action_interrupted:
                out.append(Blocker("action_interrupted", phase.id))
            elif status.action_failed:
                out.append(Blocker("action_failed", phase.id, detail=status.action_failed))
            else:
                out.append(Blocker("action_not_run", phase.id))
        for check in phase.checks:
            if check.id in self.skipped:
                continue
            if check.source == "manual":
                if check.required and not st.manual[check.id].checked:
                    out.append(Blocker("unconfirmed", check.id))
                continue
            if not check.required:
                continue
            cs = st.checks[check.id]
            if cs.verdict != PASS:
                out.append(Blocker("verdict", check.id, verdict=cs.verdict))
            elif not self.is_held(check.id, now) and phase.duration is None:
                held, hold = self.hold_progress(check.id, now)
                out.append(Blocker("holding", check.id, held=held, need=hold))
        return out

    def rollback_blockers(self) -> list[Blocker]:
        """Why a rollback keeps the gate shut: decided (final), interrupted, or requested by a trigger."""
        st = self.state
        if st.rollback_interrupted:
            return [Blocker("rollback_interrupted")]
        if st.rollback_decided:
            return [Blocker("rollback_decided")]
        if st.rollback_request:
            return [Blocker("rollback_requested", st.rollback_request)]
        return []

    def trigger_blockers(self, now: float) -> list[Blocker]:
        """A pending or blind trigger keeps the gate closed: nobody proceeds while the watchdog barks or cannot see."""
        out: list[Blocker] = []
        for ts in self.state.triggers.values():
            if ts.state == "pending":
                held = 0.0 if ts.pending_since is None else max(0.0, self.proven(now) - ts.pending_since)
                out.append(Blocker("trigger_pending", ts.id, held=held, need=self.runbook.check(ts.id).for_))
            elif ts.state == "error":
                out.append(Blocker("trigger_blind", ts.id, detail=ts.detail))
        return out

    def why_not(self, command: str, *, now: float, by: str = "", **args: Any) -> str | None:
        """Why ``command`` is refused now (None: it may run): the rule the screens' keys and footer ask too
        (console/refusals.py). Arguments left out are not judged."""
        return refusals.refusal(self, command, by=by, now=now, **args)

    def _check(self, command: str, **args: Any) -> None:
        why = refusals.refusal(self, command, **args)
        if why:
            raise Refused(str(why))

    def cmd_start(self, now: float, **meta: Any) -> list[ev.Event]:
        return [ev.SessionStarted(at=now, **meta)] + phase_rules.enter_events(self, 0, now, overridden=False)

    def cmd_proceed(self, by: str, *, now: float) -> list[ev.Event]:
        """Proceed to the next phase; refused, with the reasons, while the gate is closed."""
        self._check("proceed", by=by, now=now)
        phase = self.active_phase()
        return [ev.Decision(at=now, kind="proceed", phase=phase.id, by=by)] + self._advance(now, "passed")

    def cmd_override(self, by: str, reason: str, *, now: float) -> list[ev.Event]:
        """Proceed despite a closed gate; needs a written reason and marks the outcome PARTIAL."""
        self._check("override", by=by, now=now, reason=reason)
        phase = self.active_phase()
        gate = self.gate(now)
        # every trigger that barked or was blind is named; of the other reasons the first three
        watched = [r for b, r in zip(gate.blockers, gate.reasons, strict=True) if b.code in WATCHED]
        shown = watched + [r for r in gate.reasons if r not in watched][:3]
        full = reason.strip() + ("" if gate.open else f" [gate was closed: {'; '.join(shown)}]")
        return [ev.Decision(at=now, kind="override", phase=phase.id, by=by, reason=full)] + \
            self._advance(now, "overridden", reason.strip())

    def cmd_rollback(self, by: str, reason: str = "", trigger: str = "", *, now: float,
                     plan: str = "") -> list[ev.Event]:
        """Decide to roll back; the driver then runs the plan's steps and calls rollback_finished
        (or, for a plan with verify checks, the engine's tick decides once they have held)."""
        self._check("rollback", by=by, now=now, trigger=trigger, plan=plan)
        if not plan and trigger:
            plan = getattr(self.runbook.check(trigger), "plan", None) or ""
        if not plan and isinstance(self.runbook.rollback, list):
            plan = self.runbook.rollback_plans[0].id
        return [ev.Decision(at=now, kind="rollback", phase=self.active_phase().id, by=by, reason=reason,
                            trigger=trigger, plan=plan)]

    def cmd_decline_rollback(self, by: str, reason: str, *, now: float) -> list[ev.Event]:
        """Decline the rollback a fired trigger requested: a decision with who and why, kept in the record."""
        self._check("decline_rollback", by=by, now=now, reason=reason)
        request = self.state.rollback_request
        return [ev.Decision(at=now, kind="decline_rollback", phase=self.active_phase().id, by=by,
                            reason=reason.strip(), trigger=request)]

    def cmd_abort(self, by: str, reason: str, *, now: float) -> list[ev.Event]:
        self._check("abort", by=by, now=now, reason=reason)
        phase = self.active_phase()
        return [ev.Decision(at=now, kind="abort", phase=phase.id, by=by, reason=reason),
                ev.PhaseEnded(at=now, phase=phase.id, status="aborted", reason=reason),
                ev.Outcome(at=now, outcome=NO_GO, reason=f"aborted by {by}" + (f": {reason}" if reason else ""))]

    def cmd_tick(self, check_id: str, by: str, checked: bool = True, note: str = "", *,
                 now: float) -> list[ev.Event]:
        """Confirm (or un-confirm) a manual item of the active phase, or allow a confirm-first command."""
        self._check("tick", by=by, now=now, check_id=check_id)
        return [ev.Tick(at=now, check=check_id, by=by, checked=checked, note=note)]

    def cmd_note(self, by: str, text: str, kind: str = "note", *, now: float) -> list[ev.Event]:
        """A note for the record; ``kind`` marks it an anomaly or a lesson learned."""
        self._check("note", by=by, now=now, text=text, kind=kind)
        phase = self.active_phase()
        return [ev.Note(at=now, by=by, text=text.strip(), phase=phase.id if phase else "", kind=kind)]

    def cmd_signoff(self, role: str, name: str, note: str = "", *, now: float) -> list[ev.Event]:
        """Sign off the go-live's outcome for a role the runbook lists."""
        self._check("sign", now=now, role=role, name=name)
        return [ev.SignOff(at=now, role=role, name=name.strip(), note=note)]

    def cmd_approve(self, by: str, role: str = "", note: str = "", *, now: float) -> list[ev.Event]:
        """Approve the active phase for a role its ``approve`` awaits (no role: the first one ``by`` may approve)."""
        self._check("approve", by=by, now=now, role=role)
        phase = self.active_phase()
        role = role or refusals.approve_role(self, by, phase)
        return [ev.Approval(at=now, phase=phase.id, role=role, by=by, note=note.strip())]

    def cmd_action(self, *, now: float) -> Any:
        """The active phase's action, if it may run now (the driver runs it)."""
        self._check("run_action", now=now)
        phase, ps = self.active_phase(), self.state.phases[self.state.active]
        return phase.all_actions[ps.actions_done]
