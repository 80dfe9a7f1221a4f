"""The audit bundle, reviews and history: export, verify offline, any changed byte caught; a signed review."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from tests.fixtures.ssh import make_key

ROOT = Path(__file__).resolve().parents[2]


def golive(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "golive.console.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


def emergency_session(tmp: Path, name: str) -> Path:
    text = (ROOT / "examples" / "local-smoke.toml").read_text().replace(
        'environment = "local"\n', 'environment = "local"\nchange_id = "CHG-9"\nchange_type = "emergency"\n')
    runbook = tmp / f"{name}.toml"
    runbook.write_text(text)
    folder = tmp / "sessions" / name
    res = golive("run", str(runbook), "--headless", "--answers", "examples/local-smoke.answers.toml",
                 "--session-dir", str(folder), "--emergency-reason", "card payments failing")
    assert res.returncode == 0, res.stderr
    return folder


@pytest.fixture(scope="module")
def signed_session(tmp_path_factory):
    """A finished emergency go-live, signed by both roles and reviewed, with its allowed_signers file."""
    from tests.fixtures._binaries import need_binary

    need_binary("ssh-keygen", "openssh-client")
    tmp = tmp_path_factory.mktemp("bundle")
    folder = emergency_session(tmp, "first")
    keys = {role: make_key(tmp, role, f"{role}@example.com") for role in ("deployment-lead", "operations", "cab")}
    for role in ("deployment-lead", "operations"):
        # one person signs one role (signoff_distinct): each role by its own signer
        res = golive("sign", str(folder / "record.toml"), "--role", role, "--key", str(keys[role].path),
                     "--name", role.title())
        assert res.returncode == 0, res.stderr
    res = golive("review", str(folder), "--role", "cab", "--key", str(keys["cab"].path), "--name", "Carol CAB",
                 "--note", "emergency justified; root cause INC-77")
    assert res.returncode == 0, res.stderr
    allowed = tmp / "allowed_signers"
    allowed.write_text("".join(k.allowed_line() + "\n" for k in keys.values()))
    bundle = tmp / "bundle.tar.gz"
    res = golive("export", str(folder), "-o", str(bundle))
    assert res.returncode == 0, res.stderr
    return folder, allowed, bundle, tmp


def test_the_bundle_holds_the_whole_session_with_a_manifest(signed_session):
    folder, _, bundle, _ = signed_session
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
    assert names[0] == "first/SHA256SUMS"
    assert {"first/runbook.toml", "first/journal.jsonl", "first/record.toml", "first/record.json",
            "first/record.md", "first/reviews.toml"} <= set(names)


def test_the_bundle_verifies_offline_and_with_its_signatures(signed_session):
    _, allowed, bundle, _ = signed_session
    res = golive("verify", "--bundle", str(bundle))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "manifest" in res.stdout and "journal" in res.stdout and "VERIFIED" in res.stdout
    res = golive("verify", "--bundle", str(bundle), "--allowed-signers", str(allowed))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "signature deployment-lead" in res.stdout and "review cab" in res.stdout


def test_any_changed_byte_in_any_member_is_caught(signed_session):
    from golive.console.bundle import verify_bundle

    _, allowed, bundle, tmp = signed_session
    with tarfile.open(bundle) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar]
    for index, (info, data) in enumerate(members):
        for position in (0, len(data) // 2, len(data) - 1):
            changed = bytearray(data)
            changed[position] ^= 0x01
            out = tmp / "tampered.tar.gz"
            with tarfile.open(out, "w:gz") as tar:
                for j, (other, content) in enumerate(members):
                    body = bytes(changed) if j == index else content
                    copy = tarfile.TarInfo(other.name)
                    copy.size = len(body)
                    tar.addfile(copy, io.BytesIO(body))
            report = verify_bundle(out, allowed)
            assert not report.ok, f"{info.name} byte {position} changed and the bundle still verified"


def test_a_damaged_archive_is_not_verified(signed_session):
    from golive.console.bundle import verify_bundle

    _, _, bundle, tmp = signed_session
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp / "damaged.tar.gz").write_bytes(bytes(data))
    report = verify_bundle(tmp / "damaged.tar.gz")
    assert not report.ok


def test_a_review_is_journaled_after_the_outcome_and_the_record_still_verifies(signed_session):
    folder, allowed, _, _ = signed_session
    journal = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    assert journal[-1]["type"] == "review" and journal[-1]["role"] == "cab"
    res = golive("verify", str(folder / "record.toml"), "--allowed-signers", str(allowed),
                 "--journal", str(folder / "journal.jsonl"))
    assert res.returncode == 0, res.stdout + res.stderr
    review = tomllib.loads((folder / "reviews.toml").read_text())["review"][0]
    assert review["name"] == "Carol CAB" and review["change_id"] == "CHG-9"


def test_a_changed_review_no_longer_verifies(signed_session, tmp_path):
    import shutil

    from golive.console.review import verify_reviews

    folder, allowed, _, _ = signed_session
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    text = (copy / "reviews.toml").read_text().replace("emergency justified", "emergency unjustified")
    (copy / "reviews.toml").write_text(text)
    [(role, ok, detail)] = verify_reviews(copy, allowed)
    assert role == "cab" and not ok and "bad signature" in detail


def test_a_second_review_by_the_same_role_is_refused(signed_session):
    folder, _, _, tmp = signed_session
    res = golive("review", str(folder), "--role", "cab", "--key", str(tmp / "cab"))
    assert res.returncode == 2 and "already reviewed" in res.stderr


def test_history_lists_records_by_date_with_change_signatures_and_review(signed_session):
    _, _, _, tmp = signed_session
    emergency_session(tmp, "second")
    res = golive("history", str(tmp / "sessions"), "--json")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [Path(r["folder"]).name for r in rows] == ["first", "second"]
    first, second = rows
    assert first["change_id"] == "CHG-9" and first["outcome"] == "GO" and first["service"] == "hello-service"
    assert first["signatures"] == "2/2 signed" and first["review"] == "reviewed by cab"
    assert second["signatures"] == "0/2 signed" and second["review"] == "REVIEW NEEDED"
    table = golive("history", str(tmp / "sessions"), env={"COLUMNS": "200"})
    assert table.returncode == 0 and "REVIEW NEEDED" in table.stdout


def test_history_of_a_missing_folder_is_bad_input(tmp_path):
    res = golive("history", str(tmp_path / "nowhere"))
    assert res.returncode == 2 and "not a folder" in res.stderr


def test_exporting_a_folder_without_a_record_is_bad_input(tmp_path):
    (tmp_path / "journal.jsonl").write_text("")
    res = golive("export", str(tmp_path), "-o", str(tmp_path / "b.tar.gz"))
    assert res.returncode == 2 and "no record.toml" in res.stderr


def test_a_record_json_rewritten_with_a_fresh_manifest_is_still_caught(signed_session):
    import hashlib

    from golive.console.bundle import verify_bundle

    _, _, bundle, tmp = signed_session
    with tarfile.open(bundle) as tar:
        members = {info.name: tar.extractfile(info).read() for info in tar}
    record = json.loads(members["first/record.json"])
    record["record"]["outcome"] = "NO-GO"
    members["first/record.json"] = json.dumps(record).encode()
    members["first/SHA256SUMS"] = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(
        members.items()) if not n.endswith("SHA256SUMS")).encode()
    out = tmp / "rewritten.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    report = verify_bundle(out)
    assert not report.ok and "record.json: differs from record.toml's signed body" in report.verdict()
