"""`golive import` on public go-live checklists it was not built on: what is recognised, and what is never a check."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from golive.console.importer import import_checklist
from golive.console.importer.readonly import is_read_only
from golive.console.importer.shell import ShellBlock, read_only_line
from golive.console.runbook import parse_runbook

ROOT = Path(__file__).resolve().parents[2]
CHECKLISTS = ROOT / "tests" / "data" / "checklists"
SEEDS = ROOT / "tests" / "data" / "seeds"
SOURCES = tomllib.loads((CHECKLISTS / "SOURCES.toml").read_text())["checklist"]
DOCUMENTS = sorted(CHECKLISTS.glob("*.md"))
# words that change a system, whatever the program: none may appear as a word of a command check
CHANGING = re.compile(
    r"(?:^|\s)(?:rm|mkdir|mv|cp|tee|apply|create|delete|patch|scale|restart|start|stop|set|edit|drain|cordon|"
    r"install|upgrade|rollback|undo|pull|push|up|down|migrate|deploy|kill|pkill|dd|chmod|chown|truncate|"
    r"pg_dump|pg_restore|docker-compose\s+up|exec\s+-it)(?:\s|$)"
    r"|\bcurl\b[^|\n]*\s(?:-d|--data\S*|-X\s*(?:POST|PUT|PATCH|DELETE)|-F|-T)(?:\s|$)")


def imported(name: str):
    path = CHECKLISTS / name
    return import_checklist(path.read_bytes(), name)


def checks_of(runbook) -> list:
    return [c for _, c in runbook.iter_checks()]


def _run_text(check) -> str:
    """The command's words, without the ``set -e`` an imported script starts with."""
    text = check.run if isinstance(check.run, str) else " ".join(check.run)
    return re.sub(r"(?m)^set -e\s*$", "", text).replace("bash -c set -e", "bash -c")


def _allowed(check) -> bool:
    """The importer's own judgement, asked again: a command check is on the read-only allowlist."""
    if isinstance(check.run, list) and check.run[:2] == ["bash", "-c"]:
        return ShellBlock(tuple(check.run[2].splitlines()[1:]), True, True).read_only()
    if isinstance(check.run, list):
        return is_read_only(check.run)
    lines = [ln for ln in check.run.splitlines() if ln.strip() and ln.strip() != "set -e"]
    return all(read_only_line(ln, script=len(lines) > 1) for ln in lines)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_every_public_checklist_names_its_source_and_imports_to_a_runbook_that_lints(path):
    source = SOURCES[path.name]
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]) and source["repository"].count("/") == 1
    assert source["path"].endswith(".md") and source["license"].startswith("MIT")
    result = import_checklist(path.read_bytes(), path.name)
    parse_runbook(result.text, path.name)  # what `golive lint` runs
    assert result.runbook.phases


def test_no_command_check_over_every_checklist_and_seed_is_off_the_read_only_allowlist():
    commands = []
    for path in [*DOCUMENTS, *sorted(SEEDS.glob("*.txt"))]:
        result = import_checklist(path.read_bytes(), path.name)
        for check in [*checks_of(result.runbook), *result.runbook.triggers]:
            if check.source == "command":
                commands.append((path.name, check))
                assert _allowed(check), (path.name, check.run)
                assert not CHANGING.search(_run_text(check)), (path.name, check.run)
                assert not _run_text(check).rstrip().endswith("&"), (path.name, check.run)
            if check.source == "http":
                assert check.method == "GET", (path.name, check.url)
    assert len(commands) >= 20  # the public checklists do give read-only commands, and they are used


def test_every_block_the_import_made_nothing_of_is_kept_as_a_comment_and_counted():
    for path in DOCUMENTS:
        result = import_checklist(path.read_bytes(), path.name)
        kept = result.text.count("# not imported (line ")
        assert kept == result.summary.kept, path.name
        if kept:
            assert f"{kept} blocks, tables and lists not imported" in "\n".join(result.summary.lines())


# ---------------------------------------------------------------- TEEI GA deployment checklist

def test_teei_ga_trigger_table_becomes_triggers_with_fire_and_for_and_sign_off_names_become_roles():
    rb = imported("teei-ga-deployment-checklist.md").runbook
    assert rb.runbook.signoff == ["platform-lead", "security-lead", "qa-lead", "database-lead", "finops-lead", "cto",
                                  "deployment-lead", "sre-lead"]
    fired = {t.title: (str(t.fire), t.for_, t.unit) for t in rb.triggers}
    assert fired["Error rate > 5% for > 5 minutes"] == ("> 5", 300.0, "%")
    assert fired["p95 latency > 2x baseline (> 1000ms)"] == ("> 1000", 0.0, "ms")  # not "> 2": 2x is a ratio
    assert fired["Availability < 95% for > 5 minutes"] == ("< 95", 300.0, "%")
    watched = [c.title for c in rb.phases[-1].checks]
    assert any("Data corruption" in t for t in watched) and any("Security breach" in t for t in watched)


def test_teei_ga_metrics_in_words_become_evidence_and_test_results_do_not():
    checks = {c.title: c for c in checks_of(imported("teei-ga-deployment-checklist.md").runbook)}
    by_words = {t.split(": ", 1)[-1]: c for t, c in checks.items()}
    assert by_words["Verify database replication lag < 5s (Postgres, ClickHouse)"].source == "prometheus"
    assert str(by_words["Verify SSL certificates valid > 30 days"].cert_days) == "> 30"
    assert by_words["9:00 - Verify blue environment healthy (all pods Running)"].source == "kubernetes"
    assert by_words["8:15 - Verify monitoring dashboards green (no alerts)"].source == "alertmanager"
    # a test run's success rate and a load test's p95 are that run's results, not the service's live metrics
    assert by_words["Verify E2E tests passing (> 99% success rate)"].source == "manual"
    assert by_words["Verify load testing complete (10k users, p95 < 500ms)"].source == "manual"
    assert by_words["Verify ALB health checks 100% healthy"].source == "manual"


def test_teei_ga_rollback_routes_traffic_back_and_the_notification_posts_are_never_checks():
    result = imported("teei-ga-deployment-checklist.md")
    assert "kubectl patch virtualservice platform-canary" in result.runbook.rollback.display()
    assert "statuspage" not in " ".join(_run_text(c) for c in checks_of(result.runbook) if c.source == "command")


# ---------------------------------------------------------------- TEEI staging rollout

def test_teei_staging_a_monitoring_script_is_one_manual_item_never_line_by_line_checks():
    result = imported("teei-staging-rollout.md")
    commands = [c for c in checks_of(result.runbook) if c.source == "command"]
    assert not any(_run_text(c).split()[0] in ("if", "else", "fi", "then", "sleep", "LOG_PID=$!") for c in commands)
    assert not any("pg_dump" in _run_text(c) or "journalctl -u teei-cockpit-astro -f" in _run_text(c)
                   for c in commands)
    watching = [c for c in checks_of(result.runbook)
                if "journalctl -u teei-cockpit-astro -f &" in (c.description or "")]
    assert watching and all(c.source == "manual" for c in watching)


def test_teei_staging_health_curls_become_http_checks_and_their_echo_fallback_is_dropped():
    result = imported("teei-staging-rollout.md")
    urls = {c.url for c in checks_of(result.runbook) if c.source == "http"}
    assert {"https://staging.teei-platform.com/health", "https://staging.teei-platform.com/api/health"} <= urls
    assert "`|| echo …` fallback was dropped" in result.text


# ---------------------------------------------------------------- TEEI production deploy runbook

def test_teei_prod_the_rollback_is_the_undo_and_a_watch_is_neither_an_action_nor_a_check():
    rb = imported("teei-prod-deploy-runbook.md").runbook
    assert rb.rollback.run == ["kubectl", "rollout", "undo", "deployment/prod-teei-api-gateway", "-n",
                               "teei-production"]
    deploy = next(p for p in rb.phases if p.action and "kubectl apply -f /tmp/production-manifests.yaml"
                  in p.action.display())
    assert any(c.source == "command" and c.run[:3] == ["kubectl", "rollout", "status"] for c in deploy.checks)
    for phase in rb.phases:
        assert phase.action is None or " -w" not in phase.action.display()


# ---------------------------------------------------------------- TEEI bad-deploy rollback runbook

def test_teei_bad_deploy_the_undo_is_the_rollback_not_the_incident_note_above_it():
    result = imported("teei-bad-deploy-rollback.md")
    fired = {t.title: str(t.fire) for t in result.runbook.triggers}
    assert fired == {"Sentry error spike (> 50 errors/minute)": "> 50",
                     "SLO burn rate alert (> 14.4x in 1 hour)": "> 14.4"}
    assert result.runbook.rollback.run[:3] == ["kubectl", "rollout", "undo"]
    assert "deployment/${service}" in result.text  # [service-name] is the runbook's service
    assert "/incident declare" not in result.runbook.rollback.display()


# ---------------------------------------------------------------- home-ops deployment template

def test_home_ops_pod_words_become_kubernetes_checks_and_an_unknown_playbook_is_never_a_check():
    rb = imported("home-ops-deployment-checklist.md").runbook
    checks = checks_of(rb)
    restarts = [c for c in checks if c.source == "kubernetes" and c.max_restarts == 0]
    assert {c.title for c in restarts} >= {"No CrashLoopBackOff pods", "No unexpected restarts"}
    assert not any(c.source == "command" and "ansible-playbook" in _run_text(c) for c in checks)
    assert any(t.title == "More than 1 master node failing" and str(t.fire) == "> 1" for t in rb.triggers)
    # the rollback plan's "Verify Rollback Success" steps are notes, never checks on the go path
    assert not any(c.title.startswith("Verify Rollback Success") for c in checks)


# ---------------------------------------------------------------- PM go-live template

def test_pm_template_sign_off_items_become_roles_and_template_blanks_are_not():
    rb = imported("pm-templates-go-live-checklist.md").runbook
    assert {"business-owner", "technical-lead", "project-manager", "executive-sponsor"} <= set(rb.runbook.signoff)
    assert not {"date-approved", "cab-approval", "owner"} & set(rb.runbook.signoff)
    assert any(t.title == ">25% of users unable to access system" and str(t.fire) == "> 25" for t in rb.triggers)


# ---------------------------------------------------------------- yosai deployment runbook

def test_yosai_undo_if_clause_becomes_triggers_not_a_check_and_the_rollback_script_is_the_rollback():
    result = imported("yosai-deployment-runbook.md")
    rb = result.runbook
    fired = {(str(t.fire), t.for_, t.unit) for t in rb.triggers}
    assert fired == {("> 100", 300.0, "ms"), ("> 1", 0.0, "%")}
    assert not any(c.source == "prometheus" for c in checks_of(rb))
    assert [c.source for c in checks_of(rb) if "probes should remain green" in c.title] == ["kubernetes"]
    assert "scripts/rollback.sh ${deployment} ${namespace}" in result.text


# ---------------------------------------------------------------- agent-skills deploy checklist

def test_agent_skills_box_drawn_checklists_are_read_as_the_lists_they_draw():
    result = imported("agent-skills-deploy-checklist.md")
    rb = result.runbook
    by_title = {c.title: c for c in checks_of(rb)}
    assert by_title["All pods healthy (5/5 running)"].source == "kubernetes"
    assert by_title["No alerts fired"].source == "alertmanager"
    assert (by_title["GET /api/users - 200 OK (67ms)"].source, by_title["GET /api/users - 200 OK (67ms)"].status) \
        == ("http", 200)
    assert by_title["POST /api/orders - 201 Created (134ms)"].source == "manual"  # a POST is never a check
    assert {(t.title, str(t.fire)) for t in rb.triggers} == {("Error rate > 1%", "> 1"),
                                                             ("P99 latency > 500ms", "> 500")}
    assert "Pod crash loops" in [c.title for c in rb.phases[-1].checks]
    # sample output in the box (pod names in columns) is not a checklist item
    assert not any("api-service-7b8c9" in t for t in by_title)
