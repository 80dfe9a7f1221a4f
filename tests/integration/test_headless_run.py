"""`golive run --headless`: exit codes, the session folder, the record, resume, the lock."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def golive(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "golive.console.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_the_local_smoke_example_runs_headless_to_go_and_writes_its_record(tmp_path):
    folder = tmp_path / "session"
    res = golive("run", "examples/local-smoke.toml", "--headless", "--answers",
                 "examples/local-smoke.answers.toml", "--session-dir", str(folder))
    assert res.returncode == 0, res.stderr
    assert (folder / "journal.jsonl").is_file() and (folder / "record.md").is_file()
    record = tomllib.loads((folder / "record.toml").read_text())
    assert record["record"]["outcome"] == "GO"
    assert record["record"]["signoff"] == ["deployment-lead", "operations"]
    assert record["signature_status"]["missing"] == ["deployment-lead", "operations"]
    assert [s["role"] for s in record["signature_status"]["signed_off"]] == ["deployment-lead", "operations"]
    manual = {m["id"]: m for p in record["phase"] for m in p.get("manual", [])}
    assert manual["change-approved"]["by"] == "alice" and manual["change-approved"]["checked"]
    assert [a["exit_code"] for a in record["action"]] == [0]
    from golive.console.journal import read_journal
    from golive.console.record import journal_anchor

    replay = read_journal(folder / "journal.jsonl")  # the record is bound to the line of the outcome
    assert (record["record"]["journal_sha256"], record["record"]["journal_events"]) == \
        journal_anchor(replay.events, replay.head)
    assert replay.events[record["record"]["journal_events"] - 1]["type"] == "outcome"
    md = (folder / "record.md").read_text()
    assert "**Outcome: ✓ GO**" in md and "| Check | Value | Target | Status |" in md
    assert "✓" in res.stdout and "GO" in res.stdout


def test_an_invalid_runbook_exits_2_with_its_message(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[runbook]\nname = "x"\nservice = "x"\nversion = "1"\n\n[[phase]]\nid = "p"\nhold = "soon"\n')
    res = golive("run", str(bad), "--headless", "--session-dir", str(tmp_path / "s"))
    assert res.returncode == 2
    assert f"{bad}:8: phase[1].hold: expected a duration" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "s").exists()


def test_unanswered_manual_items_let_the_phase_time_out_to_no_go(tmp_path):
    rb = tmp_path / "rb.toml"
    rb.write_text('[runbook]\nname = "x"\nservice = "x"\nversion = "1"\n\n[[phase]]\nid = "p"\ntimeout = "1s"\n'
                  '  [[phase.check]]\n  id = "m"\n  source = "manual"\n')
    res = golive("run", str(rb), "--headless", "--session-dir", str(tmp_path / "s"))
    assert res.returncode == 1
    record = tomllib.loads((tmp_path / "s" / "record.toml").read_text())
    assert record["record"]["outcome"] == "NO-GO" and "timed out" in record["record"]["reason"]


def test_a_fired_rollback_trigger_runs_the_rollback_and_ends_rolled_back(tmp_path):
    marker = tmp_path / "rolled-back"
    rb = tmp_path / "rb.toml"
    rb.write_text(f"""[runbook]
name = "x"
service = "x"
version = "1"

[[phase]]
id = "p"
timeout = "1m"
action = {{ run = ["true"] }}
  [[phase.check]]
  id = "never"
  source = "manual"

[[trigger]]
id = "errors"
title = "Errors above 1"
source = "command"
run = ["echo", "5"]
fire = "> 1"
for = "1s"
every = "200ms"
then = "rollback"

[rollback]
run = ["touch", "{marker}"]
""")
    res = golive("run", str(rb), "--headless", "--json", "--session-dir", str(tmp_path / "s"))
    assert res.returncode == 1, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert [e["state"] for e in events if e["type"] == "trigger"][:2] == ["pending", "firing"]
    assert marker.exists()
    record = tomllib.loads((tmp_path / "s" / "record.toml").read_text())
    assert record["record"]["outcome"] == "ROLLED BACK"
    assert "trigger Errors above 1 fired" in record["record"]["reason"]  # by its title, not its id
    assert [a["action"] for a in record["action"]] == ["phase:p", "rollback"]
    assert record["trigger"][0]["state"] == "firing"


def test_dry_run_shows_and_records_actions_without_running_them(tmp_path):
    marker = tmp_path / "ran"
    rb = tmp_path / "rb.toml"
    rb.write_text(f'[runbook]\nname = "x"\nservice = "x"\nversion = "1"\n\n[[phase]]\nid = "p"\n'
                  f'action = {{ run = ["touch", "{marker}"] }}\n')
    res = golive("run", str(rb), "--headless", "--dry-run", "--session-dir", str(tmp_path / "s"))
    assert res.returncode == 0, res.stderr
    assert not marker.exists()
    record = tomllib.loads((tmp_path / "s" / "record.toml").read_text())
    assert record["action"][0]["dry_run"] is True and record["record"]["dry_run"] is True
    assert "touch" in res.stdout


def test_resume_replays_the_journal_and_carries_on(tmp_path):
    rb = tmp_path / "rb.toml"
    rb.write_text('[runbook]\nname = "x"\nservice = "x"\nversion = "1"\n\n[[phase]]\nid = "p"\ntimeout = "1s"\n'
                  '  [[phase.check]]\n  id = "m"\n  source = "manual"\n')
    folder = tmp_path / "s"
    assert golive("run", str(rb), "--headless", "--session-dir", str(folder)).returncode == 1
    lines_before = (folder / "journal.jsonl").read_text().count("\n")
    res = golive("resume", str(folder), "--headless")
    assert res.returncode == 1  # the outcome (NO-GO) stands
    text = (folder / "journal.jsonl").read_text()
    assert text.count("\n") == lines_before + 1 and '"type":"resumed"' in text
    assert "already ended NO-GO" in res.stderr and "record: None" not in res.stderr


def test_a_second_driver_of_a_session_is_refused_and_pointed_to_watch(tmp_path):
    from golive.console.journal import Journal

    folder = tmp_path / "s"
    rb = tmp_path / "rb.toml"
    rb.write_text('[runbook]\nname = "x"\nservice = "x"\nversion = "1"\n\n[[phase]]\nid = "p"\ntimeout = "1s"\n')
    assert golive("run", str(rb), "--headless", "--session-dir", str(folder)).returncode == 0
    journal, _ = Journal.resume(folder)
    try:
        res = golive("resume", str(folder), "--headless")
        on_screen = golive("resume", str(folder))  # the mission screen: refused before it opens
    finally:
        journal.close()
    assert res.returncode == 2 and "golive watch" in res.stderr
    assert on_screen.returncode == 2 and "is being driven by pid" in on_screen.stderr
    assert "\x1b[" not in on_screen.stdout + on_screen.stderr  # no screen was drawn


@pytest.mark.parametrize("answers,message", [
    ("[answers.x]\nnote = 'no by'\n", "answers.x.by: expected the name"),
    ("[answer.x]\nby = 'a'\n", "unknown section 'answer'"),
])
def test_a_bad_answers_file_exits_2_naming_the_field(tmp_path, answers, message):
    path = tmp_path / "a.toml"
    path.write_text(answers)
    res = golive("run", "examples/local-smoke.toml", "--headless", "--answers", str(path),
                 "--session-dir", str(tmp_path / "s"))
    assert res.returncode == 2 and message in res.stderr
