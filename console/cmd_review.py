"""`golive review SESSION_DIR --role ROLE`: a signed review of a finished change (an emergency change needs one).

Exit codes: 0 reviewed, 1 the key, agent or ssh-keygen failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("session_dir", type=Path, metavar="SESSION_DIR")
    parser.add_argument("--role", required=True, help="the role reviewing, e.g. change-advisory-board")
    parser.add_argument("--key", help="private key file, or a public key file the ssh-agent holds (as golive sign)")
    parser.add_argument("--name", help="the reviewer's name as shown (default: your full name)")
    parser.add_argument("--principal", help="identity in allowed_signers (default: the key's comment, else user@host)")
    parser.add_argument("--note", default="", help="what the review found")


def run(args: argparse.Namespace) -> int:
    from golive.console.review import REVIEWS, add_review
    from golive.console.signing import RecordInputError, SigningError, default_name

    try:
        entry = add_review(args.session_dir, args.role, key=args.key, name=args.name or default_name(),
                           principal=args.principal, note=args.note)
    except RecordInputError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 2
    except SigningError as exc:
        print(f"golive: {exc}", file=sys.stderr)
        return 1
    print(f"golive: reviewed {args.session_dir} as {entry['role']} by {entry['name']} <{entry['principal']}> "
          f"({entry['fingerprint']}); journaled and kept in {args.session_dir / REVIEWS}")
    return 0
