"""`golive report SESSION_DIR`: render record.toml and record.md from the journal (a draft while it runs).

Exit codes: 0 outcome GO, 1 any other outcome or a draft, 2 bad input (no journal, a damaged one, a folder
that cannot be written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("session_dir", type=Path, metavar="SESSION_DIR")
    parser.add_argument("--json", action="store_true",
                        help="also print the record (as written to record.toml, signatures included) as JSON")


def run(args: argparse.Namespace) -> int:
    from golive.console.journal import JournalError, read_journal
    from golive.console.record import write_record
    from golive.console.record_file import record_from_journal
    from golive.console.runbook import RunbookError
    from golive.console.session import replay_session

    folder: Path = args.session_dir

    def fail(line: str) -> int:
        print(f"golive report: {line}", file=sys.stderr)
        return 2

    def warn(line: str) -> None:
        print(f"golive report: warning: {line}", file=sys.stderr)

    try:
        replay = read_journal(folder / "journal.jsonl")
        runbook, engine, _ = replay_session(folder, replay.events)
    except (JournalError, RunbookError, ValueError, OSError) as exc:
        for line in getattr(exc, "problems", None) or [str(exc)]:
            fail(line)
        return 2
    for warning in replay.warnings:
        warn(warning)
    record = record_from_journal(runbook, replay.events, replay.head)
    try:
        toml_path, md_path = write_record(folder, record, on_warning=warn)
    except OSError as exc:
        why = exc.strerror or str(exc)
        return fail(why if str(folder) in why else f"{folder}: {why}")
    state = engine.state.outcome or "IN PROGRESS (draft)"
    if args.json:
        import tomllib

        written = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        print(json.dumps(written, ensure_ascii=False, indent=2))
        print(f"{state}: {toml_path}  {md_path}", file=sys.stderr)
    else:
        print(f"{state}: {toml_path}  {md_path}")
    return 0 if engine.state.outcome == "GO" else 1
