"""`golive import` through the `golive` command, and headless runs of what it wrote, each in a process of its own."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from golive.console.runbook import load_runbook
from tests.unit.test_importer_cli import CHECKLIST, golive_import

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def checklist(tmp_path: Path) -> Path:
    path = tmp_path / "go-live.md"
    path.write_text(CHECKLIST, encoding="utf-8")
    return path


def test_the_golive_command_line_routes_import_to_the_importer(checklist, tmp_path):
    target = tmp_path / "runbook.toml"
    res = subprocess.run([sys.executable, "-m", "golive.console.cli", "import", str(checklist), "-o", str(target)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert load_runbook(target).phases[1].traffic == 5


@pytest.mark.skipif(not (ROOT / "console" / "cmd_run.py").exists(), reason="the headless runner is not there yet")
def test_an_imported_checklist_runs_headless_with_answers_to_a_go_record(checklist, tmp_path):
    runbook, answers, session = tmp_path / "runbook.toml", tmp_path / "answers.toml", tmp_path / "session"
    assert golive_import(str(checklist), "-o", str(runbook), "-q") == 0
    answers.write_text('[answers.change-approved]\nby = "alice"\n\n[answers.smoke-tests-passed]\nby = "bob"\n\n'
                       '[signoff.deployer]\nby = "alice"\n\n[signoff.operations-lead]\nby = "bob"\n')
    res = subprocess.run(
        [sys.executable, "-m", "golive.console.cli", "run", str(runbook), "--headless", "--answers", str(answers),
         "--session-dir", str(session), "--set", "service=payments-api", "--set", "environment=staging"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stdout + res.stderr
    record = tomllib.loads((session / "record.toml").read_text())
    assert record["record"]["outcome"] == "GO"
    manual = {m["id"]: m for p in record["phase"] for m in p.get("manual", [])}
    assert manual["change-approved"]["by"] == "alice" and manual["smoke-tests-passed"]["by"] == "bob"
    assert [s["role"] for s in record["signature_status"]["signed_off"]] == ["deployer", "operations-lead"]


def test_running_an_import_before_its_blanks_are_filled_stops_at_once_naming_each_one(checklist, tmp_path):
    runbook = tmp_path / "runbook.toml"
    assert golive_import(str(checklist), "-o", str(runbook), "-q") == 0
    res = subprocess.run(
        [sys.executable, "-m", "golive.console.cli", "run", str(runbook), "--headless", "--dry-run",
         "--session-dir", str(tmp_path / "session")],
        capture_output=True, text=True, cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)
    assert res.returncode == 2
    lines = res.stderr.splitlines()
    assert [ln.split(": ")[2].split(" ")[0] for ln in lines] == ["runbook.service", "runbook.environment"]
    assert all(ln.startswith(f"golive: {runbook}:") and "--set" in ln for ln in lines)
    assert not (tmp_path / "session").exists()


def test_a_headless_run_names_every_manual_item_it_has_no_answer_for_before_it_starts(checklist, tmp_path):
    runbook = tmp_path / "runbook.toml"
    assert golive_import(str(checklist), "-o", str(runbook), "-q") == 0
    answers = tmp_path / "answers.toml"
    answers.write_text('[answers.change-approved]\nby = "alice"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "golive.console.cli", "run", str(runbook), "--headless", "--answers", str(answers),
         "--session-dir", str(tmp_path / "session"), "--set", "service=api", "--set", "environment=staging"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        first = proc.stderr.readline()  # said before the run starts: the run itself would wait for the item
    finally:
        proc.kill()
        proc.wait()
    assert first.startswith("golive: warning: manual item 'smoke-tests-passed'")
    assert "[answers.smoke-tests-passed]" in first
