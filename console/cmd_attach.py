"""`golive attach [SESSION_DIR]` and `golive sessions`: this host's running drivers, and a seat at one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    if name == "attach":
        parser.add_argument("session_dir", type=Path, nargs="?", metavar="SESSION_DIR",
                            help="the session folder (default: the only running session, or a choice)")
        parser.add_argument("--theme", help="golive-dark, golive-light, high-contrast or mono")
        parser.add_argument("--key", type=Path, help="SSH key to sign the record with at sign-off")
    parser.add_argument("--search", type=Path, default=Path("golive-sessions"), metavar="DIR",
                        help="where session folders are looked for besides this user's registry")


def describe(status: dict) -> str:
    seats = ", ".join(status["seats"]) or "no seat"
    where = status["outcome"] or (f"phase {status['phase']}" if status["phase"] else "starting")
    return (f"{status['folder']}  {status['service']} {status['version']}  {where}  lead {status['lead']}  "
            f"seats: {seats}")


def run(args: argparse.Namespace) -> int:
    from golive.console.driver.registry import running

    if args.command == "sessions":
        found = running(args.search)
        if not found:
            print("golive: no running session on this host", file=sys.stderr)
        for status in found:
            print(describe(status))
        return 0
    folder = args.session_dir
    if folder is None:
        found = running(args.search)
        if not found:
            print("golive: no running session on this host; name a folder, or golive resume it", file=sys.stderr)
            return 2
        if len(found) == 1:
            folder = Path(found[0]["folder"])
        else:
            for i, status in enumerate(found, 1):
                print(f"{i}. {describe(status)}", file=sys.stderr)
            if not sys.stdin.isatty():
                print("golive: several sessions run; name one: golive attach SESSION_DIR", file=sys.stderr)
                return 2
            answer = input("attach to which? ").strip()
            if not answer.isdigit() or not 1 <= int(answer) <= len(found):
                print(f"golive: {answer!r} is not one of 1..{len(found)}", file=sys.stderr)
                return 2
            folder = Path(found[int(answer) - 1]["folder"])
    from golive.console.driver.client import DriverGone
    from golive.console.driver.process import attach

    try:
        return attach(folder, theme=args.theme, key=args.key, mouse=getattr(args, "mouse", True))
    except DriverGone as exc:
        print(f"golive: {exc}; if the driver died, carry on with: golive resume {folder}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"golive: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
