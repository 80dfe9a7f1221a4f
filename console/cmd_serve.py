"""`golive serve SESSION_DIR`: the mission screen, read-only, in a web browser for the war room's wall screen,
on 127.0.0.1 behind a random token (reach it from your laptop with `ssh -L`)."""

from __future__ import annotations

import argparse
import errno
import secrets
import shlex
import socket
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THEME = "high-contrast"   # a projector washes out the dark theme's greys


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.epilog = ("Only this machine can connect by default: from your laptop run "
                     "`ssh -L 8000:127.0.0.1:8000 HOST` and open the printed URL there. "
                     "Every request needs the token in that URL.")
    parser.add_argument("session_dir", type=Path, metavar="SESSION_DIR")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: reach it over ssh -L)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--theme", default=DEFAULT_THEME,
                        help=f"golive-dark, golive-light, high-contrast or mono (default {DEFAULT_THEME})")


def _fail(message: str) -> int:
    print(f"golive: {message}", file=sys.stderr)
    return 2


def check_session(folder: Path) -> str:
    """The session's name for the page title. Raises ValueError (one line) when the folder cannot be followed."""
    from golive.console.follower import Follower
    from golive.console.journal import JOURNAL_NAME, JournalError

    if not (folder / JOURNAL_NAME).is_file():
        raise ValueError(f"{folder / JOURNAL_NAME}: no journal (is this a session folder?)")
    try:
        follower = Follower(folder)
    except (JournalError, ValueError, OSError) as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    return follower.runbook.meta.name


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``. Raises ValueError (one line) when that address cannot be had."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port}: not a port (0 to 65535)")
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as exc:
        raise ValueError(f"--host {host}: {exc.strerror}") from None
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ValueError(f"{where}: port in use (choose another with --port)") from None
        raise ValueError(f"{where}: cannot listen: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C (0); 2 before serving for a folder without a journal, a busy port or a bad theme."""
    from golive.themes import choose_theme

    try:
        theme = choose_theme(args.theme)
        title = check_session(args.session_dir)
        sock = listen(args.host, args.port)
    except ValueError as exc:
        return _fail(str(exc))

    from golive.screens.serve import serve, watch_command

    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    token = secrets.token_urlsafe(32)
    command = watch_command(args.session_dir, theme)

    def ready() -> None:
        # The URL is printed once, here, and nowhere else: whoever has it can watch the go-live.
        print(f"http://{shown_host}:{port}/{token}/", flush=True)
        print(f"golive: serving {shlex.quote(str(args.session_dir))} read-only ({theme}); Ctrl+C stops",
              file=sys.stderr)
        if host in ("0.0.0.0", "::"):
            print("golive: listening on every interface: anyone who has the URL can watch", file=sys.stderr)
        else:
            print(f"golive: from your laptop: ssh -L {port}:{shown_host}:{port} THIS-HOST, then open the URL",
                  file=sys.stderr)

    try:
        serve(command, sock, token=token, title=f"Golive: {title}", ready=ready)
    finally:
        sock.close()
    return 0
