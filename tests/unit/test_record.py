"""The record: stable TOML for machines, the hand-written tables for people, signatures kept only when valid."""

from __future__ import annotations

import tomllib

from golive.checks.base import Sample
from golive.console import events as ev
from golive.console.engine import Engine
from golive.console.record import build_record, render_markdown, write_record
from golive.console.runbook import parse_runbook
from golive.console.signed_body import canonical_bytes
from tests.unit.test_engine import RUNBOOK, Clock, feed


def finished_engine() -> Engine:
    clock = Clock()
    eng = Engine(parse_runbook(RUNBOOK, "rb.toml"))
    feed(eng, eng.cmd_start(clock(), operator="alice", host="bastion-1"))
    feed(eng, [ev.ActionStarted(at=clock(), action="phase:canary", argv=("true",)),
               ev.ActionFinished(at=clock() + 1, action="phase:canary", exit_code=0, duration=1.0,
                                 output_sha256="ab" * 32)])
    for k, v in enumerate((0.2, 0.4, 0.1)):
        feed(eng, eng.observe(Sample.number("err", clock() + k, v)))
    feed(eng, eng.cmd_tick("smoke", "bob", note="all journeys green", now=clock()))
    clock.t += 400
    feed(eng, eng.cmd_proceed("alice", now=clock()))
    feed(eng, eng.observe(Sample.number("lat", clock(), 120)))
    feed(eng, eng.cmd_override("alice", "latency dashboard confirms, checked by hand", now=clock()))
    feed(eng, eng.cmd_signoff("operations", "Bob Ops", now=clock()))
    return eng


def test_the_record_holds_what_an_auditor_needs():
    record = build_record(finished_engine(), "f" * 64, 42)
    head = record["record"]
    assert head["outcome"] == "PARTIAL" and head["operator"] == "alice" and head["host"] == "bastion-1"
    assert head["journal_sha256"] == "f" * 64 and head["journal_events"] == 42
    err = record["phase"][0]["check"][0]
    assert (err["last"], err["min"], err["max"], err["samples"], err["verdict"]) == (0.1, 0.1, 0.4, 3, "PASS")
    assert err["pass"] == "< 0.5" and err["warn"] == "< 1" and err["unit"] == "%"
    assert record["phase"][0]["manual"][0] == {
        "id": "smoke", "title": "smoke", "role": "qa", "checked": True, "by": "bob",
        "at": "2027-01-15T08:00:00Z", "note": "all journeys green"}
    assert [d["kind"] for d in record["decision"]] == ["proceed", "override"]
    assert record["phase"][1]["status"] == "overridden"
    assert record["action"][0]["exit_code"] == 0


def test_the_toml_is_stable_for_the_same_state():
    eng = finished_engine()
    assert canonical_bytes(build_record(eng, "0" * 64, 1)) == canonical_bytes(build_record(eng, "0" * 64, 1))


def test_the_markdown_shows_the_tables_people_write_by_hand():
    md = render_markdown(build_record(finished_engine(), "0" * 64, 1))
    assert "**Outcome: ⚠ PARTIAL**" in md
    assert "| Check | Value | Target | Status |" in md
    assert "| err | 0.1 % (min 0.1, max 0.4, 3 samples) | < 0.5 % | ✓ PASS |" in md
    assert "| [x] smoke | bob |" in md
    assert "| deployment-lead | — | — | ✗ missing |" in md


def test_signatures_survive_a_rewrite_and_a_changed_rendering_keeps_the_signed_body(tmp_path):
    eng = finished_engine()
    record = build_record(eng, "0" * 64, 1)
    toml_path, _ = write_record(tmp_path, record)
    doc = tomllib.loads(toml_path.read_text())
    assert doc["signature_status"]["missing"] == ["deployment-lead", "operations"]
    doc_with_sig = toml_path.read_text() + '\n[[signature]]\nrole = "operations"\nsignature = "x"\n'
    toml_path.write_text(doc_with_sig)
    write_record(tmp_path, record)
    assert tomllib.loads(toml_path.read_text())["signature"][0]["role"] == "operations"
    changed = build_record(eng, "1" * 64, 2)
    warnings: list[str] = []
    write_record(tmp_path, changed, on_warning=warnings.append)
    kept = tomllib.loads(toml_path.read_text())
    assert kept["signature"][0]["role"] == "operations"
    assert kept["record"]["journal_sha256"] == "0" * 64
    assert "record.journal_sha256" in warnings[0] and "kept as signed" in warnings[0]


def test_record_toml_starts_with_the_record_table():
    from golive.console.record_file import dump_record

    record = build_record(finished_engine(), "0" * 64, 1)
    text = dump_record(record)
    assert text.startswith("[record]\n")
    assert "\n[[decision]]\n" in text and "decision = [" not in text
    assert tomllib.loads(text) == {k: v for k, v in record.items() if v != []}


def test_notes_marked_as_anomalies_and_lessons_have_their_own_sections():
    eng = finished_engine()
    record = build_record(eng, "0" * 64, 1)
    record["note"] = [{"at": "t1", "by": "alice", "text": "cache cold", "kind": "anomaly"},
                      {"at": "t2", "by": "bob", "text": "warm the cache first", "kind": "lesson"},
                      {"at": "t3", "by": "carol", "text": "all quiet", "kind": "note"}]
    md = render_markdown(record)
    assert "## Anomalies\n\n- t1 alice: cache cold" in md
    assert "## Lessons learned\n\n- t2 bob: warm the cache first" in md
    assert "## Notes\n\n- t3 carol: all quiet" in md


def test_a_kubernetes_check_shows_what_it_expects_as_its_target():
    record = build_record(finished_engine(), "0" * 64, 1)
    record["phase"][0]["check"] = [{"id": "rollout", "title": "Rollout", "source": "kubernetes",
                                    "expect": "available", "verdict": "PASS"}]
    assert "| Rollout | — | available | ✓ PASS |" in render_markdown(record)


def test_a_notes_kind_is_in_record_toml():
    eng = finished_engine()
    eng.state.notes.append({"at": 1.0, "by": "alice", "phase": "canary", "text": "odd", "kind": "anomaly"})
    assert build_record(eng, "0" * 64, 1)["note"][-1]["kind"] == "anomaly"


def test_a_record_toml_that_cannot_be_read_is_kept_aside_not_overwritten(tmp_path):
    (tmp_path / "record.toml").write_text('[record]\nformat = 1\n[[signature]]\nrole = "ops"\nsignature = "x\n')
    warnings: list[str] = []
    write_record(tmp_path, build_record(finished_engine(), "0" * 64, 1), on_warning=warnings.append)
    assert 'role = "ops"' in (tmp_path / "record.toml.unreadable").read_text()
    assert tomllib.loads((tmp_path / "record.toml").read_text())["record"]["outcome"] == "PARTIAL"
    assert "kept as record.toml.unreadable" in warnings[0]
