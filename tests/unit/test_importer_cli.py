"""`golive import` on the command line: stdout or an atomic -o, exit codes, and a headless run of the result."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from golive.console import cmd_import
from golive.console.runbook import load_runbook

ROOT = Path(__file__).resolve().parents[2]

CHECKLIST = """# Payments API v2.4.0 go-live

## Pre-flight
- [ ] Change approved (@change-board)
- [ ] Config rendered
  ```bash
  ls /
  ```

## Canary (5% traffic)
- [ ] Smoke tests passed — Owner: QA

## Sign-off
- Deployed by: ________
- **Operations Lead**: ____ Date: ____
"""


def golive_import(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="golive import")
    cmd_import.add_arguments(parser, "import")
    return cmd_import.run(parser.parse_args(list(argv)))


@pytest.fixture()
def checklist(tmp_path: Path) -> Path:
    path = tmp_path / "go-live.md"
    path.write_text(CHECKLIST, encoding="utf-8")
    return path


def test_without_o_the_runbook_goes_to_stdout_and_the_summary_to_stderr(checklist, capsys):
    assert golive_import(str(checklist)) == 0
    out, err = capsys.readouterr()
    data = tomllib.loads(out)
    assert data["runbook"]["signoff"] == ["deployer", "operations-lead"]
    assert f"golive import: {checklist} → stdout" in err
    assert "2 phases, 3 checks (command 1, manual 2), 0 triggers, 2 sign-off roles" in err


def test_o_writes_a_runbook_that_loads_and_leaves_no_temporary_file(checklist, tmp_path, capsys):
    target = tmp_path / "runbook.toml"
    assert golive_import(str(checklist), "-o", str(target)) == 0
    rb = load_runbook(target)
    assert rb.runbook.name == "Payments API v2.4.0 go-live" and rb.runbook.service == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["go-live.md", "runbook.toml"]
    assert capsys.readouterr().out == ""


def test_an_existing_output_is_kept_unless_force_is_given(checklist, tmp_path, capsys):
    target = tmp_path / "runbook.toml"
    target.write_text("# hand edited\n")
    assert golive_import(str(checklist), "-o", str(target)) == 2
    assert target.read_text() == "# hand edited\n"
    assert "already exists (pass --force to replace it)" in capsys.readouterr().err
    assert golive_import(str(checklist), "-o", str(target), "--force", "-q") == 0
    assert target.read_text().startswith("# Runbook imported by `golive import`")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("content", "message"), [
    (b"\x00\x01binary", "not a Markdown checklist: binary data"),
    (b"", "empty: nothing to import"),
    (b"# Only a title\n\nSome prose.\n", "no checklist items found"),
])
def test_bad_input_is_one_line_on_stderr_exit_2_and_nothing_written(tmp_path, capsys, content, message):
    source, target = tmp_path / "in.md", tmp_path / "out.toml"
    source.write_bytes(content)
    assert golive_import(str(source), "-o", str(target)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not target.exists()


def test_a_missing_file_or_a_folder_is_bad_input(tmp_path, capsys):
    assert golive_import(str(tmp_path / "absent.md")) == 2
    assert golive_import(str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "absent.md: cannot read: No such file or directory" in err and "is a folder, not a checklist" in err


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


def test_preflight_names_an_example_host_and_an_unset_variable_one_line_each():
    from golive.console.preflight import missing_inputs
    from golive.console.runbook import parse_runbook

    text = ("[runbook]\nname = 'x'\nservice = 's'\nversion = 'v'\nenvironment = 'e'\n[runbook.vars]\nhost = ''\n"
            "[[phase]]\nid = 'a'\n[[phase.check]]\nid = 'h'\nsource = 'http'\n"
            "url = 'https://service.example.com/health'\n[[phase.check]]\nid = 'g'\nsource = 'http'\n"
            "url = 'https://${host}/health'\n")
    rb = parse_runbook(text, "rb.toml")
    lines = missing_inputs(rb, "host = ''\n")
    assert lines[0] == "rb.toml:1: variable ${host} is not set (runbook.vars.host): fill it in or pass --set host=…"
    assert "check 'h'" in lines[1] and "check 'g'" in lines[2] and len(lines) == 3
    filled = parse_runbook(text, "rb.toml", {"host": "api.internal"})  # what --set host=… does
    assert [ln.split(": ", 1)[1] for ln in missing_inputs(filled, text, {"host": "api.internal"})] == [
        "check 'h' (phase 'a') has no real host in its url (https://service.example.com/health)"]
