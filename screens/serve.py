"""The browser wall screen behind `golive serve`: textual-serve runs a read-only mission screen per browser tab,
behind a token that every request (page, static assets, websocket) must carry as the first segment of its path."""

from __future__ import annotations

# The token is in the path, not the query string, because textual.js appends its own "?width=…" to the
# websocket URL and the page's assets are found relative to it. What runs per tab is ``command``: today
# `golive watch DIR`, later a client of the driver's socket, with nothing else here changing.
import asyncio
import hmac
import logging
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

SHUTDOWN_WAIT = 5.0   # seconds for open tabs to be closed when the server stops
APP_STOP_WAIT = 3.0   # seconds for a tab's app to quit when asked before it is killed

FORBIDDEN = "403: forbidden\n"   # the same few bytes for every refusal: nothing of the session

# textual-serve's own page, less what a wall screen must not do: no web font from the internet (the page URL
# holds the token, and a Referer would carry it off the machine), no logo, no Start button.
PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <meta name="referrer" content="no-referrer">
    <title>{{ title }}</title>
    <link rel="stylesheet" href="{{ static_url }}css/xterm.css">
    <script src="{{ static_url }}js/textual.js"></script>
    <style>
      @font-face { font-family: "Roboto Mono"; src: url("{{ static_url }}fonts/RobotoMono-VariableFont_wght.ttf"); }
      body { background: black; color: white; font-family: "Roboto Mono", monospace; }
      .notice { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
                z-index: 10; font-size: 24px; background: black; }
      body.-first-byte .connecting { display: none; }
      .closed { display: none; }
      body.-closed .closed { display: flex; flex-direction: column; }
      .closed button { margin: 24px; padding: 16px 32px; font: inherit; color: black; background: white;
                       border: none; cursor: pointer; }
      body .textual-terminal { opacity: 0; }
      body.-first-byte .textual-terminal { opacity: 1; }
    </style>
  </head>
  <body>
    <div class="notice connecting">{{ title }}: connecting…</div>
    <div class="notice closed">
      <div>Stopped following the session.</div>
      <button type="button" onclick="window.location.reload()">Follow again</button>
    </div>
    <div id="terminal" class="textual-terminal" data-session-websocket-url="{{ websocket_url }}"
         data-font-size="{{ font_size }}"></div>
  </body>
</html>
"""


def token_matches(candidate: str, token: str) -> bool:
    """Whether ``candidate`` is the token, compared in constant time (bytes: any text may arrive in a path)."""
    return hmac.compare_digest(candidate.encode("utf-8", "surrogateescape"), token.encode("utf-8"))


def first_segment(path: str) -> str:
    """``/abc/static/x.js`` -> ``abc``; the empty string for ``/``."""
    return path.lstrip("/").split("/", 1)[0]


class Redacting(logging.Formatter):
    """Formats as usual, then removes the token: no log line, however it arose, shows the way in."""

    def __init__(self, token: str):
        super().__init__("golive serve: %(levelname)s %(name)s: %(message)s")
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace(self.token, "[token]")


class WallScreenServer(Server):
    """textual-serve's server with every route under ``/<token>/`` and a guard in front of all of them."""

    def __init__(self, command: str, *, token: str, title: str):
        super().__init__(command, title=title)
        self.token = token
        self.services: set[AppService] = set()   # one per open tab, each running ``command``

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(Redacting(self.token))
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.WARNING)   # never the access log: its lines are request paths

    @web.middleware
    async def guard(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
        """403 for any request whose path does not start with the token, before routing can tell it anything."""
        if not token_matches(first_segment(request.path), self.token):
            return web.Response(status=403, text=FORBIDDEN)
        response = await handler(request)
        if not response.prepared:   # a websocket has sent its headers already
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
        return response

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        aiohttp_jinja2.setup(app, loader=jinja2.DictLoader({"wall.html": PAGE}), autoescape=True)
        prefix = f"/{self.token}"
        app.add_routes([
            web.get(f"{prefix}/", self.handle_index, name="index"),
            web.get(prefix, self.handle_index),
            web.get(f"{prefix}/ws", self.handle_websocket, name="websocket"),
            # No download route: a wall screen hands out no files.
            web.static(f"{prefix}/static", self.statics_path, show_index=False, name="static"),
        ])
        return app

    @aiohttp_jinja2.template("wall.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        # URLs from the Host the browser used, so that a tunnel's own local port (ssh -L 9000:…:8000) works.
        scheme = "wss" if request.secure else "ws"
        return {
            "title": self.title,
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "static_url": f"/{self.token}/static/",
            "websocket_url": f"{scheme}://{request.host}/{self.token}/ws",
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: its own app process, fed the browser's size and keys, until either side closes."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                             close=websocket.close, download_manager=self.download_manager)
        self.services.add(service)
        try:
            await service.start(to_int(request.query.get("width", "80"), 80),
                                to_int(request.query.get("height", "24"), 24))
            await self._process_messages(websocket, service)
        except (ValueError, AssertionError, TypeError, KeyError):
            pass   # a malformed message from the browser ends its tab, nothing more
        finally:
            self.services.discard(service)
            await end_app(service)
            await websocket.close()
        return websocket

    async def run_on(self, sock: socket.socket, ready: Callable[[], None]) -> None:
        """Serve on the bound, listening ``sock`` until SIGINT or SIGTERM; ``ready`` is called once serving."""
        self.initialize_logging()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = web.AppRunner(await self._make_app(), access_log=None, handle_signals=False,
                               shutdown_timeout=SHUTDOWN_WAIT)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            ready()
            await stop.wait()
        finally:
            # The tabs' apps first: left to the runner's cancellation they would outlive the server.
            await asyncio.gather(*(end_app(service) for service in list(self.services)))
            await runner.cleanup()


async def end_app(service: AppService) -> None:
    """Ask a tab's app to quit; kill it if it has not within APP_STOP_WAIT seconds."""
    process = service._process
    try:
        await asyncio.wait_for(asyncio.shield(service.stop()), APP_STOP_WAIT)
    except (asyncio.TimeoutError, OSError, RuntimeError):
        pass
    if process is not None and process.returncode is None:
        process.kill()
        await process.wait()


def serve(command: str, sock: socket.socket, *, token: str, title: str, ready: Callable[[], None]) -> None:
    """Serve ``command`` (a shell command line running one Textual app per browser tab) on ``sock``."""
    asyncio.run(WallScreenServer(command, token=token, title=title).run_on(sock, ready))


def watch_command(folder: Path, theme: str) -> str:
    """What each tab runs today: `golive watch DIR`, the read-only follower of the session's journal (a shell
    line, as textual-serve wants; ``exec`` so that the process it stops is the app, not a shell)."""
    return "exec " + shlex.join([sys.executable, "-m", "golive.console.cli", "watch", str(folder.resolve()),
                                 "--theme", theme])
