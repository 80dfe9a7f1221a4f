"""Co-signing live at a real driver: a seat signs its role with its own ssh-keygen key and the driver stores
the SSHSIG `golive verify` accepts; wrong bytes, a role the seat's person may not sign, or garbage are refused."""

from __future__ import annotations

import asyncio
import getpass
import subprocess
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

from golive.console.driver import protocol as proto
from golive.console.driver.cosign import make_signature
from golive.console.ssh_keygen import sign_message
from tests.fixtures.ssh import make_key
from tests.integration.driver_helpers import RawSeat, golive, start_driver, stop, wait_until, write_runbook

RUNBOOK = """
[runbook]
name = "a canary two roles sign"
service = "svc"
version = "1"
signoff = ["deployment-lead"]

[roles.deployment-lead]
users = ["{me}"]

[roles.security]
users = ["golive-nobody-signs"]

[[phase]]
id = "canary"
  [[phase.check]]
  id = "up"
  source = "command"
  run = ["true"]
  every = "100ms"
"""


def _signature(seat: RawSeat, args: dict) -> dict:
    """The ``signature`` command (its ``name`` argument would clash with RawSeat.command's own)."""
    seat._ids += 1
    seat.sock.sendall(proto.encode({"type": "command", "id": seat._ids, "command": "signature", "args": args}))
    while True:
        msg = seat.read()
        if msg["type"] == "reply" and msg["id"] == seat._ids:
            return msg


def _signatures(record: Path) -> list[dict]:
    return tomllib.loads(record.read_text()).get("signature", [])


@pytest.fixture
def ended(tmp_path: Path, ssh_keygen: str):
    """A driver whose go-live has an outcome and whose lead has signed off; yields (seat, record, key)."""
    me = getpass.getuser()
    runbook = write_runbook(tmp_path, RUNBOOK.format(me=me))
    folder = tmp_path / "session"
    proc = start_driver(runbook, folder)
    seat = RawSeat(folder)
    try:
        assert seat.command("abort", reason="the canary is not wanted today")["ok"]
        assert seat.command("sign", role="deployment-lead")["ok"]
        record = folder / "record.toml"
        wait_until("the final record", lambda: record.exists() and "deployment-lead" in record.read_text())
        keys = tmp_path / "keys"
        keys.mkdir()
        yield seat, record, make_key(keys, "lead", f"{me}@example.com")
    finally:
        seat.close()
        stop(proc)


def test_a_seat_signs_its_role_and_golive_verify_accepts_the_record(ended, tmp_path: Path):
    seat, record, key = ended
    reply = _signature(seat, make_signature(record, "deployment-lead", key.path, "Lead Person"))
    assert reply["ok"], reply
    (entry,) = _signatures(record)
    assert (entry["role"], entry["name"], entry["principal"]) == ("deployment-lead", "Lead Person", key.principal)
    signers = tmp_path / "allowed_signers"
    signers.write_text(key.allowed_line() + "\n")
    done = subprocess.run(golive("verify", str(record), "--allowed-signers", str(signers)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NOT VERIFIED" not in done.stdout and "✓ valid" in done.stdout


def test_a_signature_over_other_bytes_is_refused_and_nothing_is_stored(ended):
    seat, record, key = ended
    made = make_signature(record, "deployment-lead", key.path, "Lead Person")
    made["signature"] = sign_message(key.path, b"not the record's message\n")
    reply = _signature(seat, made)
    assert not reply["ok"]
    assert "does not cover the message for role deployment-lead" in reply["refused"]
    assert _signatures(record) == []


def test_a_role_the_seats_person_may_not_sign_is_refused_with_who_may(ended):
    seat, record, key = ended
    made = make_signature(record, "deployment-lead", key.path, "Lead Person")
    reply = _signature(seat, {**made, "role": "security"})
    assert not reply["ok"]
    assert f"{getpass.getuser()} may not act as security (only security: golive-nobody-signs)" == reply["refused"]
    assert _signatures(record) == []


def test_a_principal_not_bound_to_the_role_is_refused_before_golive_verify_would_reject_it(ended):
    seat, record, key = ended
    made = make_signature(record, "deployment-lead", key.path, "Lead Person")
    reply = _signature(seat, {**made, "principal": "mallory@example.com"})
    assert not reply["ok"]
    assert reply["refused"].startswith("principal mallory@example.com is not bound to deployment-lead")
    assert _signatures(record) == []


def test_garbage_for_a_signature_is_refused_and_nothing_is_stored(ended):
    seat, record, key = ended
    made = make_signature(record, "deployment-lead", key.path, "Lead Person")
    made["signature"] = "-----BEGIN SSH SIGNATURE-----\nbm90IGEgc2lnbmF0dXJl\n-----END SSH SIGNATURE-----\n"
    reply = _signature(seat, made)
    assert not reply["ok"]
    assert "does not cover the message for role deployment-lead" in reply["refused"]
    assert _signatures(record) == []
    assert _signature(seat, {**made, "signature": "\x00garbage"})["ok"] is False
    assert _signatures(record) == []


def test_the_screens_sign_off_at_a_driver_seat_signs_here_and_the_driver_stores_it(tmp_path: Path, ssh_keygen: str,
                                                                                      monkeypatch):
    from golive.console import signing
    from golive.console.driver.client import DriverClient
    from golive.screens.mission_commands import MissionCommandsMixin
    from golive.screens.signoff_modal import SignoffChoice

    me = getpass.getuser()
    folder = tmp_path / "session"
    proc = start_driver(write_runbook(tmp_path, RUNBOOK.format(me=me)), folder)
    keys = tmp_path / "keys"
    keys.mkdir()
    key = make_key(keys, "lead", f"{me}@example.com")
    said: list[str] = []

    def written_here(*args, **kwargs):
        raise AssertionError("a driver seat must not write record.toml itself")

    monkeypatch.setattr(signing, "sign_record", written_here)

    async def main() -> None:
        client = DriverClient(folder)
        run = asyncio.ensure_future(client.run())
        try:
            for _ in range(600):
                if client._writer is not None:
                    break
                await asyncio.sleep(0.1)
            await client.abort("not today")
            screen = SimpleNamespace(session=client, key=str(key.path),
                                     say=lambda text, warning=False: said.append(text))
            await MissionCommandsMixin._sign(screen, SignoffChoice(role="deployment-lead", name=me))
        finally:
            client.stop()
            await run

    try:
        asyncio.run(main())
    finally:
        stop(proc)
    assert said == ["signed off as deployment-lead and signed the record"]
    (entry,) = _signatures(folder / "record.toml")
    assert (entry["role"], entry["name"], entry["principal"]) == ("deployment-lead", me, key.principal)
