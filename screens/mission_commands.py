"""The mission screen's actions (the methods ``keymap`` binds): each opens its dialog if it has one, then sends
one command through the session. Read-only followers refuse them with the session's own reason."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from golive.console.seat import Seat
from golive.screens.gate_reasons import active_phase
from golive.screens.layouts import NarrowBody

# The dialogs are imported when first opened: the first frame comes sooner without them.


class MissionCommandsMixin:
    """Mixed into MissionScreen; relies on its session, engine, panes, refused(), command(), refuse() and say().
    Whether an action may run is ``refused(name)``'s business alone: the rule the footer and the palette read."""

    session: Seat
    engine: Any
    why_not: Any
    runbook: Any
    _pending_pane: str | None = None   # the pane a Tab is moving the focus to, until it lands

    def _phase_label(self) -> str:
        phase = self.session.view().active_phase
        return phase.label if phase else ""

    # ------------------------------------------------------------------ evidence

    def action_tick(self) -> None:
        panes = self.panes
        if not self.wide and panes is not None and self.query_one(NarrowBody).active != "tab-checks":
            # Never tick an item the lead cannot see: show it first.
            self.query_one(NarrowBody).active = "tab-checks"
            self.call_after_refresh(panes.checklist.focus)
            self.say("the checklist: move to the item, then space ticks it")
            return
        if self.refused("tick"):
            return
        check_id = panes.checklist.highlighted_check()
        check = self.runbook.check(check_id)
        view = self.session.view()
        checked = view.manual[check_id].checked if check.source == "manual" else view.checks[check_id].confirmed
        verb = "unticked" if checked else "ticked"
        self.command("tick", lambda: self.session.tick(check_id, not checked), done=f"{verb}: {check.label}")

    def action_note(self) -> None:
        from golive.screens.note_modal import NoteModal

        if self.refused("note"):
            return

        def chosen(text: str | None) -> None:
            if text:
                self.command("note", lambda: self.session.note(text), done="note saved")
            else:
                self.say("note cancelled: nothing saved")
        self.app.push_screen(NoteModal(self._phase_label() or "the go-live",
                                       judge=lambda text: self.why_not("note", text=text)), chosen)

    # ------------------------------------------------------------------ decisions

    def action_proceed(self) -> None:
        if self.refused("proceed"):
            return
        self.command("proceed", lambda: self.session.proceed(), done="proceeded")

    def action_override(self) -> None:
        from golive.screens.override_modal import OverrideModal

        if self.refused("override"):
            return
        reasons = list(self.session.view(self.now()).gate.reasons)

        def chosen(reason: str | None) -> None:
            if reason:
                self.command("override", lambda: self.session.override(reason), done="overridden: proceeded")
            else:
                self.say("override cancelled: the gate stays closed")
        self.app.push_screen(OverrideModal(self._phase_label(), reasons,
                                           judge=lambda reason: self.why_not("override", reason=reason)), chosen)

    def action_rollback(self) -> None:
        view = self.session.view()
        if view.rollback_running and self.open_step_confirm():
            return   # r again: a step that waits for its confirmation asks again
        if self.refused("rollback"):
            return
        self.open_rollback(trigger=view.rollback_request or "")

    def open_rollback(self, trigger: str = "") -> None:
        from golive.screens.rollback_modal import RollbackModal

        # the plan the trigger names (or the first): every step's command is shown before it runs
        plan = self.runbook.rollback_plan(getattr(self.runbook.check(trigger), "plan", None) if trigger else None)
        command = "\n$ ".join(step.display() for step in plan.steps) if plan is not None else None
        label = self.runbook.check(trigger).label if trigger else ""

        def chosen(choice: Any) -> None:
            if choice is None:
                self.say("rollback cancelled: nothing ran")
                return
            if choice.decline:
                self.open_decline(trigger)
                return
            self.command("rollback", lambda: self.session.rollback(reason=choice.reason, trigger=choice.trigger,
                                                                   plan=choice.plan), done=self.say_rollback_result)
        from golive.console.rollback_plans import plan_choices

        self.app.push_screen(RollbackModal(command, dry_run=self.session.dry_run,
                                           trigger=trigger, trigger_label=label, phase_label=self._phase_label(),
                                           plans=plan_choices(self.runbook) if isinstance(self.runbook.rollback, list)
                                           else None, plan=plan.id if plan is not None else ""),
                             chosen)

    def on_step_awaits_confirm(self, message: Any) -> None:
        self.open_step_confirm()

    def open_step_confirm(self) -> bool:
        """Ask the lead to confirm the rollback step that waits for it (its argv shown); False when none waits."""
        from golive.console.rollback_plans import awaiting_confirm
        from golive.screens.step_modal import StepConfirmModal

        waiting = awaiting_confirm(self.engine)
        if waiting is None or self.session.read_only or isinstance(self.app.screen, StepConfirmModal):
            return False
        step, command = waiting

        def chosen(ok: bool | None) -> None:
            if awaiting_confirm(self.engine) != waiting:   # another seat confirmed it while this one asked
                by = [d["by"] for d in self.session.view().decisions if d.get("step") == step]
                self.say(f"rollback step {step} no longer waits" + (f": {by[-1]} confirmed it" if by else ""))
                return
            if not ok:
                self.say(f"rollback step {step} waits for its confirmation: r asks again", warning=True)
                return
            self.command("confirm step", lambda: self.session.confirm_step(step),
                         done=f"rollback step {step} confirmed")
        self.app.push_screen(StepConfirmModal(step, command), chosen)
        return True

    def open_decline(self, trigger: str) -> None:
        """Esc on a trigger's rollback request: ask why (required), then journal the decline."""
        from golive.screens.rollback_modal import DeclineModal

        label = self.runbook.check(trigger).label

        def chosen(reason: str | None) -> None:
            if reason is None:   # the lead looks before deciding; the gate stays closed meanwhile
                self.say("the rollback request stays open: r rolls back or declines it", warning=True)
                return
            self.command("decline rollback", lambda: self.session.decline_rollback(reason),
                         done=f"rollback declined: {label}")
        self.app.push_screen(DeclineModal(label, judge=lambda reason: self.why_not("decline_rollback", reason=reason)),
                             chosen)

    def action_fire(self) -> None:
        from golive.screens.fire_modal import FireModal

        if self.refused("fire"):
            return
        fireable = self._fireable()

        def chosen(choice: Any) -> None:
            if choice is not None:
                self.command("fire", lambda: self.session.fire_trigger(choice.trigger, choice.reason),
                             done=f"fired: {self.runbook.check(choice.trigger).label}")
        self.app.push_screen(FireModal(fireable, judge=lambda trigger, reason: self.why_not(
            "fire", trigger_id=trigger, reason=reason)), chosen)

    def action_approve(self) -> None:
        from golive.console.roles import awaited_text
        from golive.screens.approve_modal import ApproveModal

        if self.refused("approve"):
            return
        phase = active_phase(self.session.view(), self.runbook)
        # who approved is the approvals' own bookkeeping, read where the approve rule reads it
        awaiting = awaited_text(self.runbook, self.engine.state, phase)

        def chosen(note: str | None) -> None:
            if note is not None:
                self.command("approve", lambda: self.session.approve(note=note), done=f"approved: {phase.label}")
        self.app.push_screen(ApproveModal(phase.label, awaiting), chosen)

    def action_resume(self) -> None:
        from golive.screens.note_modal import NoteModal

        if self.refused("resume"):
            return
        paused = self.session.view().paused

        def chosen(text: str | None) -> None:
            if text:
                self.command("resume", lambda: self.session.resume_paused(text), done="resumed")
        self.app.push_screen(NoteModal(f"resume after {paused['reason']}: why is it safe?",
                                       judge=lambda text: self.why_not("resume", note=text)), chosen)

    def action_run_action(self) -> None:
        from golive.screens.action_modal import ActionModal

        if self.refused("run_action"):
            return
        view = self.session.view()
        phase, st = active_phase(view, self.runbook), view.active_phase
        # a phase with several actions runs them in order: confirm the next one, not the first
        action = phase.all_actions[min(st.actions_done, len(phase.all_actions) - 1)] if st is not None else phase.action

        def run(go: bool | None = True) -> None:
            if go:
                self.command("action", lambda: self.session.run_action(), done=f"action of {phase.label} finished")
            else:
                self.say(f"action cancelled: the action of {phase.label} has not run")
        if not action.confirm:
            run()
            return
        self.app.push_screen(ActionModal(phase.label, action.display(),
                                         shell=action.shell or isinstance(action.run, str),
                                         dry_run=self.session.dry_run, title=action.title or ""), run)

    def action_abort(self) -> None:
        from golive.screens.abort_modal import AbortModal

        if self.refused("abort"):
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.command("abort", lambda: self.session.abort(reason), done="aborted: the outcome is NO-GO")
            else:
                self.say("abort cancelled: the go-live goes on")
        self.app.push_screen(AbortModal(self._phase_label() or "the go-live",
                                        judge=lambda reason: self.why_not("abort", reason=reason)), chosen)

    # ------------------------------------------------------------------ the end

    def signing_key_note(self) -> str:
        if self.key:
            return f"The record will be signed with {self.key} (ssh-keygen -Y sign)."
        if os.environ.get("SSH_AUTH_SOCK"):
            return "The record will be signed with your ssh-agent's key."
        return "No SSH key (--key) or agent: the sign-off is journaled; sign the record later with golive sign."

    def action_sign(self) -> None:
        from golive.screens.signoff_modal import SignoffModal

        if self.refused("sign"):
            return
        view = self.session.view()
        outcome, missing = view.outcome, list(view.missing_signoffs)

        def chosen(choice: Any) -> None:
            if choice is not None:
                self.command("sign off", lambda: self._sign(choice))
            else:
                self.say("sign-off cancelled: nothing signed")
        self.app.push_screen(SignoffModal(outcome, missing, self.session.operator, self.signing_key_note()),
                             chosen)

    def ask_to_cosign(self) -> None:
        """At a driver seat, the outcome asks this seat's person to sign the roles they are bound to."""
        if self.session.read_only or not hasattr(self.session, "signature"):
            return
        from golive.console.driver.cosign import ask_text

        ask = ask_text(self.runbook, self.session.operator, list(self.session.view().missing_signoffs))
        if ask:
            self.say(ask)

    async def _sign(self, choice: Any) -> None:
        """Journal the sign-off, then add the role's SSH signature to record.toml when a key is at hand."""
        await self.session.sign(choice.role, choice.name)
        if not (self.key or os.environ.get("SSH_AUTH_SOCK")):
            self.say(f"signed off as {choice.role}; sign the record later with golive sign")
            return
        try:
            from golive.console.signing import sign_record
        except ImportError:
            self.say(f"signed off as {choice.role}; record signing is not available in this build", warning=True)
            return
        record = (self.session.record_paths or (Path(self.session.folder) / "record.toml",))[0]
        try:
            if hasattr(self.session, "signature"):   # a driver seat: sign here, the driver checks and stores
                from golive.console.driver.cosign import make_signature

                made = await asyncio.to_thread(make_signature, record, choice.role, self.key, choice.name)
                await self.session.signature(made)
            else:
                await asyncio.to_thread(sign_record, record, choice.role, self.key, name=choice.name)
        except Exception as exc:  # SigningError and friends: the sign-off stands, the signature can follow
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.say(f"signed off as {choice.role}, but the record was not signed: {first}", warning=True)
            return
        self.say(f"signed off as {choice.role} and signed the record")

    def write_draft(self) -> None:
        if self.session.read_only:
            self.refuse("record draft", "read-only: golive watch writes nothing; the driver writes the record")
            return
        if hasattr(self.session, "save_record"):   # the in-process session writes it off the loop
            self.command("record draft", self.session.save_record,
                         done=lambda: self.say(f"record written: {self.session.record_paths[0]}"))
            return
        try:
            toml_path, _ = self.session.write_record()
        except Exception as exc:
            self.refuse("record draft", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        self.say(f"record written: {toml_path}")

    # ------------------------------------------------------------------ moving around and leaving

    def action_active_phase(self) -> None:
        """Esc after looking at another phase: back to the one being driven (and follow it again)."""
        if self.refused("active_phase"):
            return
        self.view_phase(self.session.view().active, True)
        self.say(f"back to the active phase: {self._phase_label()}")

    def action_next_pane(self) -> None:
        self._step_pane(1)

    def action_previous_pane(self) -> None:
        self._step_pane(-1)

    def _step_pane(self, delta: int) -> None:
        if self.wide:
            self.focus_next() if delta > 0 else self.focus_previous()
            return
        body = self.query_one(NarrowBody)
        # The focus lands after the next refresh; a second Tab before that steps on from where the first went.
        focused = self._pending_pane or (self.focused.id if self.focused is not None else None)
        target = body.step(focused, delta)
        self._pending_pane = target

        def land() -> None:
            if self._pending_pane == target:   # else a later Tab superseded this one
                self._pending_pane = None
                self.query_one(f"#{target}").focus()
        self.call_after_refresh(land)

    def action_help(self) -> None:
        from golive.screens.help_screen import HelpScreen

        self.app.push_screen(HelpScreen(read_only=self.session.read_only))

    def action_palette(self) -> None:
        self.app.action_command_palette()

    def action_detach(self) -> None:
        if self.refused("detach"):
            return
        self.app.run_worker(self.app.shutdown(), exit_on_error=False)

    def action_quit(self) -> None:
        from golive.screens.quit_modal import QuitModal

        def chosen(go: bool | None) -> None:
            if go:
                if hasattr(self.session, "stop_driver") and not self.session.read_only:
                    self.session.stop_driver = True   # quit pauses the go-live; detach (d) leaves it running
                self.app.run_worker(self.app.shutdown(), exit_on_error=False)
            else:
                self.say("quit cancelled")
        self.app.push_screen(QuitModal(str(self.session.folder), read_only=self.session.read_only,
                                       outcome=self.session.view().outcome), chosen)
