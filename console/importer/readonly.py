"""The commands known to only look: an allowlist by program and subcommand. Anything not on it may change.

A checklist command becomes a check only when ``is_read_only`` says so; everything else is an action or a
manual item, so an unknown script, a typo or a new subcommand can never run as a poll or in a dry run.
"""

from __future__ import annotations

import re

# program -> subcommands (first non-option word) that only read; "" allows the program with no subcommand
_SUBCOMMANDS: dict[str, set[str]] = {
    "kubectl": {"get", "describe", "top", "version", "cluster-info", "api-resources", "api-versions", "explain",
                "events", "logs"},
    "oc": {"get", "describe", "status", "version", "logs"},
    "helm": {"status", "list", "ls", "history", "get", "show", "lint", "template", "version"},
    "docker": {"ps", "images", "inspect", "version", "info", "logs", "stats"},
    "podman": {"ps", "images", "inspect", "version", "info", "logs"},
    "docker-compose": {"ps", "config", "logs", "version", "images", "top"},
    "git": {"status", "log", "show", "diff", "rev-parse", "describe", "ls-remote", "tag"},
    "systemctl": {"is-active", "is-enabled", "is-failed", "status", "show", "list-units", "list-timers"},
    "argocd": set(),  # only "argocd app get/list", below
    "istioctl": {"analyze", "proxy-status", "version"},
    "linkerd": {"check", "version"},
    "vault": {"status", "version"},
    "terraform": {"validate", "version", "show"},
    "openssl": {"s_client", "x509", "version", "verify"},
    "redis-cli": {"ping", "info", "dbsize", "get", "exists", "ttl", "type", "llen", "hlen", "scard", "zcard",
                  "strlen", "time"},
    "npm": {"audit", "ls", "list", "outdated", "view", "--version", "-v"},
    "pnpm": {"audit", "ls", "list", "outdated", "--version", "-v"},
    "yarn": {"audit", "list", "outdated", "--version", "-v"},
}
# programs that only read whatever their arguments
_ALWAYS = {"dig", "nslookup", "host", "pg_isready", "curl", "wget", "jq", "grep", "egrep", "fgrep", "cat", "head",
           "wc", "ls", "stat", "date", "uptime", "df", "du", "free",
           "hostname", "whoami", "id", "uname", "nproc", "ss", "netstat", "nc", "ping", "trivy", "journalctl",
           "tail", "sort", "uniq", "cut", "awk", "sed", "tr", "base64", "sha256sum", "md5sum", "getent", "which",
           "command", "type", "psql", "mysql", "promtool", "amtool", "aws", "gcloud", "az",
           "traceroute", "mtr", "kafka-topics", "kafka-consumer-groups", "kafka-topics.sh",
           "kafka-consumer-groups.sh", "lsof", "ps", "pgrep"}
_WRAPPERS = {"sudo": {"-u", "-g", "-h", "-p", "-C"}, "env": set(), "timeout": set(), "time": set(), "nice": {"-n"}}
_VALUE_FLAGS = {"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server",
                "--kube-context", "-C", "--profile", "--region", "--project", "-l", "--selector", "-o",
                "--output", "-c", "--container", "--since", "--tail", "-H", "--host", "-p", "--port", "-U",
                "--username", "-d", "--dbname", "-h", "-f", "--file", "-e", "-a", "--format", "--zone"}
_FOLLOW = {"-f", "--follow", "-w", "--watch", "-F"}
_CURL_WRITES = {"-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form", "-T",
                "--upload-file", "-o", "--output", "-O", "--remote-name", "-K", "--config", "-c", "--cookie-jar"}
_SECRETS = re.compile(r"secret|password|token|credential|kubeconfig", re.I)
_SQL_SELECT = re.compile(r"^\s*(?:select|show|explain(?!\s+analyze))\b", re.I)
_SQL_CHANGES = re.compile(
    r"\b(?:insert|update|delete|drop|alter|truncate|create|grant|revoke|vacuum|reindex|cluster|copy|call|do|"
    r"lock|refresh|into|nextval|setval|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_switch_wal|"
    r"lo_import|lo_export|dblink\w*|pg_advisory\w*|set_config|for\s+update|for\s+share)\b", re.I)
_CLOUD_READ = re.compile(r"^(?:describe|list|get|show|wait|ls)(?:-|$)")


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _words(args: list[str]) -> list[str]:
    """Non-option words, skipping the values of flags that take one."""
    words, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUE_FLAGS:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg.lower())
    return words


def _single_select(sql: str) -> bool:
    statements = [s for s in sql.split(";") if s.strip()]
    return len(statements) == 1 and bool(_SQL_SELECT.match(statements[0])) and not _SQL_CHANGES.search(sql)


def _sql_client(argv: list[str]) -> bool:
    """psql/mysql: read-only with one SELECT given by -c/-e (or only --version / -l)."""
    if any(a in ("-f", "--file") or a.startswith("--file=") for a in argv):
        return False
    flag = "-c" if _program(argv[0]) == "psql" else "-e"
    sql = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in (flag, "--command", "--execute")]
    sql += [a.split("=", 1)[1] for a in argv if a.startswith(("--command=", "--execute="))]
    if not sql:
        return any(a in ("--version", "-V", "-l", "--list") for a in argv)
    return all(_single_select(s) for s in sql)


def _curl(argv: list[str]) -> bool:
    method = "GET"
    for i, arg in enumerate(argv):
        if arg in ("-X", "--request") and i + 1 < len(argv):
            method = argv[i + 1].upper()
        elif arg.startswith("-X") and len(arg) > 2:
            method = arg[2:].upper()
        if arg in _CURL_WRITES or arg.split("=", 1)[0] in _CURL_WRITES:
            return False
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 2 and set(arg[1:]) & set("dFTOo"):
            return False  # bundled short options such as -sSo
    return method in ("GET", "HEAD") and any(a.startswith(("http://", "https://", "${", "$")) or "." in a
                                             for a in argv[1:] if not a.startswith("-"))


def _wget(argv: list[str]) -> bool:
    return "--spider" in argv or any(a in ("-qO-", "-O-", "-qO", "-O") for a in argv) and \
        not any(a.startswith(("--post", "--method", "--body")) for a in argv)


def _inner(argv: list[str], marker: str = "--") -> list[str] | None:
    return argv[argv.index(marker) + 1:] if marker in argv else None


def _docker_run(args: list[str]) -> bool:
    """docker run [options] IMAGE COMMAND…: read-only when the command it runs is."""
    takes_value = {"-e", "--env", "-v", "--volume", "--name", "-p", "--publish", "--network", "--net", "-w",
                   "--workdir", "-u", "--user", "--env-file", "--platform", "-m", "--memory", "--mount", "-l",
                   "--label", "--add-host", "--dns", "--pull"}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] in ("-d", "--detach", "--privileged") or args[i].startswith("--entrypoint"):
            return False
        i += 2 if args[i] in takes_value else 1
    command = args[i + 1:]
    return bool(command) and is_read_only(command)


def _kubectl(words: list[str], argv: list[str]) -> bool:
    if not words:
        return False
    if words[0] == "exec":
        inner = _inner(argv)
        return inner is not None and is_read_only(inner)
    if words[0] == "rollout":
        return words[1:2] in (["status"], ["history"])
    if words[0] == "auth":
        return words[1:2] == ["can-i"]
    if words[0] in ("logs", "events", "get") and set(argv) & _FOLLOW:
        return False
    if words[0] in ("get", "describe") and len(words) > 1 and _SECRETS.search(words[1]):
        return False  # it would print credentials into the journal
    return words[0] in _SUBCOMMANDS["kubectl"]


def is_read_only(argv: list[str]) -> bool:
    """True only for a command on the allowlist: it reads and never changes anything, and it ends by itself."""
    if not argv:
        return False
    program = _program(argv[0])
    args = argv[1:]
    if program in _WRAPPERS:
        flags = _WRAPPERS[program]
        rest = list(args)
        while rest and (rest[0].startswith("-") or (program in ("env",) and "=" in rest[0])
                        or (program == "timeout" and rest[0][:1].isdigit())):
            rest = rest[2:] if rest[0] in flags else rest[1:]
        return bool(rest) and is_read_only(rest)
    if args in (["--version"], ["version"], ["-V"]) and program not in ("sudo",):
        return True
    words = _words(args)
    if program in ("kubectl", "oc"):
        return _kubectl(words, argv)
    if program in ("docker", "podman") and words[:1] == ["run"]:
        return _docker_run(args[args.index("run") + 1:] if "run" in args else [])
    if program in ("docker", "podman") and words[:1] == ["exec"]:
        return False
    if program in ("docker", "podman") and words[:1] == ["compose"]:
        return words[1:2] != [] and words[1] in _SUBCOMMANDS["docker-compose"] and not set(argv) & _FOLLOW
    if program == "argocd":
        return words[:1] == ["app"] and words[1:2] in (["get"], ["list"])
    if program == "openssl":
        return bool(words) and words[0] in _SUBCOMMANDS["openssl"] and "-out" not in args
    if program == "systemctl":
        return bool(words) and words[0] in _SUBCOMMANDS["systemctl"]
    if program in _SUBCOMMANDS:
        if set(argv) & _FOLLOW and program in ("docker", "podman", "docker-compose"):
            return False
        first = words[0] if words else (args[0] if args else "")
        return first in _SUBCOMMANDS[program] and not (program == "git" and words[:1] == ["tag"] and len(words) > 1)
    if program not in _ALWAYS:
        return False
    if program in ("psql", "mysql"):
        return _sql_client(argv)
    if program == "curl":
        return _curl(argv)
    if program == "wget":
        return _wget(argv)
    if program in ("promtool",):
        return words[:1] in (["check"], ["query"], ["test"])
    if program == "amtool":
        return words[:1] in (["check-config"], ["config"]) or words[:2] in (["alert", "query"], ["silence", "query"]) \
            or words == ["alert"]
    if program in ("aws", "gcloud", "az"):
        return any(_CLOUD_READ.match(w) for w in words[1:4]) and not any(_SECRETS.search(w) for w in words)
    if program in ("tail", "journalctl") and set(argv) & _FOLLOW:
        return False
    if program == "ping":
        return "-c" in args  # without a count it never ends
    if program in ("sed", "awk"):
        return not any(a.startswith("-i") for a in args) and not any("system(" in a or "w " in a for a in args)
    if program in ("kafka-topics", "kafka-topics.sh", "kafka-consumer-groups", "kafka-consumer-groups.sh"):
        return any(a in ("--describe", "--list") for a in args) and not any(
            a in ("--delete", "--alter", "--create", "--reset-offsets", "--execute") for a in args)
    if program == "trivy":
        return words[:1] in (["image"], ["fs"], ["config"], ["k8s"])
    return True
