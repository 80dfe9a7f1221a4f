"""`golive demo`: a whole go-live against built-in sandbox servers, through the normal engine and screens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEMO_NAMES = {"deployment-lead": "Dana Lead", "operations": "Omar Ops", "qa": "Quinn QA"}


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("--scenario", choices=("good", "bad-canary", "flaky"), default="good",
                        help="good ends GO; bad-canary rolls back; flaky drops the metrics endpoint for a while")
    parser.add_argument("--speed", type=float, default=1.0, help="run N times faster (e.g. 60 for tests)")
    parser.add_argument("--headless", action="store_true", help="no screen; the demo answers its manual items")
    parser.add_argument("--json", action="store_true", help="headless: one JSON object per event on stdout")
    parser.add_argument("--session-dir", type=Path, metavar="DIR")
    parser.add_argument("--operator", help="who drives (default: the login name)")
    parser.add_argument("--theme", help="golive-dark, golive-light, high-contrast or mono")
    from console.cmd_run import add_screen_arguments

    add_screen_arguments(parser)


def demo_runbook_path() -> Path:
    """The demo runbook ships inside the package, so the demo works from any directory."""
    from importlib.resources import files

    return Path(str(files("examples") / "demo.toml"))


def demo_answers(runbook):
    """Answers for every manual item and sign-off, for a headless demo."""
    from checks.manual import Answer, Answers

    items = {c.id: Answer(c.id, DEMO_NAMES.get(c.role or "", "Dana Lead"), "answered by the headless demo")
             for _, c in runbook.iter_checks() if c.source == "manual"}
    return Answers(items, {role: DEMO_NAMES.get(role, role) for role in runbook.meta.signoff})


def run(args: argparse.Namespace) -> int:
    from console.runbook import RunbookError, load_runbook
    from console.sandbox.demo_world import DemoWorld

    from console.cmd_run import check_theme

    if args.speed <= 0:
        print("golive demo: --speed must be positive", file=sys.stderr)
        return 2
    problem = check_theme(args.theme)
    if problem:   # before the sandboxes start
        print(problem, file=sys.stderr)
        return 2
    with DemoWorld(args.scenario, args.speed) as world:
        try:
            runbook = load_runbook(demo_runbook_path(), world.variables)
        except RunbookError as exc:
            for line in exc.problems:
                print(line, file=sys.stderr)
            return 2
        answers = demo_answers(runbook) if args.headless else None
        if not args.headless and not args.json:
            print(f"golive demo ({args.scenario}): Kubernetes sandbox at {world.kube.url}, "
                  f"Prometheus sandbox at {world.prom_url}", file=sys.stderr)

        def make_session(listeners=()):
            from console.session import Session

            return Session.start(runbook, session_dir=args.session_dir, operator=args.operator,
                                 headless=args.headless, answers=answers, overrides=world.variables,
                                 listeners=listeners)

        if args.headless:
            from console.cmd_run import headless

            args.answers = None
            return headless(make_session, runbook, args)
        from console.app import run_mission

        return run_mission(make_session, theme=args.theme, mouse=args.mouse)
