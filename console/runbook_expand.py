"""Runbook pre-processing on the raw TOML: ``${variables}``, ``--set`` and ``matrix`` expansion."""

from __future__ import annotations

import copy
import itertools
import math
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

_VAR = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_\-]*)\}")
_META_VARS = ("name", "service", "version", "environment", "owner")
LOADER_FIELDS = ("source_path", "sha256", "variables")

Problems = list[tuple[tuple, str]]
MAX_NESTING = 100        # variables naming variables, this deep at most (each level is a few stack frames)
MAX_EXPANDED = 1 << 16   # characters in one variable or one field after substitution
MAX_COPIES = 1000        # copies one matrix makes
MAX_CHECKS = 10000       # checks in a runbook once every matrix is expanded


def collect_variables(raw: dict, overrides: dict[str, str], problems: Problems) -> dict[str, str]:
    """Variables from [runbook] (name, service, version, environment, owner), [runbook.vars] and --set.

    A ``--set`` of a [runbook] field also changes that field, so
    ``--set version=v1.2.4`` releases another version with the same runbook.
    """
    for key in LOADER_FIELDS:
        if key in raw:
            problems.append(((key,), f"unknown field {key!r}"))
    meta = raw.get("runbook")
    if not isinstance(meta, dict):
        return dict(overrides)
    variables: dict[str, str] = {}
    for key in _META_VARS:
        if isinstance(meta.get(key), str):
            variables[key] = meta[key]
    extra = meta.get("vars", {})
    if isinstance(extra, dict):
        for key, value in extra.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                variables[key] = str(value)
    for key, value in overrides.items():
        variables[key] = value
        if key in _META_VARS:
            meta[key] = value
    # variables may refer to each other ("name = '${service} ${version}'")
    declared = extra if isinstance(extra, dict) else {}
    return resolve_variables(variables, lambda key: ("runbook", "vars", key) if key in declared else ("runbook", key),
                             problems)


def resolve_variables(variables: dict[str, str], where: Any, problems: Problems) -> dict[str, str]:
    """Each variable with the ones it names substituted, depth first; a cycle or a runaway size is a problem.

    ``where(name)`` is the field path of a variable, for the problem's line.
    """
    done: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> str | None:
        if name in done:
            return done[name]
        if name in chain:
            loop = chain[chain.index(name):]
            cycle = " → ".join(f"${{{n}}}" for n in loop + (name,))
            problems.append((where(loop[0]), f"${{{name}}} refers to itself" if len(loop) == 1
                             else f"variables refer to each other in a cycle: {cycle}"))
            return None
        if len(chain) >= MAX_NESTING:
            problems.append((where(name), f"variables nest more than {MAX_NESTING} levels deep"))
            return None
        failed, size = False, len(variables[name])

        def repl(m: re.Match) -> str:
            nonlocal failed, size
            ref = m.group(1)
            if ref is None or ref not in variables or failed:
                return m.group(0)
            value = visit(ref, chain + (name,))
            size += len(value or "")
            if value is None or size > MAX_EXPANDED:
                failed = True
                return ""
            return value

        value = _VAR.sub(repl, variables[name])
        if failed and size > MAX_EXPANDED:
            # worded as substitute() words it, so the same field's problem is shown once
            problems.append((where(name), f"expands to more than {MAX_EXPANDED} characters"))
        if failed:
            return None
        done[name] = value
        return value

    before = len(problems)
    for key in variables:
        visit(key, ())
        if len(problems) > before:
            break  # one cycle is reported once, not once per member
    # a variable that failed is empty from here on: its problem is said once, not again by every field using it
    return {k: done.get(k, "") for k in variables}


def substitute(obj: Any, variables: dict[str, str], problems: Problems, path: tuple = ()) -> Any:
    """Replace ``${name}`` in every string; ``$${`` stays a literal ``${``. Unknown names are problems."""
    if isinstance(obj, str):
        size = len(obj)

        def repl(m: re.Match) -> str:
            nonlocal size
            if m.group(1) is None:
                return "${"
            name = m.group(1)
            if name not in variables:
                known = ", ".join(sorted(variables)) or "none"
                if len(known) > 200:
                    known = known[:199] + "…"
                problems.append((path, f"unknown variable ${{{name}}} (known: {known}; add it to [runbook.vars] or "
                                       f"pass --set {name}=...)"))
                return m.group(0)
            size += len(variables[name])
            # counted as it grows: "${big}" a thousand times must fail before it takes the memory
            return variables[name] if size <= MAX_EXPANDED else ""
        out = _VAR.sub(repl, obj)
        if size > MAX_EXPANDED:
            problems.append((path, f"expands to more than {MAX_EXPANDED} characters"))
            return obj
        return out
    if isinstance(obj, dict):
        return {k: substitute(v, variables, problems, path + (k,)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [substitute(v, variables, problems, path + (i,)) for i, v in enumerate(obj)]
    return obj


def _substitute_only(obj: Any, values: dict[str, str]) -> Any:
    """Substitute just the given names, leaving every other ``${...}`` for the global pass."""
    if isinstance(obj, str):
        return _VAR.sub(lambda m: values.get(m.group(1), m.group(0)) if m.group(1) else m.group(0), obj)
    if isinstance(obj, dict):
        return {k: _substitute_only(v, values) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_substitute_only(v, values) for v in obj]
    return obj


def _matrix_values(matrix: Any, loc: tuple, problems: Problems) -> list[dict[str, str]] | None:
    if not isinstance(matrix, dict) or not matrix:
        problems.append((loc, 'expected a table of lists, e.g. matrix = { region = ["us-east-1", "eu-west-1"] }'))
        return None
    keys, lists = [], []
    for key, values in matrix.items():
        if not isinstance(values, list) or not values or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in values
        ):
            problems.append((loc + (key,), "expected a non-empty list of strings or integers"))
            return None
        if len(set(map(str, values))) != len(values):
            problems.append((loc + (key,), "a value is listed twice"))
            return None
        keys.append(key)
        lists.append([str(v) for v in values])
    copies = math.prod(len(v) for v in lists)
    if copies > MAX_COPIES:  # ten keys of ten values would be ten billion checks: refuse before building them
        problems.append((loc, f"expands to {copies} copies (at most {MAX_COPIES})"))
        return None
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*lists)]


def _expand_one(item: dict, combo: dict[str, str]) -> dict:
    out = _substitute_only(copy.deepcopy(item), combo)
    suffix = "-".join(combo.values())
    if isinstance(out.get("id"), str):
        out["id"] = f"{out['id']}-{suffix}"
    title = item.get("title")
    if isinstance(title, str) and not any(f"${{{k}}}" in title for k in combo):
        out["title"] = f"{title} ({', '.join(combo.values())})"
    return out


def expand_matrices(raw: dict, problems: Problems) -> tuple[dict, dict[tuple, tuple]]:
    """Expand ``matrix`` on phases and checks; return the new tree and expanded→source index map."""
    origins: dict[tuple, tuple] = {}
    phases = raw.get("phase")
    if not isinstance(phases, list):
        return raw, origins
    new_phases: list = []
    total = 0
    for pi, phase in enumerate(phases):
        if not isinstance(phase, dict):
            new_phases.append(phase)
            origins[("phase", len(new_phases) - 1)] = ("phase", pi)
            continue
        copies: list[dict] = [phase]
        if "matrix" in phase:
            combos = _matrix_values(phase["matrix"], ("phase", pi, "matrix"), problems)
            base = {k: v for k, v in phase.items() if k != "matrix"}
            copies = [_expand_one(base, c) for c in combos] if combos else [base]
            if combos:
                for cp, combo in zip(copies, combos, strict=True):
                    suffix = "-".join(combo.values())
                    for chk in cp.get("check", []) if isinstance(cp.get("check"), list) else []:
                        if isinstance(chk, dict) and isinstance(chk.get("id"), str):
                            chk["id"] = f"{chk['id']}-{suffix}"
        for cp in copies:
            ni = len(new_phases)
            origins[("phase", ni)] = ("phase", pi)
            checks = cp.get("check")
            if isinstance(checks, list):
                new_checks: list = []
                for ci, chk in enumerate(checks):
                    if isinstance(chk, dict) and "matrix" in chk:
                        combos = _matrix_values(chk["matrix"], ("phase", pi, "check", ci, "matrix"), problems)
                        base = {k: v for k, v in chk.items() if k != "matrix"}
                        expanded = [_expand_one(base, c) for c in combos] if combos else [base]
                    else:
                        expanded = [chk]
                    total += len(expanded)
                    if total > MAX_CHECKS:  # matrices multiply: a phase's copies times its checks' copies
                        problems.append((("phase", pi), f"matrices expand to more than {MAX_CHECKS} checks"))
                        return raw, {}
                    for e in expanded:
                        origins[("phase", ni, "check", len(new_checks))] = ("phase", pi, "check", ci)
                        new_checks.append(e)
                cp = {**cp, "check": new_checks}
            new_phases.append(cp)
    if problems:
        return raw, {}
    return {**raw, "phase": new_phases}, origins


def all_field_names(models: list[type[BaseModel]]) -> list[str]:
    """Every field name and alias the runbook format knows, for "did you mean" hints."""
    names: set[str] = {"matrix"}
    for model in models:
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
    return sorted(n for n in names if n not in LOADER_FIELDS)
