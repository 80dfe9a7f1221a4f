"""Notifications of a headless run reach a real HTTP receiver on 127.0.0.1, in order, and never hold the run up."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE = (ROOT / "examples" / "local-smoke.toml").read_text()


def smoke_runbook(tmp_path: Path, kind: str = "webhook", extra: str = "") -> Path:
    text = SMOKE.replace('environment = "local"\n', 'environment = "local"\nchange_id = "CHG-4821"\n'
                         'ticket = "https://tickets.example.com/CHG-4821"\nchange_type = "normal"\n')
    text += f"""
[[notify]]
id = "war-room"
kind = "{kind}"
url_env = "GOLIVE_TEST_HOOK"
on = ["phase_started", "phase_ended", "gate_open", "approval_awaited", "trigger", "decision", "outcome", "signed"]
{extra}
"""
    path = tmp_path / "rb.toml"
    path.write_text(text)
    return path


def run_headless(runbook: Path, folder: Path, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOLIVE_TEST_HOOK": url}
    return subprocess.run([sys.executable, "-m", "golive.console.cli", "run", str(runbook), "--headless", "--answers",
                           "examples/local-smoke.answers.toml", "--session-dir", str(folder)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env=env, stdin=subprocess.DEVNULL)


def no_secret_anywhere(receiver, folder: Path, res: subprocess.CompletedProcess) -> None:
    for body in receiver.raw:
        assert receiver.secret.encode() not in body
    for name in os.listdir(folder):
        assert receiver.secret not in (folder / name).read_text(errors="replace"), name
    assert receiver.secret not in res.stdout + res.stderr


def test_a_headless_run_notifies_the_room_of_every_step_in_order(tmp_path, webhook_receiver):
    receiver = webhook_receiver("ok")
    folder = tmp_path / "s"
    res = run_headless(smoke_runbook(tmp_path), folder, receiver.url)
    assert res.returncode == 0, res.stderr
    got = [(b["event"], (b["phase"] or {}).get("id")) for b in receiver.bodies]
    assert got == [
        ("phase_started", "preflight"), ("decision", "preflight"), ("phase_ended", "preflight"),
        ("phase_started", "release"), ("decision", "release"), ("phase_ended", "release"),
        ("outcome", "release"), ("signed", "release"), ("signed", "release"),
    ]
    first = receiver.bodies[0]
    assert first["schema"] == "golive.notification/1"
    assert first["change"] == {"id": "CHG-4821", "ticket": "https://tickets.example.com/CHG-4821",
                               "type": "normal", "window": "none"}
    assert first["runbook"]["service"] == "hello-service" and first["session"] == "s"
    assert first["phase"] == {"id": "preflight", "title": "Pre-flight", "number": 1, "of": 2}
    decision = receiver.bodies[1]
    assert decision["by"] == "golive (headless)" and decision["detail"]["kind"] == "proceed"
    assert receiver.bodies[6]["detail"]["outcome"] == "GO"
    signed = receiver.bodies[-1]
    assert signed["by"] == "bob" and \
        signed["detail"] == {"kind": "signoff", "role": "operations", "missing": [], "complete": True}
    assert all(p == f"/hooks/{receiver.secret}" for p in receiver.paths)
    no_secret_anywhere(receiver, folder, res)
    assert "notification_failure" not in tomllib.loads((folder / "record.toml").read_text())


def test_a_slack_target_gets_a_slack_body_naming_the_change(tmp_path, webhook_receiver):
    receiver = webhook_receiver("ok")
    res = run_headless(smoke_runbook(tmp_path, kind="slack"), tmp_path / "s", receiver.url)
    assert res.returncode == 0, res.stderr
    first = receiver.bodies[0]
    assert set(first) == {"text", "blocks"}
    assert first["text"] == "[CHG-4821] phase Pre-flight started"
    assert "hello-service v0.1.0 → local · phase 1/2 Pre-flight" in first["blocks"][1]["elements"][0]["text"]


def test_a_failing_receiver_is_a_log_line_and_a_record_entry_never_a_stop(tmp_path, webhook_receiver):
    receiver = webhook_receiver("fail")
    folder = tmp_path / "s"
    res = run_headless(smoke_runbook(tmp_path, extra="retries = 1"), folder, receiver.url)
    assert res.returncode == 0, res.stderr
    record = tomllib.loads((folder / "record.toml").read_text())
    assert record["record"]["outcome"] == "GO"
    failures = record["notification_failure"]
    assert failures[0]["target"] == "war-room" and failures[0]["event"] == "phase_started"
    assert failures[0]["attempts"] == 2 and failures[0]["error"] == "HTTP 500"
    journal = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    assert any(e["type"] == "notify_failed" for e in journal)
    assert "not delivered" in res.stderr or "not delivered" in (folder / "record.md").read_text()
    no_secret_anywhere(receiver, folder, res)


async def _drive(runbook_path: Path, folder: Path, url: str | None) -> tuple[dict, list[dict], object]:
    """One in-process headless run; returns each check's sample times, the journal and the notifier."""
    from golive.checks.manual import load_answers
    from golive.console.notify import prepare
    from golive.console.runbook import load_runbook
    from golive.console.session import Session

    samples: dict[str, list[float]] = {}

    def hear(kind, payload):
        if kind == "sample":
            samples.setdefault(payload.check_id, []).append(payload.at)

    runbook = load_runbook(runbook_path)
    if url is None:
        runbook = runbook.model_copy(update={"notify": []})
    os.environ["GOLIVE_TEST_HOOK"] = url or ""
    notifier = prepare(runbook)
    session = Session.start(runbook, session_dir=folder, headless=True,
                            answers=load_answers(ROOT / "examples/local-smoke.answers.toml"),
                            listeners=(hear, notifier) if notifier else (hear,))
    if notifier is not None:
        notifier.bind(session)
    try:
        await session.run()
    finally:
        session.close()
    journal = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    return samples, journal, notifier


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


@pytest.mark.asyncio
async def test_a_stalled_receiver_never_delays_a_check_or_a_decision(tmp_path, webhook_receiver):
    receiver = webhook_receiver("stall")
    runbook = smoke_runbook(tmp_path, extra='timeout = "60s"')
    runbook.write_text(runbook.read_text().replace('hold = "2s"', 'hold = "5s"'))  # more samples to compare
    base_samples, base_journal, _ = await _drive(runbook, tmp_path / "base", None)
    samples, journal, notifier = await _drive(runbook, tmp_path / "stalled", receiver.url)
    try:
        # the whole go-live ran while the first notification was still waiting for an answer
        assert not receiver.released.is_set() and len(receiver.bodies) == 1
        kinds = [e["type"] for e in journal]
        assert kinds.count("decision") == 2 \
            and journal[[e["type"] for e in journal].index("outcome")]["outcome"] == "GO"
        assert len(notifier.sent) == 9
        # the same checks were sampled, and the same steps journaled, as without notifications
        assert set(samples) == set(base_samples)
        steps = ("session_started", "phase_started", "tick", "action_started", "decision", "phase_ended",
                 "outcome", "signoff")
        assert [k for k in kinds if k in steps] == [e["type"] for e in base_journal if e["type"] in steps]
        def offsets(events):
            start = events[0]["at"]
            return [(e["type"], e.get("check") or e.get("kind") or e.get("phase"), round(e["at"] - start, 3))
                    for e in events if e["type"] in ("verdict", "decision")]

        for (kind, what, at), (_, _, base_at) in zip(offsets(journal), offsets(base_journal), strict=False):
            print(f"{kind} {what}: at +{at:.3f}s with a stalled receiver, +{base_at:.3f}s without notify")
        for check, times in samples.items():
            gaps, base_gaps = _gaps(times), _gaps(base_samples[check])
            if gaps and base_gaps:
                print(f"{check}: median gap {statistics.median(gaps):.3f}s with a stalled receiver, "
                      f"{statistics.median(base_gaps):.3f}s without notify; max {max(gaps):.3f}s / "
                      f"{max(base_gaps):.3f}s")
    finally:
        receiver.released.set()
        notifier.close(wait=0.5)
    await asyncio.sleep(0)


def test_golive_sign_tells_the_room_which_signatures_are_still_missing(tmp_path, webhook_receiver, ssh_keygen):
    from tests.fixtures.ssh import make_key

    receiver = webhook_receiver("ok")
    folder = tmp_path / "s"
    assert run_headless(smoke_runbook(tmp_path), folder, receiver.url).returncode == 0
    before = len(receiver.bodies)
    key = make_key(tmp_path, "lead", "alice@example.com")
    res = subprocess.run([sys.executable, "-m", "golive.console.cli", "sign", str(folder / "record.toml"), "--role",
                          "deployment-lead", "--key", str(key.path), "--name", "Alice Lead"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL,
                         env={**os.environ, "GOLIVE_TEST_HOOK": receiver.url})
    assert res.returncode == 0, res.stderr
    [body] = receiver.bodies[before:]
    assert body["event"] == "signed" and body["by"] == "Alice Lead" and body["change"]["id"] == "CHG-4821"
    assert body["detail"] == {"kind": "signature", "role": "deployment-lead", "missing": ["operations"],
                              "complete": False}
    assert receiver.secret not in res.stdout + res.stderr
