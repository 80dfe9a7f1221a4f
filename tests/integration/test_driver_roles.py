"""People bound to roles at a real driver: two real Unix users at their own seats, each named by the kernel;
only the security member ticks its item and approves, and the lead who started the go-live may not approve."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.integration.driver_helpers import ROOT, RawSeat, journal, start_driver, stop, wait_until

SEAT_SCRIPT = Path(__file__).with_name("_role_seat.py")
SYSTEM_PYTHON = "/usr/bin/python3"   # the other users cannot run the lead's own interpreter

RUNBOOK = """
[runbook]
name = "a canary security approves"
service = "svc"
version = "1"
group = "{room}"

[roles.security]
users = ["root"]
groups = ["{secops}"]
not_operator = true

[[phase]]
id = "canary"
approve = ["security"]
  [[phase.check]]
  id = "up"
  source = "command"
  run = ["true"]
  every = "100ms"
  [[phase.check]]
  id = "pentest"
  source = "manual"
  role = "security"

[[phase]]
id = "full"
  [[phase.check]]
  id = "up-full"
  source = "command"
  run = ["true"]
  every = "100ms"
"""


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


@pytest.fixture
def people():
    """Two Unix users made for this test: ``sec`` in the secops group, ``other`` only in the war-room group."""
    if os.geteuid() != 0 or shutil.which("useradd") is None or shutil.which("runuser") is None:
        pytest.skip("two real Unix users need root and useradd/runuser to be created")
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip(f"the other users' seats run {SYSTEM_PYTHON}, which this host lacks")
    tag = str(os.getpid())[-6:]
    names = {"room": f"glroom{tag}", "secops": f"glsecops{tag}", "sec": f"glsec{tag}", "other": f"gloth{tag}"}
    made_groups, made_users = [], []
    try:
        for group in (names["room"], names["secops"]):
            _run("groupadd", group)
            made_groups.append(group)
        _run("useradd", "-M", "-N", "-g", names["room"], "-G", names["secops"], names["sec"])
        made_users.append(names["sec"])
        _run("useradd", "-M", "-N", "-g", names["room"], names["other"])
        made_users.append(names["other"])
        yield names
    finally:
        for user in made_users:
            subprocess.run(["userdel", user], capture_output=True)
        for group in made_groups:
            subprocess.run(["groupdel", group], capture_output=True)


@pytest.fixture
def base():
    """A folder other users can reach (pytest's own tmp folders are the lead's alone)."""
    path = Path(tempfile.mkdtemp(prefix="golive-roles-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def seat_as(user: str, folder: Path, *commands: tuple[str, dict]) -> dict:
    out = subprocess.run([shutil.which("runuser"), "-u", user, "--", SYSTEM_PYTHON, str(SEAT_SCRIPT),
                          str(folder), json.dumps(commands)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_only_the_security_member_ticks_and_approves_and_the_lead_may_not_approve(people, base):
    runbook = base / "runbook.toml"
    runbook.write_text(RUNBOOK.format(room=people["room"], secops=people["secops"]))
    runbook.chmod(0o644)
    folder = base / "session"
    proc = start_driver(runbook, folder)
    try:
        sock = folder / "driver.sock"
        assert stat.S_IMODE(sock.stat().st_mode) == 0o660 and stat.S_IMODE(folder.stat().st_mode) == 0o770
        assert sock.stat().st_gid == folder.stat().st_gid == __import__("grp").getgrnam(people["room"]).gr_gid

        other = seat_as(people["other"], folder, ("tick", {"check_id": "pentest"}),
                        ("approve", {"note": "looks fine to me"}), ("proceed", {}))
        assert other["user"] == people["other"]
        refused = f"{people['other']} may not act as security (only security: root or members of {people['secops']})"
        outsider = f"{people['other']} holds no role in this go-live (security) and may only watch"
        assert [r["refused"] for r in other["replies"]] == [refused, refused, outsider]

        lead = RawSeat(folder)
        try:
            reply = lead.command("approve", note="my own change")
            assert reply["ok"] is False
            assert reply["refused"] == ("root started this go-live and may not also act as security (separation of "
                                        "duties)")
        finally:
            lead.close()

        sec = seat_as(people["sec"], folder, ("tick", {"check_id": "pentest"}), ("approve", {"note": "pentest read"}))
        assert sec["user"] == people["sec"] and [r["ok"] for r in sec["replies"]] == [True, True]

        events = wait_until("the approval is journaled", lambda: [e for e in journal(folder)
                                                                   if e["type"] in ("tick", "approval")] or None)
        assert [(e["type"], e["by"]) for e in events] == [("tick", people["sec"]), ("approval", people["sec"])]
        assert all(e["seat"].startswith("seat-") for e in events)
        assert events[1]["role"] == "security" and events[1]["note"] == "pentest read"
        assert not any(e.get("by") == people["other"] for e in journal(folder))
    finally:
        stop(proc)
