"""`golive export SESSION_DIR -o bundle.tar.gz`: the audit bundle (runbook, journal, record, reviews, manifest).

Exit codes: 0 written, 2 bad input (not a session folder, no record yet, cannot write).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("session_dir", type=Path, metavar="SESSION_DIR")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="BUNDLE",
                        help="the tar.gz to write (check it with golive verify --bundle BUNDLE)")


def run(args: argparse.Namespace) -> int:
    from golive.console.bundle import BundleError, export_bundle

    try:
        names = export_bundle(args.session_dir, args.output)
    except BundleError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 2
    print(f"golive: wrote {args.output}: {len(names)} files with their SHA-256 in {names[0]}")
    return 0
