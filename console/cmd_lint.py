"""`golive lint RUNBOOK...`: exit 0 clean, 1 problems, 2 unreadable."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("runbooks", nargs="+", metavar="RUNBOOK")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                        help="a variable for ${NAME} (repeatable)")


def parse_sets(sets: list[str]) -> dict[str, str]:
    """``--set a=b`` pairs; raises ValueError naming a malformed one."""
    out: dict[str, str] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {item!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    from golive.console.runbook import RunbookError, load_runbook
    from golive.console.units import plural

    try:
        overrides = parse_sets(args.sets)
    except ValueError as exc:
        print(f"golive lint: {exc}", file=sys.stderr)
        return 2
    worst = 0
    for path in args.runbooks:
        try:
            rb = load_runbook(path, overrides)
        except RunbookError as exc:
            for line in exc.problems:
                print(line, file=sys.stderr)
            worst = max(worst, 2 if exc.unreadable else 1)
            continue
        if _unknown_sets(rb, path, overrides):
            worst = max(worst, 1)
            continue
        checks = sum(1 for _ in rb.iter_checks())
        print(f"{path}: ok — {plural(len(rb.phases), 'phase')}, {plural(checks, 'check')}, "
              f"{plural(len(rb.triggers), 'trigger')}")
    return worst


def _unknown_sets(rb, path: str, overrides: dict[str, str]) -> bool:
    """Say each --set the runbook has no variable for; True when there is one."""
    from pathlib import Path

    from golive.console.preflight import unknown_overrides

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    lines = unknown_overrides(rb, text, overrides)
    for line in lines:
        print(f"golive lint: {line}", file=sys.stderr)
    return bool(lines)
