"""`golive verify` with [roles]: each signature's principal must be one of its role's bound people.

One key or person signing two roles is verification's own rule (signoff_distinct), with or without [roles]."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from golive.console import roles as role_rules
from golive.console.allowed_signers import VALID

NOT_BOUND = "not bound"


def record_roles(runbook: Any) -> dict[str, Any]:
    """What the record's head keeps of [roles] (in the signed body, so a signer cannot change who was bound)."""
    if not runbook.roles:
        return {}
    bound = {name: {"users": list(b.users), "groups": list(b.groups), "min": b.min, "not_operator": b.not_operator}
             for name, b in runbook.roles.items()}
    return {"roles": bound}


def principal_bound(principal: str, binding: dict[str, Any]) -> bool:
    """The principal itself, or its part before "@" as a login name, is a bound user or in a bound group."""
    login = principal.split("@", 1)[0]
    users = binding.get("users") or []
    if principal in users or login in users:
        return True
    return bool(set(binding.get("groups") or []) & role_rules.groups_of(login))


def apply(head: dict[str, Any], rows: list[Any]) -> list[Any]:
    """The verify rows with the role rules applied; unchanged for a record without [roles]."""
    bound = head.get("roles")
    if not isinstance(bound, dict) or not bound:
        return rows
    out = []
    for row in rows:
        binding = bound.get(row.role)
        if row.status == VALID and isinstance(binding, dict) and not principal_bound(row.principal, binding):
            who = role_rules.describe(_Binding(binding))
            row = replace(row, status=NOT_BOUND,
                          detail=f"{row.principal} is not bound to {row.role} (only {who}); {row.detail}")
        out.append(row)
    return out


class _Binding:
    def __init__(self, data: dict[str, Any]):
        self.users, self.groups = list(data.get("users") or []), list(data.get("groups") or [])
