"""The one scrubber: secrets gathered from a runbook's targets, scrubbed before any cut, in events and output."""

from __future__ import annotations

import asyncio
import base64

from golive.console import events as ev
from golive.console import redact
from golive.console.actions import run_action
from golive.console.runbook import Action, parse_runbook

RUNBOOK = """
[runbook]
name = "r"
service = "s"
version = "1"

[targets.prometheus.main]
url = "http://pu:prom%40Url-Pw-9@127.0.0.1:9090"
bearer_token_env = "GOLIVE_U_TOKEN"
headers_env = {{ "X-Scope-OrgID" = "GOLIVE_U_TENANT" }}

[targets.http.api]
base_url = "http://127.0.0.1:1"
username = "hu"
password_file = "{password_file}"

[targets.postgres.db]
dsn_env = "GOLIVE_U_DSN"

[[phase]]
id = "p"

  [[phase.check]]
  id = "h"
  source = "http"
  url = "http://cu:check-Url-Pw-3@127.0.0.1:1/x"
"""


def test_every_secret_a_runbook_names_is_gathered_before_any_source_opens(tmp_path, monkeypatch):
    password_file = tmp_path / "pw"
    password_file.write_text("file-Pw-8c1d\n")
    monkeypatch.setenv("GOLIVE_U_TOKEN", "env-Token-41af")
    monkeypatch.setenv("GOLIVE_U_TENANT", "tenant-77e2")
    monkeypatch.setenv("GOLIVE_U_DSN", "postgresql://app:dsn-Pw-0e5a@db:5432/app")
    redact.gather(parse_runbook(RUNBOOK.format(password_file=password_file)))
    text = " ".join(["env-Token-41af", "tenant-77e2", "file-Pw-8c1d", "dsn-Pw-0e5a", "prom@Url-Pw-9",
                     "prom%40Url-Pw-9", "check-Url-Pw-3", base64.b64encode(b"hu:file-Pw-8c1d").decode(),
                     base64.b64encode(b"cu:check-Url-Pw-3").decode(), base64.b64encode(b"pu:prom@Url-Pw-9").decode()])
    assert redact.scrub(text) == " ".join(["***"] * 10)


def test_a_secret_is_scrubbed_before_the_cut_so_no_prefix_survives():
    redact.register("cut-Secret-6b7c2d9e")
    line = redact.clip("x" * 290 + " cut-Secret-6b7c2d9e and more", 300)
    assert "cut-Se" not in line and "***" in line


def test_a_secret_equal_to_a_check_id_leaves_the_event_ids_alone():
    redact.register("canary-check")
    event = ev.Verdict(at=1.0, check="canary-check", verdict="ERROR", detail="denied for canary-check")
    scrubbed = redact.scrub_fields(event)
    assert scrubbed.check == "canary-check" and scrubbed.detail == "denied for ***"


def test_an_action_printing_its_environment_shows_no_secret(monkeypatch):
    monkeypatch.setenv("GOLIVE_U_ACTION_TOKEN", "action-Token-55c3")
    redact.register("action-Token-55c3")
    seen: list[str] = []
    result = asyncio.run(run_action(Action(run="env", shell=True, timeout=10), on_output=seen.append))
    assert "GOLIVE_U_ACTION_TOKEN=***" in seen
    assert "action-Token-55c3" not in result.output_tail and "action-Token-55c3" not in "\n".join(seen)


def test_a_url_password_with_unencoded_characters_is_scrubbed_whole():
    redact.register_url("http://user:p@ss/w0rd-Zz@host:1/x")
    assert "w0rd" not in redact.scrub("seen p@ss/w0rd-Zz")


def test_the_tokens_of_a_kubernetes_targets_kubeconfig_are_gathered(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nusers:\n- name: deployer\n  user:\n    token: kube-Token-3e9a71\n"
                          "- name: admin\n  user:\n    username: admin\n    password: kube-Pw-5d20c4\n")
    redact.gather(parse_runbook(
        '[runbook]\nname = "r"\nservice = "s"\nversion = "1"\n'
        f'[targets.kubernetes.prod]\nkubeconfig = "{kubeconfig}"\n[[phase]]\nid = "p"\n'))
    assert redact.scrub("kube-Token-3e9a71 kube-Pw-5d20c4") == "*** ***"


def test_a_query_answering_with_a_secret_leaves_no_prefix_in_the_detail():
    from golive.checks.postgres import _as_number

    redact.register("pg-Answer-Secret-0c94e1")
    assert (_as_number("x" * 30 + "pg-Answer-Secret-0c94e1")
            == f"query returned text {'x' * 30 + '***'!r}, expected a number")


def test_an_echoed_credential_in_a_json_detail_leaves_no_prefix():
    from golive.checks.http_conditions import json_problem

    redact.register("json-Api-Key-77ab31f0c2")
    detail = json_problem(b'{"headers": {"x-api-key": "json-Api-Key-77ab31f0c2"}}', {"headers.x-api-key": "nope"})
    assert detail == "field headers.x-api-key is '***', expected 'nope'"


def test_a_notify_webhook_url_is_gathered_as_a_secret(monkeypatch):
    monkeypatch.setenv("GOLIVE_U_HOOK", "https://hooks.example.com/services/T0/B0/hook-Secret-91fe")
    redact.gather(parse_runbook(
        '[runbook]\nname = "r"\nservice = "s"\nversion = "1"\n[[phase]]\nid = "p"\n'
        '[[notify]]\nid = "room"\nkind = "slack"\nurl_env = "GOLIVE_U_HOOK"\non = ["outcome"]\n'))
    assert redact.scrub("posting to https://hooks.example.com/services/T0/B0/hook-Secret-91fe") == "posting to ***"


def test_the_driver_log_stream_masks_a_secret_in_a_print_and_in_a_traceback():
    import io
    import traceback

    redact.register("driver-log-Secret-77")
    log = io.StringIO()
    stream = redact.ScrubbingStream(log)
    print("connecting with driver-log-Secret-77", file=stream, flush=True)
    try:
        raise RuntimeError("bad token driver-log-Secret-77")
    except RuntimeError as exc:
        traceback.print_exception(exc, file=stream)
    assert "driver-log-Secret-77" not in log.getvalue()
    assert "connecting with ***" in log.getvalue() and "RuntimeError: bad token ***" in log.getvalue()
