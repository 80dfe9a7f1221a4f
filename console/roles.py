"""People bound to roles ([roles] in the runbook): who may tick a role's items, approve and sign off for it.
One rule, used by the engine for every seat and the in-process session alike; membership from pwd/grp."""

from __future__ import annotations

import grp
import pwd
from typing import Any


def groups_of(user: str) -> set[str]:
    """The user's primary and supplementary groups, by name; none for a name the system does not know."""
    try:
        primary = pwd.getpwnam(user).pw_gid
    except KeyError:
        return set()
    names = {g.gr_name for g in grp.getgrall() if user in g.gr_mem}
    try:
        names.add(grp.getgrgid(primary).gr_name)
    except KeyError:
        pass
    return names


def is_member(user: str, binding: Any) -> bool:
    return user in binding.users or bool(set(binding.groups) & groups_of(user))


def who_may(role: str, binding: Any) -> str:
    """"security: alice or members of secops" — the text of every refusal."""
    return f"{role}: {describe(binding)}"


def describe(binding: Any) -> str:
    people = list(binding.users) + [f"members of {', '.join(binding.groups)}"] * bool(binding.groups)
    return " or ".join(people) or "nobody"


def refusal(runbook: Any, role: str | None, user: str, operator: str) -> str | None:
    """Why ``user`` may not act in ``role`` (None: they may). Unbound roles — and runbooks without [roles] — let
    anyone act, as before roles existed."""
    binding = runbook.roles.get(role) if role else None
    if binding is None or role is None:  # no binding without a role: narrowed for who_may
        return None
    if not is_member(user, binding):
        return f"{user} may not act as {role} (only {who_may(role, binding)})"
    if binding.not_operator and user == operator:
        return f"{user} started this go-live and may not also act as {role} (separation of duties)"
    return None


def approvals_of(state: Any, phase_id: str, role: str) -> list[str]:
    return [a["by"] for a in state.approvals if a["phase"] == phase_id and a["role"] == role]


def needed(runbook: Any, role: str) -> int:
    binding = runbook.roles.get(role)
    return binding.min if binding is not None else 1


def awaited(runbook: Any, state: Any, phase: Any) -> list[str]:
    """The phase's approve roles still short of their ``min`` approvers."""
    return [r for r in phase.approve if len(approvals_of(state, phase.id, r)) < needed(runbook, r)]


def awaited_text(runbook: Any, state: Any, phase: Any) -> str:
    """"awaiting approval: security (alice or secops), product" ("" when nobody is awaited)."""
    parts = []
    for role in awaited(runbook, state, phase):
        binding = runbook.roles.get(role)
        have, need = len(approvals_of(state, phase.id, role)), needed(runbook, role)
        count = f" {have} of {need}" if need > 1 else ""
        who = f" ({' or '.join(list(binding.users) + list(binding.groups))})" if binding is not None else ""
        parts.append(f"{role}{count}{who}")
    return "awaiting approval: " + ", ".join(parts) if parts else ""


def outsider_refusal(runbook: Any, user: str, operator: str) -> str | None:
    """With [roles], a seat whose person is neither the lead nor in any role may watch but never act."""
    if not runbook.roles or user == operator or any(is_member(user, b) for b in runbook.roles.values()):
        return None
    return f"{user} holds no role in this go-live ({', '.join(sorted(runbook.roles))}) and may only watch"
