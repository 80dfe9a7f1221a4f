"""No secret reaches the journal, the record, the screen's text or an error message — end to end.

Known secrets are planted (a bearer token, a DSN password right and wrong, a password in a
URL); a headless go-live runs against real Prometheus and PostgreSQL, and every output is searched.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-PLANTED-7f3a9c-bearer"
WRONG_PG = "wrong-PLANTED-91c2-pg"
URL_PASSWORD = "url-PLANTED-55d1-basic"


def test_no_planted_secret_appears_in_any_output(tmp_path, prometheus_history, postgres_pair):
    primary = postgres_pair.primary
    runbook = tmp_path / "rb.toml"
    runbook.write_text(f"""
[runbook]
name = "secrets"
service = "svc"
version = "1"

[targets.prometheus.main]
url = "{prometheus_history.url}"
bearer_token_env = "GOLIVE_T_TOKEN"

[targets.postgres.good]
dsn_env = "GOLIVE_T_DSN"

[targets.postgres.bad]
dsn_env = "GOLIVE_T_BAD_DSN"

[[phase]]
id = "p"
timeout = "4s"

  [[phase.check]]
  id = "prom-ok"
  source = "prometheus"
  query = "vector(1)"
  pass = "== 1"
  every = "500ms"

  [[phase.check]]
  id = "prom-broken"
  source = "prometheus"
  query = "sum(rate(x[5m]"
  pass = "< 1"
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
  url = "http://golive:{URL_PASSWORD}@127.0.0.1:9/health"
  every = "500ms"
""")
    env = {**os.environ, "GOLIVE_T_TOKEN": TOKEN, "GOLIVE_T_DSN": primary.dsn(),
           "GOLIVE_T_BAD_DSN": primary.dsn(password=WRONG_PG)}
    folder = tmp_path / "s"
    res = subprocess.run([sys.executable, "-m", "console.cli", "run", str(runbook), "--headless", "--json",
                          "--session-dir", str(folder)], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120, stdin=subprocess.DEVNULL)
    report = subprocess.run([sys.executable, "-m", "console.cli", "report", str(folder)], capture_output=True,
                            text=True, env=env, cwd=ROOT, timeout=60)
    outputs = {
        "stdout": res.stdout, "stderr": res.stderr, "report": report.stdout + report.stderr,
        # runbook.toml is the lead's own file, copied for resume; the URL's password is written in it by hand
        **{p.name: p.read_text() for p in folder.iterdir()
           if p.is_file() and p.suffix in (".jsonl", ".toml", ".md") and p.name != "runbook.toml"},
    }
    assert res.returncode == 1  # the broken checks keep the gate closed: NO-GO at the timeout
    journal = outputs["journal.jsonl"]
    assert '"check":"pg-wrong-password","verdict":"ERROR"' in journal
    assert '"check":"http-refused","verdict":"ERROR"' in journal
    assert '"check":"pg-ok","verdict":"PASS"' in journal and '"check":"prom-ok","verdict":"PASS"' in journal
    secrets = [TOKEN, postgres_pair.password, WRONG_PG, URL_PASSWORD,
               base64.b64encode(f"golive:{URL_PASSWORD}".encode()).decode()]
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"a planted secret appears in {name}"
