"""What examples/payments-canary.toml needs beside the demo world: its database, health endpoints and answers.

The database is a fresh one on the suite's real PostgreSQL primary (with its streaming
standby, so replication lag is measured); the health endpoints are a TLS server of the
test's own CA, one path per region; trivy is a stand-in that finds nothing.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
import time
import tomllib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from tests.fixtures._certificates import CertificateAuthority

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
SECURITY_HEADERS = {"Strict-Transport-Security": "max-age=63072000", "X-Content-Type-Options": "nosniff"}

# every duration of the runbook, compressed: a canary step holds 2 s, the soak runs 4 s
FAST = {"every": "250ms", "soak_every": "250ms", "hold": "2s", "full_hold": "1s", "step_timeout": "90s",
        "phase_timeout": "90s", "memory_window": "2s", "pool_window": "2s", "scan_every": "30s",
        "scan_timeout": "20s", "soak_for": "4s", "soak_timeout": "90s", "trigger_for": "2s", "crash_for": "2s",
        "pool_for": "1s", "watch_for": "120s", "rollback_timeout": "60s"}

# planted secrets (the Prometheus token and tenant): no file of the session and no output may show them
SECRETS = ("prom-token-8c1d-golive-payments-secret", "tenant-7f3a-golive-secret")

ANSWERS = """
[answers.ci-green]
by = "Dana Lead"
[answers.migrations-prepared]
by = "Omar Ops"
[answers.canary-5-smoke]
by = "Quinn QA"
[answers.canary-50-logs-clean]
by = "Omar Ops"
[signoff.deployment-lead]
by = "Dana Lead"
[signoff.operations]
by = "Omar Ops"
[signoff.security]
by = "Sam Security"
[signoff.product]
by = "Pat Product"
"""

_TRIVY = """#!{python}
import sys
print(f"{{sys.argv[-1]}} (debian 12.8)\\nTotal: 0 (HIGH: 0, CRITICAL: 0)")
"""


class _Health(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        region, _, rest = self.path.strip("/").partition("/")
        ok = region in REGIONS and rest == "health"
        body = json.dumps({"status": "ok", "region": region} if ok else {"error": "not found"}).encode()
        self.send_response(200 if ok else 404)
        for name, value in {"Content-Type": "application/json", **SECURITY_HEADERS}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def health_endpoints(folder: Path) -> Iterator[tuple[dict[str, str], str]]:
    """A TLS health server (certificate valid a year); yields the runbook's per-region variables and the CA file."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = CertificateAuthority(folder)
    cert = ca.issue_for_days("payments-health", 365)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert.cert_file, cert.key_file)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        yield {f"health_{r.replace('-', '_')}": f"{base}/{r}" for r in REGIONS}, str(ca.ca_file)
    finally:
        server.shutdown()
        server.server_close()


def payments_database(cluster, name: str, password: str) -> str:
    """A new database on the primary with the service's schema_migrations (all clean); returns its reader DSN."""
    cluster.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    cluster.sql(f"CREATE DATABASE {name}")
    sql_in(cluster, name, "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);"
                          "INSERT INTO schema_migrations VALUES (20261101, false), (20261124, false);"
                          "GRANT SELECT ON schema_migrations TO golive_reader;")
    return cluster.dsn(password).rsplit("/", 1)[0] + f"/{name}"


def sql_in(cluster, database: str, text: str) -> None:
    """Run SQL as the superuser in one database of the cluster."""
    cluster._run("psql", "-X", "-Atq", "-v", "ON_ERROR_STOP=1", "-h", str(cluster.socket_dir), "-p",
                 str(cluster.port), "-U", "postgres", "-d", database, "-c", text)


def start_run(tmp_path: Path, world, dsn: str, alertmanager_url: str, health: dict[str, str], ca_file: str,
              **durations: str) -> tuple[subprocess.Popen, Path]:
    """`golive run examples/payments-canary.toml --headless` against the world; returns the process and folder."""
    trivy = tmp_path / "trivy"
    trivy.write_text(_TRIVY.format(python=sys.executable))
    trivy.chmod(0o755)
    answers = tmp_path / "answers.toml"
    answers.write_text(ANSWERS)
    variables = {**world.variables, **health, **FAST, **durations, "alertmanager_url": alertmanager_url,
                 "trivy": str(trivy)}
    sets = [a for k, v in variables.items() for a in ("--set", f"{k}={v}")]
    folder = tmp_path / "session"
    env = {**os.environ, "PAYMENTS_PG_DSN": dsn, "GOLIVE_PROM_TOKEN": SECRETS[0],
           "GOLIVE_TENANT": SECRETS[1], "SSL_CERT_FILE": ca_file}
    proc = subprocess.Popen([sys.executable, "-m", "golive.console.cli", "run", "examples/payments-canary.toml",
                             "--headless", "--answers", str(answers), "--session-dir", str(folder), *sets],
                            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, folder


def wait_for_event(folder: Path, proc: subprocess.Popen, match: dict, timeout: float = 180.0) -> bool:
    """Poll the session's journal until an event has every key of ``match``; False if the run ended first."""
    deadline = time.monotonic() + timeout
    journal = folder / "journal.jsonl"
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            lines = journal.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue   # a line being written
            if all(event.get(k) == v for k, v in match.items()):
                return True
        time.sleep(0.1)
    return False


def finish(proc: subprocess.Popen, folder: Path, timeout: float = 240.0) -> tuple[int, str, dict]:
    """Wait for the run; returns its exit code, its output (for failure messages) and its record."""
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    record_file = folder / "record.toml"
    record = tomllib.loads(record_file.read_text()) if record_file.exists() else {}
    return proc.returncode, (err or "")[-3000:] + (out or "")[-2000:], record
