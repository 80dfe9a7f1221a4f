"""Every change of a go-live's state is one of these events; the journal stores them as JSON lines.

Human events (tick, note, decision, action, sign-off) are fsync'd before they are
acknowledged; machine events (verdicts, summaries, triggers) are written as they
happen and flushed with the next human event or within a second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from golive.checks.base import Sample

_REGISTRY: dict[str, type["Event"]] = {}


@dataclass(frozen=True)
class Event:
    """Base: ``at`` is the event's time (seconds since the epoch, from the injected clock)."""

    type: ClassVar[str] = ""
    human: ClassVar[bool] = False
    at: float

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.type:
            _REGISTRY[cls.type] = cls

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["type"] = self.type
        if data.get("seat") == "":
            del data["seat"]   # only events from a driver's seat name one; older journals stay byte-identical
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "Event":
        """Rebuild an event from its journal line; unknown keys are ignored for forward compatibility."""
        cls = _REGISTRY.get(data.get("type", ""))
        if cls is None:
            raise ValueError(f"unknown event type {data.get('type')!r}")
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        for f in fields(cls):
            if f.name in kwargs and isinstance(kwargs[f.name], list) and f.name in ("argv",):
                kwargs[f.name] = tuple(kwargs[f.name])
        return cls(**kwargs)


@dataclass(frozen=True)
class SessionStarted(Event):
    type: ClassVar[str] = "session_started"
    human: ClassVar[bool] = True
    runbook_sha256: str = ""
    runbook_path: str = ""
    name: str = ""
    service: str = ""
    version: str = ""
    environment: str = ""
    operator: str = ""
    host: str = ""
    dry_run: bool = False
    headless: bool = False
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resumed(Event):
    type: ClassVar[str] = "resumed"
    human: ClassVar[bool] = True
    operator: str = ""
    host: str = ""


@dataclass(frozen=True)
class PhaseStarted(Event):
    type: ClassVar[str] = "phase_started"
    phase: str = ""


@dataclass(frozen=True)
class PhaseEnded(Event):
    """status: passed | overridden | failed | timeout | rolled_back | aborted"""

    type: ClassVar[str] = "phase_ended"
    phase: str = ""
    status: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Verdict(Event):
    """A check's verdict changed (PENDING, PASS, WARN, FAIL, ERROR)."""

    type: ClassVar[str] = "verdict"
    check: str = ""
    verdict: str = ""
    value: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class Summary(Event):
    """Periodic per-check figures since the start: {check: [last, min, max, count, errors]}."""

    type: ClassVar[str] = "summary"
    checks: dict[str, list] = field(default_factory=dict)


@dataclass(frozen=True)
class TriggerState(Event):
    """state: armed | pending | firing | resolved | error | idle (out of its scope: not watched)"""

    type: ClassVar[str] = "trigger"
    trigger: str = ""
    state: str = ""
    value: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class Tick(Event):
    """A manual item confirmed (``checked``) or un-confirmed by a person."""

    type: ClassVar[str] = "tick"
    human: ClassVar[bool] = True
    check: str = ""
    by: str = ""
    checked: bool = True
    note: str = ""
    seat: str = ""                      # the driver seat it came from ("" in one-process runs)


@dataclass(frozen=True)
class Note(Event):
    """kind: note | anomaly | lesson (each has its own section in record.md)"""

    type: ClassVar[str] = "note"
    human: ClassVar[bool] = True
    by: str = ""
    text: str = ""
    phase: str = ""
    kind: str = "note"
    seat: str = ""                      # the driver seat it came from ("" in one-process runs)


@dataclass(frozen=True)
class Decision(Event):
    """kind: proceed | override | rollback | decline_rollback | abort | resume (after a pause, with a note)
    | confirm_step (a rollback step with confirm = true, before it runs)"""

    type: ClassVar[str] = "decision"
    human: ClassVar[bool] = True
    kind: str = ""
    phase: str = ""
    by: str = ""
    reason: str = ""
    trigger: str = ""
    plan: str = ""              # a rollback: the [[rollback]] plan it runs
    step: str = ""              # confirm_step: the rollback step (rollback:<plan>:<n>) confirmed to run
    seat: str = ""                      # the driver seat it came from ("" in one-process runs)


@dataclass(frozen=True)
class TriggerFired(Event):
    """A person fired a manual trigger ("data corruption detected"), with a reason."""

    type: ClassVar[str] = "trigger_fired"
    human: ClassVar[bool] = True
    trigger: str = ""
    by: str = ""
    reason: str = ""
    seat: str = ""                      # the driver seat it came from ("" in one-process runs)


@dataclass(frozen=True)
class ActionStarted(Event):
    """action: ``phase:<id>`` (``phase:<id>#2`` for a phase's second action), ``rollback`` or
    ``rollback:<plan>:<step>``"""

    type: ClassVar[str] = "action_started"
    human: ClassVar[bool] = True
    action: str = ""
    argv: tuple[str, ...] = ()
    shell: bool = False
    dry_run: bool = False
    by: str = ""
    seat: str = ""                      # the driver seat it came from ("" in one-process runs)


@dataclass(frozen=True)
class ActionFinished(Event):
    """``interrupted``: written on resume for an action whose driver died while it ran (exit unknown)."""

    type: ClassVar[str] = "action_finished"
    human: ClassVar[bool] = True
    action: str = ""
    exit_code: int | None = None
    duration: float = 0.0
    output_tail: str = ""
    output_sha256: str = ""
    dry_run: bool = False
    error: str = ""
    interrupted: bool = False


@dataclass(frozen=True)
class Outcome(Event):
    """GO | PARTIAL | NO-GO | ROLLED BACK"""

    type: ClassVar[str] = "outcome"
    human: ClassVar[bool] = True
    outcome: str = ""
    reason: str = ""


@dataclass(frozen=True)
class SignOff(Event):
    type: ClassVar[str] = "signoff"
    human: ClassVar[bool] = True
    role: str = ""
    name: str = ""
    note: str = ""
    seat: str = ""                      # the driver seat it came from ("" in one-process runs)


@dataclass(frozen=True)
class Log(Event):
    """A line for the event log: Kubernetes warnings, alerts by name, action output."""

    type: ClassVar[str] = "log"
    source: str = ""
    level: str = "info"
    text: str = ""


@dataclass(frozen=True)
class Heartbeat(Event):
    """The driver was alive at ``at`` and every change until then is journaled: how far a follower may count a
    hold, and how it tells a quiet driver from a gone one. Written only after a quiet spell (bounded)."""

    type: ClassVar[str] = "heartbeat"


# ---------------------------------------------------------------- change management (console/change.py)

@dataclass(frozen=True)
class ChangeStarted(Event):
    """The change this go-live is, and how it got past its window: journaled right after session_started.

    window: "open" (inside it) | "bypassed" (started outside it with a reason) | "none" (no window binds).
    """

    type: ClassVar[str] = "change"
    human: ClassVar[bool] = True
    change_id: str = ""
    ticket: str = ""
    change_type: str = ""
    emergency_reason: str = ""
    window: str = "none"
    window_detail: str = ""
    bypass_reason: str = ""
    by: str = ""


@dataclass(frozen=True)
class NotifyFailed(Event):
    """A notification could not be delivered (never with the target's URL, which is a secret)."""

    type: ClassVar[str] = "notify_failed"
    target: str = ""
    event: str = ""
    attempts: int = 0
    error: str = ""


@dataclass(frozen=True)
class Review(Event):
    """A signed after-the-fact review of the change (``golive review``), kept in reviews.toml beside the record."""

    type: ClassVar[str] = "review"
    human: ClassVar[bool] = True
    role: str = ""
    name: str = ""
    principal: str = ""
    fingerprint: str = ""
    note: str = ""
    statement_sha256: str = ""


@dataclass(frozen=True)
class Approval(Event):
    """A person approved a phase for a role (``[[phase]] approve``); the gate waits for each role's ``min``."""

    type: ClassVar[str] = "approval"
    human: ClassVar[bool] = True
    phase: str = ""
    role: str = ""
    by: str = ""
    note: str = ""
    seat: str = ""                      # the driver seat it came from ("" in one-process runs)


@dataclass(frozen=True)
class Sampled(Event):
    """One sample the driver took, as an event: the fold applies its figures, pods, baseline, window and
    judgement. Never journaled (the journal keeps what samples cause, and periodic summaries), never sent
    to listeners as an event (they hear the sample itself)."""

    type: ClassVar[str] = "sample"
    sample: Sample
