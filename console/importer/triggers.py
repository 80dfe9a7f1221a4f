"""Rollback triggers ("Error rate >1% for 5 minutes") to [[trigger]] tables, or to manual watch items."""

from __future__ import annotations

import re

from golive.console.importer.commands import code_kind, promql_one_line
from golive.console.importer.context import ImportContext
from golive.console.importer.draft import Entry
from golive.console.importer.evidence import guessed_query
from golive.console.importer.items import manual_entry
from golive.console.importer.markdown import Code, Item
from golive.console.importer.text import plain, slug, split_title
from golive.console.importer.thresholds import find_duration, find_threshold

AUTOMATIC = re.compile(r"\bautomat(?:ic|ed|ically)\b|\bauto[\s\-]rollback\b", re.IGNORECASE)
_ERROR_RATE = re.compile(r"\berror[\s\-]*rate\b|\b5xx\b|\berrors?\b.*%", re.IGNORECASE)
_WATCH_NOTE = ("A rollback trigger from the checklist, watched by hand: "
               "tick it when it has not happened; roll back if it does.")


def _error_rate_query(percent: bool) -> str:
    ratio = ('sum(rate(http_requests_total{service="${service}",code=~"5.."}[5m])) '
             '/ sum(rate(http_requests_total{service="${service}"}[5m]))')
    return f"{ratio} * 100" if percent else ratio


def convert_trigger(item: Item, ctx: ImportContext, automatic: bool) -> tuple[Entry | None, Entry | None]:
    """(trigger, None) when the condition can be measured, else (None, manual watch item needing a query).

    The query is the item's own PromQL block, else one the checklist gave for the same
    metric, else — for an error rate only — the usual 5xx ratio of ``${service}``.
    """
    title, _ = split_title(item.text)
    title = title or "Rollback trigger"
    text = plain(item.text)
    duration, _ = find_duration(text)
    threshold = find_threshold(text)
    query, comments = None, []
    for child in item.children:
        if isinstance(child, Code) and code_kind(child.info, child.text) == "promql":
            query = promql_one_line(child.text) or None
            break
    if query is None and threshold is not None:
        known = ctx.query_for(threshold.metric_key)
        if known is not None:
            query = known.query
            comments.append(f"query reused from {known.title!r} (same metric)")
        elif _ERROR_RATE.search(threshold.metric or text) and threshold.unit in ("%", ""):
            query = _error_rate_query(threshold.unit == "%")
            comments.append("query guessed from the words 'error rate': check the metric and label names")
        elif (guess := guessed_query(threshold, text)) is not None:
            query = guess[0]
            comments.append("query guessed from the words of the condition and standard metric names: check the "
                            "metric and label names")
            if "${namespace}" in query:
                ctx.fill_ins.setdefault("namespace", "fill in: the Kubernetes namespace the service runs in")
    if query is None and threshold is not None:
        # a condition with a number is a trigger all the same: the query is a blank golive run asks for
        variable = "query_" + (slug(title, 40) or "trigger").replace("-", "_")
        ctx.fill_ins[variable] = f"fill in: the PromQL that measures {plain(item.text)!r} (fire = \"{threshold.text}\")"
        query = "${" + variable + "}"
        comments.append(f"needs a query: set ${{{variable}}} in [runbook.vars] (golive run stops until it is set)")
    if query is None or threshold is None:
        entry = manual_entry(ctx, title, _WATCH_NOTE, None)
        entry.comments.append("needs a query: a trigger without one cannot run, so it is watched by hand"
                              + (f' (fire = "{threshold.text}")' if threshold is not None else ""))
        entry.needs = "query"
        return None, entry
    if threshold.unit == "ms" and re.search(r"_seconds(?:_bucket|_sum|_count)?\b", query) \
            and not re.search(r"\*\s*1000\b", query):
        query = f"({query}) * 1000"
        comments.append("the metric is in seconds and the threshold in ms: the query is scaled by 1000")
    if automatic:
        comments.append("the checklist calls this automatic: set auto = true to roll back without asking")
    ctx.uses_prometheus = True
    apply = ctx.variables.apply
    fields = {
        "id": ctx.check_ids.take(slug(title), "trigger"),
        "title": apply(title),
        "source": "prometheus",
        "query": apply(query) if "${" not in query else query,
        "fire": threshold.text,
        "for": duration,
        "unit": threshold.unit or None,
        "then": "rollback",
    }
    return Entry(fields, comments, needs="query" if query.startswith("${query_") else ""), None
