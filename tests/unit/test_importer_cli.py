"""`golive import` on the command line: stdout or an atomic -o, exit codes (in process; the `golive` command and
headless runs of the result are in tests/integration/test_importer_runs.py)."""

from __future__ import annotations

import argparse
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
