"""The exporter metrics the seed examples read, as the demo's Prometheus sandbox answers them.

Memory and connections (process and PostgreSQL exporters), replication lag, Redis's
hit ratio, Kafka's consumer lag, orders and users: steady values with deterministic
noise, recognised by the metric name in the query (see ``prom_api.recognise``).
"""

from __future__ import annotations

from typing import Any, Callable

from golive.sandbox.traffic import TrafficModel, _noise

Series = Callable[[float], float | None]


def _steady(key: str, level: float, spread: float) -> Callable[[TrafficModel, float], float]:
    return lambda model, t: level + spread * _noise(key, model.sim_time(t))


# (every substring the query must contain, value as a function of the model and time)
METRICS: list[tuple[tuple[str, ...], Callable[[TrafficModel, float], float | None]]] = [
    (("process_resident_memory_bytes",), _steady("mem", 540.0, 1.0)),             # MB, no growth
    (("container_memory_working_set_bytes", "/ 1024 / 1024"), _steady("mem-mb", 610.0, 4.0)),   # MB, no growth
    (("container_memory_working_set_bytes",), _steady("mem-pct", 52.0, 2.0)),     # % of the limit
    (("pg_stat_activity_count",), _steady("pg-conn", 48.0, 2.0)),
    (("pg_replication_lag_seconds",), _steady("pg-lag", 0.008, 0.002)),
    (("redis_up",), lambda model, t: 1.0),
    (("redis_keyspace_hits_total", "redis_keyspace_misses_total"), _steady("redis-hit", 93.0, 1.0)),
    (("redis_evicted_keys_total",), lambda model, t: 0.0),
    (("kafka_brokers",), lambda model, t: 3.0),
    (("kafka_consumergroup_lag",), _steady("kafka-lag", 120.0, 40.0)),
    (("dlq",), lambda model, t: 0.0),
    (("kafka_topic_partition_under_replicated_partition",), lambda model, t: 0.0),
    (("orders_processed_total",), _steady("orders", 842.0, 60.0)),                # per hour
    (("active_users",), _steady("users", 2100.0, 150.0)),
    (('level="critical"',), lambda model, t: 0.0),
    (("circuit_breaker_state",), lambda model, t: 0.0),
    (("prometheus_rule_group_rules",), lambda model, t: 25.0),                   # alert rules loaded
]


def recognise(model: TrafficModel, query: str) -> Series | None:
    """A function of time for one of the seed examples' exporter metrics; None when it is none of them."""
    # seconds shown as milliseconds, as the 24-hour validation writes replication lag
    scale = 1000.0 if "pg_replication_lag_seconds" in query and "* 1000" in query else 1.0
    for needles, fn in METRICS:
        if all(n in query for n in needles):
            return lambda t, fn=fn: None if (v := fn(model, t)) is None else v * scale
    return None


def quantile_scale(query: str) -> float | None:
    """p50 and p99 from the same latency histogram as p95, as a share of p95; None for other quantiles."""
    if "histogram_quantile(0.5," in query or "histogram_quantile(0.50," in query:
        return 0.45
    if "histogram_quantile(0.99," in query:
        return 1.6
    return None


def extra_latency(model: TrafficModel, query: str, version: str | None) -> Series | None:
    scale = quantile_scale(query)
    if scale is None or "http_request_duration_seconds_bucket" not in query:
        return None
    unit = 1.0 if "* 1000" in query else 0.001
    return lambda t: None if (v := model.latency_p95(version, t)) is None else v * scale * unit


def anything(model: Any, query: str, version: str | None) -> Series | None:
    return extra_latency(model, query, version) or recognise(model, query)
