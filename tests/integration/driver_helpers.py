"""Helpers for the driver tests: runbooks, a driver process started as `golive run` starts it, a raw seat."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from golive.console.cli import build_parser
from golive.console.driver import process
from golive.console.driver import protocol as proto

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0   # seconds before giving up waiting for something; never a timing assertion

HOLD = """
[runbook]
name = "a held canary"
service = "svc"
version = "1"
signoff = ["deployment-lead"]

[[phase]]
id = "canary"
hold = "3s"
  [[phase.check]]
  id = "up"
  source = "command"
  run = ["true"]
  every = "100ms"
  [[phase.check]]
  id = "approved"
  source = "manual"

[[phase]]
id = "full"
  [[phase.check]]
  id = "up-full"
  source = "command"
  run = ["true"]
  every = "100ms"
"""

AUTO_ROLLBACK = """
[runbook]
name = "an automatic rollback"
service = "svc"
version = "2"
signoff = ["deployment-lead"]

[[phase]]
id = "canary"
  [[phase.check]]
  id = "up"
  source = "command"
  run = ["true"]
  every = "100ms"

[[trigger]]
id = "errors"
source = "command"
run = ["echo", "5"]
fire = "> 1"
for = "1s"
every = "100ms"
then = "rollback"
auto = true

[rollback]
run = ["sh", "-c", "echo undone"]
repeat_safe = true
"""


def write_runbook(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "runbook.toml"
    path.write_text(text)
    return path


def start_driver(runbook: Path, folder: Path) -> subprocess.Popen:
    """The driver process exactly as an interactive `golive run` starts it, with no screen attached."""
    args = build_parser("run").parse_args(["run", str(runbook), "--session-dir", str(folder)])
    proc = process.spawn(args, folder)
    problem = process.wait_ready(proc, folder, 0)
    assert problem == "", problem
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def journal(folder: Path) -> list[dict]:
    lines = (folder / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def wait_until(what: str, predicate, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


class RawSeat:
    """A seat speaking the protocol by hand: hello, snapshot, then lines."""

    def __init__(self, folder: Path, mode: str = "seat"):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(DEADLINE)
        with proto.socket_address(folder) as address:
            self.sock.connect(address)
        self.file = self.sock.makefile("rb")
        self.sock.sendall(proto.encode(proto.hello(mode)))
        self.hello = self.read()
        self.snapshot = self.read()
        self._ids = 0

    def read(self) -> dict:
        line = self.file.readline()
        assert line, "the driver closed the connection"
        return json.loads(line)

    def command(self, name: str, **args) -> dict:
        """Send a command and return its reply (streamed lines before it are skipped)."""
        self._ids += 1
        self.sock.sendall(proto.encode({"type": "command", "id": self._ids, "command": name, "args": args}))
        while True:
            msg = self.read()
            if msg["type"] == "reply" and msg["id"] == self._ids:
                return msg

    def next_sample(self) -> dict:
        while True:
            msg = self.read()
            if msg["type"] == "sample":
                return msg["sample"]

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def golive(*args: str) -> list[str]:
    return [sys.executable, "-m", "golive.console.cli", *args]


def environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}
    env["TERM"] = "xterm-256color"
    return env
