"""`golive verify`: every signature of a record checked against an allowed_signers file, and its journal.

A key's valid-after/valid-before window must contain both the signature's own signed_at and the verification
time ("now", or the time the auditor asks about). Checking now is what `ssh-keygen -Y verify` does, so both
tools agree; checking signed_at as well catches a retired key used to sign with a back-dated time.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from golive.console import allowed_signers as signers_file
from golive.console import role_signers
from golive.console.allowed_signers import (
    EXPIRED,
    NOT_YET_VALID,
    UNKNOWN_KEY,
    UNSUPPORTED,
    VALID,
    WRONG_NAMESPACE,
    WRONG_PRINCIPAL,
    AllowedSigner,
    AllowedSignersError,
)
from golive.console.journal_audit import record_differences, signoff_problems
from golive.console.signed_body import (
    GENESIS,
    RecordInputError,
    canonical_bytes,
    entry_message,
    read_record,
    signature_digest,
    signoff_entry,
)
from golive.console.ssh_keygen import NAMESPACE

MISSING = "missing"
BAD_SIGNATURE = "bad signature"
OUT_OF_ORDER = "out of order"
DUPLICATE = "duplicate"
MISPLACED = "misplaced"
MALFORMED = "malformed"
SIGNOFF_CHANGED = "sign-off changed"
KEY_REUSED = "key reused"
SIGNER_REUSED = "signer reused"

__all__ = [
    "BAD_SIGNATURE", "DUPLICATE", "EXPIRED", "KEY_REUSED", "MALFORMED", "MISPLACED", "MISSING", "NOT_YET_VALID",
    "OUT_OF_ORDER", "SIGNER_REUSED", "SIGNOFF_CHANGED", "UNKNOWN_KEY", "UNSUPPORTED", "VALID", "WRONG_NAMESPACE",
    "WRONG_PRINCIPAL",
    "JournalCheck", "SignatureRow", "VerifyReport", "verify_record",
]  # fmt: skip


@dataclass(frozen=True)
class SignatureRow:
    """One required role, or one signature the record should not have; ``detail`` says why the status."""

    role: str
    status: str
    detail: str
    name: str = ""
    principal: str = ""
    fingerprint: str = ""
    signed_at: str = ""


@dataclass(frozen=True)
class JournalCheck:
    """Whether the journal's chain is whole and ends where the record says, and the record says what the journal
    does (``problems``: every difference); also used for record.md against record.toml."""

    ok: bool
    detail: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of ``verify_record``: one row per required role, then any extra signatures."""

    path: Path
    outcome: str
    required: tuple[str, ...]
    rows: tuple[SignatureRow, ...]
    journal: JournalCheck | None
    markdown: JournalCheck | None = None

    @property
    def ok(self) -> bool:
        """True only when every required role is validly signed, nothing else is off, and the journal and
        record.md (if checked) agree. A record that needs no sign-off verifies nothing, so it is not ok."""
        return (
            bool(self.required)
            and all(row.status == VALID for row in self.rows)
            and (self.journal is None or self.journal.ok)
            and (self.markdown is None or self.markdown.ok)
        )

    def verdict(self) -> str:
        """One line for people: what holds, or every problem by role."""
        if not self.required:
            return "NOT VERIFIED: the record names no role to sign it ([record].signoff is empty)"
        journal = "journal not checked" if self.journal is None else (
            "journal intact" if self.journal.ok else "journal CHANGED"
        )
        if self.markdown is not None:
            journal += "; record.md matches" if self.markdown.ok else ""
        if self.ok:
            return f"VERIFIED: all {len(self.required)} required roles signed and valid; {journal}"
        problems = [f"{row.role} {row.status}" for row in self.rows if row.status != VALID]
        if self.journal is not None and not self.journal.ok:
            problems.append("record differs from its journal" if self.journal.problems else "journal changed")
        if self.markdown is not None and not self.markdown.ok:
            problems.append("record.md differs")
        return "NOT VERIFIED: " + ", ".join(problems)


def _parse_signed_at(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _digest_or_none(entry: dict) -> str | None:
    try:
        return signature_digest(str(entry.get("signature", "")))
    except ValueError:
        return None


def _diagnose_bad(body: bytes, entry: dict, roles: list[str]) -> str:
    """Why a signature does not match, as precisely as the unsigned hints in the entry allow."""
    from sshsig import check_signature

    if entry.get("body_sha256") and entry["body_sha256"] != hashlib.sha256(body).hexdigest():
        return "the record body was changed after this signature was made"
    for other in roles:
        if other == entry.get("role"):
            continue
        try:
            check_signature(entry_message(body, {**entry, "role": other}), entry["signature"], NAMESPACE)
        except Exception:
            continue
        return f"made for role {other}, moved to {entry.get('role')}"
    return ("the body is as signed, so this entry's role, name, principal, signed_at, previous or signature "
            "text was changed")


def _chain_detail(entries: list[dict], index: int) -> str | None:
    """None when the entry follows the signature it was made after; else what moved or went missing."""
    entry = entries[index]
    expected = GENESIS if index == 0 else _digest_or_none(entries[index - 1])
    if entry.get("previous") == expected:
        return None
    if entry.get("previous") == GENESIS:
        return f"signed first, now placed after {entries[index - 1].get('role')}"
    for j, other in enumerate(entries):
        if j != index and _digest_or_none(other) == entry.get("previous"):
            return f"signed after {other.get('role')}'s signature, which is no longer just before it"
    return "signed after a signature that is no longer in the record (removed or replaced)"


def check_entry(
    body: bytes, entries: list[dict], index: int, signers: list[AllowedSigner], roles: list[str], now: datetime
) -> tuple[str, str]:
    """(status, detail) for one [[signature]] entry on its own: cryptography, allowed signers, chain."""
    from sshsig import InvalidSignature, check_signature
    from sshsig.sshsig import SshsigSignature

    entry = entries[index]
    armored = entry.get("signature")
    if not isinstance(armored, str):
        return MALFORMED, "the entry has no signature text"
    try:
        outer = SshsigSignature.from_armored(armored)
    except Exception:  # sshsig raises ValueError, NotImplementedError or binascii.Error for damaged armor
        return BAD_SIGNATURE, "the signature text is not an SSH signature"
    if outer.namespace != NAMESPACE.encode() or entry.get("namespace", NAMESPACE) != NAMESPACE:
        shown = outer.namespace.decode("ascii", "replace")
        return WRONG_NAMESPACE, f"signed in namespace {shown!r}, not {NAMESPACE!r}"
    signed_at = _parse_signed_at(entry.get("signed_at"))
    try:
        message = entry_message(body, entry)
    except ValueError as exc:
        return MALFORMED, str(exc)
    if signed_at is None:
        return MALFORMED, f"signed_at {entry.get('signed_at')!r} is not an ISO-8601 UTC time"
    try:
        public_key = check_signature(message, armored, NAMESPACE)
    except InvalidSignature:
        return BAD_SIGNATURE, _diagnose_bad(body, entry, roles)
    except NotImplementedError as exc:
        return UNSUPPORTED, str(exc).rstrip(".")
    except Exception:  # a malformed blob can surface as ValueError or AssertionError inside sshsig
        return BAD_SIGNATURE, "the signature blob is malformed"
    fingerprint = public_key.sha256_str()
    if entry.get("fingerprint") != fingerprint:
        return BAD_SIGNATURE, f"the fingerprint field says {entry.get('fingerprint')}, the signing key is {fingerprint}"
    status, detail = signers_file.authorize(
        signers, outer.public_key, entry["principal"], NAMESPACE, [("signed_at", signed_at), ("now", now)]
    )
    if status != VALID:
        return status, detail
    moved = _chain_detail(entries, index)
    if moved:
        return OUT_OF_ORDER, moved
    return VALID, detail


def _journal_check(journal: Path, full: dict) -> JournalCheck:
    from golive.console.journal import JournalError, read_journal

    record = full["record"]
    try:
        replay = read_journal(journal)
    except JournalError as exc:
        return JournalCheck(False, str(exc))
    want_head, want_count = record.get("journal_sha256"), record.get("journal_events")
    if not isinstance(want_head, str) or not isinstance(want_count, int):
        return JournalCheck(False, "the record names no journal head (journal_sha256, journal_events)")
    events, count = replay.events, len(replay.events)
    # The record is anchored at the line that decided the outcome; after it only sign-offs (and resumes)
    # may follow, each covered by its own signature. A line's hash is the next line's "prev".
    if want_count < 1 or want_count > count:
        return JournalCheck(False, f"{journal.name} has {count} events; the record is anchored at line {want_count}")
    head = replay.head if want_count == count else events[want_count]["prev"]
    if head != want_head:
        return JournalCheck(
            False,
            f"{journal.name} line {want_count} ends the chain in {head[:12]}…; the record says {want_head[:12]}…",
        )
    later = [e.get("type") for e in events[want_count:]]
    stray = [t for t in later if t not in ("signoff", "resumed", "review")]  # review: golive review
    if stray:
        return JournalCheck(False, f"{journal.name} has {len(stray)} events after the record's anchor that are not "
                                   f"sign-offs (first: {stray[0]})")
    problems = record_differences(full, events, want_count) + signoff_problems(full, events, replay.head, want_count)
    if problems:
        return JournalCheck(False, f"the chain is whole, but the record differs from {journal.name} in "
                                   f"{len(problems)} place(s)", tuple(problems))
    torn = f"; {replay.warnings[0]}" if replay.warnings else ""
    after = f", then {len(later)} sign-off event(s)" if later else ""
    return JournalCheck(True, f"{want_count} events, head {want_head[:12]}… as the record says{after}{torn}")


def verify_record(
    path: Path, allowed_signers: Path, journal: Path | None = None, now: datetime | None = None,
    markdown: Path | None = None,
) -> VerifyReport:
    """Check every signature of record ``path`` and, when given, that ``journal`` is whole and is the one the
    record was written from. ``now`` is the verification time (default: the current time).

    Returns a VerifyReport. Raises RecordInputError for bad input: the record unreadable or not a record, the
    allowed signers file unreadable or malformed, the journal unreadable.
    """
    now = now or datetime.now(timezone.utc)
    _, record = read_record(Path(path))
    try:
        signers = signers_file.load_allowed_signers(Path(allowed_signers))
    except AllowedSignersError as exc:
        raise RecordInputError(str(exc)) from None
    if journal is not None and not Path(journal).is_file():
        raise RecordInputError(f"{journal}: cannot read the journal: no such file")
    head = record["record"]
    required = list(head.get("signoff", []))
    body = canonical_bytes(record)
    entries = list(record.get("signature", []))
    first_for_role: dict[str, SignatureRow] = {}
    extras: list[SignatureRow] = []
    for index, entry in enumerate(entries):
        role = str(entry.get("role", "?"))
        status, detail = check_entry(body, entries, index, signers, required, now)
        moved = _signoff_row_problem(record, entry) if status == VALID else None
        if moved:
            status, detail = SIGNOFF_CHANGED, moved
        if role not in required:
            status, detail = MISPLACED, f"role {role} is not in [record].signoff ({status}: {detail})"
        elif role in first_for_role:
            status, detail = DUPLICATE, f"a second signature for {role} ({status}: {detail})"
        row = SignatureRow(
            role=role,
            status=status,
            detail=detail,
            name=str(entry.get("name", "")),
            principal=str(entry.get("principal", "")),
            fingerprint=str(entry.get("fingerprint", "")),
            signed_at=str(entry.get("signed_at", "")),
        )
        if status in (MISPLACED, DUPLICATE):
            extras.append(row)
        else:
            first_for_role[role] = row
    rows = [first_for_role.get(r) or SignatureRow(role=r, status=MISSING, detail="no signature yet") for r in required]
    rows = _reuse(role_signers.apply(head, rows), record)
    return VerifyReport(
        path=Path(path),
        outcome=str(head.get("outcome", "")),
        required=tuple(required),
        rows=tuple(rows + extras),
        journal=_journal_check(Path(journal), record) if journal is not None else None,
        markdown=_markdown_check(Path(markdown), record) if markdown is not None else None,
    )


def _markdown_check(path: Path, record: dict) -> JournalCheck:
    """record.md is a rendering of record.toml, not evidence: it matches, or the first line that differs."""
    from golive.console.record import render_markdown

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordInputError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}") from None
    expected = render_markdown(record)
    if text == expected:
        return JournalCheck(True, f"{path.name} is the rendering of the record")
    mine, theirs = text.splitlines(), expected.splitlines()
    line = next((i for i, (a, b) in enumerate(zip(mine, theirs, strict=False), start=1) if a != b),
                min(len(mine), len(theirs)) + 1)
    shown = theirs[line - 1] if line <= len(theirs) else "(the end)"
    return JournalCheck(False, f"{path.name}:{line} differs from the record's rendering, which has: {shown[:120]}")


def _signoff_row_problem(record: dict, entry: dict) -> str | None:
    """Why the role's sign-off in [signature_status] is not the one its signature covers, or None."""
    role = entry.get("role")
    listed, covered = signoff_entry(record, str(role)), entry.get("signoff")
    if covered == listed:
        return None
    if covered is None:
        assert listed is not None  # both None are equal, returned above
        return f"the sign-off of {role} by {listed.get('name')} is not covered by its signature"
    if listed is None:
        return f"[signature_status] has no sign-off of {role}; the signature covers {covered.get('name')}'s"
    what = [f"{k} {listed.get(k)!r} (signed: {covered.get(k)!r})" for k in dict.fromkeys([*covered, *listed])
            if listed.get(k) != covered.get(k)]
    return f"[signature_status] changed the sign-off of {role}: " + ", ".join(what)


def _reuse(rows: list[SignatureRow], record: dict) -> list[SignatureRow]:
    """Rows of a key or a person signing a second role, unless the record allowed it (signoff_distinct)."""
    if record["record"].get("signoff_distinct", True) is False:
        return rows
    out: list[SignatureRow] = []
    for row in rows:
        earlier = [r for r in out if r.status == VALID or r.status in (KEY_REUSED, SIGNER_REUSED)]
        if row.status == VALID:
            same_key = next((r for r in earlier if r.fingerprint == row.fingerprint), None)
            same_name = next((r for r in earlier if r.name.casefold() == row.name.casefold()
                              or (row.principal and r.principal == row.principal)), None)
            if same_key:
                row = dataclasses.replace(row, status=KEY_REUSED, detail=f"the key {row.fingerprint} also signed "
                                          f"{same_key.role}; the record allows one key per role")
            elif same_name:
                row = dataclasses.replace(row, status=SIGNER_REUSED, detail=f"{row.name} also signed "
                                          f"{same_name.role}; the record allows one person per role")
        out.append(row)
    return out
