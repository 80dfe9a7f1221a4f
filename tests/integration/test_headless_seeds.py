"""Headless runs of the seed semantics the driver carries out: abort and pause responses, a broken soak,
an unverified rollback, several actions in order — with command sources, no servers."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAD = f"""[runbook]
name = "svc"
service = "svc"
version = "v1"

[runbook.vars]
python = "{sys.executable}"
"""


def run(tmp_path: Path, text: str) -> tuple[subprocess.CompletedProcess, dict]:
    rb = tmp_path / "rb.toml"
    rb.write_text(HEAD + text)
    folder = tmp_path / "session"
    res = subprocess.run([sys.executable, "-m", "golive.console.cli", "run", str(rb), "--headless", "--session-dir",
                          str(folder)], capture_output=True, text=True, cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)
    record = tomllib.loads((folder / "record.toml").read_text()) if (folder / "record.toml").exists() else {}
    return res, record


def test_an_abort_trigger_ends_the_go_live_no_go_by_itself(tmp_path):
    res, record = run(tmp_path, """
[[phase]]
id = "p"
action = { run = ["true"], confirm = false }
timeout = "30s"

  [[phase.check]]
  id = "never"
  source = "command"
  run = ["false"]
  every = "100ms"

[[trigger]]
id = "vuln"
title = "Critical vulnerability found"
source = "command"
run = ["false"]
every = "100ms"
then = "abort"
""")
    assert res.returncode == 1, res.stderr
    assert record["record"]["outcome"] == "NO-GO"
    assert record["record"]["reason"] == "aborted by golive: trigger Critical vulnerability found fired"


def test_a_fail_inside_a_soak_aborts_it(tmp_path):
    res, record = run(tmp_path, """
[[phase]]
id = "soak"
duration = "1h"
timeout = "2h"

  [[phase.check]]
  id = "flips"
  title = "Flips to failing"
  source = "command"
  run = ["${python}", "-c", "import os,time; p='flag'; print(1 if os.path.exists(p) else 0); open(p,'w').close()"]
  cwd = "%s"
  pass = "< 0.5"
  every = "100ms"
""" % tmp_path)
    assert res.returncode == 1, res.stderr
    assert record["record"]["outcome"] == "NO-GO"
    assert "soak broken: Flips to failing FAIL" in record["record"]["reason"]


def test_a_rollback_whose_verify_check_fails_is_no_go_unverified(tmp_path):
    res, record = run(tmp_path, """
[[phase]]
id = "p"
action = { run = ["true"], confirm = false }
timeout = "30s"

[[trigger]]
id = "bad"
source = "command"
run = ["false"]
every = "100ms"
then = "rollback"
plan = "undo"

[[rollback]]
id = "undo"
timeout = "1s"
  [[rollback.step]]
  run = ["true"]
  [[rollback.step]]
  run = ["true"]
  [[rollback.verify]]
  id = "still-bad"
  source = "command"
  run = ["false"]
  every = "100ms"
""")
    assert res.returncode == 1, res.stderr
    assert record["record"]["outcome"] == "NO-GO"
    assert record["record"]["reason"].startswith("rollback unverified after 1s: still-bad FAIL")
    assert [a["action"] for a in record["action"]] == ["phase:p", "rollback:undo:1", "rollback:undo:2"]
    assert record["rollback"][0]["verify"][0]["verdict"] == "FAIL"


def test_a_phase_runs_its_actions_in_order_before_its_gate_opens(tmp_path):
    res, record = run(tmp_path, """
[[phase]]
id = "stress"
timeout = "30s"
actions = [{ run = ["${python}", "-c", "print('stress')"], confirm = false },
           { run = ["${python}", "-c", "print('failover')"], confirm = false }]
""")
    assert res.returncode == 0, res.stderr
    assert [(a["action"], a["output_tail"].strip()) for a in record["action"]] == \
        [("phase:stress", "stress"), ("phase:stress#2", "failover")]
    assert record["record"]["outcome"] == "GO"


def test_resuming_a_seed_scenario_demo_is_refused_in_one_line(tmp_path):
    import json

    import pytest

    from golive.console.cmd_demo import DemoResumeError, mark_demo_session, resumed_world

    mark_demo_session(tmp_path, "blue-green", 20.0)
    (tmp_path / "journal.jsonl").write_text(json.dumps({"type": "session_started", "variables": {}}) + "\n")
    with pytest.raises(DemoResumeError) as info:
        resumed_world(tmp_path)
    assert "the blue-green demo cannot be resumed; start a new one with golive demo --scenario blue-green" \
        in str(info.value) and "\n" not in str(info.value)
