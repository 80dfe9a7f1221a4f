"""The `golive` command line: a table of subcommands, each a module imported only when used.

Exit codes: 0 GO / clean / valid, 1 any other outcome / problems found, 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). Each module has add_arguments(parser) and run(args) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("golive.console.cmd_run", "drive a go-live from a runbook (the mission screen, or --headless)"),
    "resume": ("golive.console.cmd_run", "carry on a session after a crash or a dropped SSH link"),
    "watch": ("golive.console.cmd_watch", "follow a session read-only from its journal"),
    "attach": ("golive.console.cmd_attach",
               "a seat at a running session's driver (no folder: the only one, or a choice)"),
    "sessions": ("golive.console.cmd_attach",
                 "list this host's running sessions: service, version, phase, lead, seats"),
    "serve": ("golive.console.cmd_serve", "the read-only mission screen in a web browser, for the wall screen"),
    "lint": ("golive.console.cmd_lint", "check runbooks; every problem on one line with file:line"),
    "report": ("golive.console.cmd_report", "write record.toml and record.md for a session (a draft while it runs)"),
    "sign": ("golive.console.cmd_sign", "add a role's SSH signature to a record"),
    "verify": ("golive.console.cmd_verify", "verify a record's signatures and its journal"),
    "import": ("golive.console.cmd_import", "turn a Markdown go-live checklist into a runbook"),
    "export": ("golive.console.cmd_export", "write a session's audit bundle (tar.gz with a SHA-256 manifest)"),
    "history": ("golive.console.cmd_history",
                "list the records under a folder: date, service, outcome, change, signatures"),
    "review": ("golive.console.cmd_review", "add a signed review of a finished change (an emergency change needs one)"),
    "demo": ("golive.console.cmd_demo", "a go-live against built-in sandbox servers; needs no infrastructure"),
}


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen subcommand's module is imported (start-up stays fast)."""
    parser = argparse.ArgumentParser(
        prog="golive",
        description="Mission control for a production go-live, in a terminal.",
        epilog="Exit codes: 0 GO or clean, 1 another outcome or problems found, 2 bad input.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        if name == chosen:
            _load(module).add_arguments(p, name)
    return parser


def _load(module: str):
    return importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(_load(args._module).run(args) or 0)
    except KeyboardInterrupt:
        print("golive: interrupted", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
