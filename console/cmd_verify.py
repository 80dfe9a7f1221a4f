"""`golive verify RECORD --allowed-signers FILE [--journal FILE] [--markdown FILE]`: a table of every role's
signature, the record held against its journal and record.md, and a one-line verdict.

Exit codes: 0 every required role validly signed and nothing changed, 1 otherwise, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_SYMBOLS = {"valid": ("✓", "bold green"), "missing": ("!", "bold yellow")}
_FAILED = ("✗", "bold red")


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("record", type=Path, nargs="?", metavar="RECORD", help="the record.toml to verify")
    parser.add_argument("--bundle", type=Path, metavar="BUNDLE",
                        help="check an audit bundle from golive export offline (signatures too with --allowed-signers)")
    parser.add_argument(
        "--allowed-signers",
        type=Path,
        metavar="FILE",
        help="OpenSSH allowed_signers file: who may sign, with which key (see ssh-keygen(1))",
    )
    parser.add_argument("--journal", type=Path, metavar="FILE",
                        help="also check the session's journal.jsonl: its chain, and that the record says what it does")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="also check that record.md is the rendering of this record.toml")
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="verify as of this ISO-8601 time instead of now (for keys retired since, by valid-before)",
    )


def run(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from golive.console.signing import RecordInputError, verify_record

    now = None
    if args.at:
        try:
            now = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
        except ValueError:
            print(f"golive: --at {args.at!r} is not an ISO-8601 time such as 2026-11-22T20:40:00Z", file=sys.stderr)
            return 2
        now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    if args.bundle is not None or args.record is None or args.allowed_signers is None:
        from golive.console.bundle import run_verify  # the audit bundle's branch (console/bundle.py)

        return run_verify(args, now)
    try:
        report = verify_record(args.record, args.allowed_signers, args.journal, now, args.markdown)
    except RecordInputError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 2
    _render(report)
    return 0 if report.ok else 1


def _render(report) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    table = Table(title=f"{report.path}  ({report.outcome or 'no outcome'})", title_justify="left", expand=False)
    table.add_column("Role", no_wrap=True)
    # fold, never "…": a principal or fingerprint cut short would hide exactly what an auditor checks
    table.add_column("Signer", overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Detail", overflow="fold")
    for row in report.rows:
        symbol, style = _SYMBOLS.get(row.status, _FAILED)
        signer = f"{row.name}\n<{row.principal}>" if row.principal else row.name
        table.add_row(row.role, signer, Text(f"{symbol} {row.status}", style=style), row.detail)
    console.print(table)
    if report.journal is not None:
        symbol, style = ("✓", "bold green") if report.journal.ok else _FAILED
        console.print(Text.assemble("journal: ", (symbol, style), f" {report.journal.detail}"))
        for problem in report.journal.problems:
            console.print(Text(f"  ✗ {problem}", style="red"))
    if report.markdown is not None:
        symbol, style = ("✓", "bold green") if report.markdown.ok else _FAILED
        console.print(Text.assemble("record.md: ", (symbol, style), f" {report.markdown.detail}"))
    symbol, style = ("✓", "bold green") if report.ok else _FAILED
    console.print(Text(f"{symbol} {report.verdict()}", style=style))
