"""The browser wall screen: `golive serve` in a real process, a real headless Chromium reading what the page
draws, a real driver Session writing the journal, and plain HTTP clients knocking without the token."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from golive.console.runbook import load_runbook
from golive.console.session import Session
from tests.e2e._chromium import Chromium
from tests.fixtures._binaries import need_binary
from tests.ui.harness import TWO_PHASES, of_type, write_runbook

REPO = Path(__file__).resolve().parents[2]
DEADLINE = 60.0     # seconds for the server or the page to show something; never a timing assertion
FOLLOW_BOUND = 10.0  # generous: the follower polls every 0.3 s, so a change shows well within a second
VIEWPORT = (1400, 900)

pytestmark = pytest.mark.e2e


class WallServer:
    """`golive serve FOLDER --port 0` as a process; ``url`` is the line it prints, its stderr kept in a file."""

    def __init__(self, folder: Path, logs: Path, *extra: str):
        self.err_path = logs / "serve.err"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "golive.console.cli", "serve", str(folder), "--port", "0", *extra], cwd=REPO,
            stdout=subprocess.PIPE, stderr=self.err_path.open("wb"), text=True)
        self.url = ""
        self.rest_of_stdout = ""

    async def started(self) -> "WallServer":
        line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), DEADLINE)
        assert line.startswith("http://127.0.0.1:"), (line, self.err_path.read_text())
        self.url = line.strip()
        return self

    @property
    def token(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[1]

    @property
    def origin(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[0]

    def descendants(self) -> list[int]:
        """The processes this server started (and theirs), from Linux's /proc."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            found += [int(c) for c in children]
            todo += [int(c) for c in children]
        return found

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; returns its exit code (once stopped, stays stopped)."""
        if self.process.returncode is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            self.rest_of_stdout, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.rest_of_stdout, _ = self.process.communicate(timeout=30)
        return self.process.returncode


def alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.fixture
def chromium_binary() -> str:
    return need_binary("chromium", "chromium")


@pytest.fixture
def driver(tmp_path):
    """A real driver session of two phases (its first one running), closed at the end."""
    session = Session.start(load_runbook(write_runbook(tmp_path, TWO_PHASES)), session_dir=tmp_path / "session",
                            operator="lead")
    yield session
    session.close()


async def open_wall(chromium_binary: str, server: WallServer, profile: Path) -> Chromium:
    browser = await Chromium.start(chromium_binary, profile)
    await browser.send("Emulation.setDeviceMetricsOverride", width=VIEWPORT[0], height=VIEWPORT[1],
                       deviceScaleFactor=1, mobile=False)
    await browser.open(server.url)
    return browser


@pytest.mark.asyncio
async def test_the_page_shows_the_phases_and_checks_and_follows_a_tick_from_the_journal(
        tmp_path, chromium_binary, driver):
    server = await WallServer(driver.folder, tmp_path).started()
    browser = await open_wall(chromium_binary, server, tmp_path / "profile")
    try:
        text = await browser.wait_for_text("First", "Second", "Request rate", "Change approved", "READ-ONLY",
                                           deadline=DEADLINE)
        assert "[ ]" in text and "CHG-1 approved" not in text
        await driver.tick("approved", note="CHG-1 approved")   # journaled and fsync'd when this returns
        written = time.monotonic()
        text = await browser.wait_for_text("CHG-1 approved", "[x]", deadline=DEADLINE)
        delay = time.monotonic() - written
        print(f"\nwall screen: a tick in the journal showed on the page after {delay:.2f} s "
              f"(the follower polls every 0.3 s)")
        assert delay < FOLLOW_BOUND, f"the tick took {delay:.1f} s to show"
        assert "lead" in text
    finally:
        await browser.close()
        assert server.stop() == 0, server.err_path.read_text()


@pytest.mark.asyncio
async def test_keys_typed_on_the_wall_screen_reach_no_session(tmp_path, chromium_binary, driver):
    server = await WallServer(driver.folder, tmp_path).started()
    browser = await open_wall(chromium_binary, server, tmp_path / "profile")
    try:
        text = await browser.wait_for_text("Change approved", "READ-ONLY", deadline=DEADLINE)
        footer = text.rstrip().splitlines()[-1]
        assert "help" in footer and not any(word in footer for word in ("tick", "proceed", "note", "rollback"))
        for key, typed in (("p", "p"), (" ", " "), ("n", "n"), ("o", "o"), ("r", "r"), ("s", "s")):
            await browser.press(key, typed)
        await browser.wait_for_text("read-only: golive watch cannot", deadline=DEADLINE)
        apps = server.descendants()
        assert apps, "the open tab has no app process"
        assert server.stop() == 0   # with the tab still open: its app must not outlive the server
        assert not [pid for pid in apps if alive(pid)], "an app process outlived the server"
    finally:
        await browser.close()
        server.stop()
    for kind in ("tick", "note", "decision", "action_started", "signoff"):
        assert not of_type(driver.folder, kind), f"a {kind} reached the session from the browser"


@pytest.mark.asyncio
async def test_a_request_without_the_right_token_gets_403_and_nothing_of_the_session(tmp_path, driver):
    server = await WallServer(driver.folder, tmp_path).started()
    token, origin = server.token, server.origin
    wrong = [origin, f"{origin}/{token[:-1]}", f"{origin}/{token}x", f"{origin}/{token.upper()}",
             f"{origin}/%E2%82%AC", f"{origin}/static/{token}"]
    try:
        async with aiohttp.ClientSession() as http:
            for base in wrong:
                for url in (f"{base}/", f"{base}/static/js/textual.js", f"{base}/static/css/xterm.css"):
                    async with http.get(url) as answer:
                        body = await answer.text()
                        assert answer.status == 403, url
                        assert "ui-svc" not in body and "First" not in body and "textual" not in body, url
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(f"{base}/ws")
                assert refused.value.status == 403, base
            async with http.get(f"{origin}/?token={token}") as answer:
                assert answer.status == 403   # only the path carries it: no query string, no cookie
            # the same requests with the token are served: the refusals above are the token's doing
            async with http.get(server.url) as answer:
                assert answer.status == 200 and "ui-svc v1 to test" in await answer.text()
                assert answer.headers["Referrer-Policy"] == "no-referrer"
            async with http.get(f"{server.url}static/js/textual.js") as answer:
                assert answer.status == 200
            async with http.ws_connect(f"{server.url}ws?width=80&height=24") as ws:
                assert not ws.closed
    finally:
        assert server.stop() == 0
    assert server.url not in server.rest_of_stdout and token not in server.err_path.read_text(), \
        "the token was printed again after the URL line"


def test_serve_binds_to_loopback_and_takes_the_high_contrast_theme_by_default(tmp_path, driver, capsys):
    from golive.console.cli import build_parser, main

    args = build_parser("serve").parse_args(["serve", str(driver.folder)])
    assert (args.host, args.theme) == ("127.0.0.1", "high-contrast")
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "ssh -L 8000:127.0.0.1:8000" in " ".join(capsys.readouterr().out.split())


def test_serve_tells_in_one_line_when_the_port_is_in_use(tmp_path, driver):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "golive.console.cli", "serve", str(driver.folder),
                                 "--port", str(port)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"golive: 127.0.0.1:{port}: port in use (choose another with --port)\n"
    assert result.stdout == ""


def test_serve_tells_in_one_line_when_the_folder_has_no_journal(tmp_path):
    result = subprocess.run([sys.executable, "-m", "golive.console.cli", "serve", str(tmp_path), "--port", "0"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"golive: {tmp_path / 'journal.jsonl'}: no journal (is this a session folder?)\n"
    assert result.stdout == ""
