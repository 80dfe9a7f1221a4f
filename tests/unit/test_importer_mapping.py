"""How checklist constructs map onto a runbook: triggers, actions, queries, variables, errors."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golive.console.importer import ChecklistError, import_checklist
from golive.console.importer.emit import toml_string, toml_value

ROLLBACK = "## Rollback\n- [ ] Roll back if needed\n  ```bash\n  kubectl rollout undo deployment/payments-api\n  ```\n"


def runbook_of(markdown: str):
    return import_checklist(markdown.encode(), "checklist.md")


def test_automatic_rollback_triggers_fire_after_their_duration_and_roll_back():
    result = runbook_of(
        "# Payments v1.4.0\n\n## Canary\n- [ ] Smoke tests passed\n\n### Automatic rollback triggers\n"
        "- High error rate (>5%) for >5 minutes\n- Pod crash loops\n\n" + ROLLBACK)
    rb = result.runbook
    [trigger] = rb.triggers
    assert (str(trigger.fire), trigger.for_, trigger.then, trigger.unit) == ("> 5", 300.0, "rollback", "%")
    assert 'service=\\"${service}\\"' in result.text and 'code=~"5.."' in trigger.query
    assert "set auto = true to roll back without asking" in result.text
    assert "query guessed from the words 'error rate'" in result.text
    watch = next(p for p in rb.phases if p.id == "rollback-triggers")
    assert [c.title for c in watch.checks] == ["Pod crash loops"] and result.summary.needs_query == 1
    assert rb.rollback.run == ["kubectl", "rollout", "undo", "deployment/payments-api"]


def test_a_trigger_with_no_rollback_command_only_alerts_and_says_why():
    result = runbook_of("# X\n\n## Watch\n- [ ] Dashboards open\n\nRollback if:\n- Error rate >1% for 10 minutes\n")
    [trigger] = result.runbook.triggers
    assert trigger.then == "alert" and trigger.for_ == 600.0
    assert 'no rollback command found in the checklist: add [rollback], then set then = "rollback"' in result.text


def test_destructive_commands_become_actions_or_the_rollback_never_checks():
    result = runbook_of(
        "# Api v2.0.0\n\n## Deploy\n"
        "- [ ] Roll out\n  ```bash\n  kubectl set image deployment/api api=api:v2.0.0\n  ```\n"
        "- [ ] Scale up\n  ```bash\n  kubectl scale deployment api --replicas=10\n  ```\n"
        "- [ ] Pods listed\n  ```bash\n  kubectl get pods\n  ```\n\n" + ROLLBACK)
    rb = result.runbook
    deploy = rb.phases[0]
    assert deploy.action.run == ["kubectl", "set", "image", "deployment/api", "api=api:v2.0.0"]
    by_source = {c.title: c.source for c in deploy.checks}
    assert by_source == {"Scale up": "manual", "Pods listed": "command"}
    assert "a phase runs one action: this change is a manual item" in result.text
    assert "kubectl scale deployment api --replicas=10" in deploy.checks[0].description
    assert rb.rollback.run[:3] == ["kubectl", "rollout", "undo"]
    assert rb.rollback.confirm and deploy.action.confirm


def test_a_rollback_command_outside_a_rollback_section_is_still_the_rollback_not_the_phase_action():
    rb = runbook_of("# X\n\n## Canary\n- [ ] If errors spike\n  ```bash\n  helm rollback api\n  ```\n"
                    "- [ ] Smoke tests\n").runbook
    assert rb.phases[0].action is None and rb.rollback.run == ["helm", "rollback", "api"]


def test_a_threshold_without_a_query_stays_manual_unless_the_checklist_gave_one_for_that_metric():
    result = runbook_of(
        "# X\n\n## Canary\n- [ ] Error rate <1%\n  ```promql\n  sum(rate(errors_total[5m]))\n  ```\n"
        "- [ ] Queue depth <100 jobs\n\n## Full\n- [ ] Error rate ≤ 0.5%\n")
    checks = {c.id: c for _, c in result.runbook.iter_checks()}
    assert checks["queue-depth-100-jobs"].source == "manual"
    assert 'needs a query: to measure it, set source = "prometheus", query = "…", pass = "< 100", unit = "jobs"' \
        in result.text
    reused = checks["error-rate-0-5"]
    assert reused.source == "prometheus" and str(reused.pass_) == "<= 0.5"
    assert reused.query == "sum(rate(errors_total[5m]))"


def test_a_query_without_a_threshold_stays_manual_and_keeps_the_query():
    result = runbook_of("# X\n\n## Canary\n- [ ] Error budget burn\n  ```promql\n  slo:burn_rate:1h\n  ```\n")
    check = result.runbook.phases[0].checks[0]
    assert check.source == "manual" and "Query: slo:burn_rate:1h" in check.description
    assert "needs a threshold" in result.text


def test_variables_placeholders_and_literal_shell_variables_survive_lint():
    result = runbook_of(
        "# Api v3.1.0 release\n\n## Region [REGION]\n- [ ] Deployed to <service> in [REGION]\n"
        "- [ ] Cache warm\n  ```bash\n  curl -fsS \"${CACHE_URL}/warm\"\n  ```\n")
    rb = result.runbook
    assert rb.runbook.version == "v3.1.0" and rb.runbook.vars["region"] == ""
    assert "title = 'Deployed to ${service} in ${region}'" in result.text
    assert rb.phases[0].checks[1].run == 'curl -fsS "${CACHE_URL}/warm"' and rb.phases[0].checks[1].shell


def test_owners_give_roles_and_nested_checkboxes_are_ticks_of_their_own():
    rb = runbook_of("# X\n\n## Pre-flight\n- [ ] Backups verified (@dba)\n- [ ] CI green\n"
                    "  - [ ] Unit tests\n  - [ ] Lint\n- [ ] Notes\n  - a plain detail\n").runbook
    checks = {c.title: c for c in rb.phases[0].checks}
    assert checks["Backups verified"].role == "dba"
    assert "CI green: Unit tests" in checks and "CI green: Lint" in checks and "CI green" not in checks
    assert checks["Notes"].description == "- a plain detail"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty: nothing to import"),
    (b"  \n\t\n", "empty: nothing to import"),
    (b"\x7fELF\x02\x01\x01\x00\x00", "binary data (NUL byte at offset 7)"),
    (b"# Title\n\n## Section\n\nJust prose, no items.\n", "no checklist items found"),
    (bytes(range(1, 32)) * 20, "control characters (binary data?)"),
])
def test_input_that_is_not_a_checklist_is_a_one_line_error(data, message):
    with pytest.raises(ChecklistError) as caught:
        import_checklist(data, "bad.md")
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith("bad.md: ")


def test_a_checklist_saved_as_cp1252_is_read_as_text():
    rb = import_checklist("# Caf\u00e9 \u2014 go-live\n\n## Steps\n- [ ] Men\u00fc checked\n".encode("cp1252"), "x.md")
    assert rb.runbook.runbook.name == "Café — go-live" and rb.runbook.phases[0].checks[0].title == "Menü checked"


def test_items_without_headings_still_make_one_phase():
    rb = import_checklist(b"- [ ] one\n- [ ] two\n", "flat.md").runbook
    assert [p.title for p in rb.phases] == ["Checklist"] and len(rb.phases[0].checks) == 2


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_is_written_as_a_toml_string_that_reads_back_the_same(text):
    assert tomllib.loads(f"value = {toml_value(text)}\n")["value"] == text
    assert tomllib.loads(f"value = {toml_string(text)}\n")["value"] == text


def test_nesting_deeper_than_any_checklist_needs_is_flattened_not_a_crash():
    deep = "# X\n\n## Steps\n" + "".join("  " * i + f"- [ ] step {i}\n" for i in range(400))
    rb = import_checklist(deep.encode(), "deep.md").runbook
    assert len(rb.phases[0].checks) > 300


def test_a_checklist_too_large_to_drive_is_refused_with_one_line(monkeypatch):
    import golive.console.importer as importer

    monkeypatch.setattr(importer, "MAX_CHECKS", 10)
    with pytest.raises(ChecklistError, match=r"^big.md: 11 checks and triggers: more than a go-live can drive"):
        import_checklist(("## Steps\n" + "- [ ] step\n" * 11).encode(), "big.md")


def test_a_line_full_of_unmatched_emphasis_markers_imports():
    rb = import_checklist(("## Steps\n- [ ] " + "**a " * 20000 + "\n").encode(), "stars.md").runbook
    assert rb.phases[0].checks[0].title.endswith("…")


def test_blanks_of_a_sign_off_form_are_neither_roles_nor_checks():
    rb = runbook_of("# X\n\n## Steps\n- step one\n\n## Sign-off\n- Approved by: ______\n- Date: ______\n"
                    "- Notes: [ANY NOTES]\n").runbook
    assert rb.runbook.signoff == ["approver"]
    assert [c.title for _, c in rb.iter_checks()] == ["step one"]


def test_a_rollback_command_under_a_trigger_becomes_the_rollback_the_trigger_runs():
    result = runbook_of("# X\n\n## Canary\n- [ ] Smoke tests\n\nRollback if:\n- [ ] Error rate >1%\n"
                        "  ```bash\n  kubectl rollout undo deploy/x\n  kubectl get pods\n  ```\n")
    assert result.runbook.triggers[0].then == "rollback"
    assert result.runbook.rollback.run == ["kubectl", "rollout", "undo", "deploy/x"]
    assert "a read-only command under a rollback trigger was not imported" in result.text


def test_placeholders_that_are_not_runbook_fields_are_declared_and_code_spans_keep_their_text():
    result = runbook_of("## A\n- [ ] ask <owner> on <env> about [NAME]\n- [ ] `${{ secrets.TOKEN }}` set\n")
    rb = result.runbook
    assert rb.runbook.vars == {"owner": "", "name_value": ""}
    assert "title = 'ask ${owner} on ${environment} about ${name_value}'" in result.text
    assert [c.title for _, c in rb.iter_checks()][1] == "${{ secrets.TOKEN }} set"


def test_a_command_under_a_paragraph_is_a_step_even_in_a_numbered_checklist():
    rb = runbook_of("# X\n\n## Verify\n1. Pods are up\n\nHealth endpoint answers:\n\n"
                    "```bash\ncurl https://api.example/healthz\n```\n").runbook
    check = rb.phases[0].checks[1]
    assert (check.source, check.title, check.url) == ("http", "Health endpoint answers", "https://api.example/healthz")
