"""Fuzzed runbooks and answers files: `golive lint` and the answers loader never show a traceback, exit only
0/1/2, answer each problem in one line, and never stall (hypothesis's deadline bounds each example)."""

from __future__ import annotations

import contextlib
import io
import tempfile
from datetime import timedelta
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golive.checks.manual import check_answers, load_answers, unanswered
from golive.console.cli import main
from golive.console.runbook import load_runbook

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "local-smoke.toml").read_text()
FIELDS = ["id", "title", "source", "target", "query", "pass", "warn", "every", "timeout", "hold", "url", "run",
          "role", "matrix", "for", "fire", "then", "headers_env", "password_env", "dsn_env", "vars", "signoff",
          "json_equals", "base_url", "username", "name", "service", "version", "action", "check", "phase"]
SETTINGS = settings(max_examples=120, deadline=timedelta(seconds=5), derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["${a}", "${b}${b}", "$${x}", "${nope}", "< 50", "<= 1e999", "> -1", "5m", "9" * 400 + "h",
                     "1h30m", "0s", "http://u:p@ss@h:1/x", "http://u:pa/ss@h:1", "http://h:1", "prometheus",
                     "manual", "http", "command", "postgres", "rollback", "alert", ""]),
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30) | st.just(10 ** 4000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5),
                      max_leaves=25)
checks = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
phases = st.fixed_dictionaries({"id": st.sampled_from(["p", "q", "p"]) | st.text(max_size=5)},
                               optional={"check": st.lists(checks, max_size=4), "hold": values,
                                         "timeout": values, "action": values})
runbooks = st.fixed_dictionaries(
    {"runbook": st.fixed_dictionaries({"name": scalars, "service": scalars, "version": scalars},
                                      optional={"vars": st.dictionaries(st.sampled_from(["a", "b", "c"]), scalars),
                                                "signoff": values})},
    optional={"phase": st.lists(phases, max_size=3), "trigger": st.lists(checks, max_size=2),
              "targets": st.dictionaries(st.sampled_from(["prometheus", "http", "postgres", "kube"]),
                                         st.dictionaries(st.text(max_size=4), checks, max_size=2), max_size=2),
              "rollback": values})


def lint(data: bytes) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rb.toml"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["lint", str(path)])
        if code == 0:  # what a run does with a valid runbook before it starts: the waiting items
            unanswered(load_runbook(path), None)
        else:  # `golive run` refuses the same runbook with exit 2 before any session starts
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                run_code = main(["run", str(path), "--headless", "--session-dir", str(Path(folder) / "s")])
            assert run_code == 2 and not (Path(folder) / "s").exists()
    return code, out.getvalue(), err.getvalue()


def assert_one_line_each(code: int, err: str) -> None:
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    assert all(len(line) <= 400 for line in err.splitlines()), max(err.splitlines(), key=len)


def _toml(data: dict) -> bytes:
    try:
        return tomli_w.dumps(data).encode()
    except (TypeError, ValueError):  # a value TOML cannot hold (a list of mixed tables): the text form instead
        return repr(data).encode()


@SETTINGS
@given(runbooks)
def test_a_fuzzed_runbook_never_crashes_lint(data):
    code, _, err = lint(_toml(data))
    assert_one_line_each(code, err)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(EXAMPLE)), st.text(max_size=40) | st.binary(max_size=40).map(repr))
def test_a_damaged_example_never_crashes_lint(position, noise):
    code, _, err = lint((EXAMPLE[:position] + noise + EXAMPLE[position:]).encode("utf-8", "surrogatepass"))
    assert_one_line_each(code, err)


answers_files = st.dictionaries(
    st.sampled_from(["answers", "signoff", "approve", "other"]),
    st.dictionaries(st.sampled_from(["smoke-tests", "change-approved", "nope", "deployment-lead", "security"]),
                    st.dictionaries(st.sampled_from(["by", "note", "extra"]), scalars, max_size=3) | scalars,
                    max_size=3) | scalars,
    max_size=3)


@SETTINGS
@given(answers_files | st.binary(max_size=60))
def test_a_fuzzed_answers_file_is_accepted_or_refused_in_one_line_naming_it(data):
    runbook = load_runbook(Path(__file__).resolve().parents[2] / "examples" / "local-smoke.toml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.toml"
        path.write_bytes(data if isinstance(data, bytes) else _toml(data))
        try:
            answers = load_answers(path)
            check_answers(answers, runbook, path)
        except ValueError as exc:
            message = str(exc)
            assert message.startswith(f"{path}: ") and "\n" not in message and len(message) <= 400
            return
    assert all(item in {"smoke-tests", "change-approved"} for item in answers.items)
    unanswered(runbook, answers)
