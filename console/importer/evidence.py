"""Items whose words name evidence a source can read: pods ready or restarting (kubernetes), no critical alerts
(alertmanager), a health endpoint (http), and the usual metrics a threshold is about (prometheus, with the query
guessed from standard metric names and said to be a guess)."""

from __future__ import annotations

import re

from golive.console.importer.context import ImportContext
from golive.console.importer.draft import Entry
from golive.console.importer.text import slug
from golive.console.importer.thresholds import Threshold

_PODS_READY = re.compile(
    r"\bpods?\b[^.;]{0,40}\b(?:ready|running|healthy|up|available|started)\b|\ball\s+pods\b|\breplicas?\b[^.;]{0,30}"
    r"\b(?:ready|available)\b|\brollout\s+(?:status\s+)?(?:is\s+)?(?:complete[d]?|succeeded)\b"
    r"|(?<![\w-])deployment\s+(?:is\s+)?(?:available|healthy)\b|\b(?:readiness|liveness)\b[^.;]{0,20}\bprobes?\b",
    re.I)
_RESTARTS = re.compile(r"\bcrash\s*loop(?:\s*back\s*off)?\b|\bno\b[^.;]{0,20}\brestarts?\b|\brestarts?\b[^.;]{0,20}"
                       r"\b(?:zero|none|0)\b|\bzero\s+restarts\b|\bOOMKill", re.I)
# adjacent words only: "0 security alerts" or "no budget alerts" name alerts a matcher cannot pick out
_ALERTS = re.compile(
    r"\b(?:no|zero|0)\s+(?:new\s+|active\s+|unexpected\s+|critical\s+|firing\s+|open\s+|p[0-3]\s+|sev[12]\s+)*"
    r"(?:alerts?|pages?)\b(?!\s+(?:configured|defined|rules?))|\balerts?\s+(?:are\s+)?(?:quiet|silent|clear|green|"
    r"resolved)\b|\bno\s+(?:new\s+)?(?:alerts?\s+)?firing\b", re.I)
_CRITICAL = re.compile(r"\b(critical|p0|p1|sev[\s\-]?[12]|page|high)\b", re.I)
_HEALTH_PATH = re.compile(r"(?<![\w/])(/(?:api/)?(?:v\d/)?(?:health[a-z]*|ready[a-z]*|live[a-z]*|status|ping))\b")
_HEALTH_WORDS = re.compile(r"\bhealth\s*(?:check|endpoint)s?\b[^.;]{0,40}\b(?:pass\w*|respond\w*|return\w*|200|"
                           r"succeed\w*)\b|\bhealth\s+endpoints?\b|\b(?:application|app|service|api)\s+health\s*"
                           r"checks?\b", re.I)
# a number about a test run, a scan or a load test is that run's result, not a live metric of the service
_NOT_LIVE = re.compile(r"\btests?\b|\btesting\b|\bsuite\b|\bscans?\b|\bcoverage\b|\bbenchmark|\bload\b|"
                       r"\bdrill\b|\bstaging\b|\bbudget\b|\bcost\b|\bapi\s*server|\betcd\b|\bkubelet\b|\bnodes?\b",
                       re.I)  # and a cluster component's number is not the service's
_URL = re.compile(r"https?://[^\s`'\")<>]+")
_GET = re.compile(r"^\W*(?:GET|HEAD)\s+(/[\w/.\-{}]*)[^.;]{0,20}?\b([1-5]\d\d)\b")  # "GET /api/users - 200 OK"
_STATUS = re.compile(r"\b([1-5]\d\d)\b")
_NOT_NOW = re.compile(r"\b(?:configured|documented|defined|tested in staging|set up|created|planned|reviewed|tuned)\b",
                      re.I)

_LATENCY = ('histogram_quantile({q}, sum by (le) (rate(http_request_duration_seconds_bucket'
            '{{service="${{service}}"}}[5m])))')
_GUESSES: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"\berror[\s\-]*rates?\b|\b5xx\b|\bhttp\s+errors?\b|\berrors?\b", re.I), "%",
     'sum(rate(http_requests_total{service="${service}",code=~"5.."}[5m])) '
     '/ sum(rate(http_requests_total{service="${service}"}[5m])) * 100'),
    (re.compile(r"\bp(50|90|95|99)\b|\b(50|90|95|99)(?:th)?\s*percentile\b", re.I), "ms", _LATENCY),
    (re.compile(r"\b(?:avg|average|mean)?\s*(?:response\s+times?|latency)\b", re.I), "ms",
     '(sum(rate(http_request_duration_seconds_sum{service="${service}"}[5m])) '
     '/ sum(rate(http_request_duration_seconds_count{service="${service}"}[5m])))'),
    (re.compile(r"\b(?:cpu)\b", re.I), "%",
     'sum(rate(container_cpu_usage_seconds_total{namespace="${namespace}",container!=""}[5m])) '
     '/ sum(kube_pod_container_resource_limits{namespace="${namespace}",resource="cpu"}) * 100'),
    (re.compile(r"\bmemory\b|\bmem\b", re.I), "%",
     'sum(container_memory_working_set_bytes{namespace="${namespace}",container!=""}) '
     '/ sum(kube_pod_container_resource_limits{namespace="${namespace}",resource="memory"}) * 100'),
    (re.compile(r"\brestarts?\b|\bcrash\s*loops?\b", re.I), "",
     'sum(increase(kube_pod_container_status_restarts_total{namespace="${namespace}"}[10m]))'),
    (re.compile(r"\breplication\s+lag\b|\breplica\s+lag\b", re.I), "s", "max(pg_replication_lag)"),
    (re.compile(r"\b(?:nats|jetstream)\b[^.;]{0,30}\blag\b", re.I), "", "sum(jetstream_consumer_num_pending)"),
    (re.compile(r"\bconsumer\s+(?:group\s+)?lag\b|\bkafka\b[^.;]{0,20}\blag\b", re.I), "",
     "sum(kafka_consumergroup_lag)"),
    (re.compile(r"\bavailability\b|\buptime\b", re.I), "%",
     '(1 - sum(rate(http_requests_total{service="${service}",code=~"5.."}[5m])) '
     '/ sum(rate(http_requests_total{service="${service}"}[5m]))) * 100'),
]


def _take(ctx: ImportContext, title: str, prefix: str, base: str) -> dict:
    apply = ctx.variables.apply
    return {"id": ctx.check_ids.take(base or slug(title), slug(prefix)), "title": apply(title)}


def state_check(ctx: ImportContext, title: str, text: str, description: str, prefix: str,
                base: str) -> Entry | None:
    """A kubernetes, alertmanager or http check for an item whose words say what to look at, else None."""
    if _NOT_NOW.search(text):
        return None  # "alerts configured", "health checks documented": about the setup, not the live state
    path, url = _HEALTH_PATH.search(text), _URL.search(text)
    get = _GET.match(text)
    if not (_RESTARTS.search(text) or _PODS_READY.search(text) or _ALERTS.search(text) or path
            or _HEALTH_WORDS.search(text) or get):
        return None
    head = {**_take(ctx, title, prefix, base), "description": ctx.variables.apply(description) or None}
    if _RESTARTS.search(text) or _PODS_READY.search(text):
        ctx.targets.add("kubernetes")
        fields = {**head, "source": "kubernetes", "deployment": "${service}", "expect": "pods-ready"}
        if _RESTARTS.search(text):
            fields["max_restarts"] = 0
        return Entry(fields, ["from the words of the item: the pods of deployment ${service} in ${namespace}"])
    if _ALERTS.search(text):
        ctx.targets.add("alertmanager")
        critical = _CRITICAL.search(text)
        matchers = ['severity="critical"'] if critical else []
        return Entry({**head, "source": "alertmanager", "matchers": matchers or None, "pass": "< 1"},
                     ["from the words of the item: passes while no alert" + (" of severity critical" if critical
                                                                            else "") + " is firing"])
    known = [u for u in ctx.health_urls if not path or u.endswith(path.group(1))]
    if get and not path:
        ctx.fill_ins.setdefault("host", "fill in: the host the service answers on (https://${host}/…)")
        return Entry({**head, "source": "http", "url": "https://${host}" + get.group(1), "status": int(get.group(2))},
                     ["the path and status are the checklist's; the host is a blank to fill in"])
    if url:
        address = url.group(0).rstrip(".,;:")
    elif known:
        address = known[0]  # the endpoint the checklist's own curl probes
    else:
        ctx.fill_ins.setdefault("host", "fill in: the host the service answers on (https://${host}/…)")
        address = "https://${host}" + (path.group(1) if path else "/health")
    status = _STATUS.search(text)
    code = int(status.group(1)) if status and 100 <= int(status.group(1)) <= 599 else 200
    return Entry({**head, "source": "http", "url": address if "${" in address else ctx.variables.apply(address),
                  "status": code}, [] if url else [f"the endpoint the checklist's curl probes ({address})" if known
                                                   else "the path is the checklist's; the host is a blank to fill in"])


def guessed_query(threshold: Threshold, text: str) -> tuple[str, str] | None:
    """(query, unit) from standard metric names for a threshold on a well-known metric, else None."""
    if _NOT_LIVE.search(text):
        return None
    per = re.search(r"/\s*(s|sec|second|m|min|minute|h|hour)\b", threshold.unit or "", re.I)
    if per and _GUESSES[0][0].search(threshold.metric or text):
        # "Error rate < 5 errors/minute": a count per unit of time, not a share
        scale = {"s": 1, "m": 60, "h": 3600}[per.group(1)[0].lower()]
        return f'sum(rate(http_requests_total{{service="${{service}}",code=~"5.."}}[5m])) * {scale}', threshold.unit
    for pattern, unit, query in _GUESSES:
        m = pattern.search(threshold.metric or text) or pattern.search(text)
        if not m:
            continue
        if unit == "" and threshold.unit in ("%", "ms", "s", "min", "h", "d"):
            continue  # a count is not a share or a time
        if unit and threshold.unit and unit != threshold.unit and not (unit == "ms" and threshold.unit in ("ms", "s")):
            continue
        if (unit == "s" or "_seconds_sum" in query) and threshold.unit == "ms":
            query = f"({query}) * 1000"
        if query is _LATENCY:
            q = next(g for g in m.groups() if g)
            query = query.format(q=f"0.{q}")
            if threshold.unit == "ms":
                query = f"({query}) * 1000"
        return query, threshold.unit or unit
    return None


_CERT = re.compile(r"\b(?:ssl|tls)\b[^.;]{0,20}\bcert(?:ificate)?s?\b"
                   r"|\bcert(?:ificate)?s?\b[^.;]{0,20}\b(?:valid|expir)",
                   re.I)


def cert_check(ctx: ImportContext, title: str, text: str, threshold: Threshold, prefix: str,
               base: str) -> Entry | None:
    """"SSL certificates valid > 30 days" → an http check of the certificate's days left."""
    if not _CERT.search(text) or threshold.unit != "d":
        return None
    url = _URL.search(text)
    if url is None:
        ctx.fill_ins.setdefault("host", "fill in: the host the service answers on (https://${host}/…)")
    address = url.group(0).rstrip(".,;:") if url else "https://${host}/"
    return Entry({**_take(ctx, title, prefix, base), "source": "http", "url": address,
                  "cert_days": f"{threshold.op} {threshold.number}"},
                 ["from the words of the item: the days left on the certificate the host presents"])
