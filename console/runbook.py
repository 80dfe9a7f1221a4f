"""The runbook: TOML in, a frozen validated model out, or every problem on one line each.

The models live in ``runbook_base`` (fields, targets, actions), ``runbook_checks`` (checks, triggers) and
``runbook_model`` (plans, phases, the Runbook); the rules types cannot state in ``runbook_validate``.
Everything is importable from here, as it always was.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from golive.console import runbook_expand as expand
from golive.console.runbook_base import (
    SOURCES,
    TARGETED,
    Action,
    AlertmanagerTarget,
    Duration,
    HttpAuth,
    HttpTarget,
    KubernetesTarget,
    Model,
    PostgresTarget,
    PrometheusTarget,
    Targets,
    ThresholdField,
    TPlus,
)
from golive.console.runbook_change import Freeze, NotifyTarget, Window
from golive.console.runbook_checks import (
    RESPONSES,
    AlertmanagerCheck,
    AlertmanagerTrigger,
    Check,
    CheckBase,
    CommandCheck,
    CommandTrigger,
    HttpCheck,
    HttpTrigger,
    KubernetesCheck,
    KubernetesTrigger,
    ManualCheck,
    ManualTrigger,
    PostgresCheck,
    PostgresTrigger,
    PrometheusCheck,
    PrometheusTrigger,
    Trigger,
    TriggerFields,
)
from golive.console.runbook_errors import (
    RunbookError,
    cap_problems,
    format_validation_errors,
    locate_problem,
    nesting_problem,
    toml_syntax_problem,
    toml_value_problem,
)
from golive.console.runbook_model import Phase, RoleBinding, RollbackField, RollbackPlan, Runbook, RunbookMeta
from golive.console.runbook_rules import feature_problems
from golive.console.runbook_validate import check_rules, semantic_checks, vocabulary

__all__ = [
    "Runbook", "Phase", "Action", "Trigger", "Check", "RunbookError",
    "load_runbook", "parse_runbook", "resolve_target", "SOURCES", "TARGETED", "RESPONSES",
    "Model", "Duration", "TPlus", "ThresholdField",
    "HttpAuth", "PrometheusTarget", "AlertmanagerTarget", "HttpTarget", "KubernetesTarget", "PostgresTarget", "Targets",
    "CheckBase", "PrometheusCheck", "KubernetesCheck", "HttpCheck", "PostgresCheck", "AlertmanagerCheck",
    "CommandCheck", "ManualCheck", "TriggerFields", "PrometheusTrigger", "KubernetesTrigger", "HttpTrigger",
    "PostgresTrigger", "AlertmanagerTrigger", "CommandTrigger", "ManualTrigger",
    "RollbackPlan", "RollbackField", "RunbookMeta", "RoleBinding", "Freeze", "NotifyTarget", "Window",
]


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
            problems.extend(format_validation_errors(exc, vocabulary))
    if model is not None:
        semantic_checks(model, problems)
        feature_problems(model, variables, problems, check_rules)
    if problems:
        lines = [locate_problem(name, text, origins, loc, msg) for loc, msg in problems]
        raise RunbookError(cap_problems(name, list(dict.fromkeys(lines))))  # a matrix copy repeats its source's problem
    assert model is not None
    return model.model_copy(update={
        "source_path": name,
        "sha256": sha256 or hashlib.sha256(text.encode()).hexdigest(),
        "variables": variables,
    })


def resolve_target(rb: Runbook, check: Any) -> str | None:
    """The target name a check uses: its own, or the only one of its source."""
    if check.target:
        return check.target
    declared = getattr(rb.targets, check.source, None) or {}
    if len(declared) == 1:
        return next(iter(declared))
    return None
