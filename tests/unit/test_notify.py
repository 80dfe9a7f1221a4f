"""Notification policy: quiet by default, a gate that opens is said once and then reminded, no URL ever shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.console.engine import Engine
from golive.console.notify import NotifyConfigError, prepare, resolve_url
from golive.console.runbook import parse_runbook

RUNBOOK = """
[runbook]
name = "payments v2"
service = "payments"
version = "v2"
change_id = "CHG-1"

[[phase]]
id = "one"
[[phase]]
id = "two"

[[notify]]
id = "room"
url_env = "GOLIVE_UNIT_HOOK"
on = ["gate_open", "decision"]
remind_every = "10m"

[[notify]]
id = "managers"
kind = "slack"
url_file = "{url_file}"
on = ["outcome"]
"""


class FakeSender:
    def __init__(self, url, **kw):
        self.url, self.kw, self.bodies = url, kw, []

    def send(self, event, body):
        self.bodies.append((event, body))
        return True

    def close(self, wait=5.0):
        return 0


class FakeSession:
    def __init__(self, runbook, folder):
        self.runbook, self.folder, self.operator, self.headless = runbook, folder, "alice", False
        self.engine = Engine(runbook)
        self.clock = lambda: 1000.0

    def feed(self, notifier, events):
        for e in events:
            self.engine.apply(e)
            notifier("event", e)


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("GOLIVE_UNIT_HOOK", "https://hooks.example.com/T0KEN")
    url_file = tmp_path / "hook"
    url_file.write_text("https://hooks.slack.example.com/services/SECRET\n")
    runbook = parse_runbook(RUNBOOK.format(url_file=url_file))
    notifier = prepare(runbook, FakeSender)
    session = FakeSession(runbook, tmp_path / "session")
    notifier.session = session  # bind() without a loop: poll is driven by hand here
    session.feed(notifier, session.engine.cmd_start(1000.0, operator="alice"))
    return notifier, session


def test_each_target_hears_only_the_events_it_asked_for(setup):
    notifier, session = setup
    session.feed(notifier, session.engine.cmd_proceed("alice", now=1001.0))
    session.feed(notifier, session.engine.cmd_proceed("bob", now=1002.0))
    room, managers = notifier.senders["room"], notifier.senders["managers"]
    assert [e for e, _ in room.bodies] == ["decision", "decision"]
    assert [e for e, _ in managers.bodies] == ["outcome"]
    assert room.bodies[1][1]["by"] == "bob" and room.bodies[1][1]["phase"]["id"] == "two"
    assert managers.bodies[0][1]["text"] == "[CHG-1] outcome GO: every phase passed"


def test_an_open_gate_is_said_once_then_reminded_every_remind_every(setup):
    notifier, session = setup
    for t in (1000.0, 1005.0, 1300.0):
        notifier.poll(t)
    notifier.poll(1600.0)
    notifier.poll(1700.0)
    notifier.poll(2200.0)
    sent = [(b["event"], b["reminder"]) for _, b in notifier.senders["room"].bodies]
    assert sent == [("gate_open", 0), ("gate_open", 1), ("gate_open", 2)]
    assert "waits for the lead to proceed (reminder 2, open 1200s)" in notifier.senders["room"].bodies[-1][1]["text"]
    # proceeding closes that gate; the next phase's open gate is news again
    session.feed(notifier, session.engine.cmd_proceed("alice", now=2300.0))
    notifier.poll(2301.0)
    assert [(b["event"], b["reminder"]) for _, b in notifier.senders["room"].bodies][-2:] == \
        [("decision", 0), ("gate_open", 0)]


def test_nothing_is_sent_without_notify_targets():
    runbook = parse_runbook('[runbook]\nname = "x"\nservice = "x"\nversion = "1"\n[[phase]]\nid = "p"\n')
    assert prepare(runbook, FakeSender) is None


def test_a_missing_url_names_where_it_looked_and_never_a_url(tmp_path, monkeypatch):
    monkeypatch.delenv("GOLIVE_UNIT_HOOK", raising=False)
    runbook = parse_runbook(RUNBOOK.format(url_file=tmp_path / "absent"))
    with pytest.raises(NotifyConfigError, match=r"notify\[1\] room: environment variable GOLIVE_UNIT_HOOK is not set"):
        resolve_url(runbook.notify[0], 0)
    with pytest.raises(NotifyConfigError, match=r"notify\[2\] managers: cannot read url_file"):
        resolve_url(runbook.notify[1], 1)
    bad = tmp_path / "bad"
    bad.write_text("hooks.example.com/SECRET-PATH")
    runbook = parse_runbook(RUNBOOK.format(url_file=bad))
    with pytest.raises(NotifyConfigError) as err:
        resolve_url(runbook.notify[1], 1)
    assert "SECRET-PATH" not in str(err.value) and "not an http(s) URL" in str(err.value)


def test_no_body_holds_the_url(setup):
    notifier, session = setup
    session.feed(notifier, session.engine.cmd_proceed("alice", now=1001.0))
    session.feed(notifier, session.engine.cmd_proceed("alice", now=1002.0))
    text = repr([b for s in notifier.senders.values() for _, b in s.bodies])
    assert "T0KEN" not in text and "SECRET" not in text and "hooks." not in text


@pytest.mark.parametrize("fragment, message", [
    ('on = ["phase_started", "lunch"]', "unknown event 'lunch'"),
    ('on = []', "at least 1 item"),
    ('url_file = "x"', "exactly one of url_env or url_file"),
    ('remind_every = "1s"', "would flood the room"),
])
def test_a_bad_notify_target_is_refused_naming_the_field(fragment, message):
    from golive.console.runbook import RunbookError

    base = {"on": 'on = ["outcome"]', "url": 'url_env = "X"'}
    lines = [f for f in (base["url"], base["on"]) if f.split("=")[0] != fragment.split("=")[0]] + [fragment]
    text = ('[runbook]\nname = "x"\nservice = "x"\nversion = "1"\n[[phase]]\nid = "p"\n'
            '[[notify]]\nid = "n"\n' + "\n".join(lines) + "\n")
    with pytest.raises(RunbookError) as err:
        parse_runbook(text, "rb.toml")
    assert any(message in p and p.startswith("rb.toml:") and "notify[1]" in p for p in err.value.problems), \
        err.value.problems


def test_the_notification_policy_imports_no_network_client():
    import json
    import subprocess
    import sys

    code = ("import golive.console.notify, golive.console.change, golive.console.window, golive.console.bundle\n"
            "import golive.console.review, sys, json\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    modules = set(json.loads(out.stdout))
    assert "httpx" not in modules and "textual" not in modules and "golive.checks.webhook" not in modules


def test_a_trigger_is_news_when_pending_and_when_firing_not_when_armed(tmp_path, monkeypatch):
    from golive.console import events as ev

    monkeypatch.setenv("GOLIVE_UNIT_HOOK", "https://hooks.example.com/T0KEN")
    text = RUNBOOK.format(url_file=tmp_path / "unused").replace(
        'on = ["gate_open", "decision"]', 'on = ["trigger"]').replace(
        '[[notify]]\nid = "managers"', '[[trigger]]\nid = "errors"\ntitle = "Errors high"\nsource = "command"\n'
        'run = ["true"]\nthen = "alert"\n\n[[notify]]\nid = "managers"')
    (tmp_path / "unused").write_text("https://x.example.com/S")
    runbook = parse_runbook(text)
    notifier = prepare(runbook, FakeSender)
    session = FakeSession(runbook, tmp_path / "session")
    notifier.session = session
    session.feed(notifier, session.engine.cmd_start(1000.0, operator="alice"))
    session.feed(notifier, [ev.TriggerState(at=1001.0, trigger="errors", state=s, value=3.0)
                            for s in ("armed", "pending", "firing", "resolved")])
    bodies = [b for _, b in notifier.senders["room"].bodies]
    assert [b["detail"]["state"] for b in bodies] == ["pending", "firing"]
    assert bodies[1]["text"] == "trigger Errors high firing" and bodies[1]["detail"]["then"] == "alert"


def test_a_headless_run_never_says_a_gate_waits_for_a_person(setup):
    notifier, session = setup
    session.headless = True
    notifier.poll(1000.0)
    notifier.poll(2000.0)
    assert notifier.senders["room"].bodies == []
