"""`golive lint`: every broken runbook gives its one-line message with its location, never a traceback."""

from __future__ import annotations

import pytest

from golive.console.runbook import RunbookError, load_runbook, parse_runbook

HEAD = """[runbook]
name = "svc"
service = "svc"
version = "v1"

[targets.prometheus.main]
url = "http://127.0.0.1:9090"
"""
PHASE = """
[[phase]]
id = "canary"
"""
CHECK = """
  [[phase.check]]
  id = "err"
  source = "prometheus"
  query = "up"
  pass = "< 0.5"
"""

# (name, runbook text, expected message: "LINE: path: message" fragments)
BROKEN = [
    ("toml syntax", HEAD + PHASE + 'hold = "5m\n', ":11:11:", "TOML syntax"),
    ("unknown top-level table", HEAD + PHASE + "\n[rolback]\nrun = ['x']\n", ":12:",
     "rolback: unknown field 'rolback' (did you mean 'rollback'?)"),
    ("unknown check field", HEAD + PHASE + CHECK + "  tresh = 3\n", ":17:",
     "phase[1].check[1].tresh: unknown field 'tresh'"),
    ("typo with a suggestion", HEAD + PHASE + CHECK + "  evry = '5s'\n", ":17:", "(did you mean 'every'?)"),
    ("bad duration", HEAD + PHASE + CHECK.replace('pass', 'every = "5 minutes"\n  pass'), ":16:",
     "phase[1].check[1].every: expected a duration like 500ms"),
    ("bad phase hold", HEAD + PHASE + 'hold = "forever"\n', ":11:", "phase[1].hold: expected a duration"),
    ("bad threshold", HEAD + PHASE + CHECK.replace('"< 0.5"', '"less than 0.5"'), ":16:",
     "phase[1].check[1].pass: expected a threshold like"),
    ("bad warn", HEAD + PHASE + CHECK + '  warn = "<<1"\n', ":17:", "phase[1].check[1].warn: expected a threshold"),
    ("unknown source", HEAD + PHASE + CHECK.replace('"prometheus"', '"promethus"'), ":14:",
     "phase[1].check[1].source: unknown source 'promethus'"),
    ("missing source", HEAD + PHASE + '  [[phase.check]]\n  id = "x"\n', ":11:", "phase[1].check[1].source: missing"),
    ("missing query", HEAD + PHASE + CHECK.replace('query = "up"\n', ''), ":12:",
     "phase[1].check[1].query: missing: this field is required"),
    ("prometheus without pass", HEAD + PHASE + CHECK.replace('  pass = "< 0.5"\n', ''), ":12:",
     "phase[1].check[1].pass: a prometheus check needs pass"),
    ("duplicate check id", HEAD + PHASE + CHECK + CHECK, ":19:", "phase[1].check[2].id: duplicate check id 'err'"),
    ("duplicate phase id", HEAD + PHASE + PHASE, ":13:", "phase[2].id: duplicate phase id 'canary'"),
    ("unknown target", HEAD + PHASE + CHECK + '  target = "thanos"\n', ":17:",
     "phase[1].check[1].target: unknown prometheus target 'thanos' (known: main)"),
    ("no target declared",
     HEAD + PHASE + '  [[phase.check]]\n  id = "db"\n  source = "postgres"\n  query = "select 1"\n  pass = "== 1"\n',
     ":13:", "phase[1].check[1].source: no [targets.postgres.<name>] declared"),
    ("wrong type", HEAD + PHASE + CHECK + "  every = true\n", ":17:", "phase[1].check[1].every: expected a duration"),
    ("wrong type for required", HEAD + PHASE + CHECK + '  required = "yes"\n', ":17:",
     "phase[1].check[1].required: expected true or false"),
    ("no phases", HEAD, "", "phase: missing: this field is required"),
    ("missing runbook name", HEAD.replace('name = "svc"\n', '') + PHASE, ":1:", "runbook.name: missing"),
    ("unknown variable", HEAD + PHASE + CHECK.replace('"up"', '"up{v=\\"${relase}\\"}"'), ":15:",
     "phase[1].check[1].query: unknown variable ${relase}"),
    ("trigger without fire", HEAD + PHASE + '\n[[trigger]]\nid = "t"\nsource = "prometheus"\nquery = "up"\n', ":12:",
     "trigger[1].fire: a prometheus trigger needs fire"),
    ("trigger rollback without [rollback]",
     HEAD + PHASE + '\n[[trigger]]\nid = "t"\nsource = "prometheus"\nquery = "up"\nfire = "> 1"\nthen = "rollback"\n',
     ":17:", "trigger[1].then: then = \"rollback\" needs a [rollback] section"),
    ("bad then",
     HEAD + PHASE + '\n[[trigger]]\nid = "t"\nsource = "prometheus"\nquery = "up"\nfire = "> 1"\nthen = "panic"\n',
     ":17:", "trigger[1].then: expected 'rollback', 'pause', 'alert' or 'abort'"),
    ("bad matrix", HEAD + PHASE + CHECK + '  matrix = { region = "us-east-1" }\n', ":17:",
     "phase[1].check[1].matrix.region: expected a non-empty list"),
    ("bad id", HEAD + PHASE.replace('"canary"', '"can ary"'), ":10:", "phase[1].id: expected an id of letters"),
    ("action run of wrong type", HEAD + PHASE + "action = { run = 5 }\n", ":11:",
     "phase[1].action.run: expected a list or a string, got 5"),
    ("ambiguous target", HEAD + "\n[targets.prometheus.other]\nurl = 'http://x'\n" + PHASE + CHECK, ":15:",
     "phase[1].check[1].target: several prometheus targets (main, other): name one"),
    ("negative concurrency", HEAD.replace('url = "http://127.0.0.1:9090"', 'url = "http://x"\nconcurrency = 0')
     + PHASE, ":8:", "targets.prometheus.main.concurrency: input should be greater than or equal to 1"),
    ("warn without pass", HEAD + PHASE + '  [[phase.check]]\n  id = "c"\n  source = "command"\n  run = ["true"]\n  '
                                         'warn = "< 3"\n', ":15:", "phase[1].check[1].warn: warn needs pass"),
]


@pytest.mark.parametrize("name,text,line,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_runbook_gives_its_one_line_message_with_its_location(name, text, line, message, tmp_path):
    path = tmp_path / "rb.toml"
    path.write_text(text)
    with pytest.raises(RunbookError) as info:
        load_runbook(path)
    problems = info.value.problems
    assert any(message in p for p in problems), problems
    hit = next(p for p in problems if message in p)
    assert hit.startswith(f"{path}{line}") if line else hit.startswith(f"{path}: ")
    assert all("\n" not in p and "Traceback" not in p for p in problems)


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = HEAD + PHASE + CHECK.replace('"< 0.5"', '"bad"') + '  every = "soon"\n  colour = "red"\n'
    with pytest.raises(RunbookError) as info:
        parse_runbook(text, "rb.toml")
    assert len(info.value.problems) == 3


def test_a_matrix_expands_a_check_once_per_value_with_the_value_substituted():
    text = (HEAD + PHASE + CHECK.replace('"up"', '"up{region=\\"${region}\\"}"')
            + '  matrix = { region = ["us-east-1", "eu-west-1"] }\n')
    rb = parse_runbook(text, "rb.toml")
    checks = rb.phases[0].checks
    assert [c.id for c in checks] == ["err-us-east-1", "err-eu-west-1"]
    assert checks[1].query == 'up{region="eu-west-1"}'


def test_a_phase_matrix_expands_the_phase_and_keeps_check_ids_unique():
    text = (HEAD
            + PHASE.replace('"canary"', '"validate"\ntitle = "Validate ${region}"\nmatrix = { region = ["a", "b"] }')
            + CHECK)
    rb = parse_runbook(text, "rb.toml")
    assert [p.id for p in rb.phases] == ["validate-a", "validate-b"]
    assert [p.title for p in rb.phases] == ["Validate a", "Validate b"]
    assert [c.id for _, c in rb.iter_checks()] == ["err-a", "err-b"]


def test_set_overrides_a_runbook_field_and_its_variable():
    text = (HEAD.replace('name = "svc"', 'name = "svc ${version}"') + PHASE
            + CHECK.replace('"up"', '"up{v=\\"${version}\\"}"'))
    rb = parse_runbook(text, "rb.toml", {"version": "v9"})
    assert rb.meta.version == "v9" and rb.meta.name == "svc v9"
    assert rb.phases[0].checks[0].query == 'up{v="v9"}'


def test_a_literal_dollar_brace_is_written_twice():
    rb = parse_runbook(HEAD + PHASE + CHECK.replace('"up"', '"$${x}"'), "rb.toml")
    assert rb.phases[0].checks[0].query == "${x}"
