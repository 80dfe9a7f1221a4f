"""What the driver does for the seed-process semantics, mixed into Session: a fired trigger's response
(roll back, abort), a broken soak, a phase's next action and a not_before action in headless runs, and the
two commands people give (fire a manual trigger, resume a pause)."""

from __future__ import annotations

from typing import Any


class SeedReactions:
    """Methods of Session (``self`` is the Session)."""

    engine: Any
    headless: bool
    operator: str
    _tasks: set
    submit: Any
    _spawn: Any
    rollback: Any
    run_action: Any
    clock: Any
    _command: Any
    _in_turn: Any   # decided once every event before it landed: a second abort is refused, not journaled

    def _respond(self, trig: Any) -> None:
        """A fired trigger's response that the driver carries out: roll back (headless or auto), abort."""
        st = self.engine.state
        if st.outcome is not None:
            return
        if trig.then == "rollback" and (self.headless or trig.auto):
            self._spawn(self.rollback("golive", reason=f"trigger {trig.label} fired", trigger=trig.id))
        elif trig.then == "abort":
            self._in_turn(lambda: self.engine.cmd_abort("golive", f"trigger {trig.label} fired", now=self.clock()),
                          lambda _exc: None)

    def _soak_broken(self) -> None:
        """A FAIL inside a soak ends it by the phase's on_fail: abort, or roll back by its plan."""
        st = self.engine.state
        phase, ps = self.engine.active_phase(), st.active_phase
        if phase is None or ps is None or phase.duration is None or not ps.soak_broken or st.outcome is not None \
                or st.rollback_running:
            return
        if phase.on_fail == "rollback":
            self._spawn(self.rollback("golive", reason=f"soak broken: {ps.soak_broken}", plan=phase.plan or ""))
        else:
            self._in_turn(lambda: self.engine.cmd_abort("golive", f"soak broken: {ps.soak_broken}", now=self.clock()),
                          lambda _exc: None)

    def _headless_next_action(self) -> None:
        """Headless: a phase's next action runs when the one before it succeeded (and its time has come)."""
        phase, ps = self.engine.active_phase(), self.engine.state.active_phase
        if phase is not None and ps is not None and ps.action_done is None and phase.all_actions \
                and ps.actions_done < len(phase.all_actions) and self.engine.state.outcome is None:
            self._spawn(self.run_action(self.operator))

    def _headless_due_action(self, now: float) -> None:
        """Headless: an action held back by its phase's not_before runs once the time has come."""
        from golive.console.phase_rules import waiting_reason

        phase, ps = self.engine.active_phase(), self.engine.state.active_phase
        if phase is None or ps is None or not phase.all_actions or ps.action_done is not None:
            return
        running = any(a["action"].startswith("phase:") and "finished" not in a for a in self.engine.state.actions)
        if not running and not ps.action_failed and not self._tasks and not waiting_reason(self.engine, phase, now):
            self._spawn(self.run_action(self.operator))

    async def fire_trigger(self, trigger_id: str, reason: str, by: str | None = None) -> None:
        """A person fires a manual trigger with a reason (fsync'd before anyone sees it)."""
        await self._command(lambda: self.engine.cmd_fire_trigger(trigger_id, by or self.operator, reason,
                                                       now=self.clock()))

    async def resume_paused(self, note: str, by: str | None = None) -> None:
        """Resume a paused go-live with a note."""
        await self._command(lambda: self.engine.cmd_resume(by or self.operator, note, now=self.clock()))

    async def confirm_step(self, step: str, note: str = "", by: str | None = None) -> None:
        """Confirm the rollback step (``confirm = true``) that waits for it; it runs right after."""
        await self._command(lambda: self.engine.cmd_confirm_step(step, by or self.operator, note, now=self.clock()))
