"""Answers files: every malformed one, and every answer the runbook cannot use, is one line with the file and
field (exit 2); a headless run says at the start which manual items it will wait for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from golive.checks.manual import load_answers

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = """
[runbook]
name = "answers"
service = "svc"
version = "1"
signoff = ["deployment-lead"]

[[phase]]
id = "approve"
timeout = "1s"

  [[phase.check]]
  id = "change-approved"
  title = "Change approved"
  source = "manual"
  role = "deployment-lead"

  [[phase.check]]
  id = "smoke-tests"
  source = "manual"
"""


def golive(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    runbook = tmp_path / "rb.toml"
    runbook.write_text(RUNBOOK)
    return subprocess.run([sys.executable, "-m", "golive.console.cli", "run", str(runbook), "--headless",
                           "--session-dir", str(tmp_path / "s"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("text, expected", [
    ("answers = 5\n", "answers: expected a table like [answers.<check-id>]"),
    ('answers = "x"\n', "answers: expected a table like [answers.<check-id>]"),
    ("answers = [1, 2]\n", "answers: expected a table like [answers.<check-id>]"),
    ("signoff = 5\n", "signoff: expected a table like [signoff.<role>]"),
    ('[answers]\nsmoke-tests = 5\n', "answers.smoke-tests.by: expected the name of who confirmed it"),
    ('[answers.smoke-tests]\nby = "bob"\nnote = 5\n', "answers.smoke-tests.note: expected a string"),
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("x = " + "9" * 5000 + "\n", "a number too long"),
])
def test_a_malformed_answers_file_is_one_line_with_the_file_and_field(tmp_path, text, expected):
    answers = tmp_path / "answers.toml"
    answers.write_text(text)
    with pytest.raises(ValueError) as info:
        load_answers(answers)
    assert str(info.value).startswith(f"{answers}: ") and expected in str(info.value)


def test_a_non_utf8_answers_file_is_named(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_bytes(b'[answers.smoke-tests]\nby = "b\xffb"\n')
    res = golive(tmp_path, "--answers", str(answers))
    assert res.returncode == 2 and res.stderr == f"golive: {answers}: not UTF-8 text (byte 29)\n"


@pytest.mark.parametrize("text, expected", [
    ('[answers.smoke-test]\nby = "bob"\n',
     "answers.smoke-test: the runbook has no manual item 'smoke-test' (its manual items: change-approved, "
     "smoke-tests)"),
    ('[signoff.security]\nby = "carol"\n',
     "signoff.security: the runbook has no sign-off role 'security' (its roles: deployment-lead)"),
    ('[approve.security]\nby = "carol"\n',
     "approve.security: no phase of the runbook awaits an approval by role 'security' (approvals awaited: none)"),
    ("answers = 5\n", "answers: expected a table"),
])
def test_answers_the_runbook_cannot_use_are_refused_before_the_run(tmp_path, text, expected):
    answers = tmp_path / "answers.toml"
    answers.write_text(text)
    res = golive(tmp_path, "--answers", str(answers))
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and f"{answers}: {expected}" in res.stderr
    assert not (tmp_path / "s").exists()  # refused before any session started


def test_a_headless_run_names_each_manual_item_it_will_wait_for(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text('[answers.smoke-tests]\nby = "bob"\n')
    res = golive(tmp_path, "--answers", str(answers), "--json")
    assert res.returncode == 1  # nobody confirmed the change: the phase times out
    first = res.stderr.splitlines()[0]
    assert first == ("golive: warning: manual item 'change-approved' (phase 'approve': Change approved, role "
                     "deployment-lead) has no answer: the run will wait for it until the phase times out after 1s; "
                     "add [answers.change-approved] to --answers")
    assert "smoke-tests" not in res.stderr


def test_a_headless_run_without_answers_names_every_manual_item(tmp_path):
    res = golive(tmp_path, "--json")
    waiting = [line for line in res.stderr.splitlines() if "has no answer" in line]
    assert [line.split("manual item ")[1].split()[0] for line in waiting] == ["'change-approved'", "'smoke-tests'"]


def test_a_resume_refuses_answers_its_runbook_cannot_use(tmp_path):
    golive(tmp_path, "--json")
    answers = tmp_path / "answers.toml"
    answers.write_text('[answers.nope]\nby = "bob"\n')
    res = subprocess.run([sys.executable, "-m", "golive.console.cli", "resume", str(tmp_path / "s"), "--headless",
                          "--answers", str(answers)], capture_output=True, text=True, cwd=ROOT, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"golive: {answers}: answers.nope: the runbook has no manual item 'nope'" in res.stderr
