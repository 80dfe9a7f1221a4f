"""`golive sign RECORD --role ROLE`: add a role's SSH signature to record.toml (and refresh record.md).

Exit codes: 0 signed (or printed), 1 the key, agent or ssh-keygen failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("record", type=Path, metavar="RECORD", help="the record.toml to sign")
    parser.add_argument("--role", required=True, help="the role signing, one of [record].signoff")
    parser.add_argument(
        "--key",
        help="private key file, or a public key file the ssh-agent holds "
        "(default: $GOLIVE_SIGNING_KEY, else the agent's first key, else ~/.ssh/id_ed25519)",
    )
    parser.add_argument("--name", help="the signer's name as shown in the record (default: your full name)")
    parser.add_argument("--principal", help="identity in allowed_signers (default: the key's comment, else user@host)")
    parser.add_argument(
        "--print-message",
        action="store_true",
        help="print the exact bytes this role signs (or signed) and stop, for ssh-keygen -Y sign / -Y verify",
    )
    parser.add_argument("--print-signature", action="store_true", help="print the role's stored signature and stop")
    parser.add_argument(
        "--signature", type=Path, metavar="FILE", help="attach a signature made by ssh-keygen -Y sign (needs --at)"
    )
    parser.add_argument("--at", metavar="TIME", help="signed_at for --print-message/--signature (ISO-8601 UTC)")


def _parse_at(value: str | None):
    from datetime import datetime, timezone

    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--at {value!r} is not an ISO-8601 time such as 2026-11-22T20:40:00Z") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _print_message(args: argparse.Namespace, when) -> int:
    from golive.console.signing import NAMESPACE, message_for_role

    message, fields = message_for_role(args.record, args.role, args.key, args.name, args.principal, when)
    sys.stdout.buffer.write(message)
    sys.stdout.flush()
    if "signature" in fields:
        hint = (
            f"check it with: ssh-keygen -Y verify -f ALLOWED_SIGNERS -I {shlex.quote(fields['principal'])} "
            f"-n {NAMESPACE} -s SIGFILE < MESSAGE (SIGFILE from --print-signature)"
        )
    else:
        hint = (
            f"sign it with: ssh-keygen -Y sign -n {NAMESPACE} -f KEY < MESSAGE > MESSAGE.sig, then attach it with: "
            f"golive sign {shlex.quote(str(args.record))} --role {shlex.quote(args.role)} "
            f"--name {shlex.quote(fields['name'])} --principal {shlex.quote(fields['principal'])} "
            f"--at {fields['signed_at']} --signature MESSAGE.sig"
        )
    print(f"golive: {hint}", file=sys.stderr)
    return 0


def _print_signature(args: argparse.Namespace) -> int:
    from golive.console.signing import RecordInputError, read_record

    _, record = read_record(args.record)
    for entry in record.get("signature", []):
        if entry.get("role") == args.role:
            print(str(entry.get("signature", "")).strip())
            return 0
    raise RecordInputError(f"{args.record}: role {args.role} has not signed")


def run(args: argparse.Namespace) -> int:
    from golive.console.signing import (
        RecordInputError,
        SigningError,
        attach_signature,
        default_name,
        missing_roles,
        principal_without_key,
        read_record,
        sign_record,
        utc_stamp,
    )

    def warn(message: str) -> None:
        print(f"golive: warning: {message}", file=sys.stderr)

    try:
        when = _parse_at(args.at)
        if args.print_message:
            return _print_message(args, when)
        if args.print_signature:
            return _print_signature(args)
        if args.signature is not None:
            if when is None:
                raise ValueError("--signature needs --at: the signed_at the message was printed with")
            try:
                armored = args.signature.read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"{args.signature}: cannot read the signature: "
                                 f"{getattr(exc, 'strerror', exc)}") from exc
            entry = attach_signature(
                args.record,
                args.role,
                armored,
                name=args.name or default_name(),
                principal=args.principal or principal_without_key(args.key),
                signed_at=utc_stamp(when),
                on_warning=warn,
            )
        else:
            entry = sign_record(args.record, args.role, args.key, args.name, args.principal, when, on_warning=warn)
    except (RecordInputError, ValueError) as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 2
    except SigningError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 1
    _, record = read_record(args.record)
    left = missing_roles(record)
    rest = f"still to sign: {', '.join(left)}" if left else "every required role has signed"
    from golive.console.notify import notify_signature  # the room hears of it when the runbook asks ([[notify]])

    notify_signature(args.record, entry["role"], entry["name"], left)
    print(
        f"golive: signed {args.record} for {entry['role']} as {entry['name']} <{entry['principal']}> "
        f"({entry['fingerprint']}); {rest}"
    )
    return 0
