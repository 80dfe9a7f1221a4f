"""`golive history [PATH]`: every record under a folder, by date — service, outcome, change, signatures, review.

What an auditor samples. Signature counts are as the records say; `golive verify` checks them.
Exit codes: 0 listed (even none), 2 PATH is not a folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=Path("golive-sessions"), metavar="PATH",
                        help="the folder to search (default ./golive-sessions)")
    parser.add_argument("--json", action="store_true", help="one JSON object per record")


def rows(root: Path) -> list[dict]:
    """One row per record.toml under ``root``, oldest first; an unreadable record is a row saying so."""
    from golive.console.review import read_reviews
    from golive.console.signed_body import RecordInputError

    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if "record.toml" not in files:
            continue
        path = Path(folder) / "record.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            head, change = data["record"], data.get("change") or {}
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
            out.append({"folder": str(folder), "started": "", "outcome": "unreadable record.toml"})
            continue
        required = list(head.get("signoff", []))
        signed = {s.get("role") for s in data.get("signature", []) if isinstance(s, dict)}
        try:
            reviews = [str(r.get("role", "?")) for r in read_reviews(Path(folder))]
        except RecordInputError:
            reviews = ["unreadable"]
        review = ("reviewed by " + ", ".join(reviews)) if reviews else \
            ("REVIEW NEEDED" if change.get("review_required") else "")
        out.append({
            "folder": str(folder), "started": head.get("started", ""), "service": head.get("service", ""),
            "version": head.get("version", ""), "environment": head.get("environment", ""),
            "outcome": head.get("outcome", ""), "change_id": change.get("id", ""),
            "change_type": change.get("type", ""), "window": change.get("window", ""),
            "signatures": (f"{len(signed & set(required))}/{len(required)} signed" if required else "none required"),
            "review": review,
        })
    return sorted(out, key=lambda r: (r["started"], r["folder"]))


def run(args: argparse.Namespace) -> int:
    if not args.path.is_dir():
        print(f"golive: {args.path}: not a folder", file=sys.stderr)
        return 2
    found = rows(args.path)
    if args.json:
        for row in found:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(found)} go-live record(s) under {args.path}", title_justify="left")
    for column in ("Started", "Service", "Version", "Env", "Outcome", "Change", "Signatures", "Review", "Folder"):
        table.add_column(column, overflow="fold")
    for r in found:
        change = r.get("change_id", "") + (f" ({r['change_type']})" if r.get("change_type") else "")
        if r.get("window") == "bypassed":
            change += " window bypassed"
        table.add_row(r["started"], r.get("service", ""), r.get("version", ""), r.get("environment", ""),
                      r["outcome"], change, r.get("signatures", ""), r.get("review", ""),
                      os.path.relpath(r["folder"], args.path))
    Console(highlight=False).print(table)
    return 0
