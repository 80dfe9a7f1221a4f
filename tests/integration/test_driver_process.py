"""The driver outlives the screen: a real `golive run` in a pty, its terminal hung up or its screen kill -9'd,
and the driver goes on sampling, holding, watching triggers and rolling back; seats come and go."""

from __future__ import annotations

import fcntl
import os
import pty
import pwd
import signal
import struct
import subprocess
import termios
import time

import pytest

from golive.console.driver.client import DriverClient, query_status
from tests.integration.driver_helpers import (
    AUTO_ROLLBACK,
    HOLD,
    ROOT,
    RawSeat,
    environ,
    golive,
    journal,
    start_driver,
    stop,
    wait_until,
    write_runbook,
)

ME = pwd.getpwuid(os.getuid()).pw_name


def screen_in_a_pty(*args: str) -> tuple[subprocess.Popen, int]:
    """`golive ARGS` on a fresh 120x40 pty of its own (its controlling terminal); returns (process, master)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(golive(*args), cwd=ROOT, stdin=slave, stdout=slave, stderr=slave, env=environ(),
                            start_new_session=True, close_fds=True,
                            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    return proc, master


def drain(master: int) -> None:
    """Keep the pty from filling up (a screen blocked on its terminal is not what is tested here)."""
    try:
        while True:
            import select

            ready, _, _ = select.select([master], [], [], 0)
            if not ready or not os.read(master, 65536):
                return
    except OSError:
        return


@pytest.mark.parametrize("how", ["hangup", "kill-9"])
def test_the_driver_keeps_sampling_and_holding_when_the_screen_dies(tmp_path, how):
    runbook, folder = write_runbook(tmp_path, HOLD), tmp_path / "session"
    screen, master = screen_in_a_pty("run", str(runbook), "--session-dir", str(folder))
    try:
        def attached():
            drain(master)
            try:
                return query_status(folder)["seats"] == [ME]
            except OSError:
                return False
        wait_until("the screen attached to its driver", attached)
        seat = RawSeat(folder)
        assert seat.command("tick", check_id="approved")["ok"]
        driver_pid = query_status(folder)["pid"]
        assert driver_pid != screen.pid
        if how == "hangup":
            os.close(master)   # the terminal goes away: the screen's session gets SIGHUP
            master = -1
        else:
            os.kill(screen.pid, signal.SIGKILL)
        screen.wait(30)
        died_at = time.time()
        # the driver goes on sampling after the screen is gone
        wait_until("a sample taken after the screen died", lambda: seat.next_sample()["at"] > died_at)
        # and the hold that ran when the screen died completes: the gate opens without starting over
        def proceeded():
            return seat.command("proceed")["ok"]
        wait_until("the hold completed and proceed was accepted", proceeded)
        events = journal(folder)
        assert [e["phase"] for e in events if e["type"] == "phase_started"] == ["canary", "full"]
        assert [e["type"] for e in events].count("resumed") == 0
        passes = [e for e in events if e["type"] == "verdict" and e["check"] == "up" and e["verdict"] == "PASS"]
        assert len(passes) == 1, "the check's PASS was never broken, so its hold never restarted"
        seat.close()
    finally:
        if master >= 0:
            os.close(master)
        if screen.poll() is None:
            screen.kill()
        pid = query_status(folder)["pid"] if (folder / "driver.sock").exists() else None
        if pid:
            os.kill(pid, signal.SIGTERM)
            wait_until("the driver stopped", lambda: not (folder / "driver.sock").exists())


def test_with_no_seat_an_automatic_rollback_fires_and_attach_then_shows_the_outcome(tmp_path):
    runbook, folder = write_runbook(tmp_path, AUTO_ROLLBACK), tmp_path / "session"
    driver = start_driver(runbook, folder)
    try:
        wait_until("the go-live ended", lambda: any(e["type"] == "outcome" for e in journal(folder)))
        events = journal(folder)
        kinds = [(e["type"], e.get("state") or e.get("kind") or e.get("outcome")) for e in events]
        assert ("trigger", "firing") in kinds
        assert ("decision", "rollback") in kinds
        assert ("outcome", "ROLLED BACK") in kinds
        assert any(e["type"] == "action_finished" and e["action"] == "rollback" and e["exit_code"] == 0
                   for e in events)
        assert driver.poll() is None, "the driver stays for the seats that come to see the outcome"
        client = DriverClient(folder)   # what `golive attach` puts behind the screen
        try:
            assert client.engine.state.outcome == "ROLLED BACK"
            assert client.operator == ME
        finally:
            client.close()
        listed = subprocess.run(golive("sessions", "--search", str(tmp_path)), cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert "svc 2  ROLLED BACK" in listed.stdout, listed.stdout + listed.stderr
    finally:
        stop(driver)


def test_the_journal_names_the_seats_person_from_the_kernel_not_a_flag(tmp_path):
    runbook, folder = write_runbook(tmp_path, HOLD), tmp_path / "session"
    driver = start_driver(runbook, folder)
    try:
        seat = RawSeat(folder)
        assert seat.hello["user"] == ME
        assert seat.command("note", text="hello from a seat")["ok"]
        assert seat.command("tick", check_id="approved")["ok"]
        # a client cannot name someone else: a "by" is no argument of the protocol, and the seat is dropped
        seat.sock.sendall(b'{"type":"command","id":9,"command":"note","args":{"text":"x","by":"mallory"}}\n')
        dropped = seat.read()
        while dropped["type"] != "error":   # samples stream meanwhile; the error line is the last one
            dropped = seat.read()
        assert dropped == {"type": "error", "golive": 1, "error": "note: unknown argument 'by'"}
        seat.close()
        human = [e for e in journal(folder) if e["type"] in ("note", "tick")]
        assert [(e["type"], e["by"]) for e in human] == [("note", ME), ("tick", ME)]
        assert all(e["seat"].startswith("seat-1 pid ") for e in human)
    finally:
        stop(driver)


def test_after_kill_9_of_the_driver_resume_carries_on_with_nothing_human_lost(tmp_path):
    runbook, folder = write_runbook(tmp_path, HOLD), tmp_path / "session"
    driver = start_driver(runbook, folder)
    seat = RawSeat(folder)
    assert seat.command("tick", check_id="approved")["ok"]
    seat.close()
    driver.kill()
    driver.wait(30)
    answers = tmp_path / "answers.toml"
    answers.write_text('[signoff.deployment-lead]\nby = "alice"\n')
    res = subprocess.run(golive("resume", str(folder), "--headless", "--answers", str(answers)), cwd=ROOT,
                         capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr
    events = journal(folder)
    assert [(e["type"], e["by"]) for e in events if e["type"] == "tick"] == [("tick", ME)]
    assert [e["outcome"] for e in events if e["type"] == "outcome"] == ["GO"]


def test_a_session_folder_too_deep_for_a_socket_path_still_gets_its_driver(tmp_path):
    folder = tmp_path / ("deep-" * 20) / "session"
    assert len(str(folder / "driver.sock")) > 108
    driver = start_driver(write_runbook(tmp_path, HOLD), folder)
    try:
        seat = RawSeat(folder)
        assert seat.command("note", text="from deep down")["ok"]
        seat.close()
        assert query_status(folder)["folder"] == str(folder.resolve())
    finally:
        stop(driver)


@pytest.fixture
def second_user():
    """A real second Unix user, made with useradd (root only) and removed after."""
    import shutil

    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("needs root and useradd to make a second Unix user")
    name = f"golive-t{os.getpid()}"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/false", name], check=True, timeout=30)
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], timeout=30)


def test_another_unix_user_cannot_take_a_seat_at_the_leads_driver(second_user):
    import shutil
    import tempfile

    base = tempfile.mkdtemp(prefix="golive-seat-")
    os.chmod(base, 0o755)   # the folder is reachable: only the socket's own mode keeps the other user out
    try:
        from pathlib import Path

        folder = Path(base) / "session"
        driver = start_driver(write_runbook(Path(base), HOLD), folder)
        try:
            assert (folder / "driver.sock").stat().st_mode & 0o777 == 0o600
            probe = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\n"
                     "try:\n s.connect(sys.argv[1]); print('connected')\nexcept PermissionError: print('refused')\n")
            if not os.access("/usr/bin/python3", os.X_OK):
                pytest.skip("needs /usr/bin/python3 for the second user to run")
            res = subprocess.run(["/usr/bin/python3", "-c", probe, str(folder / "driver.sock")],
                                 user=second_user, capture_output=True, text=True, timeout=30, cwd="/")
            assert res.stdout.strip() == "refused", res.stdout + res.stderr
            assert RawSeat(folder).hello["user"] == ME   # the lead still gets in
        finally:
            stop(driver)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_an_interactive_resume_after_kill_9_of_the_driver_starts_a_new_driver_and_attaches(tmp_path):
    runbook, folder = write_runbook(tmp_path, HOLD), tmp_path / "session"
    driver = start_driver(runbook, folder)
    seat = RawSeat(folder)
    assert seat.command("tick", check_id="approved")["ok"]
    seat.close()
    old_pid = query_status(folder)["pid"]
    driver.kill()
    driver.wait(30)
    screen, master = screen_in_a_pty("resume", str(folder))
    try:
        def attached():
            drain(master)
            try:
                status = query_status(folder)
            except OSError:
                return None
            return status if status["seats"] == [ME] else None
        status = wait_until("a new driver with the screen attached", attached)
        assert status["pid"] not in (old_pid, screen.pid) and status["phase"] == "canary"
        client = DriverClient(folder)
        try:
            assert client.engine.state.manual["approved"].checked   # nothing human lost across the kill
        finally:
            client.close()
        assert [e["type"] for e in journal(folder)].count("resumed") == 1
    finally:
        os.close(master)
        if screen.poll() is None:
            screen.kill()
        try:
            os.kill(query_status(folder)["pid"], signal.SIGTERM)
            wait_until("the driver stopped", lambda: not (folder / "driver.sock").exists())
        except OSError:
            pass


def test_attach_to_a_folder_without_a_driver_says_so_in_one_line_before_any_screen(tmp_path):
    res = subprocess.run(golive("attach", str(tmp_path)), cwd=ROOT, capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "no driver answers" in res.stderr and "golive resume" in res.stderr
    assert "\x1b" not in res.stdout + res.stderr
