"""Change metadata at `golive run`: the freeze refuses, a bypass and an emergency are journaled and in the record."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from datetime import date, timedelta
from pathlib import Path

from golive.console.change import change_label, header_flags
from golive.console.state import GoLiveState

ROOT = Path(__file__).resolve().parents[2]


def golive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "golive.console.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, stdin=subprocess.DEVNULL)


def runbook(tmp_path: Path, change_type: str = "normal", window: str = "") -> Path:
    path = tmp_path / "rb.toml"
    path.write_text(f"""[runbook]
name = "payments v2"
service = "payments"
version = "v2"
change_id = "CHG-4821"
ticket = "https://bob:hunter2@tickets.example.com/CHG-4821"
change_type = "{change_type}"
{window}
[[phase]]
id = "only"
""")
    return path


def frozen_today() -> tuple[str, str]:
    today = date.today()
    return (f'[window]\ntimezone = "UTC"\nfreeze = [{{ from = "{today - timedelta(days=1)}", '
            f'to = "{today + timedelta(days=1)}", reason = "year-end freeze" }}]\n'), str(today + timedelta(days=2))


def journal(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]


def test_a_run_in_a_freeze_is_refused_with_the_next_allowed_time_and_creates_nothing(tmp_path):
    window, after = frozen_today()
    res = golive("run", str(runbook(tmp_path, window=window)), "--headless", "--session-dir", str(tmp_path / "s"))
    assert res.returncode == 2
    assert "year-end freeze" in res.stderr and f"next allowed: {after} 00:00 UTC" in res.stderr
    assert "--bypass-window" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "s").exists()


def test_a_bypassed_freeze_is_journaled_and_marked_in_the_record(tmp_path):
    window, _ = frozen_today()
    folder = tmp_path / "s"
    res = golive("run", str(runbook(tmp_path, window=window)), "--headless", "--session-dir", str(folder),
                 "--operator", "alice", "--bypass-window", "payments outage INC-77")
    assert res.returncode == 0, res.stderr
    events = journal(folder)
    assert [e["type"] for e in events[:3]] == ["session_started", "change", "phase_started"]
    change = events[1]
    assert change["window"] == "bypassed" and change["bypass_reason"] == "payments outage INC-77"
    assert change["by"] == "alice" and "year-end freeze" in change["window_detail"]
    record = tomllib.loads((folder / "record.toml").read_text())
    assert record["change"]["window"] == "bypassed" and record["change"]["bypass_by"] == "alice"
    assert record["change"]["bypass_reason"] == "payments outage INC-77"
    assert "Bypass reason | payments outage INC-77" in (folder / "record.md").read_text()


def test_the_ticket_loses_its_password_everywhere(tmp_path):
    folder = tmp_path / "s"
    res = golive("run", str(runbook(tmp_path)), "--headless", "--json", "--session-dir", str(folder))
    assert res.returncode == 0, res.stderr
    for name in ("journal.jsonl", "record.toml", "record.md"):
        assert "hunter2" not in (folder / name).read_text()
    assert "hunter2" not in res.stdout
    record = tomllib.loads((folder / "record.toml").read_text())
    assert record["change"] == {"id": "CHG-4821", "ticket": "https://tickets.example.com/CHG-4821",
                                "type": "normal"}


def test_an_emergency_change_needs_its_reason_at_start(tmp_path):
    res = golive("run", str(runbook(tmp_path, "emergency")), "--headless", "--session-dir", str(tmp_path / "s"))
    assert res.returncode == 2 and "--emergency-reason" in res.stderr
    assert not (tmp_path / "s").exists()


def test_an_emergency_reason_for_a_normal_change_is_bad_input(tmp_path):
    res = golive("run", str(runbook(tmp_path)), "--headless", "--session-dir", str(tmp_path / "s"),
                 "--emergency-reason", "because")
    assert res.returncode == 2 and 'change_type = "emergency"' in res.stderr


def test_an_emergency_change_journals_its_reason_and_its_record_asks_for_a_review(tmp_path):
    folder = tmp_path / "s"
    res = golive("run", str(runbook(tmp_path, "emergency")), "--headless", "--session-dir", str(folder),
                 "--emergency-reason", "card payments failing since 09:12")
    assert res.returncode == 0, res.stderr
    assert journal(folder)[1]["emergency_reason"] == "card payments failing since 09:12"
    change = tomllib.loads((folder / "record.toml").read_text())["change"]
    assert change["type"] == "emergency" and change["review_required"] is True
    assert change["emergency_reason"] == "card payments failing since 09:12"
    assert "Needs a review" in (folder / "record.md").read_text()


def test_a_runbook_without_change_metadata_journals_no_change_event(tmp_path):
    folder = tmp_path / "s"
    res = golive("run", "examples/local-smoke.toml", "--headless", "--answers", "examples/local-smoke.answers.toml",
                 "--session-dir", str(folder))
    assert res.returncode == 0, res.stderr
    assert "change" not in [e["type"] for e in journal(folder)]
    assert "change" not in tomllib.loads((folder / "record.toml").read_text())


def test_the_header_keeps_the_emergency_and_the_bypass_for_the_whole_session():
    st = GoLiveState()
    assert header_flags(st) == ()
    st.change = {"change_type": "emergency", "window": "bypassed"}
    assert header_flags(st) == ("EMERGENCY", "WINDOW BYPASSED")


def test_the_header_names_the_change_and_its_type(tmp_path):
    from golive.console.runbook import load_runbook

    assert change_label(load_runbook(runbook(tmp_path))) == "CHG-4821 (normal)"


def test_a_mistyped_change_field_is_named_with_its_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[runbook]\nname = "x"\nservice = "x"\nversion = "1"\nchange_type = "urgent"\n'
                   '[window]\ntimezon = "UTC"\n[[phase]]\nid = "p"\n')
    res = golive("lint", str(bad))
    assert res.returncode == 1
    assert (f"{bad}:5: runbook.change_type: expected 'standard', 'normal' or 'emergency', got "
            "'urgent'") in res.stdout + res.stderr
    assert f"{bad}:7: window.timezon: unknown field 'timezon' (did you mean 'timezone'?)" in res.stdout + res.stderr


def bypass_runbook(tmp_path: Path, users: list[str]) -> Path:
    window, _ = frozen_today()
    window += 'bypass_role = "change-manager"\n\n[roles.change-manager]\nusers = ' + json.dumps(users) + "\n"
    return runbook(tmp_path, window=window)


def test_a_bypass_bound_to_a_role_is_refused_to_someone_outside_it(tmp_path):
    from golive.console.change import ChangeRefused, start_event
    from golive.console.runbook import load_runbook

    rb = load_runbook(bypass_runbook(tmp_path, ["carol"]))
    try:
        start_event(rb, time.time(), "alice", bypass_reason="payments outage INC-77")
    except ChangeRefused as exc:
        assert "--bypass-window refused" in str(exc) and "only change-manager: carol" in str(exc)
    else:
        raise AssertionError("a bypass outside the bound role was allowed")


def test_a_bypass_bound_to_a_role_names_the_kernels_user_not_the_operator_flag(tmp_path):
    from golive.console.change import login_name, start_event
    from golive.console.runbook import load_runbook

    rb = load_runbook(bypass_runbook(tmp_path, [login_name()]))
    change = start_event(rb, time.time(), "someone-else", bypass_reason="payments outage INC-77")
    assert change is not None and change.window == "bypassed" and change.by == login_name()


def test_lint_names_an_unknown_bypass_role(tmp_path):
    window, _ = frozen_today()
    path = runbook(tmp_path, window=window + 'bypass_role = "nobody"\n\n[roles.ops]\nusers = ["dana"]\n')
    res = golive("lint", str(path))
    assert res.returncode == 1 and "window.bypass_role: unknown role 'nobody'" in res.stdout + res.stderr
