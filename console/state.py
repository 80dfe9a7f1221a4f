"""The go-live's state: what the engine folds events into and every reader (screen, reporter, record) shows."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, fields
from typing import Any

PENDING, PASS, WARN, FAIL, ERROR = "PENDING", "PASS", "WARN", "FAIL", "ERROR"
VERDICTS = (PENDING, PASS, WARN, FAIL, ERROR)

GO, PARTIAL, NO_GO, ROLLED_BACK = "GO", "PARTIAL", "NO-GO", "ROLLED BACK"

# how many recent values a check keeps for its sparkline
HISTORY = 120


@dataclass
class CheckState:
    """One automated check (or trigger) as observed: verdict plus live figures."""

    id: str
    phase: str | None
    verdict: str = PENDING
    value: float | None = None
    detail: str = ""
    since: float | None = None          # when the verdict last changed
    pass_since: float | None = None     # start of the current unbroken PASS, None when not passing
    last_at: float | None = None
    value_at: float | None = None       # when ``value`` was measured: an old value is shown with its age
    min: float | None = None
    max: float | None = None
    count: int = 0
    errors: int = 0
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    series: tuple = ()
    confirmed: bool = True              # a command check with confirm = true waits for a person
    baseline: float | None = None       # the baseline query's last value (relative targets)
    baseline_at: float | None = None
    baseline_error: str = ""            # why the baseline cannot be read now ("" when it can)
    skipped: str = ""                   # why the check does not apply (its `when`), "" when it does

    def record_value(self, at: float, value: float | None) -> None:
        self.count += 1
        self.last_at = at
        if value is None:
            return
        self.value, self.value_at = value, at
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)
        self.history.append((at, value))


@dataclass
class ManualState:
    id: str
    phase: str
    checked: bool = False
    by: str = ""
    at: float | None = None
    note: str = ""


@dataclass
class TriggerStatus:
    """armed → pending (condition true) → firing (held for `for`); resolved/error are shown, not kept;
    idle: out of its scope (`during`, `for_after_action`), not watched."""

    id: str
    state: str = "disarmed"
    pending_since: float | None = None
    fired_at: float | None = None
    value: float | None = None
    detail: str = ""
    condition: bool = False             # the last clean evaluation's result
    clear_since: float | None = None    # firing, but clean since then (keep_firing_for)
    fired_by: str = ""                  # a manual trigger: who fired it
    watch_since: float | None = None    # armed, or resumed, at: a sample before it says nothing now


@dataclass
class PhaseStatus:
    """status: pending | active | passed | overridden | failed | timeout | rolled_back | aborted | skipped"""

    id: str
    status: str = "pending"
    started: float | None = None
    ended: float | None = None
    reason: str = ""
    action_started: float | None = None
    action_done: float | None = None    # when the phase action finished successfully (or dry-run)
    action_failed: str = ""
    actions_done: int = 0               # of the phase's actions, how many have finished successfully
    first_pass: dict[str, float] = field(default_factory=dict)   # a soak: each check's first PASS
    soak_broken: str = ""               # a soak: the FAIL that broke it
    action_interrupted: bool = False    # the driver died while the action ran: its exit is unknown


@dataclass(frozen=True)
class Blocker:
    """One reason the gate is closed, as data (console.wording says it): ``code`` names the rule, ``subject``
    the check, trigger or phase; ``detail`` carries words a rule module already gives (approvals, soaks)."""

    code: str
    subject: str = ""
    verdict: str = ""
    held: float = 0.0
    need: float = 0.0
    detail: str = ""


@dataclass
class Gate:
    open: bool
    reasons: list[str]
    blockers: list[Blocker] = field(default_factory=list)


@dataclass
class GoLiveState:
    started: float | None = None
    operator: str = ""
    host: str = ""
    dry_run: bool = False
    headless: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    active: int = -1                                   # index of the active phase, -1 before the start
    phases: list[PhaseStatus] = field(default_factory=list)
    checks: dict[str, CheckState] = field(default_factory=dict)
    manual: dict[str, ManualState] = field(default_factory=dict)
    triggers: dict[str, TriggerStatus] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)   # [[phase]] approve: phase, role, by, note
    log: deque = field(default_factory=lambda: deque(maxlen=500))
    pods: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    armed: bool = False
    outcome: str | None = None
    outcome_reason: str = ""
    finished: float | None = None
    rollback_request: str | None = None               # a fired trigger waiting for the lead's confirmation
    rollback_running: bool = False
    rollback_plan: str = ""                            # the plan being run (its id)
    verifying_since: float | None = None               # the plan's steps are done; its verify checks decide
    paused: dict[str, Any] | None = None               # {at, by, reason}: the gate stays closed until a resume
    rollback_decided: bool = False                    # final: nothing proceeds once a rollback is decided
    rollback_interrupted: bool = False                # the rollback command's driver died while it ran
    change: dict[str, Any] = field(default_factory=dict)            # the change event (console/change.py)
    notify_failures: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active_phase(self) -> PhaseStatus | None:
        if 0 <= self.active < len(self.phases):
            return self.phases[self.active]
        return None


# What only samples write: the live figures a driver shows between journaled events. The journal keeps what
# samples cause (verdicts, trigger states) and periodic summaries, so a replay or a follower has the rest.
LIVE_CHECK_FIELDS = frozenset({"value", "value_at", "detail", "last_at", "min", "max", "count", "errors", "history",
                               "series", "baseline", "baseline_at", "baseline_error"})
LIVE_TRIGGER_FIELDS = frozenset({"clear_since"})
LIVE_STATE_FIELDS = frozenset({"pods"})


def canonical(state: GoLiveState, live: bool = True) -> dict[str, Any]:
    """The state as plain data, for comparing two folds; ``live=False`` leaves out what only samples write."""
    def plain(obj: Any, drop: frozenset[str]) -> dict[str, Any]:
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj) if live or f.name not in drop}

    out = plain(state, LIVE_STATE_FIELDS)
    out["checks"] = {k: plain(v, LIVE_CHECK_FIELDS) for k, v in state.checks.items()}
    out["triggers"] = {k: plain(v, LIVE_TRIGGER_FIELDS) for k, v in state.triggers.items()}
    out["phases"] = [plain(p, frozenset()) for p in state.phases]
    out["manual"] = {k: plain(v, frozenset()) for k, v in state.manual.items()}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple, deque)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
