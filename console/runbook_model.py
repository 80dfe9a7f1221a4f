"""The runbook document: rollback plans, phases, the [runbook] table, role bindings, and the Runbook itself."""

from __future__ import annotations

from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import Discriminator, Field, PrivateAttr, Tag, model_validator

from golive.console.runbook_base import Action, Duration, Model, Targets, TPlus
from golive.console.runbook_change import NotifyTarget, Window
from golive.console.runbook_checks import Check, ManualCheck, Trigger

# ---------------------------------------------------------------- rollback plans

class RollbackPlan(Model):
    """A named [[rollback]]: steps run in order, then verify checks must all pass (for hold) within timeout."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str | None = None
    description: str | None = None
    steps: list[Action] = Field(alias="step", min_length=1)
    verify: list[Check] = []
    hold: Duration = 0.0
    timeout: Duration = 300.0

    @property
    def label(self) -> str:
        return self.title or self.id


def _rollback_form(value: Any) -> str:
    return "[[rollback]]" if isinstance(value, list) else "[rollback]"


# the tags contain "[" so problem paths leave them out: rollback[1].step[2].run, rollback.run
RollbackField = Annotated[
    Union[Annotated[Action, Tag("[rollback]")], Annotated[list[RollbackPlan], Tag("[[rollback]]")]],
    Discriminator(_rollback_form),
]


# ---------------------------------------------------------------- phases and the runbook

class Phase(Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str | None = None
    description: str | None = None
    hold: Duration = 0.0
    timeout: Duration | None = None
    traffic: float | None = Field(None, ge=0, le=100)
    action: Action | None = None
    actions: list[Action] = []                   # several actions, run in order (action is then the first)
    checks: list[Check] = Field([], alias="check")
    not_before: TPlus | None = None              # seconds after the go-live started ("T+4h")
    duration: Duration | None = None             # a soak: watched this long, the gate opens only at its end
    on_fail: Literal["rollback", "abort"] = "abort"   # what a FAIL inside a soak does
    plan: str | None = None                      # the rollback plan on_fail = "rollback" runs
    when: str | None = None                      # "strategy == blue-green": the phase runs only then
    approve: list[str] = []                      # roles whose approval the gate awaits before it opens

    @model_validator(mode="before")
    @classmethod
    def _first_action(cls, data: Any) -> Any:
        # screens and older code read phase.action: with `actions` it is the first of them
        if isinstance(data, dict) and isinstance(data.get("actions"), list) and data["actions"] \
                and "action" not in data:
            data = {**data, "action": data["actions"][0]}
        return data

    @property
    def all_actions(self) -> list[Action]:
        return list(self.actions) if self.actions else ([self.action] if self.action else [])

    @property
    def label(self) -> str:
        return self.title or self.id

    @property
    def manual_checks(self) -> list[ManualCheck]:
        return [c for c in self.checks if c.source == "manual"]

    @property
    def automated_checks(self) -> list[Any]:
        return [c for c in self.checks if c.source != "manual"]


class RunbookMeta(Model):
    name: str
    service: str
    version: str
    environment: str = "production"
    owner: str | None = None
    description: str | None = None
    signoff: list[str] = []
    signoff_distinct: bool = True   # one person, one key, one role per record; false lets one sign several
    vars: dict[str, str] = {}
    # change management: the change this go-live is (see the README's "Change management")
    change_id: str | None = None
    ticket: str | None = None
    change_type: Literal["standard", "normal", "emergency"] | None = None
    group: str | None = None                     # the driver's socket and folder are open to this group


class RoleBinding(Model):
    """[roles.<name>]: the people who may act in a role (users by login name, or members of groups)."""

    users: list[str] = []
    groups: list[str] = []
    min: int = 1                                 # approvals a phase's approve needs from this role (N of M)
    not_operator: bool = False                   # the lead who started the session may not act in it


class Runbook(Model):
    runbook: RunbookMeta
    roles: dict[str, RoleBinding] = {}
    targets: Targets = Targets()
    phases: list[Phase] = Field(alias="phase", min_length=1)
    triggers: list[Trigger] = Field([], alias="trigger")
    rollback: RollbackField | None = None
    window: Window | None = None
    notify: list[NotifyTarget] = []
    # filled by the loader, not by the file
    _by_id: dict[str, Any] = PrivateAttr(default_factory=dict)
    _phase_of: dict[str, Any] = PrivateAttr(default_factory=dict)
    _phase_index: dict[str, int] = PrivateAttr(default_factory=dict)
    source_path: str = ""
    sha256: str = ""
    variables: dict[str, str] = {}

    @property
    def meta(self) -> RunbookMeta:
        return self.runbook

    def iter_checks(self) -> Iterator[tuple[Phase, Any]]:
        for phase in self.phases:
            for check in phase.checks:
                yield phase, check

    def iter_verify_checks(self) -> Iterator[tuple[RollbackPlan, Any]]:
        for plan in self.rollback_plans:
            for check in plan.verify:
                yield plan, check

    def model_post_init(self, context: Any) -> None:
        # the engine looks a check up on every sample: index once instead of scanning
        self._by_id = {c.id: c for _, c in self.iter_checks()} | {t.id: t for t in self.triggers} \
            | {c.id: c for _, c in self.iter_verify_checks()}
        self._phase_of = {c.id: p for p, c in self.iter_checks()}
        self._phase_index = {p.id: i for i, p in enumerate(self.phases)}

    def _private(self) -> dict[str, Any]:
        # pydantic reaches a private attribute through __getattr__ (~3 µs); the gate and the view ask per check
        return self.__pydantic_private__ or {}

    def check(self, check_id: str) -> Any:
        """The check or trigger with this id; raises KeyError."""
        return self._private()["_by_id"][check_id]

    def phase_of(self, check_id: str) -> Phase | None:
        return self._private()["_phase_of"].get(check_id)

    def phase_index(self, phase_id: str) -> int:
        """The position of a phase; raises KeyError."""
        return self._private()["_phase_index"][phase_id]

    @property
    def rollback_plans(self) -> list[RollbackPlan]:
        """Every plan; a single [rollback] table is one plan of one step named "rollback", without verify."""
        if self.rollback is None:
            return []
        if isinstance(self.rollback, list):
            return list(self.rollback)
        return [RollbackPlan(id="rollback", title=self.rollback.title, step=[self.rollback])]

    def rollback_plan(self, plan_id: str | None = None) -> RollbackPlan | None:
        """The named plan, or the first when none is named; None when there is none."""
        plans = self.rollback_plans
        if plan_id is None:
            return plans[0] if plans else None
        return next((p for p in plans if p.id == plan_id), None)
