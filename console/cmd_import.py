"""`golive import CHECKLIST.md [-o RUNBOOK.toml]`: a Markdown go-live checklist to a runbook that lints clean.

Exit codes: 0 imported, 1 an internal defect (nothing written), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("checklist", metavar="CHECKLIST.md", help="the Markdown checklist to import (- reads stdin)")
    parser.add_argument("-o", "--output", metavar="RUNBOOK.toml",
                        help="write the runbook here (atomically) instead of printing it")
    parser.add_argument("--force", action="store_true", help="replace RUNBOOK.toml if it already exists")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")


def _say(text: str) -> None:
    print(f"golive import: {text}", file=sys.stderr)


def _read(source: str) -> tuple[bytes, str]:
    if source == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    path = Path(source)
    if path.is_dir():
        raise OSError(f"{source}: is a folder, not a checklist")
    try:
        return path.read_bytes(), source
    except OSError as exc:
        raise OSError(f"{source}: cannot read: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    from golive.console.importer import ChecklistError, ImporterBug, import_checklist

    try:
        data, name = _read(args.checklist)
    except OSError as exc:
        _say(str(exc))
        return 2
    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not args.force:
        _say(f"{output}: already exists (pass --force to replace it)")
        return 2
    try:
        result = import_checklist(data, name)
    except ChecklistError as exc:
        _say(str(exc))
        return 2
    except ImporterBug as exc:
        _say(f"internal error, nothing written: {exc}")
        return 1
    except Exception as exc:  # the importer must never crash the command line with a traceback
        _say(f"internal error, nothing written: {name}: {type(exc).__name__}: {' '.join(str(exc).split())}")
        return 1
    if output is None:
        sys.stdout.write(result.text)
        sys.stdout.flush()
    else:
        try:
            from golive.console.files import write_atomic

            write_atomic(output, result.text.encode("utf-8"))
        except OSError as exc:
            _say(f"{output}: cannot write: {exc.strerror or exc}")
            return 2
    if not args.quiet:
        _say(f"{name} → {output if output is not None else 'stdout'}")
        for line in result.summary.lines():
            print(f"  {line}", file=sys.stderr)
    return 0
