"""The engine's gate and commands: when a phase may end, and every refusal a command meets, in one module.

A command returns the events it decides (not yet applied) or raises ``Refused`` with one line saying why;
the time is the ``now`` the caller passes.
"""

from __future__ import annotations

from typing import Any

from golive.console import events as ev
from golive.console import phase_rules, roles, trigger_scope, wording
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

    def _running(self) -> None:
        if self.state.outcome is not None:
            raise Refused(f"the go-live has ended ({self.state.outcome})")
        if self.active_phase() is None:
            raise Refused("the go-live has not started")

    def _not_rolling_back(self) -> None:
        """A decided rollback is final: nothing proceeds and no phase action starts."""
        if self.state.rollback_decided:
            raise Refused("a rollback was decided; the go-live can only end")

    def cmd_start(self, now: float, **meta: Any) -> list[ev.Event]:
        return [ev.SessionStarted(at=now, **meta)] + phase_rules.enter_events(self, 0, now, overridden=False)

    def cmd_proceed(self, by: str, *, now: float) -> list[ev.Event]:
        """Proceed to the next phase; refused, with the reasons, while the gate is closed."""
        self._running()
        self._not_rolling_back()
        gate = self.gate(now)
        if not gate.open:
            raise Refused("gate closed: " + "; ".join(gate.reasons[:3]) + (" …" if len(gate.reasons) > 3 else ""))
        phase = self.active_phase()
        return [ev.Decision(at=now, kind="proceed", phase=phase.id, by=by)] + self._advance(now, "passed")

    def cmd_override(self, by: str, reason: str, *, now: float) -> list[ev.Event]:
        """Proceed despite a closed gate; needs a written reason and marks the outcome PARTIAL."""
        self._running()
        self._not_rolling_back()
        if len(reason.strip()) < 3:
            raise Refused("an override needs a written reason")
        if self.state.paused is not None:
            raise Refused(f"{trigger_scope.pause_reason(self.state)} before anything proceeds")
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
        self._running()
        if self.state.rollback_running:
            raise Refused("a rollback is already running")
        if self.state.rollback_decided and not self.state.rollback_interrupted:
            raise Refused("a rollback was already decided")
        if not plan and trigger:
            plan = getattr(self.runbook.check(trigger), "plan", None) or ""
        if plan and self.runbook.rollback_plan(plan) is None:
            raise Refused(f"no rollback plan {plan!r}")
        if not plan and isinstance(self.runbook.rollback, list):
            plan = self.runbook.rollback_plans[0].id
        return [ev.Decision(at=now, kind="rollback", phase=self.active_phase().id, by=by, reason=reason,
                            trigger=trigger, plan=plan)]

    def cmd_decline_rollback(self, by: str, reason: str, *, now: float) -> list[ev.Event]:
        """Decline the rollback a fired trigger requested: a decision with who and why, kept in the record."""
        self._running()
        request = self.state.rollback_request
        if not request:
            raise Refused("no rollback is requested")
        if len(reason.strip()) < 3:
            raise Refused("declining a rollback needs a written reason")
        return [ev.Decision(at=now, kind="decline_rollback", phase=self.active_phase().id, by=by,
                            reason=reason.strip(), trigger=request)]

    def cmd_abort(self, by: str, reason: str, *, now: float) -> list[ev.Event]:
        self._running()
        phase = self.active_phase()
        return [ev.Decision(at=now, kind="abort", phase=phase.id, by=by, reason=reason),
                ev.PhaseEnded(at=now, phase=phase.id, status="aborted", reason=reason),
                ev.Outcome(at=now, outcome=NO_GO, reason=f"aborted by {by}" + (f": {reason}" if reason else ""))]

    def cmd_tick(self, check_id: str, by: str, checked: bool = True, note: str = "", *,
                 now: float) -> list[ev.Event]:
        """Confirm (or un-confirm) a manual item of the active phase, or allow a confirm-first command."""
        self._running()
        phase = self.active_phase()
        ids = {c.id for c in phase.checks if c.source == "manual" or getattr(c, "confirm", False)}
        if check_id not in ids:
            raise Refused(f"{check_id} is not a manual item of the active phase ({phase.id})")
        self._may_act(getattr(self.runbook.check(check_id), "role", None), by)
        return [ev.Tick(at=now, check=check_id, by=by, checked=checked, note=note)]

    def cmd_note(self, by: str, text: str, kind: str = "note", *, now: float) -> list[ev.Event]:
        """A note for the record; ``kind`` marks it an anomaly or a lesson learned."""
        if self.state.outcome is not None:
            raise Refused("the go-live has ended and its record is final")
        if not text.strip():
            raise Refused("a note needs text")
        if kind not in NOTE_KINDS:
            raise Refused(f"a note is one of {', '.join(NOTE_KINDS)}, not {kind!r}")
        phase = self.active_phase()
        return [ev.Note(at=now, by=by, text=text.strip(), phase=phase.id if phase else "", kind=kind)]

    def cmd_signoff(self, role: str, name: str, note: str = "", *, now: float) -> list[ev.Event]:
        """Sign off the go-live's outcome for a role the runbook lists."""
        if self.state.outcome is None:
            raise Refused("sign-off opens when the go-live has an outcome")
        roles = self.runbook.meta.signoff
        if roles and role not in roles:
            raise Refused(f"unknown role {role!r} (the runbook asks for: {', '.join(roles)})")
        if any(s["role"] == role for s in self.state.signoffs):
            raise Refused(f"{role} has already signed off")
        if not name.strip():
            raise Refused("a sign-off needs a name")
        self._may_act(role, name.strip())
        same = next((s for s in self.state.signoffs if s["name"].casefold() == name.strip().casefold()), None)
        if same and self.runbook.meta.signoff_distinct:
            raise Refused(f"{same['name']} has signed off as {same['role']}: one person signs one role "
                          "(the runbook may allow more with signoff_distinct = false)")
        return [ev.SignOff(at=now, role=role, name=name.strip(), note=note)]

    def _may_act(self, role: str | None, by: str) -> None:
        why = roles.refusal(self.runbook, role, by, self.state.operator)
        if why:
            raise Refused(why)

    def cmd_approve(self, by: str, role: str = "", note: str = "", *, now: float) -> list[ev.Event]:
        """Approve the active phase for a role its ``approve`` awaits (no role: the first one ``by`` may approve)."""
        self._running()
        phase = self.active_phase()
        if not phase.approve:
            raise Refused(f"phase {phase.label} needs no approval")
        if role and role not in phase.approve:
            raise Refused(f"phase {phase.label} awaits no {role!r} approval (it asks for: {', '.join(phase.approve)})")
        if not role:
            awaited = [r for r in roles.awaited(self.runbook, self.state, phase)
                       if by not in roles.approvals_of(self.state, phase.id, r)]
            role = next((r for r in awaited if roles.refusal(self.runbook, r, by, self.state.operator) is None),
                        awaited[0] if awaited else "")
            if not role:
                raise Refused(f"phase {phase.label} has every approval it needs")
        self._may_act(role, by)
        if by in roles.approvals_of(self.state, phase.id, role):
            raise Refused(f"{by} has already approved {phase.label} as {role}")
        if role not in roles.awaited(self.runbook, self.state, phase):
            raise Refused(f"{role} has already approved {phase.label}")
        return [ev.Approval(at=now, phase=phase.id, role=role, by=by, note=note.strip())]

    def cmd_action(self, *, now: float) -> Any:
        """The active phase's action, if it may run now (the driver runs it)."""
        self._running()
        phase = self.active_phase()
        if phase.action is None:
            raise Refused(f"phase {phase.label} has no action")
        self._not_rolling_back()
        if self.state.rollback_request:
            raise Refused("a rollback is requested: confirm or decline it first")
        ps = self.state.phases[self.state.active]
        if ps.action_done is not None:
            raise Refused(f"the action of {phase.label} has already run")
        if any(a["action"].startswith("phase:") and "finished" not in a for a in self.state.actions):
            raise Refused("the action is running")
        waiting = phase_rules.waiting_reason(self, phase, now)
        if waiting:
            raise Refused(f"{phase.label}: {waiting}")
        return phase.all_actions[ps.actions_done]

