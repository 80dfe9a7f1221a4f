"""The engine: a pure state machine that folds events into GoLiveState and derives new ones.

No I/O and no clock of its own: time comes from the events and from the ``now`` the caller passes.
The same ``apply`` serves the live driver, a resume (replay) and a read-only follower, so all three show
the same state. The fold is console.engine_fold, the derivations console.engine_derive, the gate and every
command's refusal console.engine_gate, the seed processes' rules console.engine_seeds.
"""

from __future__ import annotations

from typing import Any

from golive.console import derived, rollback_plans, trigger_scope
from golive.console.engine_derive import Derivations
from golive.console.engine_fold import Fold
from golive.console.engine_gate import NOTE_KINDS, GateRules, Refused
from golive.console.engine_seeds import SeedSemantics
from golive.console.judging import DEFAULT_ALERT_PASS, judge, trigger_condition
from golive.console.runbook import Runbook
from golive.console.state import CheckState, GoLiveState, ManualState, PhaseStatus, TriggerStatus

__all__ = ["DEFAULT_ALERT_PASS", "NOTE_KINDS", "Engine", "Refused", "judge", "trigger_condition"]


class Engine(SeedSemantics, Fold, Derivations, GateRules):
    """Folds events into ``state``; derives verdict, trigger, timeout and outcome events."""

    refusal = Refused
    # A follower sets this to the time of the journal's last line: holds count no further than it proves.
    evidence_until: float | None = None

    def __init__(self, runbook: Runbook):
        self.runbook = runbook
        self.state = GoLiveState()
        # After the outcome, samples land here (live figures for the screen); the record reads ``state`` only.
        self.after: dict[str, CheckState] = {}
        # a sample's judgement, from its fold to the derivation of what it causes (a verdict change)
        self._judged: dict[str, tuple[str, str, float | None]] = {}
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

    def live(self, check_id: str) -> CheckState:
        """The check's latest figures: after the outcome, those observed since (never in the record)."""
        return self.after.get(check_id) or self.state.checks[check_id]

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

    def automated_checks_now(self, now: float) -> list[Any]:
        """The checks a scheduler should sample now: the active phase's, armed triggers in scope, baseline
        companions and a rollback's verify checks — after the outcome too, so the lead watches a rollback land
        (those samples change no verdict)."""
        phase = self.active_phase()
        out = [] if phase is None else [c for c in phase.checks if c.source != "manual" and c.id not in self.skipped]
        if self.state.armed:
            out.extend(trigger_scope.watched_triggers(self, now))
        out.extend(rollback_plans.verify_checks_now(self))
        out.extend(self.baselines[c.id + derived.SUFFIX] for c in list(out) if c.id + derived.SUFFIX in self.baselines)
        return out

    def missing_signoffs(self) -> list[str]:
        signed = {s["role"] for s in self.state.signoffs}
        return [r for r in self.runbook.meta.signoff if r not in signed]

