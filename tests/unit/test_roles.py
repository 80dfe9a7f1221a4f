"""People bound to roles: who may tick a role's items, approve a phase and sign off, and what a refusal says."""

from __future__ import annotations

import pytest

from golive.checks.manual import Answer, Answers
from golive.console import events as ev
from golive.console import roles
from golive.console.engine import Engine, Refused
from golive.console.runbook import RunbookError, parse_runbook
from golive.console.session import Session

RUNBOOK = """
[runbook]
name = "roles"
service = "svc"
version = "1"
signoff = ["security"]

[roles.security]
users = ["alice"]
groups = ["secops"]

[roles.product]
users = ["pat", "quinn", "rae"]
min = 2

[roles.lead]
users = ["dana", "erin"]
not_operator = true

[[phase]]
id = "canary"
approve = ["security", "product"]
  [[phase.check]]
  id = "pentest"
  source = "manual"
  role = "security"
  [[phase.check]]
  id = "smoke"
  source = "manual"

[[phase]]
id = "full"
approve = ["lead"]
  [[phase.check]]
  id = "done"
  source = "manual"
"""

UNBOUND = """
[runbook]
name = "no roles"
service = "svc"
version = "1"

[[phase]]
id = "canary"
approve = ["product"]
  [[phase.check]]
  id = "pentest"
  source = "manual"
  role = "security"
"""


class Clock:
    t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


clock = Clock()


@pytest.fixture(autouse=True)
def groups(monkeypatch):
    """Group membership without touching /etc/group: bob is in secops, nobody else in anything."""
    monkeypatch.setattr(roles, "groups_of", lambda user: {"secops"} if user == "bob" else set())


def started(text: str = RUNBOOK, operator: str = "dana") -> Engine:
    eng = Engine(parse_runbook(text, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator=operator))
    return eng


def feed(engine: Engine, events: list[ev.Event]) -> list[ev.Event]:
    for e in events:
        engine.apply(e)
    return events


def test_a_bound_roles_item_is_ticked_by_a_listed_user_or_a_member_of_its_group():
    eng = started()
    assert feed(eng, eng.cmd_tick("pentest", "alice", now=clock()))[0].by == "alice"
    assert feed(eng, eng.cmd_tick("pentest", "bob", checked=False, now=clock()))[0].by == "bob"


def test_anyone_else_is_refused_with_who_may():
    eng = started()
    with pytest.raises(Refused) as refused:
        eng.cmd_tick("pentest", "mallory", now=clock())
    assert str(refused.value) == "mallory may not act as security (only security: alice or members of secops)"
    assert not eng.state.manual["pentest"].checked


def test_an_item_without_a_role_is_ticked_by_anyone_as_before():
    eng = started()
    assert feed(eng, eng.cmd_tick("smoke", "mallory", now=clock()))[0].check == "smoke"


def test_without_roles_the_lead_may_tick_and_approve_everything():
    eng = started(UNBOUND, operator="dana")
    feed(eng, eng.cmd_tick("pentest", "dana", now=clock()))
    feed(eng, eng.cmd_approve("dana", now=clock()))
    assert eng.state.manual["pentest"].checked
    assert eng.state.approvals[0]["role"] == "product"
    assert eng.gate(clock()).open


def test_the_gate_names_every_role_still_awaited_and_who_may_give_it():
    eng = started()
    feed(eng, eng.cmd_tick("pentest", "alice", now=clock()))
    feed(eng, eng.cmd_tick("smoke", "dana", now=clock()))
    assert eng.gate(clock()).reasons == \
        ["awaiting approval: security (alice or secops), product 0 of 2 (pat or quinn or rae)"]
    feed(eng, eng.cmd_approve("bob", note="pentest report read", now=clock()))
    assert eng.gate(clock()).reasons == ["awaiting approval: product 0 of 2 (pat or quinn or rae)"]
    assert eng.state.approvals[0] == {"at": Clock.t, "phase": "canary", "role": "security", "by": "bob",
                                      "note": "pentest report read"}


def test_min_needs_that_many_different_people():
    eng = started()
    feed(eng, eng.cmd_approve("pat", "product", now=clock()))
    with pytest.raises(Refused, match="pat has already approved canary as product"):
        eng.cmd_approve("pat", "product", now=clock())
    assert any("product 1 of 2" in r for r in eng.gate(clock()).reasons)
    feed(eng, eng.cmd_approve("quinn", "product", now=clock()))
    assert not any("product" in r for r in eng.gate(clock()).reasons)
    with pytest.raises(Refused, match="product has already approved canary"):
        eng.cmd_approve("rae", "product", now=clock())


def test_an_approval_from_outside_the_role_is_refused_with_who_may():
    eng = started()
    with pytest.raises(Refused) as refused:
        eng.cmd_approve("mallory", "security", now=clock())
    assert str(refused.value) == "mallory may not act as security (only security: alice or members of secops)"
    assert eng.state.approvals == []


def test_not_operator_refuses_the_lead_who_started_the_go_live_even_when_bound():
    eng = started(operator="dana")
    for item in ("pentest", "smoke"):
        feed(eng, eng.cmd_tick(item, "alice", now=clock()))
    for who, role in (("alice", "security"), ("pat", "product"), ("quinn", "product")):
        feed(eng, eng.cmd_approve(who, role, now=clock()))
    feed(eng, eng.cmd_proceed("dana", now=clock()))
    with pytest.raises(Refused) as refused:
        eng.cmd_approve("dana", "lead", now=clock())
    assert str(refused.value) == "dana started this go-live and may not also act as lead (separation of duties)"
    feed(eng, eng.cmd_approve("erin", now=clock()))
    assert eng.state.approvals[-1]["by"] == "erin" and eng.state.approvals[-1]["role"] == "lead"


def test_only_a_member_signs_off_a_bound_role():
    eng = started()
    feed(eng, eng.cmd_abort("dana", "stop", now=clock()))
    with pytest.raises(Refused, match=r"only security: alice or members of secops"):
        eng.cmd_signoff("security", "mallory", now=clock())
    assert feed(eng, eng.cmd_signoff("security", "alice", now=clock()))[0].name == "alice"


def test_a_refused_approval_leaves_no_role_picked_for_someone_who_holds_none():
    eng = started()
    with pytest.raises(Refused, match="mallory may not act as security"):
        eng.cmd_approve("mallory", now=clock())


@pytest.mark.parametrize("fragment, path, message", [
    ('role = "securty"', "phase[1].check[1].role", "unknown role 'securty'"),
    ('approve = ["security", "prod"]', "phase[1].approve[2]", "unknown role 'prod'"),
])
def test_lint_names_an_unknown_role_by_its_field_path(fragment: str, path: str, message: str):
    text = RUNBOOK.replace('role = "security"', fragment) if "role" in fragment[:4] \
        else RUNBOOK.replace('approve = ["security", "product"]', fragment)
    with pytest.raises(RunbookError) as problem:
        parse_runbook(text, "test.toml")
    assert f"{path}: {message}" in str(problem.value)


@pytest.mark.parametrize("min_, message", [("0", "roles.product.min: min must be at least 1, not 0"),
                                           ("4", "roles.product.min: min = 4 but only 3 user(s) and no groups")])
def test_lint_refuses_a_min_no_one_can_meet(min_: str, message: str):
    with pytest.raises(RunbookError) as problem:
        parse_runbook(RUNBOOK.replace("min = 2", f"min = {min_}"), "test.toml")
    assert message in str(problem.value)


def test_headless_approves_unbound_roles_from_the_answers_file_but_waits_for_bound_ones(tmp_path):
    answers = Answers({"pentest": Answer("pentest", "mallory")}, {}, {"security": "alice"})
    session = Session.start(parse_runbook(RUNBOOK, "t.toml"), session_dir=tmp_path / "s", operator="dana",
                            headless=True, answers=answers, clock=Clock())
    try:
        st = session.engine.state
        assert st.approvals == [] and not st.manual["pentest"].checked
        logs = [text for _, _, text in st.log]
        assert any("waits for security's approval" in t and "at a seat" in t for t in logs)
        assert any("answers file: mallory may not act as security" in t for t in logs)
    finally:
        session.close()

    session = Session.start(parse_runbook(UNBOUND, "u.toml"), session_dir=tmp_path / "u", operator="dana",
                            headless=True, answers=Answers({}, {}, {"product": "pat"}), clock=Clock())
    try:
        assert session.engine.state.approvals[0]["by"] == "pat"
    finally:
        session.close()


def test_the_record_keeps_who_was_bound_and_every_approval_in_its_signed_body():
    from golive.console.record import build_record
    from golive.console.signed_body import canonical_bytes

    eng = started()
    feed(eng, eng.cmd_approve("alice", note="read the report", now=clock()))
    record = build_record(eng, "0" * 64, 3)
    assert record["record"]["roles"]["security"] == {"users": ["alice"], "groups": ["secops"], "min": 1,
                                                     "not_operator": False}
    assert [(a["role"], a["by"], a["note"]) for a in record["approval"]] == [("security", "alice", "read the report")]
    assert b"read the report" in canonical_bytes(record) and b"secops" in canonical_bytes(record)


def test_a_manual_trigger_of_a_bound_role_is_fired_only_by_its_members():
    text = RUNBOOK + '''
[[trigger]]
id = "breach"
source = "manual"
role = "security"
then = "pause"
'''
    eng = started(text)
    with pytest.raises(Refused, match=r"mallory may not act as security \(only security: alice or members of secops\)"):
        eng.cmd_fire_trigger("breach", "mallory", "I saw something", now=clock())
    assert feed(eng, eng.cmd_fire_trigger("breach", "alice", "data leak on canary", now=clock()))
    with pytest.raises(RunbookError, match=r"trigger\[1\]\.role: unknown role 'sec'"):
        parse_runbook(text.replace('role = "security"\nthen', 'role = "sec"\nthen'), "t.toml")


def test_with_roles_a_person_in_none_of_them_and_not_the_lead_may_only_watch():
    rb = parse_runbook(RUNBOOK, "t.toml")
    assert roles.outsider_refusal(rb, "mallory", "dana") == \
        "mallory holds no role in this go-live (lead, product, security) and may only watch"
    assert roles.outsider_refusal(rb, "dana", "dana") is None and roles.outsider_refusal(rb, "bob", "dana") is None
    assert roles.outsider_refusal(parse_runbook(UNBOUND, "u.toml"), "mallory", "dana") is None
