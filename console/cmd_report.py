"""`golive report SESSION_DIR`: render record.toml and record.md from the journal (a draft while it runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("session_dir", type=Path, metavar="SESSION_DIR")


def run(args: argparse.Namespace) -> int:
    from console.journal import JournalError, read_journal
    from console.record import build_record, journal_anchor, write_record
    from console.runbook import RunbookError
    from console.session import replay_session

    folder: Path = args.session_dir
    try:
        replay = read_journal(folder / "journal.jsonl")
        _, engine, _ = replay_session(folder, replay.events)
    except (JournalError, RunbookError, ValueError, OSError) as exc:
        for line in getattr(exc, "problems", None) or [str(exc)]:
            print(f"golive report: {line}", file=sys.stderr)
        return 2
    for warning in replay.warnings:
        print(f"golive report: warning: {warning}", file=sys.stderr)
    toml_path, md_path = write_record(folder, build_record(engine, *journal_anchor(replay.events, replay.head)))
    state = engine.state.outcome or "IN PROGRESS (draft)"
    print(f"{state}: {toml_path}  {md_path}")
    return 0 if engine.state.outcome == "GO" else 1
