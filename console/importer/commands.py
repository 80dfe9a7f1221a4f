"""Code blocks under checklist items: PromQL, SQL, or shell commands sorted into read-only and changing."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from golive.console.importer.shell import gives_evidence, incomplete, read_block, read_only_line, tokens, unmask

_SHELL_INFOS = {"bash", "sh", "shell", "console", "zsh", "terminal", "cmd", "shell-session", "ksh"}
_PROMQL_INFOS = {"promql", "prometheus", "prom", "metricsql"}
_SQL_INFOS = {"sql", "psql", "postgres", "postgresql", "pgsql"}
_PROMQL_SHAPE = re.compile(
    r"\b(?:rate|irate|increase|sum|avg|max|min|count|histogram_quantile|topk|bottomk|quantile|absent|delta)"
    r"(?:_over_time)?\s*\(|\b[a-zA-Z_:][\w:]*\{[^{}]*(?:=~|!~|!=|=)\s*\"[^\"]*\"[^{}]*\}(?:\[\d+[smhdwy]\])?"
)
KNOWN_PROGRAMS = {
    "kubectl", "helm", "curl", "wget", "psql", "mysql", "redis-cli", "trivy", "docker", "podman", "git",
    "terraform", "aws", "gcloud", "az", "systemctl", "ssh", "make", "argocd", "istioctl", "linkerd", "vault",
    "nc", "dig", "nslookup", "ping", "openssl", "grep", "cat", "ls", "jq", "promtool", "amtool", "pg_isready",
    "kafka-consumer-groups", "kafka-topics", "k6", "npm", "python", "python3", "go", "sudo", "rm", "gh",
}
_ROLLBACK_WORDS = {"undo", "rollback", "roll-back", "revert", "abort", "emergency", "switch-back", "switchback",
                   "downgrade"}
# a step of a rollback script that only looks or rehearses is never the rollback itself
_NOT_ROLLBACK = {"validate", "validation", "status", "check", "verify", "test", "dry-run", "--dry-run", "list",
                 "history", "plan", "diff", "show", "get", "describe", "preview", "rehearse", "drill", "help", "--help"}
_CURL_CREDENTIALS = {"-u", "--user", "-H", "--header", "-b", "--cookie", "-E", "--cert", "--oauth2-bearer"}


@dataclass(frozen=True)
class HttpProbe:
    """A plain GET a curl line makes: the URL and whether certificate checks were switched off."""

    url: str
    insecure: bool = False


@dataclass(frozen=True)
class Command:
    """One command as written, how it would run, and whether it changes anything."""

    text: str
    argv: list[str] | None  # None: needs a shell (pipes, $VARS, redirects)
    changes: bool
    rolls_back: bool = False
    http: HttpProbe | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    script: bool = False  # several lines of one block, run as one script
    long_running: bool = False  # keeps running after the step: started by hand, never an action or a check
    evidence: bool = True  # False for a line that only prints or waits
    shown: str = ""  # the script as the checklist wrote it, for a manual item to quote
    rollback_line: str = ""  # in a script: its one top-level line that rolls back, for [rollback] to run

    @property
    def display(self) -> str:
        return self.shown or self.text


def code_kind(info: str, text: str) -> str:
    """"promql", "sql", "shell" or "other" for a fenced block's info string and body."""
    info = info.lower()
    if info in _PROMQL_INFOS:
        return "promql"
    if info in _SQL_INFOS:
        return "sql"
    if info in _SHELL_INFOS:
        return "shell"
    if info not in ("", "text", "txt", "plain"):
        return "other"
    commands = split_commands(text)
    if commands and all(_program(c) in KNOWN_PROGRAMS or _program(c).startswith(("./", "/")) for c in commands):
        return "shell"
    if _PROMQL_SHAPE.search(text) and len(text) < 2000:
        return "promql"
    return "other"


def _program(command: str) -> str:
    first = command.split(maxsplit=1)[0] if command.split() else ""
    return first


def split_commands(text: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments and prompts dropped."""
    commands: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending and line.startswith("$ "):
            line = line[2:]
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        commands.append((pending + line).strip())
        pending = ""
    if pending.strip():
        commands.append(pending.strip())
    return [c for c in commands if c]


def promql_one_line(text: str) -> str:
    """A PromQL block as one line: comment lines dropped, lines joined with single spaces."""
    lines = [ln.strip() for ln in text.splitlines()]
    joined = " ".join(ln for ln in lines if ln and not ln.startswith("#"))
    joined = re.sub(r"\(\s+", "(", joined)
    return re.sub(r"\s+\)", ")", joined)


def _needs_shell(command: str) -> bool:
    quote = ""
    previous = " "
    for ch in command:
        if quote == "'":
            quote = "" if ch == "'" else quote
        elif quote == '"':
            if ch == '"' and previous != "\\":
                quote = ""
            elif ch in "$`":
                return True
        elif ch in "'\"":
            quote = ch
        elif ch in "$`|;&<>*?(){}" or (ch == "~" and previous.isspace()):
            return True
        previous = ch
    return bool(quote)


def rolls_back(text: str) -> bool:
    """True when a command's words say it undoes the release ("rollout undo", "rollback.sh emergency",
    "switch back"), and none says it only validates or shows ("rollback.sh validate")."""
    first = text.split()[0] if text.split() else ""
    if not re.match(r"^(?:sudo\s+)?[\w.~${}\-]*/?[\w.~${}\-]+$", first) or first.endswith(":") \
            or first.startswith("/") \
            and first.count("/") == 1 and not first.endswith(".sh"):
        return False  # "Title: … rollback", "/incident declare": words in a note, not a command that undoes
    words = {w.lower().strip("\"'") for w in re.split(r"[\s/=]+|\.sh\b", text) if w}
    names = {p for w in words for p in re.split(r"[_\-.]", w) if p}
    if words & _NOT_ROLLBACK or names & {"validate", "status", "check", "verify", "drill", "rehearse"}:
        return False
    return bool((words | names) & _ROLLBACK_WORDS) or bool(re.search(r"\bswitch\s+back\b", text, re.I)) \
        or ("roll" in names and "back" in names)


def is_validation(text: str) -> bool:
    """True for a step that only validates, shows or rehearses ("rollback.sh validate", "helm history")."""
    words = {w.lower() for w in re.split(r"[\s/=]+", text) if w}
    return bool(words & _NOT_ROLLBACK)


def _long_running(line: str) -> bool:
    """``&`` at the end, or ``start`` given to a script: it keeps running after the step (a monitor, a load)."""
    words = line.split()
    if line.rstrip().endswith("&") and not line.rstrip().endswith("&&"):
        return True
    program = words[0].rsplit("/", 1)[-1] if words else ""
    if program == "sudo" and len(words) > 1:
        program, words = words[1], words[1:]
    follow = any(w in ("-f", "--follow", "-F") for w in words)
    watch = any(w in ("-w", "--watch") or w.startswith("--watch=") for w in words)
    if program == "watch" or program in ("tail", "journalctl") and follow or \
            program in ("kubectl", "oc", "docker", "podman") and ("logs" in words and follow or watch):
        return True  # it follows or watches: it never ends by itself
    return bool(words) and "start" in words[1:] and (words[0].startswith(("./", "/", "~")) or words[0].endswith(".sh"))


def _http_probe(argv: list[str]) -> HttpProbe | None:
    if not argv or argv[0] != "curl" or any(a in _CURL_CREDENTIALS for a in argv):
        return None
    urls = [a for a in argv[1:] if a.startswith(("http://", "https://"))]
    if len(urls) != 1:
        return None
    return HttpProbe(urls[0], insecure=any(a in ("-k", "--insecure") for a in argv))


def classify(command: str) -> Command:
    """How one command line from a checklist would run in a runbook, and whether it may change the system.

    Only a command on the read-only allowlist counts as not changing: anything else, an unknown script
    included, is never made a check.
    """
    line, masked = unmask(command)
    long_running = _long_running(line)
    changes = long_running or not read_only_line(line)
    notes: tuple[str, ...] = ()
    if masked and not changes:
        notes = ("the checklist's `|| echo …` fallback was dropped: it would make the check always pass",)
    argv: list[str] | None = None
    if not _needs_shell(line):
        try:
            argv = shlex.split(line)
        except ValueError:
            argv = None
    if argv and argv[0] == "trivy" and "--exit-code" not in argv:
        argv = [*argv, "--exit-code", "1"]
        notes += ("trivy exits 0 even when it finds vulnerabilities: "
                  "--exit-code 1 was added so findings fail the check",)
    http = None if changes or argv is None else _http_probe(argv)
    evidence = gives_evidence(line)
    return Command(line if not changes else command, argv if not changes or argv else None, changes,
                   changes and rolls_back(line), http, notes, long_running=long_running, evidence=evidence)


def block_commands(text: str, info: str = "") -> list[Command]:
    """The commands of a fenced shell block: one per line, or the whole block as one script when its lines
    share state or control flow (a script is never split into fragments)."""
    block = read_block(text, info)
    if not block.script:
        return [classify(line) for line in block.lines]
    if incomplete(block.lines) or not tokens(block.text.replace("\n", " ; ")):
        # "else", "fi", an unclosed quote: a fragment is never run, only shown to a person
        return [Command(block.text, None, True, False, None, (), script=True, long_running=True, shown=block.text)]
    read_only = block.read_only()
    long_running = any(_long_running(line) for line in block.lines)
    changes = long_running or not read_only
    script = block.script_text()
    argv = ["bash", "-c", script] if block.bash else None
    undo = next((ln for ln in top_level_lines(block.lines) if rolls_back(ln) and not _long_running(ln)
                 and not _needs_shell(ln)), "")
    return [Command(script, argv, changes, changes and (bool(undo) or any(rolls_back(ln) for ln in block.lines)),
                    None, (), script=True, long_running=long_running, shown=block.text, rollback_line=undo)]


def top_level_lines(lines) -> list[str]:
    """The lines of a script outside any if/for/while/case body: commands that run once, on their own."""
    depth, out = 0, []
    for line in lines:
        first = line.split()[0] if line.split() else ""
        if first in ("done", "fi", "esac", "}"):
            depth = max(0, depth - 1)
            continue
        if first in ("for", "while", "until", "if", "case", "select") or line.rstrip().endswith(("{", " do", " then")):
            if not (first == "if" and line.rstrip().endswith("fi")) and not line.rstrip().endswith("done"):
                depth += 1
            continue
        if depth == 0:
            out.append(line)
    return out
