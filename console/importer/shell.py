"""Shell blocks read as shell: logical lines without comments, and whether a block is one script or separate
commands. A script is never split into lines: an ``else`` or ``fi`` is not a command."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from golive.console.importer.readonly import is_read_only

KEYWORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function",
            "select", "in", "{", "}", "!", "[[", "]]", ";;"}
_LEADING = {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"}
_CLOSING = {"fi", "done", "esac", "}"}
_STATE = {"cd", "export", "set", "unset", "local", "shift", "trap", "pushd", "popd", "declare", "readonly", "umask"}
_SHELL_ONLY = _STATE | {"exit", "return", "break", "continue", "echo", "printf", "true", "false", ":", "test", "[",
                        "read", "wait"}
_TRIVIAL = _SHELL_ONLY | {"date", "sleep", "clear", "whoami", "hostname"}
_OPERATORS = {";", "&&", "||", "|", "(", ")", "&", "|&", ";;", "&;"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_SUBST = re.compile(r"\$\(([^()]*)\)|`([^`]*)`")
_OPEN_END = re.compile(r"(?:\||&&|\|\||\{|\(|\bthen|\bdo|\belse|\bin)\s*$")
_SAFE_TARGETS = {"/dev/null", "/dev/stderr", "/dev/stdout"}
_BASH = re.compile(r"\[\[|pipefail|\w=\(|\$'|^\s*source\s|^\s*function\s|\bdeclare\b|<\(", re.M)


def strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` inside quotes, ``$#`` or ``${#x}`` is kept)."""
    quote, escaped = "", False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t;&|()"):
            return line[:i].rstrip()
    return line.rstrip()


def logical_lines(text: str) -> list[str]:
    """A block's command lines: continuations joined, comments, blank lines, prompts and shown output dropped."""
    raw = text.splitlines()
    prompted = any(ln.lstrip().startswith("$ ") for ln in raw)
    lines: list[str] = []
    pending = ""
    for line in raw:
        stripped = line.strip()
        if prompted and not pending:
            if not stripped.startswith("$ "):
                continue  # the output a session shows, not a command
            stripped = stripped[2:]
        stripped = strip_comment(stripped)
        if stripped.endswith("\\"):
            pending += stripped[:-1].rstrip() + " "
            continue
        joined = (pending + stripped).strip()
        pending = ""
        if joined:
            lines.append(joined)
    if pending.strip():
        lines.append(pending.strip())
    return lines


def tokens(line: str) -> list[str] | None:
    """Shell words and operators of one line; None when the quoting does not close on it."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return None


def simple_commands(line: str) -> list[list[str]] | None:
    """The simple commands of a line (keywords and assignments stripped); None when it cannot be read safely:
    a here-document, a case statement, a redirect into a file, a nested substitution, unclosed quotes."""
    words = tokens(line)
    if words is None or any(w.startswith("<<") for w in words):
        return None
    if words and (words[0] in ("&&", "||", "|", ";", "&", "|&") or words[-1] in ("&&", "||", "|")):
        return None  # a line that starts or ends mid-command is a fragment of another
    commands: list[list[str]] = []
    current: list[str] = []
    expect_target = False
    for word in words:
        if expect_target:
            expect_target = False
            if word not in _SAFE_TARGETS and not word.isdigit() and word != "-":
                return None  # it writes a file
            continue
        if word.lstrip("0123456789&") in (">", ">>", ">|") or word in ("&>", "&>>"):
            expect_target = True
            continue
        if word in (">&", "<", "<&"):
            expect_target = word == ">&"
            continue
        if word in _OPERATORS:
            if word in ("&", "|&", "&;"):
                return None  # in the background: it outlives the check
            commands.append(current)
            current = []
            continue
        for m in _SUBST.finditer(word):
            inner = simple_commands(m.group(1) if m.group(1) is not None else m.group(2))
            if inner is None:
                return None
            commands.extend(inner)
        if ("$(" in word or "`" in word) and not _SUBST.search(word):
            return None
        current.append(word)
    commands.append(current)
    out = []
    for command in commands:
        while command and (command[0] in _LEADING or command[0] in _CLOSING or _ASSIGNMENT.match(command[0])):
            command = command[1:]
        if command and command[0] in ("case", "function", "select", "eval", "exec", "source", ".", "alias"):
            return None
        if command and command[0] == "for":
            continue  # "for x in a b": the loop's header, not a command
        if command:
            out.append(command)
    return out


def read_only_line(line: str, script: bool = False) -> bool:
    """True when every command of the line is on the read-only allowlist (shell state counts in a script)."""
    commands = simple_commands(line)
    if not commands:
        return False
    for argv in commands:
        if argv[0] in _SHELL_ONLY and (script or argv[0] not in _STATE):
            continue
        if not is_read_only(argv):
            return False
    return True


def gives_evidence(line: str) -> bool:
    """False for lines that only print, wait or set shell state: an ``echo`` passing proves nothing."""
    # what a substitution computes is only printed: `echo "$(git log -1)"` proves nothing by passing
    commands = simple_commands(_SUBST.sub("x", line)) or []
    return any(_unwrapped(argv)[:1] and _unwrapped(argv)[0] not in _TRIVIAL for argv in commands)


def _unwrapped(argv: list[str]) -> list[str]:
    """The command a wrapper runs: ``sudo -u x cmd`` → ``cmd``."""
    while argv and argv[0] in ("sudo", "env", "timeout", "time", "nice", "nohup"):
        argv = argv[1:]
        while argv and (argv[0].startswith("-") or "=" in argv[0] or argv[0][:1].isdigit()):
            argv = argv[1:]
    return argv


def unmask(line: str) -> tuple[str, bool]:
    """``cmd || echo failed`` → (``cmd``, True): a fallback that hides the failure would make a check always pass."""
    words = tokens(line)
    if not words or "||" not in words:
        return line, False
    right = words[words.index("||") + 1:]
    if right[:1] and right[0] in ("echo", "printf", "true", ":") or right[:2] == ["exit", "0"]:
        cut = _top_level_or(line)
        if cut is not None:
            return line[:cut].rstrip(), True
    return line, False


def _top_level_or(line: str) -> int | None:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif line.startswith("||", i):
            return i
    return None


@dataclass(frozen=True)
class ShellBlock:
    """A fenced shell block as Golive should treat it."""

    lines: tuple[str, ...]
    script: bool  # its lines share state or control flow: one script or one manual item, never split
    bash: bool

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def script_text(self) -> str:
        """The script to run with ``sh -c``: ``set -e`` first unless the block sets it itself."""
        if any(re.match(r"^set\s+-[a-z]*e", ln) for ln in self.lines):
            return self.text
        return "set -e\n" + self.text

    def read_only(self) -> bool:
        return all(read_only_line(ln, script=True) for ln in self.lines) and \
            any(gives_evidence(ln) for ln in self.lines)


def incomplete(lines) -> bool:
    """True when the script's if/for/while/case do not open and close in order, or a quote is left open:
    a fragment ("else", "then ./x", "fi") that no shell would run as written."""
    words = tokens("\n".join(lines))
    if words is None:
        return True
    depth = {"if": 0, "loop": 0, "case": 0}
    closes = {"fi": "if", "done": "loop", "esac": "case"}
    for word in words:
        if word == "if":
            depth["if"] += 1
        elif word in ("for", "while", "until", "select"):
            depth["loop"] += 1
        elif word == "case":
            depth["case"] += 1
        elif word in ("then", "else", "elif") and depth["if"] <= 0 or word == "do" and depth["loop"] <= 0:
            return True
        elif word in closes:
            depth[closes[word]] -= 1
            if depth[closes[word]] < 0:
                return True
    return any(depth.values())


def _shares_state(line: str) -> bool:
    words = tokens(line)
    if words is None:
        return True
    first = words[0] if words else ""
    return (first in KEYWORDS or first in _STATE or first in ("source", ".", "alias")
            or bool(_ASSIGNMENT.match(first)) or bool(re.match(r"^[\w\-]+\s*\(\s*\)", line))
            or bool(_OPEN_END.search(line)) or any(w.startswith("<<") for w in words))


def read_block(text: str, info: str = "") -> ShellBlock:
    """The block's lines and whether they make one script (shared state, control flow, variables)."""
    lines = tuple(logical_lines(text))
    assigned = any(_ASSIGNMENT.match((tokens(ln) or [""])[0] or "") for ln in lines)
    script = len(lines) > 1 and (assigned or any(_shares_state(ln) for ln in lines)) or \
        any((tokens(ln) or [""])[:1] and (tokens(ln) or [""])[0] in KEYWORDS for ln in lines)
    bash = info.lower() in ("bash", "zsh") and bool(_BASH.search(text)) or bool(_BASH.search(text))
    return ShellBlock(lines, script, bash)
