"""Code blocks under checklist items: PromQL, SQL, or shell commands sorted into read-only and changing."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

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
# subcommands that only look: anything else of these tools may change the system
_READ_SUBCOMMANDS = {
    "kubectl": {"get", "describe", "logs", "top", "version", "cluster-info", "api-resources", "api-versions",
                "explain", "diff", "auth", "wait", "events"},
    "helm": {"list", "ls", "status", "history", "get", "show", "template", "lint", "version", "search", "diff"},
    "terraform": {"plan", "show", "output", "validate", "version", "fmt", "providers", "graph"},
    "docker": {"ps", "images", "inspect", "logs", "version", "info", "stats", "top"},
    "podman": {"ps", "images", "inspect", "logs", "version", "info", "stats", "top"},
    "git": {"log", "status", "show", "diff", "describe", "rev-parse", "ls-remote", "fetch"},
    "systemctl": {"status", "is-active", "is-enabled", "is-failed", "show", "list-units", "cat"},
}
_ROLLOUT_READ = {"status", "history"}
_CHANGING_VERBS = {
    "delete", "drop", "destroy", "rm", "remove", "deploy", "install", "uninstall", "upgrade", "rollback",
    "restart", "stop", "kill", "scale", "patch", "apply", "set", "push", "truncate", "reset", "create", "update",
    "insert", "promote", "undo", "up", "down", "migrate", "purge", "flush", "flushall", "flushdb", "shutdown",
    "reboot", "replace", "edit", "drain", "cordon", "uncordon", "taint", "annotate", "label", "sync", "revert",
    "pause", "resume", "abort", "retry", "terminate", "release", "publish", "merge", "commit", "exec",
}
_CHANGING_PROGRAMS = {"rm", "mv", "dd", "mkfs", "kill", "pkill", "killall", "reboot", "shutdown", "chmod", "chown"}
_CHANGING_SQL = re.compile(
    r"\b(?:drop|delete|update|insert|alter|truncate|create|grant|revoke|vacuum|reindex|cluster|copy|call)\b", re.I
)
_ROLLBACK_WORDS = {"undo", "rollback", "revert"}
_CURL_WRITES = {"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "-F", "--form", "-T",
                "--upload-file"}
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


_VALUE_FLAGS = {"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server",
                "--kube-context", "-C", "--chdir", "-c", "--profile", "--region", "--project"}


def _words(argv: list[str]) -> list[str]:
    """The non-option words of a command line, skipping the values of global flags such as -n ns."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUE_FLAGS:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg.lower())
    return words


def _changes(argv: list[str], raw: str) -> tuple[bool, bool]:
    """(changes, rolls back) for one simple command."""
    if not argv:
        return False, False
    program = argv[0].rsplit("/", 1)[-1].lower()
    words = _words(argv[1:])
    if program == "sudo":
        return _changes(argv[1:], raw)
    if program in _CHANGING_PROGRAMS:
        return True, False
    rolls_back = bool(_ROLLBACK_WORDS & set(words))
    if program in ("psql", "mysql"):
        return bool(_CHANGING_SQL.search(raw)) or any(a in ("-f", "--file") for a in argv), rolls_back
    if program == "kubectl" and words[:1] == ["exec"]:
        inner = argv[argv.index("--") + 1:] if "--" in argv else []
        return (_changes(inner, shlex.join(inner))[0] if inner else True), False
    if program == "kubectl" and words[:1] == ["rollout"]:
        return words[1:2] != [] and words[1] not in _ROLLOUT_READ, rolls_back or words[1:2] == ["undo"]
    if program == "curl":
        method = next((argv[i + 1].upper() for i, a in enumerate(argv[:-1]) if a in ("-X", "--request")), "GET")
        return method not in ("GET", "HEAD") or any(a in _CURL_WRITES for a in argv), rolls_back
    if program in _READ_SUBCOMMANDS:
        return not words or words[0] not in _READ_SUBCOMMANDS[program], rolls_back
    if program in ("aws", "gcloud", "az"):
        return not any(w.startswith(("describe", "list", "get", "show")) for w in words), rolls_back
    return bool(_CHANGING_VERBS & set(words)), rolls_back


def _http_probe(argv: list[str]) -> HttpProbe | None:
    if not argv or argv[0] != "curl" or any(a in _CURL_CREDENTIALS for a in argv):
        return None
    urls = [a for a in argv[1:] if a.startswith(("http://", "https://"))]
    if len(urls) != 1:
        return None
    return HttpProbe(urls[0], insecure=any(a in ("-k", "--insecure") for a in argv))


def classify(command: str) -> Command:
    """How a command from a checklist would run in a runbook, and whether it changes the system.

    Unknown subcommands of kubectl, helm, terraform and the like count as changing:
    a command that might change production is never made a check.
    """
    shell = _needs_shell(command)
    try:
        argv = shlex.split(command)
    except ValueError:
        argv = command.split()
    if shell:
        segments = [s for s in re.split(r"\|\||&&|[|;&]", command) if s.strip()]
        results = []
        for segment in segments:
            try:
                parts = shlex.split(segment)
            except ValueError:
                parts = segment.split()
            results.append(_changes(parts, segment))
        changes = any(r[0] for r in results) or bool(re.search(r"(?<![<>&\d])>(?!&)", command))
        rolls_back = any(r[1] for r in results)
        return Command(command, None, changes, rolls_back)
    changes, rolls_back = _changes(argv, command)
    notes: tuple[str, ...] = ()
    if argv and argv[0] == "trivy" and "--exit-code" not in " ".join(argv):
        argv = [*argv, "--exit-code", "1"]
        notes = ("trivy exits 0 even when it finds vulnerabilities: "
                 "--exit-code 1 was added so findings fail the check",)
    http = None if changes else _http_probe(argv)
    return Command(command, argv, changes, rolls_back, http, notes)
