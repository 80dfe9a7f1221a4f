"""Co-signing live: a seat signs its role's record message with its own key or agent, the driver checks and
stores the SSHSIG with the same lock and writer as `golive sign`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from golive.console import roles
from golive.console.engine import Refused

FIELDS = ("name", "principal", "signed_at")   # with the role, what the signed message's trailer names


def make_signature(record: Path, role: str, key: Path | str | None, name: str | None) -> dict[str, str]:
    """At the seat: sign exactly the bytes ``golive sign --print-message`` gives for ``role``; returns the
    ``signature`` command's arguments. Raises RecordInputError or SigningError."""
    from golive.console.signing import default_principal, message_for_role
    from golive.console.ssh_keygen import describe_key, sign_message, signing_key

    with signing_key(key) as key_path:
        principal = default_principal(describe_key(key_path).comment)
        message, fields = message_for_role(record, role, key, name, principal)
        if "signature" in fields:
            raise Refused(f"role {role} is already signed by {fields.get('name')} <{fields.get('principal')}>")
        armored = sign_message(key_path, message)
    return {"role": role, "signature": armored, **{k: str(fields[k]) for k in FIELDS}}


def accept_signature(session: Any, record: Path, user: str, args: dict[str, Any]) -> dict[str, Any]:
    """At the driver: refuse a role ``user`` (the seat's kernel login) may not sign, or a signature that is not
    a valid SSHSIG over that role's message; else store it. Returns the reply's extra fields."""
    from golive.console.signing import RecordInputError, SigningError, attach_signature

    role = args["role"]
    why = roles.refusal(session.runbook, role, user, session.engine.state.operator)
    if why:
        raise Refused(why)
    binding = session.runbook.roles.get(role)
    if binding is not None:
        from golive.console.role_signers import principal_bound

        if not principal_bound(args["principal"], {"users": list(binding.users), "groups": list(binding.groups)}):
            # golive verify would mark it "not bound": refuse it now, while the signer is still at the seat
            raise Refused(f"principal {args['principal']} is not bound to {role} (only {roles.describe(binding)}): "
                          "sign with a key whose comment names your login")
    try:
        entry = attach_signature(record, role, args["signature"], name=args["name"], principal=args["principal"],
                                 signed_at=args["signed_at"])
    except (RecordInputError, SigningError, ValueError) as exc:
        raise Refused(_first_line(exc)) from None
    except Exception as exc:   # sshsig's own parse errors: garbage is a refusal, never a stored signature
        raise Refused(f"not an SSH signature for role {role}: {_first_line(exc)}") from None
    return {"role": entry["role"], "fingerprint": entry.get("fingerprint", "")}


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def ask_text(runbook: Any, user: str, missing: list[str]) -> str:
    """What a seat is asked when the outcome is written: the missing roles its person is bound to ("" for none)."""
    mine = [r for r in missing if (b := runbook.roles.get(r)) is not None and roles.is_member(user, b)]
    if not mine:
        return ""
    return f"sign the record for {', '.join(mine)}: press s (signed at this seat with your SSH key or agent)"
