"""A headless Chromium for the wall-screen tests: a fresh profile, driven over its DevTools protocol with
aiohttp's websocket client; reads the terminal text the page draws and takes screenshots."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio")
START_WAIT = 30.0   # seconds for Chromium to open its DevTools port

# The page draws on a canvas, so its text is not in the DOM. The terminal object textual.js made is found once
# on the JavaScript heap (DevTools' queryObjects) and kept in a global that only this tool reads.
FIND_TERMINAL = """function () {
    const found = this.find(o => o && o.terminal && o.terminal.buffer && typeof o.websocket_url === "string");
    if (found) { window.__goliveWallTerminal = found.terminal; }
    return Boolean(found);
}"""
READ_TERMINAL = """(() => {
    const terminal = window.__goliveWallTerminal;
    if (!terminal) { return null; }
    const buffer = terminal.buffer.active, lines = [];
    for (let y = 0; y < buffer.length; y++) { lines.push(buffer.getLine(y).translateToString(true)); }
    return lines.join("\\n");
})()"""


class Chromium:
    """One headless Chromium with one page; ``await Chromium.start(...)``, then ``close()``."""

    def __init__(self, process: subprocess.Popen, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse,
                 profile: Path):
        self.process, self.http, self.ws, self.profile = process, http, ws, profile
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, binary: str, profile: Path, size: tuple[int, int] = (1280, 720)) -> "Chromium":
        profile.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                                    f"--window-size={size[0]},{size[1]}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=(profile / "chromium.log").open("wb"))
        port_file = profile / "DevToolsActivePort"
        end = time.monotonic() + START_WAIT
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > end:
                process.kill()
                log = (profile / "chromium.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"Chromium did not open its DevTools port:\n{log}")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        http = aiohttp.ClientSession()
        async with http.get(f"http://127.0.0.1:{port}/json/list") as answer:
            pages = [t for t in await answer.json() if t["type"] == "page"]
        ws = await http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        return cls(process, http, ws, profile)

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            future = self._waiting.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)

    async def send(self, method: str, **params: Any) -> dict:
        """Call a DevTools method; returns its result, raises AssertionError with its error."""
        number = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        await self.ws.send_str(json.dumps({"id": number, "method": method, "params": params}))
        answer = await asyncio.wait_for(future, 60)
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer["result"]

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def open(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def find_terminal(self) -> bool:
        """Whether the page's terminal exists (and is now readable by ``terminal_text``)."""
        prototype = await self.send("Runtime.evaluate", expression="Object.prototype")
        objects = await self.send("Runtime.queryObjects", prototypeObjectId=prototype["result"]["objectId"])
        found = await self.send("Runtime.callFunctionOn", objectId=objects["objects"]["objectId"],
                                functionDeclaration=FIND_TERMINAL, returnByValue=True)
        await self.send("Runtime.releaseObjectGroup", objectGroup="")
        return bool(found["result"].get("value"))

    async def terminal_text(self) -> str:
        """Every line of the page's terminal, as drawn ('' before the terminal is found)."""
        return await self.evaluate(READ_TERMINAL) or ""

    async def wait_for_text(self, *needles: str, deadline: float = 60.0) -> str:
        """The terminal's text once it holds every needle; fails with the last text after ``deadline`` s."""
        end = time.monotonic() + deadline
        text = ""
        while time.monotonic() < end:
            if not await self.evaluate("Boolean(window.__goliveWallTerminal)"):
                await self.find_terminal()
            text = await self.terminal_text()
            if all(n in text for n in needles):
                return text
            await asyncio.sleep(0.05)
        raise AssertionError(f"the page never showed {needles}; last text:\n{text}")

    async def press(self, key: str, text: str = "") -> None:
        """A key as a person types it (keyDown with its text, then keyUp) into the focused terminal."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        await self.send("Input.dispatchKeyEvent", type="keyDown", key=key, text=text or key)
        await self.send("Input.dispatchKeyEvent", type="keyUp", key=key)

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def close(self) -> None:
        self._reader.cancel()
        await self.ws.close()
        await self.http.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)
