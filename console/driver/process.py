"""The driver as its own process: started detached from the terminal, served on the socket, then attached to."""

# `golive run` / `golive resume` (with a screen) spawn `python -m golive.console.driver.process SPEC`; the child runs
# the same start-up as a one-process run and serves the session until a seat stops it, or SIGTERM.

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from golive.console.driver import protocol as proto
from golive.console.driver import registry

READY_WAIT = 30.0   # seconds for a new driver to open its socket


def serve(make_session, args: argparse.Namespace) -> int:
    """Run in the driver process: the session and its socket until stopped; 0 GO, 1 otherwise."""
    return asyncio.run(_serve(make_session))


async def _serve(make_session) -> int:
    from golive.console.driver.server import DriverServer

    session = make_session(())
    server = DriverServer(session)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, session.stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)   # no terminal to hang up, but never die of one
    try:
        try:
            await server.start()
        except ValueError as exc:   # a runbook naming a group this host lacks: one line, no traceback
            print(f"golive driver: {exc}", flush=True)
            return 2
        registry.register(session.folder, os.getpid())
        print(f"golive driver {os.getpid()}: serving {server.path}", flush=True)
        await session.run(until_outcome=False)
    finally:
        await server.close()
        registry.unregister(session.folder)
        session.close()
    print(f"golive driver {os.getpid()}: stopped ({session.engine.state.outcome or 'no outcome yet'})", flush=True)
    return 0 if session.engine.state.outcome == "GO" else 1


def spawn(args: argparse.Namespace, folder: Path) -> subprocess.Popen:
    """Start the driver for ``folder``: its own session and process group, stdio to driver.log."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if not k.startswith("_")}
    spec["session_dir"] = str(folder)
    log = open(folder / proto.LOG_NAME, "ab")
    try:
        return subprocess.Popen([sys.executable, "-m", "golive.console.driver.process", json.dumps(spec)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                                close_fds=True)
    finally:
        log.close()


def wait_ready(proc: subprocess.Popen, folder: Path, offset: int) -> str:
    """"" once the driver answers on its socket, else the lines it wrote to driver.log before it ended."""
    from golive.console.driver.client import DriverGone, query_status

    deadline = time.monotonic() + READY_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = (folder / proto.LOG_NAME).read_bytes()[offset:].decode(errors="replace").strip()
            return text or f"the driver ended with exit code {proc.returncode}"
        if (folder / proto.SOCKET_NAME).exists():
            try:
                query_status(folder)
                return ""
            except DriverGone:
                pass
        time.sleep(0.05)
    return f"the driver did not open {folder / proto.SOCKET_NAME} within {READY_WAIT:g}s; see {folder / proto.LOG_NAME}"


def launch_and_attach(args: argparse.Namespace, runbook) -> int:
    """Interactive run/resume/demo: start the driver, then the screen as its first seat."""
    from golive.console.journal import ensure_not_driven, session_folder_name

    if args.command == "run":
        folder = args.session_dir or Path("golive-sessions") / session_folder_name(
            time.time(), runbook.meta.service, runbook.meta.version)
    else:
        folder = args.session_dir
        ensure_not_driven(folder)   # a running driver: say so (attach, not resume)
    folder = Path(folder)
    log = folder / proto.LOG_NAME
    offset = log.stat().st_size if log.exists() else 0
    proc = spawn(args, folder)
    # the screen's modules load while the driver starts (two processes, each on a core of its own) rather than
    # after it answers: the first frame comes that much sooner, and nothing is drawn before the driver is ready
    import golive.screens.app  # noqa: F401

    problem = wait_ready(proc, folder, offset)
    if problem:
        for line in problem.splitlines():
            print(line if line.startswith("golive") else f"golive: {line}", file=sys.stderr)
        return 2
    if args.command == "demo":   # where its sandboxes listen, and the kubectl line: on the terminal, as before
        for line in log.read_bytes()[offset:].decode(errors="replace").splitlines():
            if line.startswith("golive demo"):
                print(line, file=sys.stderr)
    return attach(folder, theme=args.theme, key=getattr(args, "key", None), mouse=getattr(args, "mouse", True))


def attach(folder: Path, *, theme: str | None = None, key: Path | None = None, read_only: bool = False,
           mouse: bool = True) -> int:
    """The mission screen as a seat at ``folder``'s driver; 0 when the outcome is GO, 1 otherwise."""
    from golive.console.driver.client import DriverClient, query_status
    from golive.screens.app import run_mission

    query_status(folder)   # no driver: say so (DriverGone) before a screen opens

    def make_session(listeners=()):
        return DriverClient(folder, read_only=read_only, listeners=listeners)

    return run_mission(make_session, theme=theme, key=key, mouse=mouse)


def main(argv: list[str]) -> int:
    """The driver process's entry: the spec is the parent's parsed arguments, as JSON."""
    from golive.console import cmd_demo, cmd_run
    from golive.console.redact import ScrubbingStream

    # driver.log is a file people read and attach to tickets: nothing the driver prints may carry a secret
    sys.stdout, sys.stderr = ScrubbingStream(sys.stdout), ScrubbingStream(sys.stderr)
    spec = json.loads(argv[0])
    for name in ("session_dir", "answers", "key"):   # the parser's Path arguments, sent as text
        if spec.get(name) is not None:
            spec[name] = Path(spec[name])
    args = argparse.Namespace(**spec)
    args.as_driver = True
    return (cmd_demo.run if args.command == "demo" else cmd_run.run)(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
