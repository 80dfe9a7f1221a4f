"""`--set NAME=VALUE`: a name the runbook has no variable for is bad input, said before anything starts."""

from __future__ import annotations

from pathlib import Path

from golive.console.cli import main

RUNBOOK = """[runbook]
name = "api ${version}"
service = "api"
version = "v1"
environment = "staging"

[runbook.vars]
prometheus_url = "http://prometheus.monitoring:9090"
hold = "1s"

[targets.prometheus.main]
url = "${prometheus_url}"

[[phase]]
id = "canary"
hold = "${hold}"
timeout = "2s"

  [[phase.check]]
  id = "errors"
  source = "prometheus"
  query = 'sum(rate(errors_total{region="${region}"}[5m]))'
  pass = "< 1"
"""


def _runbook(tmp_path: Path) -> Path:
    path = tmp_path / "rb.toml"
    path.write_text(RUNBOOK)
    return path


def test_a_misspelt_set_name_stops_golive_run_before_any_session_exists(tmp_path, capsys):
    folder = tmp_path / "session"
    code = main(["run", str(_runbook(tmp_path)), "--headless", "--session-dir", str(folder), "--set", "region=eu",
                 "--set", "prometheus_ulr=http://127.0.0.1:9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and not folder.exists()
    assert err == [f"golive: --set prometheus_ulr=…: {tmp_path / 'rb.toml'} has no variable ${{prometheus_ulr}} "
                   "(did you mean prometheus_url?)"]
    assert "127.0.0.1:9" not in "\n".join(err)   # a value given on the command line is never echoed


def test_lint_names_a_set_the_runbook_has_no_variable_for_and_fails(tmp_path, capsys):
    code = main(["lint", str(_runbook(tmp_path)), "--set", "region=eu", "--set", "hodl=1s"])
    captured = capsys.readouterr()
    assert code == 1 and ": ok" not in captured.out
    assert "--set hodl=…" in captured.err and "did you mean hold?" in captured.err


def test_a_set_of_a_declared_or_only_referenced_variable_is_accepted(tmp_path, capsys):
    # ${region} is declared nowhere: the runbook expects it from --set, as an imported runbook does
    code = main(["lint", str(_runbook(tmp_path)), "--set", "region=eu", "--set", "hold=1s", "--set", "version=v2"])
    assert code == 0, capsys.readouterr().err
    assert ": ok — 1 phase, 1 check" in capsys.readouterr().out


def test_a_set_value_the_field_refuses_names_the_file_line_and_field_path(tmp_path, capsys):
    code = main(["lint", str(_runbook(tmp_path)), "--set", "region=eu", "--set", "hold=soon"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith(f"{tmp_path / 'rb.toml'}:16: phase[1].hold: expected a duration") and "'soon'" in err[0]
