"""The journal: hash chain, torn-line repair, tamper detection, the session lock, the follower, and its size."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from golive.console.events import Note, Summary, Tick, Verdict
from golive.console.journal import (
    Journal,
    JournalError,
    JournalFollower,
    JournalLocked,
    read_journal,
    session_folder_name,
    verify_chain,
)
from golive.console.session import SUMMARY_EVERY
from golive.console.units import round_sig

REPO = Path(__file__).resolve().parents[2]
T0 = 1795379400.0  # 2026-11-22T20:30:00Z


def note(i: int) -> dict:
    return Note(at=T0 + i * 1.25, by="deployment-lead", text=f"note {i} — ok").to_dict()


def write_journal(folder: Path, count: int) -> Path:
    with Journal.create(folder) as journal:
        for i in range(count):
            journal.append(note(i), sync=i % 2 == 0)
    return folder / "journal.jsonl"


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def test_a_written_chain_reads_back_verified_and_its_head_is_the_hash_of_the_last_line(tmp_path):
    path = write_journal(tmp_path / "s", 8)
    replay = read_journal(path)
    lines = lines_of(path)
    assert [e["seq"] for e in replay.events] == list(range(1, 9))
    assert [e["text"] for e in replay.events] == [f"note {i} — ok" for i in range(8)]
    assert replay.head == hashlib.sha256(lines[-1]).hexdigest()
    assert replay.warnings == []
    assert verify_chain(path) == (replay.head, 8)
    for before, line in zip(lines, lines[1:], strict=False):
        assert json.loads(line)["prev"] == hashlib.sha256(before).hexdigest()


def test_each_line_is_compact_json_with_seq_first_prev_last_and_the_first_prev_is_zeros(tmp_path):
    path = write_journal(tmp_path / "s", 2)
    first = lines_of(path)[0]
    assert first.startswith(b'{"seq":1,"at":') and b", " not in first and "—".encode() in first
    keys = list(json.loads(first))
    assert keys[0] == "seq" and keys[-1] == "prev" and {"type", "at", "by", "text"} <= set(keys)
    assert json.loads(first)["prev"] == "0" * 64


def test_append_returns_the_stored_event_and_the_journal_tracks_head_and_seq(tmp_path):
    with Journal.create(tmp_path / "s") as journal:
        stored = journal.append(Tick(at=T0, check="smoke", by="qa").to_dict(), sync=True)
        assert stored["seq"] == 1 and stored["check"] == "smoke" and stored["prev"] == "0" * 64
        assert journal.seq == 1 and not journal.unsynced
        journal.append(note(1), sync=False)
        assert journal.unsynced
        journal.sync()
        assert not journal.unsynced
    assert read_journal(journal.path).head == journal.head


@pytest.mark.parametrize("tail", [b'{"seq":7,"at":1795380', b"\x00\x00\x00\x00\n"], ids=["partial", "garbage"])
def test_a_torn_last_line_is_dropped_and_named_in_the_warnings(tmp_path, tail):
    path = write_journal(tmp_path / "s", 6)
    head = read_journal(path).head
    with open(path, "ab") as f:
        f.write(tail)
    replay = read_journal(path)
    assert len(replay.events) == 6 and replay.head == head
    assert replay.warnings == ["journal.jsonl:7: torn last line dropped (a crash while writing)"]


def test_resume_cuts_a_torn_last_line_and_appends_after_it_with_a_valid_chain(tmp_path):
    path = write_journal(tmp_path / "s", 6)
    with open(path, "ab") as f:
        f.write(b'{"seq":7,"at":17953806')
    journal, replay = Journal.resume(tmp_path / "s")
    with journal:
        assert replay.warnings == ["journal.jsonl:7: torn last line dropped (a crash while writing)"]
        assert journal.seq == 6 and journal.head == replay.head
        journal.append(note(7), sync=True)
    again = read_journal(path)
    assert again.warnings == [] and [e["seq"] for e in again.events] == list(range(1, 8))
    assert verify_chain(path) == (journal.head, 7)


def tampered(tmp_path: Path, change) -> str:
    path = write_journal(tmp_path / "s", 10)
    lines = lines_of(path)
    change(lines)
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    with pytest.raises(JournalError) as caught:
        read_journal(path)
    with pytest.raises(JournalError) as caught_again:
        Journal.resume(tmp_path / "s")
    assert str(caught_again.value) == str(caught.value)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_one_changed_byte_in_a_middle_line_breaks_the_chain_at_the_next_line(tmp_path):
    def change(lines):
        lines[4] = lines[4].replace(b"note 4", b"note 5")

    message = tampered(tmp_path, change)
    assert message == "journal.jsonl:6: chain broken: prev does not match the SHA-256 of line 5"


def test_a_middle_line_made_unparsable_by_one_byte_is_named(tmp_path):
    def change(lines):
        lines[4] = b"[" + lines[4][1:]

    assert tampered(tmp_path, change).startswith("journal.jsonl:5: not valid JSON (")


def test_a_deleted_middle_line_is_named_by_the_seq_found_in_its_place(tmp_path):
    message = tampered(tmp_path, lambda lines: lines.pop(4))
    assert message.startswith("journal.jsonl:5: bad seq: expected 5, found 6")


def test_two_swapped_lines_are_named_at_the_first_of_them(tmp_path):
    def change(lines):
        lines[4], lines[5] = lines[5], lines[4]

    assert tampered(tmp_path, change).startswith("journal.jsonl:5: bad seq: expected 5, found 6")


def test_create_refuses_a_folder_that_already_has_a_journal(tmp_path):
    write_journal(tmp_path / "s", 1)
    with pytest.raises(JournalError, match="already has a journal; use golive resume"):
        Journal.create(tmp_path / "s")
    Journal.resume(tmp_path / "s")[0].close()  # the refusal let go of the lock


def test_an_empty_journal_resumes_with_the_zero_head(tmp_path):
    Journal.create(tmp_path / "s").close()
    journal, replay = Journal.resume(tmp_path / "s")
    with journal:
        assert replay.events == [] and replay.head == "0" * 64 and journal.seq == 0


def test_a_second_driver_of_a_locked_session_is_refused_and_told_to_watch(tmp_path):
    folder = tmp_path / "s"
    with Journal.create(folder):
        for second_driver in (lambda: Journal.create(folder), lambda: Journal.resume(folder)):
            with pytest.raises(JournalLocked) as caught:
                second_driver()
            message = str(caught.value)
            assert message.startswith(f"session {folder} is being driven by pid {os.getpid()} on ")
            assert message.endswith(f"follow it read-only with: golive watch {folder}")
    Journal.resume(folder)[0].close()  # closing released it


def test_a_session_held_by_a_driver_with_a_socket_is_offered_to_attach(tmp_path):
    folder = tmp_path / "s"
    with Journal.create(folder):
        (folder / "driver.sock").touch()  # where a driver process answers its seats
        with pytest.raises(JournalLocked) as caught:
            Journal.resume(folder)
    assert str(caught.value).endswith(
        f"attach to it with: golive attach {folder}, or follow it read-only with: golive watch {folder}")


def test_an_event_with_nan_is_refused_and_the_journal_stays_usable(tmp_path):
    with Journal.create(tmp_path / "s") as journal:
        nan = Verdict(at=T0, check="canary-error-rate", verdict="ERROR", value=float("nan")).to_dict()
        with pytest.raises(JournalError, match=r"^journal.jsonl:1: cannot journal a 'verdict' event"):
            journal.append(nan, sync=True)
        journal.append(note(1), sync=True)
    assert verify_chain(journal.path)[1] == 1


def test_a_session_folder_name_is_the_utc_start_then_service_and_version():
    assert session_folder_name(T0, "payments-api", "v1.2.3") == "20261122T203000Z-payments-api-v1.2.3"
    weird = session_folder_name(T0, "payments api/eu", "../v1.2.3+build 7")
    assert weird == "20261122T203000Z-payments-api-eu-v1.2.3-build-7"
    assert session_folder_name(T0, "", "///") == "20261122T203000Z"


def test_the_follower_returns_exactly_the_new_events_as_the_writer_appends(tmp_path):
    folder = tmp_path / "s"
    follower = JournalFollower(folder / "journal.jsonl")
    assert follower.read_new() == []  # the driver has not started yet
    with Journal.create(folder) as journal:
        written = [journal.append(note(i), sync=False) for i in range(3)]
        assert follower.read_new() == written
        assert follower.read_new() == []
        written = [journal.append(note(i), sync=False) for i in range(3, 5)]
        assert follower.read_new() == written
        assert (follower.seq, follower.head) == (journal.seq, journal.head)


def test_the_follower_waits_for_a_half_written_line_to_be_finished(tmp_path):
    source = write_journal(tmp_path / "source", 5).read_bytes()
    expected = read_journal(tmp_path / "source" / "journal.jsonl").events
    followed = tmp_path / "journal.jsonl"
    follower = JournalFollower(followed)
    end_of_3 = source.index(b"\n", source.index(b'"seq":3')) + 1
    halfway_4 = end_of_3 + 40
    with open(followed, "wb") as f:
        f.write(source[:halfway_4])
        f.flush()
        assert follower.read_new() == expected[:3]
        assert follower.read_new() == []
        f.write(source[halfway_4:])
        f.flush()
        assert follower.read_new() == expected[3:]


def test_the_follower_keeps_up_when_a_resuming_driver_cuts_a_torn_line(tmp_path):
    path = write_journal(tmp_path / "s", 3)
    follower = JournalFollower(path)
    assert len(follower.read_new()) == 3
    with open(path, "ab") as f:
        f.write(b'{"seq":4,"at":179538')
    assert follower.read_new() == []
    journal, _ = Journal.resume(tmp_path / "s")
    with journal:
        stored = journal.append(note(4), sync=True)
    assert follower.read_new() == [stored]


def test_the_follower_hands_over_the_good_lines_then_names_the_line_where_the_chain_breaks(tmp_path):
    path = write_journal(tmp_path / "s", 3)
    follower = JournalFollower(path)
    follower.read_new()
    good = json.dumps({"seq": 4, "at": 1.0, "type": "note", "prev": follower.head}, separators=(",", ":"))
    forged = json.dumps({"seq": 5, "at": 2.0, "type": "note", "prev": "ab" * 32}, separators=(",", ":"))
    with open(path, "a") as f:
        f.write(good + "\n" + forged + "\n")
    assert [e["seq"] for e in follower.read_new()] == [4]
    with pytest.raises(JournalError) as caught:
        follower.read_new()
    assert str(caught.value) == "journal.jsonl:5: chain broken: prev does not match the SHA-256 of line 4"


def test_a_write_that_fails_halfway_leaves_no_partial_line_and_the_journal_goes_on(tmp_path, monkeypatch):
    real_write = os.write

    def disk_full_halfway(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    with Journal.create(tmp_path / "s") as journal:
        journal.append(note(1), sync=True)
        size = journal.path.stat().st_size
        monkeypatch.setattr(os, "write", disk_full_halfway)
        with pytest.raises(JournalError, match="^journal.jsonl:2: could not write: No space left on device$"):
            journal.append(note(2), sync=True)
        monkeypatch.undo()
        assert journal.path.stat().st_size == size and journal.seq == 1
        journal.append(note(3), sync=True)
    assert [e["text"] for e in read_journal(journal.path).events] == ["note 1 — ok", "note 3 — ok"]


def test_the_journal_imports_only_the_standard_library():
    code = (
        "import sys, console.journal; "
        "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'console', '__main__'}))"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


CHECK_IDS = [
    f"{phase}-{metric}-{region}"
    for phase in ("preflight", "canary", "validation", "soak")
    for metric in ("error-rate", "latency-p99", "latency-p50", "http-5xx-ratio", "saturation-cpu",
                   "saturation-memory", "pod-restarts", "db-replication-lag", "queue-depth", "availability",
                   "apdex", "gc-pause-p99", "connection-pool-usage")
    for region in ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1",
                   "sa-east-1", "ca-central-1", "eu-north-1", "us-east-2")
][:500]


def test_a_day_of_500_checks_every_15_seconds_keeps_the_journal_under_10_mb(tmp_path):
    # The driver's policy: verdict changes (here 2 per check per hour) plus one summary of every check per
    # 30 minutes (SUMMARY_EVERY), each check sampled every 15 s: [last, min, max, count, errors] since the
    # start, values at the 6 significant digits the engine journals (round_sig).
    rng = random.Random(20261122)
    figures = {check: [0.0, float("inf"), float("-inf"), 0, 0] for check in CHECK_IDS}
    window_s = SUMMARY_EVERY
    verdicts_per_window = int(2 * len(CHECK_IDS) * window_s / 3600)
    with Journal.create(tmp_path / "s") as journal:
        for window in range(int(24 * 3600 / window_s)):
            start = T0 + window * window_s
            for at in sorted(start + rng.random() * window_s for _ in range(verdicts_per_window)):
                value = round_sig(rng.uniform(0, 2))
                journal.append(
                    Verdict(at=at, check=rng.choice(CHECK_IDS), verdict=rng.choice(("PASS", "WARN", "FAIL")),
                            value=value, detail=f"{value:.4g} % (pass < 0.5)").to_dict(),
                    sync=False,
                )
            for f in figures.values():
                f[0] = rng.uniform(0, 2)
                f[1], f[2] = min(f[1], f[0], rng.uniform(0, 0.01)), max(f[2], f[0], rng.uniform(1.9, 2))
                f[3] += 40
                f[4] += rng.random() < 0.01
            # Summary.to_dict() as a literal: asdict deep-copies 500 lists, which only slows the test down.
            summary = {"at": start + window_s + rng.random(),
                       "checks": {c: [round_sig(v) for v in f[:3]] + f[3:] for c, f in figures.items()}}
            journal.append({**summary, "type": Summary.type}, sync=False)
            journal.sync()
    size = journal.path.stat().st_size
    print(f"journal of 24 h, {len(CHECK_IDS)} checks: {size / 1e6:.2f} MB in {journal.seq} lines")
    assert verify_chain(journal.path)[1] == int(24 * 3600 / window_s) * (verdicts_per_window + 1)
    assert size < 10_000_000, f"{size / 1e6:.2f} MB"
