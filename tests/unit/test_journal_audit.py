"""verify --journal's derivation, without servers: what the journal's lines say against what a record says."""

from __future__ import annotations

from golive.console.journal_audit import record_differences, signoff_problems

EVENTS = [
    {"type": "session_started", "at": 0.0},
    {"type": "phase_started", "at": 1.0, "phase": "canary"},
    {"type": "action_started", "at": 2.0, "action": "phase:canary"},
    {"type": "action_finished", "at": 3.0, "action": "phase:canary", "exit_code": 1},
    {"type": "verdict", "at": 4.0, "check": "err", "verdict": "FAIL"},
    {"type": "decision", "at": 5.0, "kind": "abort", "phase": "canary", "by": "alice", "reason": "bad"},
    {"type": "phase_ended", "at": 5.0, "phase": "canary", "status": "aborted"},
    {"type": "outcome", "at": 5.0, "outcome": "NO-GO", "reason": "aborted by alice: bad"},
]

TRUE_RECORD = {
    "record": {"outcome": "NO-GO", "reason": "aborted by alice: bad", "signoff": ["lead"]},
    "phase": [{"id": "canary", "status": "aborted", "check": [{"id": "err", "verdict": "FAIL"}]}],
    "decision": [{"at": "1970-01-01T00:00:05Z", "kind": "abort", "phase": "canary", "by": "alice", "reason": "bad"}],
    "action": [{"action": "phase:canary", "exit_code": 1}],
}


def test_a_record_that_says_what_its_journal_says_has_no_differences():
    assert record_differences(TRUE_RECORD, EVENTS, len(EVENTS)) == []


def test_a_hidden_decision_and_a_cleaned_up_exit_code_are_both_named():
    record = {**TRUE_RECORD, "decision": [], "action": [{"action": "phase:canary", "exit_code": 0}]}
    problems = record_differences(record, EVENTS, len(EVENTS))
    assert problems == [
        "decision 1: the journal has abort by alice (line 6); the record has none",
        "action 1: the record says phase:canary exit 0, the journal says phase:canary exit 1 (line 3)",
    ]


def test_only_the_lines_up_to_the_anchor_count():
    # a record anchored before the outcome is a draft of that moment, not of what came later
    draft = {"record": {"outcome": "IN PROGRESS"}, "phase": [{"id": "canary", "status": "active"}]}
    assert record_differences(draft, EVENTS, 2) == []


def test_a_sign_off_no_signature_covers_is_named_only_for_a_role_that_signed():
    events = [*EVENTS, {"type": "signoff", "at": 6.0, "role": "lead", "name": "Mallory"}]
    assert signoff_problems(TRUE_RECORD, events, "h" * 64, len(EVENTS)) == []  # lead has not signed: "missing"
    signed = {**TRUE_RECORD, "signature": [{"role": "lead"}]}
    assert signoff_problems(signed, events, "h" * 64, len(EVENTS)) == [
        "journal line 9: a sign-off of lead by Mallory that no signature covers"]


def test_a_resume_leaves_every_check_pending_until_it_is_sampled_again():
    events = [*EVENTS[:5], {"type": "resumed", "at": 4.5, "operator": "bob", "host": "h"}]
    record = {"record": {"outcome": "IN PROGRESS"},
              "phase": [{"id": "canary", "status": "active", "check": [{"id": "err", "verdict": "PENDING"}]}],
              "action": [{"action": "phase:canary", "exit_code": 1}]}
    assert record_differences(record, events, len(events)) == []
