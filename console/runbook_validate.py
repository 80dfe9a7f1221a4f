"""What types alone cannot say about a runbook: unique ids, targets that exist, roles bound, runs that are
commands, thresholds where a source needs them; and the field names for a "did you mean" hint."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from golive.console import runbook_consistency as consistency
from golive.console import runbook_expand as expand
from golive.console.runbook_base import (
    TARGETED,
    Action,
    HttpTarget,
    KubernetesTarget,
    PostgresTarget,
    PrometheusTarget,
    Targets,
)
from golive.console.runbook_change import Freeze, NotifyTarget, Window
from golive.console.runbook_checks import (
    AlertmanagerCheck,
    CommandCheck,
    HttpCheck,
    KubernetesCheck,
    ManualCheck,
    PostgresCheck,
    PrometheusCheck,
    TriggerFields,
)
from golive.console.runbook_model import Phase, RoleBinding, RollbackPlan, Runbook, RunbookMeta

_CHECK_MODELS: list[type[BaseModel]] = [PrometheusCheck, KubernetesCheck, HttpCheck, PostgresCheck, AlertmanagerCheck,
                                        CommandCheck, ManualCheck]


def vocabulary(loc: tuple) -> list[str]:
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


def semantic_checks(rb: Runbook, problems: list[tuple[tuple, str]]) -> None:
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
            check_rules(check, loc, targets, problems, trigger=False)
    for k, trig in enumerate(rb.triggers):
        loc = ("trigger", k)
        if trig.id in seen_check:
            problems.append((loc + ("id",), f"duplicate id {trig.id!r} (a check or trigger already uses it)"))
        seen_check.setdefault(trig.id, loc)
        check_rules(trig, loc, targets, problems, trigger=True)
        if trig.then == "rollback" and rb.rollback is None:
            problems.append((loc + ("then",), 'then = "rollback" needs a [rollback] section'))
    _run_rules(rb, problems)
    roles = rb.runbook.signoff
    if len(set(roles)) != len(roles):
        problems.append((("runbook", "signoff"), "a role is listed twice"))
    consistency.url_problems(rb, problems)
    _credential_rules(rb, problems)
    _role_rules(rb, problems)


def _credential_rules(rb: Runbook, problems: list[tuple[tuple, str]]) -> None:
    """The credential combinations the HTTP sources refuse at start (``checks.http_credentials``), found by lint."""
    for kind in ("prometheus", "alertmanager", "http"):
        for name, target in getattr(rb.targets, kind).items():
            loc = ("targets", kind, name)
            for stem in ("bearer_token", "password"):
                if getattr(target, f"{stem}_env") and getattr(target, f"{stem}_file"):
                    problems.append((loc + (f"{stem}_env",), f"{stem}_env and {stem}_file are exclusive: set one"))
            password = target.password_env or target.password_file
            if target.username is not None and not password:
                problems.append((loc + ("username",), "a username is set but no password_env or password_file "
                                                      "(an empty password is never sent)"))
            elif password and target.username is None:
                problems.append((loc + ("username",), "a password is set but no username"))
            if (target.bearer_token_env or target.bearer_token_file) and target.username is not None:
                problems.append((loc, "bearer_token_* and username/password are exclusive: set one"))


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


def check_rules(check: Any, loc: tuple, targets: Targets, problems: list, trigger: bool) -> None:
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
