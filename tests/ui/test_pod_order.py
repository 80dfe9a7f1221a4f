"""The pod table shows each pod once, as the freshest check saw it, troubled pods first."""

from golive.console.state import CheckState, GoLiveState
from golive.screens.pod_table import pod_order


def test_a_pod_reported_by_several_checks_is_shown_once_as_last_seen():
    st = GoLiveState()
    st.checks["rollout"] = CheckState("rollout", "p", last_at=10.0)
    st.checks["trigger"] = CheckState("trigger", None, last_at=20.0)
    st.pods["rollout"] = [{"name": "web-a", "status": "Running", "ready": "1/1", "restarts": 0},
                          {"name": "web-b", "status": "Running", "ready": "1/1", "restarts": 0}]
    st.pods["trigger"] = [{"name": "web-b", "status": "CrashLoopBackOff", "ready": "0/1", "restarts": 4}]
    rows = pod_order(st)
    assert list(rows) == ["web-b", "web-a"]           # one row each, the troubled one first
    assert rows["web-b"]["status"] == "CrashLoopBackOff"
