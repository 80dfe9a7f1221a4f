"""Every way of changing a signed record, its signatures, the allowed signers or the journal is caught and
named in the report. Signatures are made once by the real ssh-keygen; each case tampers with a copy.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
import tomli_w

from golive.console import cmd_verify
from golive.console.signing import canonical_bytes, entry_message, sign_record, verify_record
from tests.fixtures.ssh import SIGNOFF, make_key, write_sample_session

SIGNED_AT = datetime(2026, 11, 22, 20, 40, tzinfo=timezone.utc)
VERIFIED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def signed_session(ssh_keygen: str, tmp_path_factory: pytest.TempPathFactory):
    """A GO record signed by all three roles in order, its journal, allowed_signers, and the keys."""
    root = tmp_path_factory.mktemp("signed")
    keys = {role: make_key(root, role, f"{role}@example.com") for role in SIGNOFF}
    record, _ = write_sample_session(root / "session")
    for minutes, role in enumerate(SIGNOFF):
        when = SIGNED_AT.replace(minute=40 + minutes)
        sign_record(record, role, key=keys[role].path, name=f"{role.title()} Person", now=when)
    (root / "session" / "allowed_signers").write_text("".join(k.allowed_line() + "\n" for k in keys.values()))
    return root / "session", keys


@pytest.fixture
def session(signed_session, tmp_path: Path) -> Path:
    """A private copy of the signed session to tamper with."""
    return Path(shutil.copytree(signed_session[0], tmp_path / "session"))


def verify(folder: Path):
    return verify_record(
        folder / "record.toml", folder / "allowed_signers", journal=folder / "journal.jsonl", now=VERIFIED_AT
    )


def edit_record(change: Callable[[dict], None]) -> Callable[[Path, dict], None]:
    def apply(folder: Path, keys: dict) -> None:
        path = folder / "record.toml"
        data = tomllib.loads(path.read_text())
        change(data)
        path.write_text(tomli_w.dumps(data))

    return apply


def edit_allowed(options: dict[str, str], principals: dict[str, str] | None = None, drop: str = ""):
    def apply(folder: Path, keys: dict) -> None:
        lines = [
            keys[role].allowed_line((principals or {}).get(role), options.get(role, ""))
            for role in SIGNOFF
            if role != drop
        ]
        (folder / "allowed_signers").write_text("\n".join(lines) + "\n")

    return apply


def edit_journal(change: Callable[[list[bytes]], list[bytes]]) -> Callable[[Path, dict], None]:
    def apply(folder: Path, keys: dict) -> None:
        path = folder / "journal.jsonl"
        path.write_bytes(b"".join(change(path.read_bytes().splitlines(keepends=True))))

    return apply


def resign_in_namespace(namespace: str) -> Callable[[Path, dict], None]:
    """Replace operations' signature by one over the same message made in another namespace."""

    def apply(folder: Path, keys: dict) -> None:
        path = folder / "record.toml"
        data = tomllib.loads(path.read_text())
        entry = data["signature"][1]
        message = entry_message(canonical_bytes(data), entry)
        done = subprocess.run(
            ["ssh-keygen", "-Y", "sign", "-n", namespace, "-f", str(keys["operations"].path)],
            input=message, capture_output=True, check=True, timeout=20,
        )  # fmt: skip
        entry["signature"] = done.stdout.decode().strip()
        path.write_text(tomli_w.dumps(data))

    return apply


def swap_first_two(data: dict) -> None:
    data["signature"][0], data["signature"][1] = data["signature"][1], data["signature"][0]


def move_operations_to_security(data: dict) -> None:
    data["signature"] = [data["signature"][0], {**data["signature"][1], "role": "security"}]


BODY = "the record body was changed after this signature was made"
ENTRY = "this entry's role, name, principal, signed_at, previous or signature text was changed"

def entry_of(index: int, **changes) -> Callable[[dict], None]:
    return lambda d: d["signature"][index].update(changes)


def record_head(**changes) -> Callable[[dict], None]:
    return lambda d: d["record"].update(changes)


def first_check(**changes) -> Callable[[dict], None]:
    return lambda d: d["phase"][0]["check"][0].update(changes)


def journal_line(index: int, old: bytes, new: bytes) -> Callable[[list[bytes]], list[bytes]]:
    return lambda lines: [line.replace(old, new) if i == index else line for i, line in enumerate(lines)]


BODY_CHANGED = {role: ("bad signature", BODY) for role in SIGNOFF}
OPS_ENTRY_CHANGED = {"operations": ("bad signature", ENTRY)}

# case -> (how to tamper, {role: (status, words in its detail)} for every row not left valid, journal problem)
CASES = {
    "outcome": (edit_record(record_head(outcome="NO-GO")), BODY_CHANGED,
                "outcome: the record says NO-GO, the journal says GO (journal line 8)"),
    "check value": (edit_record(first_check(last=0.13)), BODY_CHANGED, None),
    "verdict": (edit_record(first_check(verdict="FAIL")), BODY_CHANGED,
                "check canary-error-rate: the record says FAIL, the journal says PASS (journal line 3)"),
    "time": (edit_record(record_head(finished="2026-11-22T20:31:13Z")), BODY_CHANGED, None),
    "name": (edit_record(record_head(operator="mallory")), BODY_CHANGED, None),
    "manual item's person": (
        edit_record(lambda d: d["phase"][0]["manual"][0].update(by="nobody")), BODY_CHANGED,
        "manual item smoke: the journal says confirmed by qa (journal line 4)",
    ),
    "added key": (edit_record(record_head(waiver="none needed")), BODY_CHANGED, None),
    "required roles": (
        edit_record(lambda d: d["record"]["signoff"].pop()),
        {**BODY_CHANGED,
         "security": ("misplaced", f"role security is not in [record].signoff (bad signature: {BODY})")},
        None,
    ),
    "first signature removed": (
        edit_record(lambda d: d["signature"].pop(0)),
        {
            "deployment-lead": ("missing", "no signature yet"),
            "operations": ("out of order", "signed after a signature that is no longer in the record"),
        },
        None,
    ),
    "last signature removed": (edit_record(lambda d: d["signature"].pop()), {"security": ("missing", "")}, None),
    "signatures reordered": (
        edit_record(swap_first_two),
        {
            "deployment-lead": ("out of order", "signed first, now placed after operations"),
            "operations": ("out of order", "signed after deployment-lead's signature, which is no longer just"),
            "security": ("out of order", "signed after operations's signature"),
        },
        None,
    ),
    "signature moved to another role": (
        edit_record(move_operations_to_security),
        {"operations": ("missing", ""), "security": ("bad signature", "made for role operations, moved to security")},
        None,
    ),
    "signer's name": (edit_record(entry_of(1, name="Someone Else")), OPS_ENTRY_CHANGED, None),
    "signed_at": (edit_record(entry_of(1, signed_at="2026-11-22T19:00:00Z")), OPS_ENTRY_CHANGED, None),
    "principal": (edit_record(entry_of(1, principal="security@example.com")), OPS_ENTRY_CHANGED, None),
    "fingerprint field": (
        edit_record(entry_of(1, fingerprint="SHA256:forged")),
        {"operations": ("bad signature", "the fingerprint field says SHA256:forged")},
        None,
    ),
    "signature text swapped": (
        edit_record(lambda d: d["signature"][1].update(signature=d["signature"][2]["signature"])),
        {"operations": ("bad signature", ENTRY), "security": ("out of order", "removed or replaced")},
        None,
    ),
    "duplicate signature": (
        edit_record(lambda d: d["signature"].append(dict(d["signature"][0]))),
        {"deployment-lead#2": ("duplicate", "a second signature for deployment-lead")},
        None,
    ),
    "signature for a role not required": (
        edit_record(lambda d: d["signature"].append({**d["signature"][0], "role": "product"})),
        {"product": ("misplaced", "role product is not in [record].signoff")},
        None,
    ),
    "key not in allowed_signers": (
        edit_allowed({}, drop="operations"),
        {"operations": ("unknown key", "is not in the allowed signers file")},
        None,
    ),
    "wrong principal": (
        edit_allowed({}, principals={"operations": "ops-lead@example.com"}),
        {"operations": ("wrong principal", "may sign as ops-lead@example.com")},
        None,
    ),
    "namespace refused by allowed_signers": (
        edit_allowed({"security": 'namespaces="git"'}),
        {"security": ("wrong namespace", 'namespaces="git" does not allow golive-record')},
        None,
    ),
    "signature made in another namespace": (
        resign_in_namespace("git"),
        {"operations": ("wrong namespace", "signed in namespace 'git'"), "security": ("out of order", "replaced")},
        None,
    ),
    "expired valid-before": (
        edit_allowed({"deployment-lead": 'valid-before="20261122Z"'}),
        {"deployment-lead": ("expired", "key valid only until 2026-11-22T00:00:00Z; signed_at is")},
        None,
    ),
    "key retired since": (
        edit_allowed({"deployment-lead": 'valid-before="202611230000Z"'}),
        {"deployment-lead": ("expired", "now is 2026-11-23T09:00:00Z")},
        None,
    ),
    "valid-after not reached": (
        edit_allowed({"security": 'valid-after="20261201Z"'}),
        {"security": ("not yet valid", "key valid only from 2026-12-01")},
        None,
    ),
    "journal line changed": (edit_journal(journal_line(2, b'"PASS"', b'"FAIL"')), {}, "journal.jsonl:4: chain broken"),
    "journal last line changed": (
        edit_journal(journal_line(7, b'"GO"', b'"NO"')), {}, "line 8 ends the chain in",
    ),
    "journal line removed": (edit_journal(lambda lines: [lines[0], *lines[2:]]), {}, "journal.jsonl:2: bad seq"),
    "journal last line removed": (
        edit_journal(lambda lines: lines[:-1]), {}, "has 7 events; the record is anchored at line 8",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_tampered_session_is_caught_and_named(signed_session, session: Path, case: str):
    change, expected, journal_problem = CASES[case]
    change(session, signed_session[1])
    report = verify(session)
    assert not report.ok
    seen: dict[str, object] = {}
    for row in report.rows:
        seen[row.role if row.role not in seen else f"{row.role}#2"] = row
    for role, (status, detail) in expected.items():
        assert (seen[role].status, role) == (status, role)
        assert detail in seen[role].detail
        assert f"{role.split('#')[0]} {status}" in report.verdict()
    untouched = [row for key, row in seen.items() if key not in expected]
    assert all(row.status == "valid" for row in untouched), [(r.role, r.status, r.detail) for r in untouched]
    if journal_problem:
        assert report.journal is not None and not report.journal.ok
        assert journal_problem in "\n".join((report.journal.detail, *report.journal.problems))
        assert "journal changed" in report.verdict() or "record differs from its journal" in report.verdict()
    else:
        assert report.journal is not None and report.journal.ok


def test_the_untouched_session_verifies_and_the_command_exits_0(session: Path, capsys):
    report = verify(session)
    assert report.ok, report.verdict()
    assert [row.status for row in report.rows] == ["valid"] * 3
    parser = argparse.ArgumentParser()
    cmd_verify.add_arguments(parser, "verify")
    args = parser.parse_args(
        [str(session / "record.toml"), "--allowed-signers", str(session / "allowed_signers"),
         "--journal", str(session / "journal.jsonl"), "--at", "2026-11-23T09:00:00Z"]
    )  # fmt: skip
    assert cmd_verify.run(args) == 0
    out = capsys.readouterr().out
    assert "✓ VERIFIED: all 3 required roles signed and valid; journal intact" in out
    assert out.count("✓ valid") == 3


def test_a_tampered_session_makes_the_command_exit_1_with_a_cross(session: Path, capsys):
    edit_record(lambda d: d["record"].update(outcome="NO-GO"))(session, {})
    parser = argparse.ArgumentParser()
    cmd_verify.add_arguments(parser, "verify")
    args = parser.parse_args([str(session / "record.toml"), "--allowed-signers", str(session / "allowed_signers")])
    assert cmd_verify.run(args) == 1
    out = capsys.readouterr().out
    assert "✗ bad signature" in out and "✗ NOT VERIFIED" in out


def test_rewriting_the_file_in_another_layout_keeps_every_signature_valid(session: Path):
    path = session / "record.toml"
    path.write_text(tomli_w.dumps(tomllib.loads(path.read_text())))  # as a plain tomli_w writer would
    assert verify(session).ok
