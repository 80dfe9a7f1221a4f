"""How a checklist's structure maps: stage and sign-off tables, trigger lines, branches, conditional sections, holds."""

from __future__ import annotations

from golive.console.importer import import_checklist


def runbook_of(markdown: str):
    return import_checklist(markdown.encode(), "checklist.md")


def test_a_stage_table_becomes_canary_phases_with_their_traffic_and_hold():
    rb = runbook_of("# X\n\n## Rollout\n- [ ] Smoke tests\n\n## Canary stages\n\n| Stage | Traffic | Duration |\n"
                    "|---|---|---|\n| Canary | 5% | 15 min |\n| Half | 50% | 30 min |\n| Full | 100% | - |\n").runbook
    stages = [(p.traffic, p.hold) for p in rb.phases if p.traffic is not None]
    assert stages == [(5, 900.0), (50, 1800.0), (100, 0.0)]


def test_a_sign_off_table_gives_every_role_even_when_one_name_is_no_role():
    rb = runbook_of("# X\n\n## Steps\n- [ ] step\n\n## Sign-off\n\n| Role | Name | Signature |\n|---|---|---|\n"
                    "| Release Captain | | |\n| Developer | | |\n| SRE | | |\n| Bob | | |\n").runbook
    assert rb.runbook.signoff == ["release-captain", "developer", "sre"]


def test_a_rollback_if_line_and_a_trigger_table_give_fire_and_for():
    result = runbook_of("# X\n\n## Canary\n- [ ] Smoke tests\n\nROLLBACK IF error rate > 1% for 3 minutes.\n\n"
                        "## Rollback triggers\n\n| Signal | Threshold | Window | Action |\n|---|---|---|---|\n"
                        "| p99 latency | > 800ms | sustained 2 min | roll back |\n")
    fired = {(str(t.fire), t.for_, t.unit) for t in result.runbook.triggers}
    assert fired == {("> 1", 180.0, "%"), ("> 800", 120.0, "ms")}


def test_if_no_go_branches_are_notes_and_rollback_candidates_never_the_go_path():
    rb = runbook_of("# X\n\n## Decide\n- [ ] Metrics reviewed\n- [ ] If NO-GO: roll back\n  ```bash\n"
                    "  kubectl rollout undo deployment/api\n  ```\n- [ ] If GO: announce the release\n").runbook
    assert [c.title for c in rb.phases[0].checks] == ["Metrics reviewed"]
    assert rb.rollback.run == ["kubectl", "rollout", "undo", "deployment/api"]


def test_a_conditional_section_is_optional_and_says_why():
    result = runbook_of("# X\n\n## Deploy\n- [ ] Smoke tests\n\n## Hotfix path\n\nUse only for P0/P1 hotfixes.\n\n"
                        "- [ ] Hotfix branch tagged\n")
    checks = {c.title: c for _, c in result.runbook.iter_checks()}
    assert checks["Smoke tests"].required and not checks["Hotfix branch tagged"].required
    assert "conditional in the checklist" in result.text


def test_monitor_for_n_minutes_is_the_phases_hold_not_a_box_to_tick():
    rb = runbook_of("# X\n\n## Canary\n- [ ] Error rate < 1%\n- [ ] Monitor for 10 minutes\n").runbook
    assert rb.phases[0].hold == 600.0 and [c.title for c in rb.phases[0].checks] == ["Error rate < 1%"]


def test_checks_before_an_action_gate_the_phase_before_it_and_the_actions_checks_go_with_it():
    rb = runbook_of("# X\n\n## Release\n- [ ] Backups verified\n- [ ] Deploy the release\n  ```bash\n"
                    "  kubectl apply -f k8s/\n  kubectl rollout status deploy/api\n  ```\n- [ ] Smoke tests\n").runbook
    before, deploy = rb.phases
    assert before.action is None and [c.title for c in before.checks] == ["Backups verified"]
    assert deploy.action.run == ["kubectl", "apply", "-f", "k8s/"]
    assert [c.source for c in deploy.checks] == ["command", "manual"]


def test_service_environment_and_version_come_only_from_fields_the_checklist_states():
    rb = runbook_of("# Payments go-live\n\n**Service**: payments-api\n**Environment**: staging\n"
                    "**Release version**: v2.4.0\n\n## Steps\n- [ ] Deploy\n  ```bash\n"
                    "  aws sts get-caller-identity\n  ```\n").runbook
    assert (rb.runbook.service, rb.runbook.environment, rb.runbook.version) == ("payments-api", "staging", "v2.4.0")
    bare = runbook_of("# Checks\n\n## Steps\n- [ ] Deploy\n  ```bash\n  aws sts get-caller-identity\n  ```\n").runbook
    assert (bare.runbook.service, bare.runbook.environment) == ("", "")


def test_several_thresholds_in_one_item_become_one_check_each():
    rb = runbook_of("# X\n\n## Capacity\n- [ ] Capacity verified (CPU < 60%, memory < 70%)\n").runbook
    checks = rb.phases[0].checks
    assert [(str(c.pass_), c.unit) for c in checks] == [("< 60", "%"), ("< 70", "%")]
