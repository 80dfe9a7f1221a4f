"""`golive run RUNBOOK` and `golive resume SESSION_DIR`: the mission screen, or a headless run for CI."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    if name == "run":
        parser.add_argument("runbook", metavar="RUNBOOK")
        parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                            help="a variable for ${NAME}, e.g. --set version=v1.2.4 (repeatable)")
        parser.add_argument("--dry-run", action="store_true", help="show and record every action without running it")
        parser.add_argument("--session-dir", type=Path, metavar="DIR",
                            help="the session folder (default ./golive-sessions/<UTC time>-<service>-<version>)")
        parser.add_argument("--bypass-window", default="", metavar="REASON",
                            help="start outside the change window or in a freeze; the reason is journaled")
        parser.add_argument("--emergency-reason", default="", metavar="REASON",
                            help='why an emergency change (change_type = "emergency") cannot wait; required for one')
    else:
        parser.add_argument("session_dir", type=Path, metavar="SESSION_DIR")
    parser.add_argument("--headless", action="store_true", help="no screen: proceed when gates open, for CI")
    parser.add_argument("--answers", type=Path, metavar="FILE",
                        help="answers for manual items in a headless run ([answers.<check-id>] by = \"name\")")
    parser.add_argument("--json", action="store_true", help="headless: one JSON object per event on stdout")
    parser.add_argument("--operator", help="who drives (default: the login name)")
    parser.add_argument("--theme", help="golive-dark, golive-light, high-contrast or mono")
    parser.add_argument("--key", type=Path, help="SSH key to sign the record with at sign-off")
    add_screen_arguments(parser)


def add_screen_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the mission screen shared by run, resume, watch and demo (--theme is each command's own)."""
    parser.add_argument("--no-mouse", dest="mouse", action="store_false",
                        help="leave the mouse to the terminal (select text in tmux); every action has a key; "
                             "GOLIVE_NO_MOUSE=1 in the environment does the same")
    parser.set_defaults(mouse=not os.environ.get("GOLIVE_NO_MOUSE"))


def check_theme(name: str | None) -> str | None:
    """One line naming the themes when ``name`` is not one of them, else None: said before anything starts."""
    if not name:
        return None   # a headless run never loads the themes (nor Textual)
    from golive.themes import choose_theme

    try:
        choose_theme(name)
    except ValueError as exc:
        return f"golive: --theme: {exc}"
    return None


def run(args: argparse.Namespace) -> int:
    from golive.checks.manual import check_answers, load_answers
    from golive.console.change import start_event
    from golive.console.cmd_lint import parse_sets
    from golive.console.runbook import RunbookError, load_runbook

    problem = check_theme(args.theme)
    if problem is None and args.key is not None and not args.key.is_file():
        problem = f"golive: --key: {args.key}: no such file (the SSH private key that signs the record)"
    if problem:
        print(problem, file=sys.stderr)
        return 2
    answers, change = None, None
    try:
        if args.answers:
            answers = load_answers(args.answers)
        if args.command == "run":
            overrides = parse_sets(args.sets)
            runbook = load_runbook(args.runbook, overrides)
            if answers is not None:
                check_answers(answers, runbook, args.answers)
            # the window, the freeze and an emergency's reason are checked before anything is created
            change = start_event(runbook, time.time(), args.operator or "", args.emergency_reason,
                                 args.bypass_window)
            from golive.console.notify import resolve_url

            for i, target in enumerate(runbook.notify):
                resolve_url(target, i)  # a missing hook is bad input now, not a silent room later
        else:
            overrides, runbook = {}, None
    except RunbookError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 2
    if runbook is not None and _not_ready(runbook, args, overrides, answers):
        return 2

    notifiers: list = []

    def make_session(listeners=()):
        from golive.console.notify import attach, prepare
        from golive.console.session import Session

        if runbook is not None:
            notifier = prepare(runbook)  # heard from the first event on
            extra = (notifier,) if notifier else ()
            session = Session.start(runbook, session_dir=args.session_dir, operator=args.operator,
                                    headless=args.headless, dry_run=args.dry_run, answers=answers,
                                    overrides=overrides, listeners=(*listeners, *extra), change=change)
            if notifier is not None:
                notifier.bind(session)
        else:
            session = Session.resume(args.session_dir, operator=args.operator, headless=args.headless,
                                     answers=answers, listeners=listeners)
            try:
                notifier = attach(session)
            except ValueError:
                session.close()
                raise
        if notifier is not None:
            notifiers.append(notifier)
        return session

    try:
        return _drive(make_session, runbook, args)
    finally:
        for notifier in notifiers:
            notifier.close()


def _drive(make_session, runbook, args) -> int:
    from golive.console.journal import JournalError
    from golive.console.runbook import RunbookError

    world = None
    try:
        driver = getattr(args, "as_driver", False)   # this is the driver process `golive run` started
        if args.command == "resume" and (args.headless or driver):
            # a demo's sandboxes died with it: bring them back (in the process that samples), or say why not
            from golive.console.cmd_demo import start_resumed_world

            world = start_resumed_world(args.session_dir)
        if driver:
            from golive.console.driver.process import serve

            return serve(make_session, args)
        if args.headless:
            return headless(make_session, runbook, args)
        from golive.console.journal import ensure_not_driven

        folder = args.session_dir if args.command == "resume" else getattr(args, "session_dir", None)
        if folder is not None:
            ensure_not_driven(folder)  # say so before a screen opens, not after
        from golive.console.driver.process import launch_and_attach

        return launch_and_attach(args, runbook)   # the driver outlives this terminal; the screen is a seat
    except JournalError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 2
    except (RunbookError, ValueError, OSError) as exc:
        problems = getattr(exc, "problems", None) or [_one_line(exc)]
        for line in problems:
            print(f"golive: {line}", file=sys.stderr)
        return 2
    finally:
        if world is not None:
            world.stop()


def _not_ready(runbook, args, overrides, answers) -> bool:
    """Say, before anything starts, what the runbook still needs (unset variables, placeholder URLs: stop); the
    manual items a headless run has no answer for are named once its session exists (``say_what_waits``)."""
    from golive.console.preflight import missing_inputs, unknown_overrides

    try:
        text = Path(args.runbook).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    missing = unknown_overrides(runbook, text, overrides) + missing_inputs(runbook, text, overrides)
    for line in missing:
        print(f"golive: {line}", file=sys.stderr)
    return bool(missing)


def _one_line(exc: Exception) -> str:
    """``path: No space left on device`` rather than ``[Errno 28] No space left on device: 'path'``."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


def headless(make_session, runbook, args) -> int:
    import asyncio

    from golive.console.reporter import JsonReporter, RichReporter

    async def main() -> str | None:
        reporters: list[JsonReporter | RichReporter] = []
        if args.json:
            reporters.append(JsonReporter())
        elif runbook is not None:
            reporters.append(RichReporter(runbook))
        session = make_session(tuple(reporters))
        if runbook is None and not args.json:
            session.subscribe(RichReporter(session.runbook))
        for warning in getattr(session, "resume_warnings", []):
            print(f"golive: warning: {warning}", file=sys.stderr)
        try:
            say_what_waits(session, args)
        except ValueError:
            session.close()
            raise
        if session.engine.state.outcome is not None:
            print(f"golive: the go-live had already ended {session.engine.state.outcome}; writing its record "
                  "and the sign-offs still due", file=sys.stderr)
        try:
            outcome = await session.run()
        finally:
            session.close()
        if not args.json:
            toml_path, md_path = session.record_paths or (None, None)
            print(f"record: {toml_path}  {md_path}", file=sys.stderr)
        return outcome

    outcome = asyncio.run(main())
    return 0 if outcome == "GO" else 1


def say_what_waits(session, args) -> None:
    """Before a headless run: name each manual item that has no answer, since the run waits for it.

    Raises:
        ValueError: a resumed runbook cannot use the answers (one line naming the file and field).
    """
    from golive.checks.manual import check_answers, unanswered

    answers = session.answers
    if args.command == "resume" and answers is not None:
        check_answers(answers, session.runbook, args.answers)
    state = session.engine.state
    if state.outcome is not None:
        return  # a finished go-live waits for nothing
    ended = {p.id for p in state.phases if p.status not in ("pending", "active")}
    done = {cid for cid, m in state.manual.items() if m.checked or m.phase in ended}
    for line in unanswered(session.runbook, answers, done):
        print(f"golive: warning: {line}", file=sys.stderr)
