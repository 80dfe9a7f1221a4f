"""`golive resume` of a demo killed with -9: its sandboxes come back where they listened (and with the canary weight
its last action set), or the resume says in one line that they cannot."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

DEADLINE = 120.0   # seconds before giving up on what the journal should show; never a timing assertion


def golive(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "golive.console.cli", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def events(folder: Path) -> list[dict]:
    path = folder / "journal.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def wait_until(condition, what: str, proc: subprocess.Popen | None = None):
    end = time.monotonic() + DEADLINE
    while True:
        found = condition()
        if found:
            return found
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode} before {what}: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def test_resuming_a_killed_demo_brings_its_sandboxes_back_or_says_it_cannot(tmp_path):
    folder = tmp_path / "session"
    demo = golive("demo", "--headless", "--speed", "10", "--session-dir", str(folder), cwd=tmp_path)
    try:
        wait_until(lambda: [e for e in events(folder) if e["type"] == "action_finished"
                            and e["action"] == "phase:canary-5" and e["exit_code"] == 0], "the 5 % canary", demo)
    finally:
        demo.send_signal(signal.SIGKILL)
        demo.wait(timeout=30)
        demo.stderr.close()
    assert not [e for e in events(folder) if e["type"] == "outcome"], "the demo ended before it was killed"
    variables = events(folder)[0]["variables"]

    # a port taken by someone else: one plain line, exit 2, no screen and no run of refused connections
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", urlsplit(variables["kube_server"]).port))
    blocker.listen()
    try:
        refused = subprocess.run([sys.executable, "-m", "golive.console.cli", "resume", str(folder), "--headless"],
                                 cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    finally:
        blocker.close()
    assert refused.returncode == 2, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot restart the demo's sandboxes" in lines[0], refused.stderr
    assert "Traceback" not in refused.stderr

    before = len(events(folder))
    resumed = golive("resume", str(folder), "--headless", cwd=tmp_path)
    try:
        # the resumed run sees the sandboxes: its checks pass again and the headless run proceeds
        wait_until(lambda: [e for e in events(folder)[before:] if e["type"] == "decision" and e["kind"] == "proceed"],
                   "a proceed after the resume", resumed)
    finally:
        resumed.send_signal(signal.SIGKILL)
        resumed.wait(timeout=30)
        stderr = resumed.stderr.read()
        resumed.stderr.close()
    after = events(folder)[before:]
    assert after[0]["type"] == "resumed"
    # the sandboxes answer: no check is blind for want of a server (a canary series may still be empty for a
    # moment while the restarted rollout brings its pods back, which is an honest ERROR, not a dead sandbox)
    unreachable = [e for e in after if e["type"] == "verdict" and e["verdict"] == "ERROR"
                   and any(w in (e.get("detail") or "").lower() for w in ("refused", "connect", "unreachable"))]
    assert not unreachable, unreachable
    assert "the demo's sandboxes are running again" in stderr
