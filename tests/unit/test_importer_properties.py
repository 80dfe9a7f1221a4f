"""Random Markdown either imports to a runbook that lints clean or fails with one clear line; nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golive.console.importer import ChecklistError, import_checklist
from golive.console.runbook import parse_runbook

WORDS = st.sampled_from([
    "Error rate", "Latency p95", "Deploy", "canary", "Rollback", "v1.2.3", "[REGION_NAME]", "<service>", "${HOME}",
    "**Owner**:", "(@sre)", "Responsible: QA", "→ Proceed", "✅", "â€”", "ðŸš€", "Signed Off By:", "Deployed by: ___",
    "for >5 minutes", "Phase 2:", "(5% traffic)", "'", '"', "\\", "#", "|", "`", "${", "$${x}", "\t", "--",
])
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=12)), min_size=1, max_size=6).map(" ".join)
THRESHOLD = st.builds(
    lambda metric, op, number, unit: f"{metric} {op}{number}{unit}",
    st.sampled_from(["Error rate", "Latency p95", "Cache hit rate", "Consumer lag", "Replication lag", ""]),
    st.sampled_from(["<", ">", "≤", "≥", "<=", "below ", "above "]),
    st.sampled_from(["0.5", "500", "1", "1,000", ".5", "99.9"]),
    st.sampled_from(["%", "ms", " second", " messages", "", "s"]),
)
COMMANDS = st.sampled_from([
    "kubectl get pods", "kubectl rollout undo deployment/api", "kubectl set image deployment/api api=api:v1.2.3",
    "curl https://api.example/health", "psql -c 'DROP TABLE x'", "trivy image api:v1.2.3", "echo \"$HOME\" | wc",
    "helm upgrade api ./chart", "kubectl exec deploy/db -- \\\n  psql -c 'SELECT 1'", "unbalanced 'quote",
])
PROMQL = st.sampled_from([
    'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) * 100',
    "histogram_quantile(0.95,\n  rate(http_request_duration_seconds_bucket[5m]))", "up", "# only a comment",
])
FENCE = st.one_of(
    st.builds(lambda q: f"```promql\n{q}\n```", PROMQL),
    st.builds(lambda c: f"```bash\n{c}\n```", COMMANDS),
    st.builds(lambda info, body: f"```{info}\n{body}\n```", st.sampled_from(["", "sql", "text", "yaml"]), TEXT),
    st.builds(lambda body: f"```\n{body}", TEXT),  # never closed
)


def _item(indent: int, box: str, text: str, code: str | None) -> str:
    pad = " " * indent
    lines = [f"{pad}- {box}{text}"]
    if code:
        lines += [pad + "  " + line for line in code.splitlines()]
    return "\n".join(lines)


ITEM = st.builds(
    _item, st.sampled_from([0, 0, 2, 4]), st.sampled_from(["[ ] ", "[x] ", "", "[X]"]),
    st.one_of(TEXT, THRESHOLD), st.one_of(st.none(), FENCE),
)
HEADING = st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 4), st.one_of(TEXT, WORDS))
TABLE = st.builds(
    lambda header, rows: "\n".join([f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
                                   + [f"| {' | '.join(r)} |" for r in rows]),
    st.sampled_from([["Check", "Target", "Status"], ["Metric", "Value", "Target", "Status"], ["a", "b"]]),
    st.lists(st.lists(st.one_of(THRESHOLD, TEXT.map(lambda t: t.replace("|", "/"))), min_size=1, max_size=4),
             max_size=3),
)
PARAGRAPH = st.one_of(TEXT, st.sampled_from([
    "Rollback if:", "**Decision Point**: proceed or rollback?", "**Operations Lead**: ____ Date: ____",
    "**Signed Off By:** Ops Lead + Product Manager", "Automatic rollback triggers:", "(Check one)",
]))
BLOCK = st.one_of(HEADING, ITEM, ITEM, ITEM, FENCE, TABLE, PARAGRAPH, st.just("---"), st.just(""))
DOCUMENT = st.lists(BLOCK, max_size=25).map("\n".join)


def _import_or_clear_error(data: bytes | str) -> None:
    try:
        result = import_checklist(data, "random.md")
    except ChecklistError as exc:
        message = str(exc)
        assert message.startswith("random.md: ") and "\n" not in message
        return
    rb = parse_runbook(result.text, "random.md")
    assert rb.phases and result.summary.phases == len(rb.phases)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_random_markdown_imports_to_a_clean_runbook_or_a_one_line_error(document):
    _import_or_clear_error(document.encode("utf-8"))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_random_unicode_text_imports_or_fails_with_one_line(text):
    _import_or_clear_error(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_import_or_fail_with_one_line(data):
    _import_or_clear_error(data)
