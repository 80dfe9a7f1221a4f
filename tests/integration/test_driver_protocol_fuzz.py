"""Protocol fuzz against a real driver: whatever a client sends, it gets one clear error line (or is simply
dropped), the driver stays up, and another seat keeps working."""

from __future__ import annotations

import json
import random
import socket

import pytest

from golive.console.driver import protocol as proto
from tests.integration.driver_helpers import HOLD, RawSeat, journal, start_driver, stop, write_runbook

HELLO = proto.encode(proto.hello("seat"))
BAD = [
    ("random bytes", bytes(random.Random(7).randrange(256) for _ in range(3000)) + b"\n", None),
    ("not JSON", b"hello there\n", "line is not JSON"),
    ("not an object", b"[1, 2, 3]\n", "line is not a JSON object"),
    ("not UTF-8", b'{"type": "\xff\xfe"}\n', "line is not UTF-8"),
    ("a wrong version", proto.encode({"type": "hello", "golive": 99, "mode": "seat"}), "protocol version 99"),
    ("no hello first", proto.encode({"type": "command", "id": 1, "command": "proceed"}), "must be a hello"),
    ("an unknown mode", proto.encode({"type": "hello", "golive": 1, "mode": "admin"}), "unknown mode"),
    ("an oversized line", b"{" + b" " * (proto.MAX_LINE + 10) + b"}\n", "longer than"),
    ("an oversized line without end", b"x" * (proto.MAX_LINE * 3), "longer than"),
]
AFTER_HELLO = [
    ("an unknown command", {"type": "command", "id": 1, "command": "format_disk"}, "unknown command"),
    ("an unknown type", {"type": "gossip"}, "unknown message type"),
    ("a command without id", {"type": "command", "command": "proceed"}, "needs an id"),
    ("a wrong argument type", {"type": "command", "id": 2, "command": "note", "args": {"text": 5}}, "must be str"),
    ("a missing argument", {"type": "command", "id": 3, "command": "override", "args": {}}, "is required"),
]


def exchange(folder, payload: bytes, after_hello: bool = False) -> list[dict]:
    """Send ``payload`` and read until the driver closes; the lines it sent back."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(str(folder / proto.SOCKET_NAME))
    try:
        if after_hello:
            sock.sendall(HELLO)
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass   # dropped mid-send: what it said before closing is still to be read
        data = b""
        while True:
            try:
                chunk = sock.recv(1 << 20)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    return [json.loads(line) for line in data.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    folder = tmp_path / "session"
    proc = start_driver(write_runbook(tmp_path, HOLD), folder)
    yield proc, folder
    stop(proc)


@pytest.mark.parametrize("name,payload,says", BAD, ids=[b[0] for b in BAD])
def test_a_bad_first_line_gets_one_error_line_and_the_driver_stays_up(driver, name, payload, says):
    proc, folder = driver
    good = RawSeat(folder)
    lines = exchange(folder, payload)
    errors = [line for line in lines if line["type"] == "error"]
    assert len(errors) == 1 and errors == lines, lines
    if says:
        assert says in errors[0]["error"]
    assert proc.poll() is None
    assert good.command("note", text=f"still here after {name}")["ok"]
    good.close()


@pytest.mark.parametrize("name,message,says", AFTER_HELLO, ids=[a[0] for a in AFTER_HELLO])
def test_a_bad_command_after_hello_gets_one_error_and_is_dropped(driver, name, message, says):
    proc, folder = driver
    good = RawSeat(folder)
    lines = exchange(folder, proto.encode(message), after_hello=True)
    assert [line["type"] for line in lines][:1] == ["hello"]
    errors = [line for line in lines if line["type"] == "error"]
    assert len(errors) == 1 and lines[-1] == errors[0] and says in errors[0]["error"], lines
    assert proc.poll() is None
    assert good.command("note", text=f"still here after {name}")["ok"]
    good.close()


def test_a_truncated_line_and_a_silent_client_leave_the_driver_serving(driver):
    proc, folder = driver
    for payload in (HELLO[:7], HELLO + b'{"type": "command", "id": 1, "comm'):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(folder / proto.SOCKET_NAME))
        sock.sendall(payload)
        sock.close()
    good = RawSeat(folder)
    assert good.command("note", text="after truncated lines")["ok"]
    good.close()
    assert proc.poll() is None
    notes = [e["text"] for e in journal(folder) if e["type"] == "note"]
    assert "after truncated lines" in notes


def test_a_refused_command_says_why_and_the_seat_stays(driver):
    _, folder = driver
    seat = RawSeat(folder)
    reply = seat.command("tick", check_id="no-such-item")
    assert reply["ok"] is False and reply["refused"]
    assert seat.command("note", text="the same seat, still attached")["ok"]
    watcher = RawSeat(folder, mode="watch")
    refused = watcher.command("proceed")
    assert refused["ok"] is False and refused["refused"].startswith("read-only")
    seat.close()
    watcher.close()
