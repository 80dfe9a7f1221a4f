"""`golive import` on the checklists teams use today: each lints clean, and what was recognised is right."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.console.importer import import_checklist
from golive.console.runbook import parse_runbook

ROOT = Path(__file__).resolve().parents[2]
SHARED_SEEDS = ROOT / ".." / "shared" / "seeds"
# CI clones the repository with shared/ beside it; a checkout on its own uses the copies kept as test data
SEEDS = SHARED_SEEDS if SHARED_SEEDS.is_dir() else ROOT / "tests" / "data" / "seeds"


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def imported(prefix: str):
    path = seed(prefix)
    return import_checklist(path.read_bytes(), path.name)


def checks_of(runbook) -> dict:
    return {check.id: check for _, check in runbook.iter_checks()}


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_seed_imports_to_a_runbook_that_lints_clean(path):
    result = import_checklist(path.read_bytes(), path.name)
    rb = parse_runbook(result.text, path.name)  # what `golive lint` runs
    assert rb.phases and all(p.checks or p.action for p in rb.phases)
    assert "Traceback" not in result.text


# ---------------------------------------------------------------- seed 000: tables and a "Signed Off By" line

def test_seed_000_signed_off_by_line_becomes_three_roles():
    rb = imported("000").runbook
    assert rb.runbook.signoff == ["operations-lead", "product-manager", "vp-engineering"]


def test_seed_000_stage_headings_become_phases_and_handoff_groups_stay_one_phase():
    rb = imported("000").runbook
    titles = [p.title for p in rb.phases]
    assert [t.split(":")[0] for t in titles[:5]] == ["Phase 1", "Phase 2", "Phase 3", "Phase 4", "Phase 5"]
    assert titles[5] == "Go-Live Handoff Checklist"
    handoff = rb.phases[5]
    assert any(c.title == "Production Environment: DNS cutover complete" for c in handoff.checks)


def test_seed_000_target_column_becomes_a_threshold_that_needs_a_query():
    result = imported("000")
    error_rate = checks_of(result.runbook)["error-rate-target-0-05"]
    assert error_rate.source == "prometheus" and error_rate.title == "Error Rate (target <0.05%)"
    assert (str(error_rate.pass_), error_rate.unit) == ("< 0.05", "%") and 'code=~"5.."' in error_rate.query
    assert "query guessed from the words of the item and standard metric names" in result.text
    assert 'needs a query: to measure it, set source = "prometheus", query = "…"' in result.text
    assert result.summary.needs_query >= 3


def test_seed_000_team_labels_give_the_items_under_them_a_role_and_results_tables_are_left_out():
    rb = imported("000").runbook
    checks = checks_of(rb)
    assert checks["backup-procedures-working"].role == "operations"
    assert checks["tls-1-3-on-all-endpoints"].role == "security"
    assert not any("Uptime" in (c.title or "") for c in checks.values())  # the 24-hour summary is results


# ---------------------------------------------------------------- seed 001: mojibake, checkboxes only

def test_seed_001_mojibake_is_repaired_before_anything_is_read():
    result = imported("001")
    assert result.summary.repaired >= 30
    assert "â" not in result.text and "ðŸ" not in result.text
    assert result.runbook.runbook.name == "Final Production Operations Complete"


def test_seed_001_only_checkbox_items_become_checks_and_the_release_is_found():
    rb = imported("001").runbook
    assert [p.title for p in rb.phases] == ["Immediate Actions", "Operational Readiness", "Business Continuity"]
    assert sum(len(p.checks) for p in rb.phases) == 15
    assert rb.runbook.version == "v1.0.0" and rb.runbook.signoff == []


# ---------------------------------------------------------------- seed 002: PromQL, commands, triggers, sign-off

def test_seed_002_the_5xx_rate_promql_becomes_a_prometheus_check_with_its_threshold():
    result = imported("002")
    check = checks_of(result.runbook)["error-rate-0-5"]
    assert check.source == "prometheus" and str(check.pass_) == "< 0.5" and check.unit == "%"
    assert check.query.startswith('sum(rate(http_requests_total{status=~"5..",version="v1.2.3"}[5m]))')
    assert 'version=\\"${version}\\"' in result.text  # the release is a variable, not a literal
    assert result.runbook.targets.prometheus["main"].url == ""  # golive run stops until it is filled in
    assert "fill in: the Prometheus (or compatible) server to query" in result.text


def test_seed_002_a_latency_in_ms_over_a_seconds_histogram_is_scaled():
    check = checks_of(imported("002").runbook)["latency-p95-500ms"]
    assert str(check.pass_) == "< 500" and check.unit == "ms"
    assert check.query.endswith(") * 1000") and "histogram_quantile(0.95," in check.query


def test_seed_002_rollback_if_list_becomes_triggers_and_watch_items():
    result = imported("002")
    rb = result.runbook
    triggers = {t.id: t for t in rb.triggers}
    assert set(triggers) == {"error-rate-1", "latency-p95-1000ms", "5-user-reported-incidents"}
    assert triggers["5-user-reported-incidents"].query == ""  # a blank to fill in: golive run stops until it is
    assert str(triggers["error-rate-1"].fire) == "> 1" and triggers["error-rate-1"].then == "rollback"
    assert rb.rollback is not None and rb.rollback.run == ["kubectl", "rollout", "undo", "deployment/dwcp-api"]
    watch = next(p for p in rb.phases if p.id == "rollback-triggers")
    assert [c.title for c in watch.checks] == [
        "Data corruption detected", "Security vulnerability discovered",
        "Critical feature broken"]
    assert result.summary.needs_query >= 4


def test_seed_002_sign_off_block_becomes_roles():
    assert imported("002").runbook.runbook.signoff == ["deployer", "validator"]


def test_seed_002_destructive_commands_are_phase_actions_never_checks():
    rb = imported("002").runbook
    for _, check in rb.iter_checks():
        if check.source == "command":
            text = " ".join(check.run) if isinstance(check.run, list) else check.run
            assert not any(word in text.split() for word in ("patch", "set", "undo", "scale", "delete"))
    canary = rb.phases[1]
    assert canary.traffic == 5 and canary.hold == 300
    assert canary.action.shell and canary.action.run.splitlines()[0] == "set -e"
    assert "\nkubectl set image" in canary.action.run and "\nkubectl patch" in canary.action.run
    steps = [(p.traffic, p.action.run[-1]) for p in rb.phases[2:5]]
    assert [t for t, _ in steps] == [25, 50, 100] and all("maxSurge" in run for _, run in steps)
    assert rb.phases[2].title == "Phase 2: Gradual Rollout (25% → 50%) — Scale to 25%"


def test_seed_002_curl_becomes_http_checks_and_read_only_commands_command_checks():
    checks = checks_of(imported("002").runbook)
    health = checks["all-health-endpoints-returning-200-health"]
    assert health.source == "http" and health.url == "https://api.dwcp.io/health" and health.status == 200
    trivy = checks["no-new-vulnerabilities-introduced"]
    assert trivy.source == "command" and trivy.confirm and trivy.run[-2:] == ["--exit-code", "1"]
    migrate = checks["all-migrations-applied-successfully"]  # an unknown program is never a check
    assert migrate.source == "manual" and ('./migrate -path migrations -database "$DB_URL" '
                                           'version') in migrate.description


def test_seed_002_placeholders_become_variables_and_decision_points_are_not_checks():
    result = imported("002")
    assert result.runbook.runbook.vars["region_name"] == ""
    assert "fill in ([REGION_NAME] in the checklist)" in result.text
    assert "Region: ${region_name}: Deployment completed" in result.text
    titles = [c.title or "" for _, c in result.runbook.iter_checks()]
    assert not any("→ Proceed" in t or "All validations passed" in t for t in titles)
    assert "a decision point of the checklist is Golive's gate" in result.text


# ---------------------------------------------------------------- seed 003: a report with numbered next steps

def test_seed_003_numbered_next_steps_become_phases_with_their_bullets_described():
    rb = imported("003").runbook
    assert [p.title for p in rb.phases] == [
        "Immediate (Now)", "Deployment Day (H-1 Hour)", "Deployment Execution", "Post-Deployment (First 24 Hours)"]
    signatures = rb.phases[0].checks[0]
    assert signatures.title == "Obtain signatures on PRODUCTION-SIGN-OFF.md"
    assert "- Security Lead/CISO" in signatures.description


def test_seed_003_signers_listed_under_an_item_become_roles_and_its_mojibake_is_repaired():
    result = imported("003")
    assert result.runbook.runbook.signoff == ["engineering-lead", "security-lead", "operations-lead", "product-manager"]
    assert result.summary.repaired >= 100 and "âœ…" not in result.text
    assert result.runbook.runbook.version == "" and "fill in: the checklist names no version" in result.text
