"""Several instant queries as one PromQL expression, and its answer split back per query.

Each query's series get a label ``__golive_q="<i>"`` by ``label_replace`` and the
parts are joined with ``or``. ``or`` keeps every series of its left side and those of
its right side whose labels (name aside) match none on the left; since every part
carries a different ``__golive_q``, no part can ever hide another's series. A scalar
query is wrapped in ``vector()`` first, which needs its type known: a query of
unknown type is taken as a vector, and a wrong guess fails the whole batch, which
then runs one query at a time and learns the types (see ``checks.prometheus``).
"""

from __future__ import annotations

from typing import Any, Iterable

from golive.checks.prometheus.answer import MalformedAnswer, QueryResult, read_value, series_label

TAG = "__golive_q"


def compose(queries: Iterable[tuple[str, bool]]) -> str:
    """One expression for (query, is_scalar) pairs, the i-th tagged ``__golive_q="i"``.

    The newline after each query ends a trailing ``# comment`` inside it.
    """
    parts = []
    for i, (query, is_scalar) in enumerate(queries):
        inner = f"vector({query}\n)" if is_scalar else f"({query}\n)"
        parts.append(f'label_replace({inner}, "{TAG}", "{i}", "", "")')
    return " or ".join(parts)


def split(data: dict[str, Any], scalar: list[bool], at: float) -> list[QueryResult]:
    """The per-query results of a composed query's answer data, in the order composed.

    A query with no series in the answer had an empty result: no data, as it would alone.

    Raises:
        MalformedAnswer: the answer is not a vector of tagged series.
    """
    if data.get("resultType") != "vector" or not isinstance(data.get("result"), list):
        raise MalformedAnswer("a batched query did not return a vector")
    groups: list[list[tuple[str, float]]] = [[] for _ in scalar]
    try:
        for entry in data["result"]:
            metric = dict(entry["metric"])
            index = int(metric.pop(TAG))
            groups[index].append((series_label(metric), read_value(entry["value"])))
    except (KeyError, ValueError, TypeError, IndexError, AttributeError):
        raise MalformedAnswer("a batched answer holds an untagged series") from None
    results = []
    for group, is_scalar in zip(groups, scalar, strict=True):
        if is_scalar:
            if len(group) != 1:
                raise MalformedAnswer("a batched scalar did not come back as one series")
            results.append(QueryResult(at, "scalar", (("{}", group[0][1]),)))
        else:
            results.append(QueryResult(at, "vector", tuple(group)))
    return results
