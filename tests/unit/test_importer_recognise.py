"""What the importer recognises: thresholds, commands, owners, sign-offs, placeholders, Markdown blocks."""

from __future__ import annotations

import pytest

from golive.console.importer.commands import classify, code_kind, split_commands
from golive.console.importer.markdown import Code, Heading, Item, Paragraph, Table, parse_markdown
from golive.console.importer.placeholders import Variables, detect_version
from golive.console.importer.roles import item_owner, signoff_roles
from golive.console.importer.thresholds import find_duration, find_range, find_threshold


@pytest.mark.parametrize(("phrase", "passes", "unit"), [
    ("Error rate <0.5%", "< 0.5", "%"),
    ("Latency p95 <500ms", "< 500", "ms"),
    ("Replication lag <1 second", "< 1", "s"),
    ("Cache hit rate >80%", "> 80", "%"),
    ("Consumer lag <1000 messages", "< 1000", "messages"),
    ("Error rate ≤ 0.1%", "<= 0.1", "%"),
    ("Availability ≥ 99.95%", ">= 99.95", "%"),
    ("Throughput above 1,000 req/s", "> 1000", "req/s"),
    ("RTO <4 hours verified", "< 4", "h"),
    ("Unit tests (coverage >80%)", "> 80", "%"),
])
def test_a_threshold_phrase_becomes_a_comparator_a_number_and_a_unit(phrase, passes, unit):
    threshold = find_threshold(phrase)
    assert threshold is not None
    assert (threshold.text, threshold.unit) == (passes, unit)


@pytest.mark.parametrize("phrase", [
    "All checks passed → Proceed", "Deploy to <service>", "Release v1.2.3 > 1.2.2", "Smoke tests passed", "a -> 5",
])
def test_text_without_a_comparator_and_a_number_has_no_threshold(phrase):
    assert find_threshold(phrase) is None


def test_a_for_clause_is_the_trigger_duration_not_the_threshold():
    text = "High error rate (>5%) for >5 minutes"
    assert find_duration(text)[0] == "5m"
    threshold = find_threshold(text)
    assert (threshold.text, threshold.unit, threshold.metric) == ("> 5", "%", "High error rate")


def test_a_band_is_recognised_as_a_band_not_a_threshold():
    assert find_threshold("CPU utilization 40-70%") is None
    assert find_range("CPU utilization 40-70%") == "40-70%"


def test_metric_words_match_in_any_order():
    assert find_threshold("P95 latency <200ms").metric_key == find_threshold("Latency p95 >1s").metric_key


@pytest.mark.parametrize("command", [
    "kubectl rollout undo deployment/api", "kubectl delete pod api-0", "kubectl patch deployment api -p '{}'",
    "kubectl set image deployment/api api=api:v2", "kubectl scale deployment api --replicas=0",
    "kubectl apply -f k8s/", "helm rollback api 3", "helm upgrade api chart/", "terraform apply", "terraform plan",
    "psql -c 'DROP TABLE users'", "curl -X POST https://deploy.example/hook", "kubectl argo rollouts promote api",
    "kubectl -n prod rollout restart deployment/api", "rm -rf /var/cache/api", "kubectl get pods > pods.txt",
    "redis-cli FLUSHALL",
])
def test_a_command_that_changes_the_system_is_never_read_only(command):
    assert classify(command).changes


@pytest.mark.parametrize("command", [
    "kubectl get pods -l app=api", "kubectl -n prod rollout status deployment/api", "kubectl logs deploy/api",
    "helm status api", "terraform validate", "psql -c 'SELECT count(*) FROM pg_stat_activity'",
    "kubectl exec deploy/db -- psql -c 'SELECT 1'", "trivy image api:v2 --severity HIGH,CRITICAL",
    "curl -fsS https://api.example/health", "kubectl get pods | grep -c Running",
])
def test_a_read_only_command_can_be_a_check(command):
    assert not classify(command).changes


def test_a_rollback_command_is_known_as_one():
    assert classify("kubectl rollout undo deployment/api").rolls_back
    assert classify("helm rollback api 3").rolls_back
    assert not classify("kubectl rollout restart deployment/api").rolls_back


def test_a_command_with_shell_syntax_runs_through_a_shell_and_a_plain_one_as_argv():
    assert classify('migrate -database "$DB_URL" version').argv is None
    assert classify("kubectl get pods -o jsonpath='{.items[*].metadata.name}'").argv == [
        "kubectl", "get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]


def test_a_curl_get_is_an_http_probe_and_one_with_credentials_is_not():
    assert classify("curl -k https://api.example/health").http.insecure
    assert classify('curl -H "Authorization: Bearer x" https://api.example/health').http is None


def test_continuation_lines_are_joined_and_comments_dropped():
    block = "# ready if needed\nkubectl exec deploy/db -- \\\n  psql -c 'SELECT 1'\n$ kubectl get pods\n"
    assert split_commands(block) == ["kubectl exec deploy/db -- psql -c 'SELECT 1'", "kubectl get pods"]


@pytest.mark.parametrize(("info", "body", "kind"), [
    ("promql", "up", "promql"), ("", 'sum(rate(http_requests_total{code=~"5.."}[5m]))', "promql"),
    ("bash", "echo hi", "shell"), ("", "kubectl get pods", "shell"), ("sql", "SELECT 1", "sql"),
    ("", "Story 9.1 - PII Detection\n├─ Status: COMPLETE", "other"), ("yaml", "a: 1", "other"),
])
def test_a_code_block_is_sorted_by_its_info_string_or_its_shape(info, body, kind):
    assert code_kind(info, body) == kind


@pytest.mark.parametrize(("text", "role"), [
    ("Backups verified (@dba)", "dba"), ("Smoke tests run — Owner: QA Team", "qa"),
    ("DNS switched. Responsible: Platform SRE", "platform-sre"), ("Load test passed @perf", "perf"),
])
def test_an_item_owner_becomes_its_role(text, role):
    rest, found = item_owner(text)
    assert found == role and role not in rest.lower()


@pytest.mark.parametrize(("line", "roles"), [
    ("**Operations Lead**: ____ Date: ____", ["operations-lead"]),
    ("**Signed Off By:** Operations Lead + Product Manager + VP Engineering",
     ["operations-lead", "product-manager", "vp-engineering"]),
    ("- Deployed by: _______________________", ["deployer"]),
    ("Approved by: ________", ["approver"]),
    ("Date/Time: _______", None),
    ("Signed off: 2025-11-13", None),
    ("If deploying near end of business hours:", None),
])
def test_sign_off_lines_name_roles_and_dates_are_not_roles(line, roles):
    assert signoff_roles(line, in_signoff=True) == roles


def test_placeholders_and_the_release_become_variables_and_a_literal_dollar_brace_stays_literal():
    variables = Variables("v1.2.3")
    out = variables.apply("deploy <service> v1.2.3 to [REGION_NAME] at ${HOME}, not v1.2.30 [link](x)")
    assert out == "deploy ${service} ${version} to ${region_name} at $${HOME}, not v1.2.30 [link](x)"
    assert variables.declared == {"region_name": "[REGION_NAME]"}


def test_the_release_is_the_most_frequent_tagged_version_not_the_checklists_own():
    texts = ["**Version**: 1.0.0", "api:v1.2.3", "Version: v1.2.3", "v1.2.3", "v0.9.0", "10.0.0.1"]
    assert detect_version("Checklist", texts) == "v1.2.3"
    assert detect_version("Payments 2.4.0 go-live", ["no tags here"]) == "2.4.0"


def test_the_block_parser_keeps_nesting_checkboxes_fences_and_tables():
    blocks = parse_markdown(
        "# T\n\nIntro\ntext\n\n- [ ] parent\n  - [x] child\n  ```promql\n  up\n  ```\n* plain\n\n"
        "| Check | Target |\n|---|---|\n| Error | <1% |\n\n1. first\n   continued\n```bash\nkubectl get pods\n```\n\n"
        "```\nunterminated"
    )
    kinds = [type(b) for b in blocks]
    assert kinds == [Heading, Paragraph, Item, Item, Table, Item, Code]
    parent = blocks[2]
    assert parent.checkbox == " " and parent.items[0].checkbox == "x"
    assert isinstance(parent.children[1], Code) and parent.children[1].info == "promql"
    assert blocks[3].checkbox is None and blocks[4].rows == [["Error", "<1%"]]
    assert blocks[5].ordered and blocks[5].text == "first continued"
    assert blocks[5].children[0].text == "kubectl get pods"  # a fence flush under its item still belongs to it
    assert blocks[1].text == "Intro\ntext" and blocks[6].text == "unterminated"


def test_a_box_drawn_checklist_in_a_plain_fence_is_read_as_its_ticks_and_bullets():
    from golive.console.importer import import_checklist

    rb = import_checklist(
        "# X\n\n## Post\n\n```\n┌──────────────────────┐\n│  ✓ No alerts fired    │\n│  Auto-rollback triggers: │\n"
        "│  • Error rate > 1%     │\n│  ✓ pod-1  v2  Running  (2m ago) "
        "│\n└──────────────────────┘\n```\n".encode()).runbook
    assert [c.source for c in rb.phases[0].checks] == ["alertmanager"]
    assert [str(t.fire) for t in rb.triggers] == ["> 1"]
