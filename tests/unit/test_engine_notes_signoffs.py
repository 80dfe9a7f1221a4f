"""Notes marked as anomalies and lessons, one person per sign-off role, and an outcome that names its trigger
by title — the engine's part of the record, with a fake clock."""

from __future__ import annotations

import pytest

from golive.console import events as ev
from golive.console.engine import Engine, Refused
from golive.console.runbook import parse_runbook
from tests.unit.test_engine import RUNBOOK, Clock, feed

clock = Clock()


def started(runbook: str = RUNBOOK) -> Engine:
    eng = Engine(parse_runbook(runbook, "test.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice", host="h"))
    return eng


def ended(runbook: str = RUNBOOK) -> Engine:
    eng = started(runbook)
    feed(eng, eng.cmd_abort("alice", "not today", now=clock()))
    return eng


def test_a_note_can_be_marked_as_an_anomaly_or_a_lesson():
    eng = started()
    feed(eng, eng.cmd_note("alice", "cache hit rate dipped", kind="anomaly", now=clock()))
    feed(eng, eng.cmd_note("bob", "warm the cache before canary", "lesson", now=clock()))
    feed(eng, eng.cmd_note("carol", "all quiet", now=clock()))
    assert [(n["kind"], n["by"]) for n in eng.state.notes] == [
        ("anomaly", "alice"), ("lesson", "bob"), ("note", "carol")]


def test_a_note_of_an_unknown_kind_is_refused():
    with pytest.raises(Refused, match="a note is one of note, anomaly, lesson"):
        started().cmd_note("alice", "hmm", kind="rumour", now=clock())


def test_a_journal_note_without_a_kind_still_loads_as_a_plain_note():
    note = ev.Event.from_dict({"type": "note", "at": 1.0, "by": "alice", "text": "old", "phase": "canary"})
    assert isinstance(note, ev.Note) and note.kind == "note"


def test_one_person_signs_off_one_role_by_default():
    eng = ended()
    feed(eng, eng.cmd_signoff("deployment-lead", "Dana", now=clock()))
    with pytest.raises(Refused, match="Dana has signed off as deployment-lead: one person signs one role"):
        eng.cmd_signoff("operations", " dana ", now=clock())


def test_a_runbook_may_let_one_person_sign_off_several_roles():
    eng = ended(RUNBOOK.replace('signoff = [', 'signoff_distinct = false\nsignoff = ['))
    feed(eng, eng.cmd_signoff("deployment-lead", "Dana", now=clock()))
    feed(eng, eng.cmd_signoff("operations", "Dana", now=clock()))
    assert [s["role"] for s in eng.state.signoffs] == ["deployment-lead", "operations"]


def test_a_rolled_back_outcome_names_its_trigger_by_title():
    eng = started(RUNBOOK.replace('id = "spike"', 'id = "spike"\ntitle = "Error rate > 1% for 5 minutes"'))
    feed(eng, eng.cmd_rollback("golive", "fired", trigger="spike", now=clock()))
    feed(eng, eng.rollback_finished(0, dry_run=False, now=clock()))
    assert eng.state.outcome_reason == "trigger Error rate > 1% for 5 minutes fired"
