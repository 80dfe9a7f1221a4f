"""`golive verify` with [roles]: each signature's principal must be one of its role's bound people, and one key
or principal signs one role only (unless the runbook says ``allow_same_signer = true``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from console import roles as role_rules
from console.allowed_signers import VALID

NOT_BOUND = "not bound"
SAME_SIGNER = "same signer"


def record_roles(runbook: Any) -> dict[str, Any]:
    """What the record's head keeps of [roles] (in the signed body, so a signer cannot change who was bound)."""
    if not runbook.roles:
        return {}
    bound = {name: {"users": list(b.users), "groups": list(b.groups), "min": b.min, "not_operator": b.not_operator}
             for name, b in runbook.roles.items()}
    return {"roles": bound, **({"allow_same_signer": True} if runbook.meta.allow_same_signer else {})}


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
    allow = head.get("allow_same_signer") is True
    by_key: dict[str, str] = {}
    by_principal: dict[str, str] = {}
    out = []
    for row in rows:
        if row.status == VALID:
            binding = bound.get(row.role)
            other = by_key.get(row.fingerprint) or by_principal.get(row.principal)
            if isinstance(binding, dict) and not principal_bound(row.principal, binding):
                who = role_rules.describe(_Binding(binding))
                row = replace(row, status=NOT_BOUND,
                              detail=f"{row.principal} is not bound to {row.role} (only {who}); {row.detail}")
            elif other and not allow:
                row = replace(row, status=SAME_SIGNER,
                              detail=f"the key or principal that signed {other} signed {row.role} too "
                                     "(one signer, one role; allow_same_signer = true permits it)")
        if row.fingerprint:
            by_key.setdefault(row.fingerprint, row.role)
        if row.principal:
            by_principal.setdefault(row.principal, row.role)
        out.append(row)
    return out


class _Binding:
    def __init__(self, data: dict[str, Any]):
        self.users, self.groups = list(data.get("users") or []), list(data.get("groups") or [])
