"""`golive watch SESSION_DIR`: the mission screen, read-only, following a session's journal as it grows."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("session_dir", type=Path, metavar="SESSION_DIR")
    parser.add_argument("--theme", help="golive-dark, golive-light, high-contrast or mono")
    from golive.console.cmd_run import add_screen_arguments

    add_screen_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """0 after watching (whatever the outcome: the driver's exit code says that), 2 for a bad folder."""
    from golive.console.cmd_run import check_theme
    from golive.console.journal import JOURNAL_NAME, JournalError

    problem = check_theme(args.theme)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if not (args.session_dir / JOURNAL_NAME).is_file():   # say so before the screen opens
        print(f"golive: {args.session_dir / JOURNAL_NAME}: no journal (is this a session folder?)", file=sys.stderr)
        return 2

    def make_session(listeners=()):
        from golive.console.driver.client import DriverClient, DriverGone
        from golive.console.follower import Follower

        try:   # a running driver: live samples and pods, read-only
            return DriverClient(args.session_dir, read_only=True, listeners=listeners)
        except DriverGone:
            return Follower(args.session_dir, listeners=listeners)

    try:
        from golive.screens.app import run_mission

        run_mission(make_session, theme=args.theme, mouse=args.mouse)
    except (JournalError, ValueError, OSError) as exc:
        print(f"golive: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    return 0
