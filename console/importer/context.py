"""What an import knows across the whole document: variables, ids in use, queries seen, roles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from golive.console.importer.commands import code_kind, promql_one_line
from golive.console.importer.markdown import Code, Item
from golive.console.importer.placeholders import Variables
from golive.console.importer.sections import iter_items
from golive.console.importer.text import plain
from golive.console.importer.thresholds import find_threshold

_SYNONYMS = {"latency": "latency", "duration": "latency", "response": "latency", "errors": "error", "5xx": "error",
             "failures": "error", "failure": "error", "p95": "p95", "0": "", "95": "p95", "p99": "p99", "99": "p99",
             "lag": "lag", "replication": "replication", "restarts": "restart", "cpu": "cpu", "memory": "memory"}
_NOISE = {"time", "rate", "ratio", "total", "seconds", "bucket", "sum", "by", "le", "http", "requests", "request",
          "percent", "percentage", "current", "value", "level", "target", ""}


def normalise(words) -> set[str]:
    return {_SYNONYMS.get(w, w) for w in words} - _NOISE


def query_words(query: str) -> set[str]:
    """The words a query's metric names and quantile say: histogram_quantile(0.95, …duration…) → p95, latency."""
    words = set(re.findall(r"[a-z0-9]+", re.sub(r"\{[^}]*\}", " ", query.lower()).replace("_", " ")))
    for q in re.findall(r"histogram_quantile\(\s*0?\.(\d+)", query):
        words.add(f"p{q}")
    return normalise(words)


class Ids:
    """Unique ids for phases, or for checks and triggers (which share one namespace)."""

    def __init__(self, fallback: str):
        self.used: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # so that thousands of equal titles stay linear
        self.fallback = fallback

    def take(self, base: str, prefix: str = "") -> str:
        """``base``, else ``prefix-base``, else ``base-2``, ``base-3``…; never empty, never reused."""
        base = base or self.fallback
        candidates = [base] + ([f"{prefix}-{base}"[:64].strip("-")] if prefix else [])
        for candidate in candidates:
            if candidate and candidate not in self.used:
                self.used.add(candidate)
                return candidate
        n = self.next_suffix.get(base, 2)
        while f"{base}-{n}" in self.used:
            n += 1
        self.next_suffix[base] = n + 1
        self.used.add(f"{base}-{n}")
        return f"{base}-{n}"


@dataclass(frozen=True)
class KnownQuery:
    query: str
    title: str
    unit: str


@dataclass
class ImportContext:
    variables: Variables
    check_ids: Ids = field(default_factory=lambda: Ids("check"))
    phase_ids: Ids = field(default_factory=lambda: Ids("phase"))
    queries: dict[frozenset[str], KnownQuery] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    uses_prometheus: bool = False
    service: str = "service"
    used: set[int] = field(default_factory=set)  # ids of the blocks something was made of
    targets: set[str] = field(default_factory=set)  # target kinds the checks need (kubernetes, alertmanager)
    fill_ins: dict[str, str] = field(default_factory=dict)  # variable -> what to fill in, for blanks the import made
    health_urls: list[str] = field(default_factory=list)  # health endpoints the checklist's curls probe

    def mark_used(self, item: Item) -> None:
        """An item and everything nested in it were turned into something."""
        self.used.add(id(item))
        for child in item.children:
            if isinstance(child, Item):
                self.mark_used(child)
            else:
                self.used.add(id(child))

    def add_roles(self, roles: list[str]) -> None:
        for role in roles:
            if role and role not in self.roles:
                self.roles.append(role)

    def learn_queries(self, blocks: list) -> None:
        """Remember every PromQL block under an item with a threshold, by the metric's words.

        A later item with the same metric and no query of its own ("Error rate <0.5%" at
        the 25% step after the canary gave the query) reuses it: the query is obvious there.
        """
        for item in iter_items(blocks):
            threshold = find_threshold(plain(item.text))
            if threshold is None or not threshold.metric_key:
                continue
            for child in item.children:
                if isinstance(child, Code) and code_kind(child.info, child.text) == "promql":
                    query = promql_one_line(child.text)
                    if query:
                        known = KnownQuery(query, plain(item.text), threshold.unit)
                        self.queries.setdefault(threshold.metric_key, known)
                    break

    def learn_endpoints(self, blocks: list) -> None:
        """Remember the health URLs the checklist's read-only curls probe, for items that name the endpoint in words."""
        from golive.console.importer.commands import block_commands  # commands imports this module's neighbours

        for block in blocks:
            children = block.children if isinstance(block, Item) else [block]
            for child in children:
                if isinstance(child, Code) and code_kind(child.info, child.text) == "shell":
                    for command in block_commands(child.text, child.info):
                        if command.http is not None and re.search(r"/(?:api/)?(?:health|ready|live)", command.http.url):
                            self.health_urls.append(command.http.url)
                elif isinstance(child, Item):
                    self.learn_endpoints([child])

    def query_for(self, metric_key: frozenset[str], text: str = "") -> KnownQuery | None:
        """The query the checklist gave for the same metric: the same words, else one whose words hold them all."""
        if not metric_key:
            return None
        if metric_key in self.queries:
            return self.queries[metric_key]
        wanted = normalise(metric_key)
        for key, known in self.queries.items():
            if wanted and wanted <= normalise(key) | query_words(known.query):
                return known
        return None


def has_code(item: Item) -> bool:
    return any(isinstance(c, Code) for c in item.children)
