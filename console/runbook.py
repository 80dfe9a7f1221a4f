"""The runbook: TOML in, a frozen validated model out, or every problem on one line each."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    model_validator,
)

from golive.console import runbook_consistency as consistency
from golive.console import runbook_expand as expand
from golive.console.comparisons import parse_comparison
from golive.console.runbook_change import Freeze, NotifyTarget, Window
from golive.console.runbook_errors import (
    RunbookError,
    cap_problems,
    format_validation_errors,
    locate_problem,
    nesting_problem,
    toml_syntax_problem,
    toml_value_problem,
)
from golive.console.runbook_rules import feature_problems
from golive.console.units import parse_duration, parse_t_plus

__all__ = [
    "Runbook", "Phase", "Action", "Trigger", "Check", "RunbookError",
    "load_runbook", "parse_runbook", "SOURCES",
]

Duration = Annotated[float, BeforeValidator(parse_duration)]
TPlus = Annotated[float, BeforeValidator(parse_t_plus)]
# "< 0.5", a band "40..70", a tolerance "< 200 ± 10%", or relative to a baseline "<= baseline * 1.2"
ThresholdField = Annotated[Any, BeforeValidator(parse_comparison)]

SOURCES = ("prometheus", "kubernetes", "http", "postgres", "alertmanager", "command", "manual")
# sources whose checks must name (or default to) a declared target
TARGETED = ("prometheus", "kubernetes", "postgres", "alertmanager")


class Model(BaseModel):
    # strict: TOML has real types, so "yes" for a boolean or "5" for a number is a mistake worth naming
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


# ---------------------------------------------------------------- targets

class HttpAuth(Model):
    """Credentials by reference only: environment variable names or file paths."""

    headers: dict[str, str] = {}
    headers_env: dict[str, str] = {}
    bearer_token_env: str | None = None
    bearer_token_file: str | None = None
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ca_file: str | None = None
    insecure_skip_verify: bool = False
    concurrency: int = Field(8, ge=1, le=256)
    timeout: Duration | None = None


class PrometheusTarget(HttpAuth):
    url: str


class AlertmanagerTarget(HttpAuth):
    url: str


class HttpTarget(HttpAuth):
    base_url: str | None = None


class KubernetesTarget(Model):
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str = "default"
    in_cluster: bool = False
    concurrency: int = Field(8, ge=1, le=256)
    timeout: Duration | None = None


class PostgresTarget(Model):
    dsn_env: str | None = None
    dsn_file: str | None = None
    concurrency: int = Field(4, ge=1, le=64)
    statement_timeout: Duration = 5.0
    timeout: Duration | None = None


class Targets(Model):
    prometheus: dict[str, PrometheusTarget] = {}
    alertmanager: dict[str, AlertmanagerTarget] = {}
    http: dict[str, HttpTarget] = {}
    kubernetes: dict[str, KubernetesTarget] = {}
    postgres: dict[str, PostgresTarget] = {}


# ---------------------------------------------------------------- actions

class Action(Model):
    """An argv list (or, with shell = true, one shell string) with a timeout."""

    run: list[str] | str
    shell: bool = False
    confirm: bool = True
    # a crash leaves the exit unknown; a resume re-runs the action by itself only when it is safe to repeat
    repeat_safe: bool = False
    timeout: Duration = 600.0
    cwd: str | None = None
    env: dict[str, str] = {}
    title: str | None = None

    @property
    def argv(self) -> list[str]:
        if isinstance(self.run, str):
            return ["/bin/sh", "-c", self.run]
        return list(self.run)

    def display(self) -> str:
        """The exact command as it will run, for confirmation modals and the record."""
        import shlex

        if isinstance(self.run, str):
            return self.run
        return shlex.join(self.run)


# ---------------------------------------------------------------- checks

class CheckBase(Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str | None = None
    description: str | None = None
    target: str | None = None
    every: Duration = 15.0
    timeout: Duration = 10.0
    pass_: ThresholdField | None = Field(None, alias="pass")
    warn: ThresholdField | None = None
    unit: str = ""
    on_no_data: Literal["error", "fail"] = "error"
    required: bool = True
    # judge a figure over a window instead of the last value: "no growth over 1h" is
    # window = "1h", measure = "max-min", pass = "< 20"
    window: Duration | None = None
    measure: Literal["max-min", "slope"] | None = None
    when: str | None = None      # "strategy == blue-green": the check applies only then

    @property
    def label(self) -> str:
        return self.title or self.id

    def request_key(self) -> tuple:
        """What makes two checks the same request on one target (for sharing)."""
        return (self.source, self.target, self.id)  # type: ignore[attr-defined]


class PrometheusCheck(CheckBase):
    source: Literal["prometheus"]
    query: str
    each: bool = False
    baseline: str | None = None  # a query for the stable version, for pass = "<= baseline * 1.2"

    def request_key(self) -> tuple:
        # with each = true the sample's value is the worst series by this check's own threshold
        judged = (str(self.pass_), str(getattr(self, "fire", None))) if self.each else ()
        return ("prometheus", self.target, self.query, self.each, *judged)


class KubernetesCheck(CheckBase):
    source: Literal["kubernetes"]
    deployment: str | None = None
    selector: str | None = None
    namespace: str | None = None
    expect: Literal["available", "pods-ready"] = "available"
    image_tag: str | None = None
    max_restarts: int | None = Field(None, ge=0)


class HttpCheck(CheckBase):
    source: Literal["http"]
    url: str
    method: str = "GET"
    status: int = Field(200, ge=100, le=599)
    max_latency: Duration | None = None
    body_contains: str | None = None
    json_equals: dict[str, Any] = {}
    headers_required: list[str] = []
    headers: dict[str, str] = {}
    tls_min: Literal["1.0", "1.1", "1.2", "1.3"] | None = None
    cert_days: ThresholdField | None = None


class PostgresCheck(CheckBase):
    source: Literal["postgres"]
    query: str | None = None
    builtin: Literal["replication_lag"] | None = None


class AlertmanagerCheck(CheckBase):
    source: Literal["alertmanager"]
    matchers: list[str] = []


class CommandCheck(CheckBase):
    source: Literal["command"]
    run: list[str] | str
    shell: bool = False
    cwd: str | None = None
    env: dict[str, str] = {}
    confirm: bool = False

    def request_key(self) -> tuple:
        return ("command", str(self.run), self.id)


class ManualCheck(CheckBase):
    source: Literal["manual"]
    role: str | None = None


Check = Annotated[
    Union[PrometheusCheck, KubernetesCheck, HttpCheck, PostgresCheck, AlertmanagerCheck, CommandCheck, ManualCheck],
    Field(discriminator="source"),
]


# ---------------------------------------------------------------- triggers

RESPONSES = ("rollback", "pause", "alert", "abort")


class TriggerFields(Model):
    fire: ThresholdField | None = None
    for_: Duration = Field(0.0, alias="for")
    then: Literal["rollback", "pause", "alert", "abort"] = "alert"
    auto: bool = False
    plan: str | None = None                     # which [[rollback]] plan a rollback runs
    during: list[str] = []                      # watched only in these phases
    for_after_action: Duration | None = None    # watched only this long after a phase action
    keep_firing_for: Duration = 0.0             # as in Prometheus: stays firing this long after it clears

    @property
    def scoped(self) -> bool:
        return bool(self.during) or self.for_after_action is not None


class PrometheusTrigger(PrometheusCheck, TriggerFields): ...
class KubernetesTrigger(KubernetesCheck, TriggerFields): ...
class HttpTrigger(HttpCheck, TriggerFields): ...
class PostgresTrigger(PostgresCheck, TriggerFields): ...
class AlertmanagerTrigger(AlertmanagerCheck, TriggerFields): ...
class CommandTrigger(CommandCheck, TriggerFields): ...
class ManualTrigger(ManualCheck, TriggerFields):
    """A condition a person sees ("data corruption detected"): fired by a member of its role, with a reason."""


Trigger = Annotated[
    Union[PrometheusTrigger, KubernetesTrigger, HttpTrigger, PostgresTrigger, AlertmanagerTrigger, CommandTrigger,
          ManualTrigger],
    Field(discriminator="source"),
]


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

    def check(self, check_id: str) -> Any:
        """The check or trigger with this id; raises KeyError."""
        return self._by_id[check_id]

    def phase_of(self, check_id: str) -> Phase | None:
        return self._phase_of.get(check_id)

    def phase_index(self, phase_id: str) -> int:
        """The position of a phase; raises KeyError."""
        return self._phase_index[phase_id]

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


# ---------------------------------------------------------------- loading

def load_runbook(path: str | Path, overrides: dict[str, str] | None = None) -> Runbook:
    """Read, expand and validate a runbook file.

    Raises:
        RunbookError: with every problem, one line each, naming file:line and
            the field path; ``unreadable`` is set when the file could not be read.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise RunbookError([f"{p}: cannot read: {exc.strerror or exc}"], unreadable=True) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunbookError([f"{p}: not UTF-8 text (byte {exc.start})"], unreadable=True) from None
    return parse_runbook(text, str(p), overrides, sha256=hashlib.sha256(data).hexdigest())


def parse_runbook(
    text: str, name: str = "<runbook>", overrides: dict[str, str] | None = None, sha256: str | None = None
) -> Runbook:
    """Validate runbook text; see load_runbook."""
    try:
        return _parse_runbook(text, name, overrides, sha256)
    except RecursionError:  # arrays nested thousands deep: the parser, the expansion or validation gives up
        raise RunbookError([nesting_problem(name, text)]) from None


def _parse_runbook(text: str, name: str, overrides: dict[str, str] | None, sha256: str | None) -> Runbook:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RunbookError([toml_syntax_problem(name, exc)]) from None
    except ValueError as exc:  # an integer of thousands of digits: Python refuses to convert it
        raise RunbookError([toml_value_problem(name, text, exc)]) from None

    problems: list[tuple[tuple, str]] = []
    variables = expand.collect_variables(raw, overrides or {}, problems)
    expanded, origins = expand.expand_matrices(raw, problems)
    expanded = expand.substitute(expanded, variables, problems)
    model: Runbook | None = None
    if not problems:
        try:
            model = Runbook.model_validate(expanded)
        except ValidationError as exc:
            problems.extend(format_validation_errors(exc, _vocabulary))
    if model is not None:
        _semantic_checks(model, problems)
        feature_problems(model, variables, problems, _check_rules)
    if problems:
        lines = [locate_problem(name, text, origins, loc, msg) for loc, msg in problems]
        raise RunbookError(cap_problems(name, list(dict.fromkeys(lines))))  # a matrix copy repeats its source's problem
    assert model is not None
    return model.model_copy(update={
        "source_path": name,
        "sha256": sha256 or hashlib.sha256(text.encode()).hexdigest(),
        "variables": variables,
    })


_CHECK_MODELS: list[type[BaseModel]] = [PrometheusCheck, KubernetesCheck, HttpCheck, PostgresCheck, AlertmanagerCheck,
                                        CommandCheck, ManualCheck]


def _vocabulary(loc: tuple) -> list[str]:
    """The field names valid where an unknown one was found, for a "did you mean" hint."""
    head = loc[0] if loc else ""
    models: list[type[BaseModel]]
    if head == "phase" and "check" in loc:
        models = _CHECK_MODELS
    elif head == "phase" and ("action" in loc or "actions" in loc) or head == "rollback" and "step" in loc:
        models = [Action]
    elif head == "rollback" and "verify" in loc:
        models = _CHECK_MODELS
    elif head == "rollback":
        models = [Action, RollbackPlan]
    elif head == "phase":
        models = [Phase]
    elif head == "trigger":
        models = [*_CHECK_MODELS, TriggerFields]
    elif head == "targets":
        models = [PrometheusTarget, KubernetesTarget, PostgresTarget, HttpTarget, Targets]
    elif head == "runbook":
        models = [RunbookMeta]
    elif head in ("window", "notify"):
        models = [Window, Freeze, NotifyTarget]
    elif head == "roles":
        models = [RoleBinding]
    else:
        models = [Runbook]
    return expand.all_field_names(models)


def _semantic_checks(rb: Runbook, problems: list[tuple[tuple, str]]) -> None:
    """What types alone cannot say: unique ids, targets that exist, thresholds where needed."""
    seen_phase: dict[str, int] = {}
    seen_check: dict[str, tuple] = {}
    targets = rb.targets
    for i, phase in enumerate(rb.phases):
        if phase.id in seen_phase:
            problems.append((("phase", i, "id"),
                             f"duplicate phase id {phase.id!r} (also phase[{seen_phase[phase.id] + 1}])"))
        seen_phase.setdefault(phase.id, i)
        consistency.phase_problems(phase, ("phase", i), problems)
        for j, check in enumerate(phase.checks):
            loc: tuple = ("phase", i, "check", j)
            if check.id in seen_check:
                problems.append((loc + ("id",), f"duplicate check id {check.id!r}"))
            seen_check.setdefault(check.id, loc)
            _check_rules(check, loc, targets, problems, trigger=False)
    for k, trig in enumerate(rb.triggers):
        loc = ("trigger", k)
        if trig.id in seen_check:
            problems.append((loc + ("id",), f"duplicate id {trig.id!r} (a check or trigger already uses it)"))
        seen_check.setdefault(trig.id, loc)
        _check_rules(trig, loc, targets, problems, trigger=True)
        if trig.then == "rollback" and rb.rollback is None:
            problems.append((loc + ("then",), 'then = "rollback" needs a [rollback] section'))
    _run_rules(rb, problems)
    roles = rb.runbook.signoff
    if len(set(roles)) != len(roles):
        problems.append((("runbook", "signoff"), "a role is listed twice"))
    consistency.url_problems(rb, problems)
    _role_rules(rb, problems)


def _role_rules(rb: Runbook, problems: list[tuple[tuple, str]]) -> None:
    """Every role a runbook names is bound in [roles] (when it has one); each binding can be satisfied."""
    for name, binding in rb.roles.items():
        if not binding.users and not binding.groups:
            problems.append((("roles", name), "a role needs users or groups (who may act in it)"))
        if binding.min < 1:
            problems.append((("roles", name, "min"), f"min must be at least 1, not {binding.min}"))
        elif binding.users and not binding.groups and binding.min > len(binding.users):
            problems.append((("roles", name, "min"),
                             f"min = {binding.min} but only {len(binding.users)} user(s) and no groups are bound"))
    known = ", ".join(sorted(rb.roles)) or "none bound"
    for i, phase in enumerate(rb.phases):
        for j, role in enumerate(phase.approve):
            if role not in rb.roles and rb.roles:
                problems.append((("phase", i, "approve", j), f"unknown role {role!r} (bound in [roles]: {known})"))
        if len(set(phase.approve)) != len(phase.approve):
            problems.append((("phase", i, "approve"), "a role is listed twice"))
        for j, check in enumerate(phase.checks):
            check_role = getattr(check, "role", None)  # manual checks and triggers only
            if check_role and rb.roles and check_role not in rb.roles:
                problems.append((("phase", i, "check", j, "role"),
                                 f"unknown role {check_role!r} (bound in [roles]: {known})"))
    for k, trig in enumerate(rb.triggers):
        trig_role = getattr(trig, "role", None)
        if trig_role and rb.roles and trig_role not in rb.roles:
            problems.append((("trigger", k, "role"), f"unknown role {trig_role!r} (bound in [roles]: {known})"))
    for j, role in enumerate(rb.runbook.signoff):
        if rb.roles and role not in rb.roles:
            problems.append((("runbook", "signoff", j), f"unknown role {role!r} (bound in [roles]: {known})"))
    bypass_role = rb.window.bypass_role if rb.window is not None else None
    if bypass_role and bypass_role not in rb.roles:
        problems.append((("window", "bypass_role"), f"unknown role {bypass_role!r} (bound in [roles]: {known})"))


_SHELL_WORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in",
                "function", "select", "{", "}", "(", ")", "[[", "]]", "!", ";;", "&&", "||", "|", ";"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")


def _run_problem(run: list[str] | str, shell: bool) -> str | None:
    """Why a run cannot be a command: its program is a shell keyword (a fragment of a script) or an assignment."""
    if isinstance(run, str):
        words = run.split()
        first = words[0] if words else ""
        if first in _SHELL_WORDS - {"if", "for", "while", "until", "case", "function", "select", "{", "(", "!", "[["}:
            return f"run starts with the shell keyword {first!r}: a fragment of a script, not a command"
        if words and all(_ASSIGNMENT.match(w) for w in words):
            return "run only assigns a variable: there is no command to run"
        return None
    program = run[0] if run else ""
    if program in _SHELL_WORDS:
        return f"run's program is the shell keyword {program!r}: a fragment of a script, not a command"
    if _ASSIGNMENT.match(program):
        return f"run's program {program!r} is a variable assignment, not a command"
    return None


def _run_rules(rb: Runbook, problems: list[tuple[tuple, str]]) -> None:
    runs: list[tuple[tuple, Any]] = []
    if isinstance(rb.rollback, list):  # [[rollback]] plans: every step, and the verify checks that run commands
        for i, plan in enumerate(rb.rollback):
            runs += [(("rollback", i, "step", j), step) for j, step in enumerate(plan.steps)]
            runs += [(("rollback", i, "verify", j), c) for j, c in enumerate(plan.verify) if c.source == "command"]
    elif rb.rollback is not None:
        runs.append((("rollback",), rb.rollback))
    for i, phase in enumerate(rb.phases):
        if phase.actions:
            runs += [(("phase", i, "actions", j), a) for j, a in enumerate(phase.actions)]
        elif phase.action is not None:
            runs.append((("phase", i, "action"), phase.action))
        runs += [(("phase", i, "check", j), c) for j, c in enumerate(phase.checks) if c.source == "command"]
    runs += [(("trigger", k), t) for k, t in enumerate(rb.triggers) if t.source == "command"]
    for loc, item in runs:
        problem = _run_problem(item.run, item.shell)
        if problem:
            problems.append((loc + ("run",), problem))


def _check_rules(check: Any, loc: tuple, targets: Targets, problems: list, trigger: bool) -> None:
    src = check.source
    if src in TARGETED or (src == "http" and check.target):
        declared: dict = getattr(targets, src)
        if check.target is None:
            if len(declared) == 1:
                pass  # the only target of that source is the default
            elif not declared:
                problems.append((loc + ("source",), f"no [targets.{src}.<name>] declared for this {src} check"))
            else:
                problems.append((loc + ("target",), f"several {src} targets ({', '.join(sorted(declared))}): name one"))
        elif check.target not in declared:
            known = ", ".join(sorted(declared)) or "none declared"
            problems.append((loc + ("target",), f"unknown {src} target {check.target!r} (known: {known})"))
    if trigger:
        if check.pass_ is not None or check.warn is not None:
            problems.append((loc + ("pass",), "a trigger uses fire (the condition that fires it), not pass/warn"))
        if check.fire is None and src in ("prometheus", "postgres", "alertmanager"):
            problems.append((loc + ("fire",), f'a {src} trigger needs fire, e.g. fire = "> 1"'))
        return
    if src == "prometheus" and check.pass_ is None:
        problems.append((loc + ("pass",), 'a prometheus check needs pass, e.g. pass = "< 0.5"'))
    if src == "postgres":
        if (check.query is None) == (check.builtin is None):
            problems.append((loc + ("query",), "a postgres check needs exactly one of query or builtin"))
        elif check.pass_ is None:
            problems.append((loc + ("pass",), 'a postgres check needs pass, e.g. pass = "< 5"'))
    if src == "kubernetes" and check.deployment is None and check.selector is None:
        problems.append((loc + ("deployment",), "a kubernetes check needs deployment or selector"))
    if check.warn is not None and check.pass_ is None:
        problems.append((loc + ("warn",), "warn needs pass (warn is the band between pass and fail)"))
    band = consistency.band_problem(check.pass_, check.warn)
    if band:
        problems.append((loc + ("warn",), band))


def resolve_target(rb: Runbook, check: Any) -> str | None:
    """The target name a check uses: its own, or the only one of its source."""
    if check.target:
        return check.target
    declared = getattr(rb.targets, check.source, None) or {}
    if len(declared) == 1:
        return next(iter(declared))
    return None
