"""The replication_lag builtin: seconds a standby is behind, read on a primary or on the standby itself."""

from __future__ import annotations

from typing import Any

from golive.checks.base import Sample

# On a primary: the worst standby. replay_lag >= flush_lag >= write_lag while a standby
# falls behind (PostgreSQL extrapolates them while replay is stalled); all three turn
# NULL a moment after the standby has caught up, which is a lag of 0.
_PRIMARY = """
SELECT count(*) AS standbys,
       count(*) FILTER (WHERE state IS NULL) AS hidden,
       coalesce(max(greatest(extract(epoch FROM replay_lag), extract(epoch FROM flush_lag),
                             extract(epoch FROM write_lag))), 0)::float8 AS lag
FROM pg_stat_replication
"""

# On a standby: nothing received is waiting for replay means no lag, however long ago
# the primary last committed; otherwise the age of the last replayed commit.
_STANDBY = """
SELECT pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() AS caught_up,
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS lag
"""


async def replication_lag(conn: Any, check_id: str, at: float) -> Sample:
    """Replication lag in seconds, on whichever side ``conn`` is connected to.

    Returns:
        ``Sample.number`` of seconds; no data for a primary with no standby connected,
        or a standby that has not replayed a transaction since it started; ``Sample.failed``
        when the role may not read pg_stat_replication's columns (they would read as 0).
    """
    in_recovery = await conn.fetchval("SELECT pg_is_in_recovery()")
    if in_recovery:
        row = await conn.fetchrow(_STANDBY)
        if row["caught_up"]:
            return Sample.number(check_id, at, 0.0, detail="standby caught up with what it received")
        if row["lag"] is None:
            return Sample.empty(check_id, at, "standby behind, but it has replayed no transaction since it started")
        return Sample.number(check_id, at, row["lag"], detail=f"standby replay {row['lag']:.1f} s behind")
    row = await conn.fetchrow(_PRIMARY)
    if row["standbys"] == 0:
        return Sample.empty(check_id, at, "primary has no standby connected")
    if row["hidden"]:
        # without pg_read_all_stats the lag columns are NULL, which would read as "no lag"
        return Sample.failed(check_id, at, "cannot read pg_stat_replication: grant the role pg_monitor")
    plural = "standby" if row["standbys"] == 1 else "standbys"
    return Sample.number(check_id, at, row["lag"], detail=f"{row['standbys']} {plural}, worst lag {row['lag']:.1f} s")
