"""Real `kill -9` of `golive run --headless` at random moments, then `golive resume --headless`.

Whatever the moment, the resumed run ends as the run left alone ends, runs no phase action after a
decided rollback, makes every sign-off of the answers file, and leaves a record bound to its outcome.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from golive.console.journal import read_journal
from golive.console.signing import verify_record
from tests.integration.kill_runbooks import OUTCOMES, actions_after_a_rollback_decision, summary, write

ROOT = Path(__file__).resolve().parents[2]
# (runbook, seconds after the first journal line): a few moments drawn at random on each run
MOMENTS = [("slow-rollback", random.uniform(0.0, 1.5)), ("slow-rollback", random.uniform(0.5, 2.0)),
           ("three-phases", random.uniform(0.0, 1.5)), ("phase-one-of-two", random.uniform(0.0, 0.6))]


def golive(*args: str) -> list[str]:
    return [sys.executable, "-m", "golive.console.cli", *args]


def resume(folder: Path, answers: Path) -> subprocess.CompletedProcess:
    return subprocess.run(golive("resume", str(folder), "--headless", "--answers", str(answers)), cwd=ROOT,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def assert_ends_as_left_alone(name: str, folder: Path, res: subprocess.CompletedProcess, where: str) -> None:
    events = read_journal(folder / "journal.jsonl").events
    got = summary(events)
    assert res.returncode == (0 if OUTCOMES[name] == "GO" else 1), f"{where}: {res.stderr}"
    assert got["outcomes"] == [OUTCOMES[name]], f"{where}: {got}"
    assert actions_after_a_rollback_decision(events) == [], where
    assert sorted(got["signoffs"]) == [("deployment-lead", "alice"), ("operations", "bob")][
        :len(tomllib.loads((folder / "runbook.toml").read_text())["runbook"]["signoff"])], where
    record = tomllib.loads((folder / "record.toml").read_text())
    assert record["record"]["outcome"] == OUTCOMES[name], where
    assert events[record["record"]["journal_events"] - 1]["type"] == "outcome", where
    assert "record: None" not in res.stderr, where


@pytest.mark.parametrize("name,delay", MOMENTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(MOMENTS)])
def test_a_kill_at_a_random_moment_resumes_to_the_same_end(tmp_path, name, delay):
    runbook, answers = write(tmp_path, name)
    folder = tmp_path / "session"
    proc = subprocess.Popen(golive("run", str(runbook), "--headless", "--answers", str(answers), "--session-dir",
                                   str(folder)), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        journal = folder / "journal.jsonl"
        for _ in range(600):  # the session exists once its first line is on disk
            if journal.is_file() and journal.stat().st_size:
                break
            time.sleep(0.05)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    lines = len(read_journal(folder / "journal.jsonl").events)
    res = resume(folder, answers)
    assert_ends_as_left_alone(name, folder, res, f"killed {delay:.2f}s in, after line {lines}")


def test_a_headless_run_deploys_nothing_while_its_own_rollback_runs(tmp_path):
    runbook, answers = write(tmp_path, "slow-rollback")
    folder = tmp_path / "session"
    res = subprocess.run(golive("run", str(runbook), "--headless", "--answers", str(answers), "--session-dir",
                                str(folder)), cwd=ROOT, capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 1, res.stderr
    assert "DEPLOYING TO 100 PERCENT" not in res.stdout and "proceed" not in res.stdout
    events = read_journal(folder / "journal.jsonl").events
    assert [e["action"] for e in events if e["type"] == "action_started"] == ["phase:canary", "rollback"]
    allowed = tmp_path / "allowed_signers"
    allowed.write_text("")
    report = verify_record(folder / "record.toml", allowed, journal=folder / "journal.jsonl")
    assert report.journal is not None and report.journal.ok, report.journal


def test_a_phase_action_running_when_the_rollback_is_decided_ends_before_the_outcome(tmp_path):
    runbook = tmp_path / "rb.toml"
    runbook.write_text("""
[runbook]
name = "x"
service = "x"
version = "1"

[[phase]]
id = "deploy"
timeout = "1m"
action = { run = ["sh", "-c", "sleep 1; echo deployed"] }

[[trigger]]
id = "errors"
source = "command"
run = ["echo", "5"]
fire = "> 1"
every = "100ms"
then = "rollback"

[rollback]
run = ["sh", "-c", "echo undone"]
""")
    folder = tmp_path / "session"
    res = subprocess.run(golive("run", str(runbook), "--headless", "--session-dir", str(folder)), cwd=ROOT,
                         capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert res.returncode == 1, res.stderr
    events = read_journal(folder / "journal.jsonl").events
    outcome = next(i for i, e in enumerate(events) if e["type"] == "outcome")
    assert events[outcome]["outcome"] == "ROLLED BACK"
    assert [e["action"] for e in events[:outcome] if e["type"] == "action_finished"] == ["rollback", "phase:deploy"]
    assert not [e for e in events[outcome + 1:] if e["type"] not in ("signoff", "resumed")]
