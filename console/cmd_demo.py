"""`golive demo`: a whole go-live against built-in sandbox servers, through the normal engine and screens."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

DEMO_NAMES = {"deployment-lead": "Dana Lead", "operations": "Omar Ops", "qa": "Quinn QA"}


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("--scenario", choices=("good", "bad-canary", "flaky", "blue-green", "blue-green-bad", "soak",
                                               "smoke"), default="good",
                        help="good ends GO; bad-canary rolls back; flaky drops the metrics endpoint for a while; "
                             "blue-green (-bad: rolled back and verified), soak (24 h, compressed by --speed) and "
                             "smoke run the seed examples")
    parser.add_argument("--speed", type=float, default=1.0, help="run N times faster (e.g. 60 for tests)")
    parser.add_argument("--headless", action="store_true", help="no screen; the demo answers its manual items")
    parser.add_argument("--json", action="store_true", help="headless: one JSON object per event on stdout")
    parser.add_argument("--session-dir", type=Path, metavar="DIR")
    parser.add_argument("--operator", help="who drives (default: the login name)")
    parser.add_argument("--theme", help="golive-dark, golive-light, high-contrast or mono")
    from golive.console.cmd_run import add_screen_arguments

    add_screen_arguments(parser)


def demo_runbook_path() -> Path:
    """The demo runbook ships inside the package, so the demo works from any directory."""
    from importlib.resources import files

    return Path(str(files("golive.examples") / "demo.toml"))


def demo_answers(runbook):
    """Answers for every manual item and sign-off, for a headless demo."""
    from golive.checks.manual import Answer, Answers

    items = {c.id: Answer(c.id, DEMO_NAMES.get(c.role or "", "Dana Lead"), "answered by the headless demo")
             for _, c in runbook.iter_checks() if c.source == "manual"}
    return Answers(items, {role: DEMO_NAMES.get(role, role) for role in runbook.meta.signoff})


def run(args: argparse.Namespace) -> int:
    from golive.console.cmd_run import check_theme
    from golive.console.runbook import RunbookError, load_runbook
    from golive.sandbox.demo_seeds import RUNBOOKS, SeedWorld, seed_runbook_path
    from golive.sandbox.demo_world import DemoWorld

    if args.speed <= 0:
        print("golive demo: --speed must be positive", file=sys.stderr)
        return 2
    problem = check_theme(args.theme)
    if problem:   # before the sandboxes start
        print(problem, file=sys.stderr)
        return 2
    if not args.headless and not getattr(args, "as_driver", False):
        return _launch(args)
    world_class = SeedWorld if args.scenario in RUNBOOKS else DemoWorld
    with world_class(args.scenario, args.speed) as world:
        try:
            runbook = load_runbook(seed_runbook_path(args.scenario) or demo_runbook_path(), world.variables)
        except RunbookError as exc:
            for line in exc.problems:
                print(line, file=sys.stderr)
            return 2
        answers = demo_answers(runbook) if args.headless else None
        # stderr, so --json keeps stdout to events; before the screen opens, so it stays on the terminal
        print(f"golive demo ({args.scenario}): Kubernetes sandbox at {world.kube.url}, "
              f"Prometheus sandbox at {world.prom_url}", file=sys.stderr)
        print(f"golive demo: kubectl works against it: KUBECONFIG={world.kubeconfig} kubectl get pods -n shop",
              file=sys.stderr)

        def make_session(listeners=()):
            from golive.console.session import Session

            session = Session.start(runbook, session_dir=args.session_dir, operator=args.operator,
                                    headless=args.headless, answers=answers, overrides=world.variables,
                                    listeners=listeners)
            mark_demo_session(session.folder, args.scenario, args.speed)
            return session

        if args.headless:
            from golive.console.cmd_run import headless

            args.answers = None
            return headless(make_session, runbook, args)
        from golive.console.driver.process import serve
        from golive.console.journal import JournalError

        try:
            return serve(make_session, args)   # the sandboxes live in the driver, beside the session they feed
        except JournalError as exc:   # a folder that already has a journal: one line, which the seat shows
            print(f"golive: {exc}", flush=True)
            return 2


def _launch(args: argparse.Namespace) -> int:
    """The interactive demo as a `golive run` is: a driver process (the sandboxes and the session), this
    terminal its first seat, so `golive watch` beside it is a live seat too and closing the terminal ends
    nothing."""
    import time

    from golive.console.driver.process import launch_and_attach
    from golive.console.journal import JournalError, session_folder_name

    if args.session_dir is None:
        args.session_dir = Path("golive-sessions") / session_folder_name(time.time(), "demo", args.scenario)
    try:
        return launch_and_attach(args, None)
    except JournalError as exc:   # the folder is another driver's: one line, as `golive run` says it
        print(f"golive: {exc}", file=sys.stderr)
        return 2


DEMO_MARK = "demo.json"   # in a demo's session folder: what `golive resume` needs to bring its sandboxes back


class DemoResumeError(ValueError):
    """A demo session whose sandboxes cannot be brought back; the message is one line."""


def start_resumed_world(folder: Path):
    """The started sandboxes of a demo session being resumed, or None when it is no demo's. Raises
    DemoResumeError (one line) when they cannot start, JournalLocked when another process drives the session."""
    from golive.console.journal import ensure_not_driven

    ensure_not_driven(folder)   # a live demo holds the ports: say who drives it, not that a port is taken
    world = resumed_world(folder)
    if world is None:
        return None
    try:
        world.start()
    except OSError as exc:
        raise DemoResumeError(f"cannot restart the demo's sandboxes on 127.0.0.1 ({exc.strerror or exc}); "
                              "start a new one with golive demo") from None
    print(f"golive: the demo's sandboxes are running again: Kubernetes at {world.kube.url}, Prometheus at "
          f"{world.prom_url}", file=sys.stderr)
    return world


def mark_demo_session(folder: Path, scenario: str, speed: float) -> None:
    (Path(folder) / DEMO_MARK).write_text(json.dumps({"scenario": scenario, "speed": speed}) + "\n",
                                          encoding="utf-8")


def resumed_world(folder: Path):
    """For `golive resume` of a demo session: its sandboxes, started again where they listened and with the canary
    weight its last action set (not started yet); None for any other session. Raises DemoResumeError."""
    mark = Path(folder) / DEMO_MARK
    if not mark.is_file():
        return None
    from golive.console.journal import JOURNAL_NAME, JournalError, read_journal
    from golive.sandbox.demo_world import DemoWorld

    try:
        meta = json.loads(mark.read_text(encoding="utf-8"))
        from golive.sandbox.demo_seeds import RUNBOOKS

        if meta.get("scenario") in RUNBOOKS:  # a seed world's Service, endpoints and kubectl are not rebuilt
            raise DemoResumeError(f"{mark}: the {meta['scenario']} demo cannot be resumed; start a new one with "
                                  f"golive demo --scenario {meta['scenario']}")
        events = read_journal(Path(folder) / JOURNAL_NAME).events
        variables = events[0]["variables"]
        kube_port = urlsplit(variables["kube_server"]).port
        prom_port = urlsplit(variables["prometheus_url"]).port
        world = DemoWorld(meta["scenario"], float(meta["speed"]), kube_port=kube_port or 0,
                          prom_port=prom_port or 0, kubeconfig=Path(variables["kubeconfig"]),
                          weight=last_weight(events))
    except DemoResumeError:
        raise
    except (OSError, ValueError, KeyError, IndexError, TypeError, JournalError) as exc:
        raise DemoResumeError(f"{mark}: cannot restart this demo's sandboxes ({exc}); start a new one with "
                              "golive demo") from None
    return world


def last_weight(events: list[dict]) -> int:
    """The canary weight the demo's last successful action left (0 after a rollback or before any action)."""
    started: dict[str, list] = {}
    weight = 0
    for e in events:
        if e.get("type") == "action_started":
            started[e.get("action", "")] = list(e.get("argv") or [])
        elif e.get("type") == "action_finished" and e.get("exit_code") == 0 and not e.get("dry_run"):
            argv = started.get(e.get("action", ""), [])
            if e.get("action") == "rollback" or "abort" in argv:
                weight = 0
            elif "weight" in argv and argv.index("weight") + 2 < len(argv):
                weight = int(argv[argv.index("weight") + 2])
    return weight
