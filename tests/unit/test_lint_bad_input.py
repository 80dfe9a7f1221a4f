"""Hostile runbooks: deep nesting, huge numbers, runaway or cyclic variables, contradictions, mis-read URLs,
thousands of problems. Each is one readable line with its place, never a traceback or a stall."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from golive.console.runbook import RunbookError, parse_runbook
from golive.console.runbook_errors import MAX_LINE, MAX_PROBLEMS

ROOT = Path(__file__).resolve().parents[2]
HEAD = '[runbook]\nname = "x"\nservice = "s"\nversion = "1"\n'
PHASE = '\n[[phase]]\nid = "p"\n'
CHECK = '  [[phase.check]]\n  id = "{id}"\n  source = "prometheus"\n  query = "up"\n  pass = "{pass_}"\n'
PROM = '\n[targets.prometheus.m]\nurl = "{url}"\n'


def problems(text: str) -> list[str]:
    with pytest.raises(RunbookError) as info:
        parse_runbook(text, "rb.toml")
    return info.value.problems


HOSTILE = [
    ("arrays nested 3000 deep", HEAD + "x = " + "[" * 3000 + "]" * 3000 + "\n" + PHASE,
     "rb.toml:5: runbook.x: nested too deeply"),
    ("a 5000-digit hold", HEAD + PHASE + "hold = " + "9" * 5000 + "\n",
     "rb.toml:8: phase[1].hold: number too long (5000 digits)"),
    ("a 4000-digit hold", HEAD + PHASE + "hold = " + "9" * 4000 + "\n",
     "rb.toml:8: phase[1].hold: expected a duration of at most 366d"),
    ("a 400-digit hold in hours", HEAD + PHASE + 'hold = "' + "9" * 400 + 'h"\n',
     "rb.toml:8: phase[1].hold: expected a duration of at most 366d"),
    ("an infinite threshold", HEAD + PROM.format(url="http://h:1") + PHASE + CHECK.format(id="c", pass_="< 1e999"),
     "phase[1].check[1].pass: expected a threshold like"),
    ("a variable naming itself thirty times",
     HEAD + '[runbook.vars]\na = "' + "${a}" * 30 + '"\n' + PHASE + 'title = "${a}"\n',
     "rb.toml:6: runbook.vars.a: ${a} refers to itself"),
    ("two variables naming each other", HEAD + '[runbook.vars]\na = "${b}"\nb = "${a}"\n' + PHASE + 'title = "${a}"\n',
     "rb.toml:6: runbook.vars.a: variables refer to each other in a cycle: ${a} → ${b} → ${a}"),
    ("a variable growing past its cap",
     HEAD + '[runbook.vars]\nb = "' + "x" * 1000 + '"\na = "' + "${b}" * 100 + '"\n' + PHASE,
     "rb.toml:7: runbook.vars.a: expands to more than 65536 characters"),
    ("a field growing past its cap",
     HEAD + '[runbook.vars]\nb = "' + "x" * 60000 + '"\n' + PHASE + 'title = "' + "${b}" * 3000 + '"\n',
     "phase[1].title: expands to more than 65536 characters"),
    ("a matrix of ten billion copies", HEAD + PHASE + "matrix = { " + ", ".join(
        f"k{i} = [{', '.join(str(v) for v in range(10))}]" for i in range(10)) + " }\n",
     "phase[1].matrix: expands to 10000000000 copies (at most 1000)"),
    ("matrices multiplying past the cap", HEAD + '\n[[phase]]\nid = "p"\nmatrix = { r = [' + ", ".join(
        str(v) for v in range(200)) + '] }\n  [[phase.check]]\n  id = "c"\n  source = "manual"\n  matrix = { z = ['
     + ", ".join(str(v) for v in range(100)) + '] }\n', "phase[1]: matrices expand to more than 10000 checks"),
    ("warn stricter than pass",
     HEAD + PROM.format(url="http://h:1") + PHASE + CHECK.format(id="c", pass_="< 50") + '  warn = "< 10"\n',
     'phase[1].check[1].warn: warn < 10 is stricter than pass < 50'),
    ("warn pointing the other way",
     HEAD + PROM.format(url="http://h:1") + PHASE + CHECK.format(id="c", pass_="> 99") + '  warn = "< 10"\n',
     'phase[1].check[1].warn: warn < 10 points the other way from pass > 99'),
    ("a timeout shorter than the hold", HEAD + PHASE + 'hold = "5m"\ntimeout = "1m"\n',
     "rb.toml:9: phase[1].timeout: timeout 1m is not longer than hold 5m"),
    ("an unencoded @ in a target URL's password", HEAD + PROM.format(url="http://u:p@ss@h:1") + PHASE,
     "rb.toml:7: targets.prometheus.m.url: the user:password part of this URL is not percent-encoded"),
    ("an unencoded / in a check URL's password", HEAD + PHASE + '  [[phase.check]]\n  id = "h"\n  source = "http"\n'
     '  url = "http://u:pa/ss@127.0.0.1:1/health"\n', "phase[1].check[1].url: the user:password part"),
]


@pytest.mark.parametrize("name, text, expected", HOSTILE)
def test_each_hostile_runbook_is_one_line_naming_its_place(name, text, expected):
    found = problems(text)
    assert any(expected in line for line in found), found
    assert all("\n" not in line and len(line) <= MAX_LINE for line in found)


def test_a_mis_encoded_url_password_is_not_echoed_and_the_line_points_to_the_env_fields():
    [line] = problems(HEAD + PROM.format(url="http://u:p@ss@h:1") + PHASE)
    assert "password_env" in line and "p@ss" not in line  # the password itself is never echoed


def test_encoded_userinfo_a_warn_band_looser_than_pass_and_a_timeout_past_the_hold_lint_clean():
    text = (HEAD + PROM.format(url="http://u:p%40ss%2Fx@h:1") + PHASE + 'hold = "1m"\ntimeout = "5m"\n'
            + CHECK.format(id="c", pass_="< 50") + '  warn = "<= 80"\n'
            + CHECK.format(id="d", pass_=">= 99") + '  warn = "> 95"\n')
    assert parse_runbook(text, "rb.toml").phases[0].timeout == 300


def _many_bad_checks(n: int) -> str:
    return HEAD + PROM.format(url="http://h:1") + PHASE + "".join(
        CHECK.format(id=f"c{i}", pass_="bogus") for i in range(n))


def test_a_thousand_problems_are_capped_with_a_count_of_the_rest():
    found = problems(_many_bad_checks(1000))
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-1] == f"rb.toml: … and {1000 - MAX_PROBLEMS} more problems"


def test_a_3_kb_bad_value_is_echoed_cut_to_a_readable_length():
    [line] = problems(HEAD + PHASE + 'hold = "' + "x" * 3000 + '"\n')
    assert "xxx…xx'" in line and len(line) < 160


def test_lint_time_grows_linearly_with_the_problems(capsys):
    """Figures only (no assertion on time): 250/500/1000 bad checks took 1.7/6.1/23 s before the fix."""
    for n in (250, 1000, 4000):
        started = time.perf_counter()
        found = problems(_many_bad_checks(n))
        print(f"{n} bad checks: {time.perf_counter() - started:.2f}s")
        assert len(found) == MAX_PROBLEMS + 1


def test_an_import_summary_of_one_of_each_reads_in_the_singular():
    from golive.console.importer.draft import Summary

    lines = Summary(phases=1, checks_by_source={"manual": 1}, triggers=1, roles=1, needs_query=1, needs_target=1,
                    variables=[], actions=1, rollback=False, repaired=0, dropped=0).lines()
    assert lines[0] == "1 phase, 1 check (manual 1), 1 trigger, 1 sign-off role, 1 action, rollback none"
    assert lines[1] == "to fill in: 1 item needs a query; 1 needs a target"


@pytest.mark.parametrize("name, text, expected", HOSTILE[:9])
def test_run_refuses_each_hostile_runbook_with_exit_2_before_a_session(tmp_path, capsys, name, text, expected):
    from golive.console.cli import main

    path = tmp_path / "rb.toml"
    path.write_text(text)
    assert main(["run", str(path), "--headless", "--session-dir", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert expected.replace("rb.toml", str(path)) in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_thirty_variables_each_doubling_the_last_stop_at_the_cap_with_one_line():
    doubling = "".join(f'a{i} = "${{a{i - 1}}}${{a{i - 1}}}"\n' for i in range(1, 31))
    found = problems(HEAD + '[runbook.vars]\na0 = "xyzw"\n' + doubling + PHASE + 'title = "${a30}"\n')
    assert found == ["rb.toml:20: runbook.vars.a14: expands to more than 65536 characters"]
