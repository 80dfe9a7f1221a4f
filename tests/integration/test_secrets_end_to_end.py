"""No secret reaches the journal, the record, stdout, stderr or an error message — end to end.

A secret is planted in every place Golive reads one (each ``*_env`` and ``*_file``, DSNs, URL
userinfo and the Basic credential it becomes); a headless go-live runs against real Prometheus
and PostgreSQL and an HTTP server that echoes every header it receives, with an action that
prints its whole environment and the credential files, failing checks, a command that prints
a token, and a trigger whose rollback prints the environment again; then every output is
searched for each secret and for its prefixes.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# distinct leading characters, so a leaked prefix of any of them is recognisable
TOKEN = "t0k3nA-PLANTED-7f3a9c-bearer"
TENANT = "t3nantB-PLANTED-4d1e-header"
API_KEY = "ap1keyC-PLANTED-aa71-header"
HTTP_PASSWORD = "htpassD-PLANTED-5e02-basic"
FILE_TOKEN = "f1letokE-PLANTED-c4b8-alertmanager"
FILE_PASSWORD = "f1lepwF-PLANTED-0b9d-prometheus"
WRONG_PG = "wr0ngG-PLANTED-91c2-pg"
UNUSED_PG = "unus3dH-PLANTED-62fa-pg"
URL_PASSWORD = "urlpwI-PLANTED-55d1-basic"
PROM_URL_PASSWORD = "pr0murlJ-PLANTED-19ce-basic"
PREFIX = 8  # a cut secret is still a leak: no 8-character prefix may appear either


class _EchoHandler(BaseHTTPRequestHandler):
    """Answers every request with the headers it received: as JSON, or inside a long Prometheus error."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.path.startswith("/api/v1/"):
            # the Basic credential straddles the 300-character cut of the detail ("Prometheus bad_data: " + this):
            # scrubbing after truncation would leave its first 14 characters
            credentials = [f"{k}={headers[k]}" for k in ("authorization", "x-api-key") if k in headers]
            error = "." * 243 + " " + " ".join(credentials)
            body = json.dumps({"status": "error", "errorType": "bad_data", "error": error}).encode()
            self.send_response(400)
        else:
            body = json.dumps({"headers": headers}).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        return None


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _runbook(tmp_path: Path, prometheus_url: str, echo: str, files: dict[str, Path]) -> Path:
    runbook = tmp_path / "rb.toml"
    runbook.write_text(f"""
[runbook]
name = "secrets"
service = "svc"
version = "1"

[targets.prometheus.main]
url = "{prometheus_url}"
bearer_token_env = "GOLIVE_T_TOKEN"
headers_env = {{ "X-Scope-OrgID" = "GOLIVE_T_TENANT" }}

[targets.prometheus.echo]
url = "http://p9:{PROM_URL_PASSWORD}@{echo}"
headers_env = {{ "X-Api-Key" = "GOLIVE_T_APIKEY" }}

[targets.prometheus.filed]
url = "http://{echo}"
username = "q8"
password_file = "{files['password']}"

[targets.alertmanager.unused]
url = "http://{echo}"
bearer_token_file = "{files['token']}"

[targets.http.api]
base_url = "http://{echo}"
username = "h7"
password_env = "GOLIVE_T_HTTP_PASSWORD"
headers_env = {{ "X-Api-Key" = "GOLIVE_T_APIKEY" }}

[targets.postgres.good]
dsn_env = "GOLIVE_T_DSN"

[targets.postgres.bad]
dsn_file = "{files['dsn']}"

[targets.postgres.unused]
dsn_env = "GOLIVE_T_UNUSED_DSN"

[[phase]]
id = "p"
timeout = "8s"
action = {{ run = "env; cat {files['token']} {files['password']} {files['dsn']}", shell = true, confirm = false }}

  [[phase.check]]
  id = "prom-ok"
  source = "prometheus"
  target = "main"
  query = "vector(1)"
  pass = "== 1"
  every = "500ms"

  [[phase.check]]
  id = "prom-broken"
  source = "prometheus"
  target = "main"
  query = "sum(rate(x[5m]"
  pass = "< 1"
  every = "500ms"

  [[phase.check]]
  id = "prom-echo"
  source = "prometheus"
  target = "echo"
  query = "vector(1)"
  pass = "== 1"
  every = "500ms"

  [[phase.check]]
  id = "prom-filed"
  source = "prometheus"
  target = "filed"
  query = "vector(2)"
  pass = "== 1"
  every = "500ms"

  [[phase.check]]
  id = "pg-ok"
  source = "postgres"
  target = "good"
  query = "select 1"
  pass = "== 1"
  every = "500ms"

  [[phase.check]]
  id = "pg-wrong-password"
  source = "postgres"
  target = "bad"
  query = "select 1"
  pass = "== 1"
  every = "500ms"

  [[phase.check]]
  id = "http-refused"
  source = "http"
  url = "http://g6:{URL_PASSWORD}@127.0.0.1:9/health"
  every = "500ms"

  [[phase.check]]
  id = "http-echo-userinfo"
  source = "http"
  url = "http://u7:{URL_PASSWORD}@{echo}/echo"
  json_equals = {{ "headers.authorization" = "nope" }}
  every = "500ms"

  [[phase.check]]
  id = "http-echo-basic"
  source = "http"
  target = "api"
  url = "/echo"
  json_equals = {{ "headers.authorization" = "nope" }}
  every = "500ms"

  [[phase.check]]
  id = "http-echo-key"
  source = "http"
  target = "api"
  url = "/echo"
  json_equals = {{ "headers.x-api-key" = "nope" }}
  every = "500ms"

  [[phase.check]]
  id = "command-prints-a-token"
  source = "command"
  run = ["sh", "-c", "echo \\"denied for $GOLIVE_T_TOKEN and $GOLIVE_T_APIKEY\\" >&2; exit 3"]
  every = "500ms"

[[trigger]]
id = "always-firing"
source = "command"
run = ["echo", "1"]
fire = "> 0"
for = "3s"
then = "rollback"
every = "500ms"

[rollback]
run = "env; echo rolled back"
shell = true
confirm = false
""")
    return runbook


def _secrets(primary_password: str) -> list[tuple[str, int]]:
    """Each secret with where its telling part starts (a Basic credential's first 4 characters encode
    the two-letter username and the colon, which are no secret)."""
    plain = [TOKEN, TENANT, API_KEY, HTTP_PASSWORD, FILE_TOKEN, FILE_PASSWORD, WRONG_PG, UNUSED_PG,
             URL_PASSWORD, PROM_URL_PASSWORD, primary_password]
    basic = [base64.b64encode(pair.encode()).decode() for pair in (
        f"h7:{HTTP_PASSWORD}", f"u7:{URL_PASSWORD}", f"p9:{PROM_URL_PASSWORD}", f"q8:{FILE_PASSWORD}")]
    return [(s, 0) for s in plain] + [(b, 4) for b in basic]


def _leaks(outputs: dict[str, str], secrets: list[tuple[str, int]]) -> list[str]:
    return [f"{secret[:3]}… in {name}" for name, text in outputs.items() for secret, start in secrets
            if secret in text or secret[start:start + PREFIX] in text]


def test_no_planted_secret_or_prefix_appears_in_any_output(tmp_path, prometheus_history, postgres_pair,
                                                           echo_server):
    primary = postgres_pair.primary
    files = {"token": tmp_path / "am-token", "password": tmp_path / "prom-password", "dsn": tmp_path / "bad-dsn"}
    files["token"].write_text(FILE_TOKEN + "\n")
    files["password"].write_text(FILE_PASSWORD + "\n")
    files["dsn"].write_text(primary.dsn(password=WRONG_PG) + "\n")
    runbook = _runbook(tmp_path, prometheus_history.url, echo_server, files)
    env = {**os.environ, "GOLIVE_T_TOKEN": TOKEN, "GOLIVE_T_TENANT": TENANT, "GOLIVE_T_APIKEY": API_KEY,
           "GOLIVE_T_HTTP_PASSWORD": HTTP_PASSWORD, "GOLIVE_T_DSN": primary.dsn(),
           "GOLIVE_T_UNUSED_DSN": primary.dsn(password=UNUSED_PG)}
    outputs: dict[str, str] = {}
    for mode in ("--json", "--rich"):
        folder = tmp_path / mode.strip("-")
        argv = [sys.executable, "-m", "golive.console.cli", "run", str(runbook), "--headless", "--session-dir",
                str(folder)]
        res = subprocess.run(argv + ([mode] if mode == "--json" else []), capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)
        assert res.returncode == 1, res.stderr  # the trigger fires while the broken checks keep the gate closed
        report = subprocess.run([sys.executable, "-m", "golive.console.cli", "report", str(folder)],
                                capture_output=True,
                                text=True, env=env, cwd=ROOT, timeout=60)
        outputs |= {f"{mode} stdout": res.stdout, f"{mode} stderr": res.stderr,
                    f"{mode} report": report.stdout + report.stderr}
        # runbook.toml is the lead's own file, copied for resume; the URL passwords are written in it by hand
        outputs |= {f"{mode} {p.name}": p.read_text() for p in folder.iterdir()
                    if p.is_file() and p.suffix in (".jsonl", ".toml", ".md") and p.name != "runbook.toml"}

    journal = outputs["--json journal.jsonl"]
    for check in ("pg-wrong-password", "http-refused", "prom-echo", "http-echo-userinfo", "http-echo-basic",
                  "http-echo-key", "command-prints-a-token"):
        assert f'"check":"{check}","verdict":' in journal, check
    assert '"check":"pg-ok","verdict":"PASS"' in journal and '"check":"prom-ok","verdict":"PASS"' in journal
    assert journal.count("GOLIVE_T_TOKEN=***") == 2  # the action's and the rollback's environment, scrubbed
    assert '"outcome":"ROLLED BACK"' in journal
    assert "Basic ***" in journal  # the echoed Authorization header reached a detail, scrubbed
    assert ". authorization=Basic ***" in journal  # and where a 300-character cut falls inside it
    assert _leaks(outputs, _secrets(postgres_pair.password)) == []
