"""Change windows and freezes: the arithmetic across time zones, DST changes and midnight."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from golive.console.window import Window, next_allowed, window_status

UTC = timezone.utc


def berlin(**kw) -> Window:
    return Window.model_validate({"timezone": "Europe/Berlin", **kw})


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_inside_the_hours_of_an_allowed_day_the_window_is_open():
    w = berlin(days=["Tue", "Wed", "Thu"], hours="09:00-16:00")
    assert window_status(w, utc(2026, 12, 1, 8, 0)).open            # Tue 09:00 in Berlin (UTC+1)
    assert not window_status(w, utc(2026, 12, 1, 7, 59)).open       # Tue 08:59 in Berlin
    assert not window_status(w, utc(2026, 12, 1, 15, 0)).open       # 16:00 is the end, exclusive


def test_outside_the_window_the_next_allowed_time_is_the_next_allowed_day_in_its_time_zone():
    w = berlin(days=["Tue", "Wed", "Thu"], hours="09:00-16:00")
    status = window_status(w, utc(2026, 12, 3, 16, 30))             # Thu 17:30 Berlin
    assert not status.open and "outside the change window" in status.reason
    assert status.next_open == utc(2026, 12, 8, 8, 0)               # next Tue 09:00 Berlin
    assert status.next_text() == "2026-12-08 09:00 Europe/Berlin (2026-12-08 08:00Z)"


def test_the_same_wall_hours_are_different_instants_in_another_time_zone():
    ny = Window.model_validate({"timezone": "America/New_York", "hours": "09:00-16:00"})
    assert next_allowed(ny, utc(2026, 12, 1, 8, 0)) == utc(2026, 12, 1, 14, 0)   # 09:00 EST is 14:00Z
    assert window_status(ny, utc(2026, 12, 1, 14, 30)).open


def test_in_summer_berlin_opens_an_hour_earlier_in_utc():
    w = berlin(hours="09:00-16:00")
    assert next_allowed(w, utc(2026, 7, 1, 0, 0)) == utc(2026, 7, 1, 7, 0)     # CEST, UTC+2
    assert next_allowed(w, utc(2026, 1, 1, 0, 0)) == utc(2026, 1, 1, 8, 0)     # CET, UTC+1


def test_on_the_spring_forward_night_a_window_across_the_gap_is_an_hour_shorter():
    # 2026-03-29: Berlin jumps from 02:00 to 03:00
    w = berlin(days=["Sun"], hours="01:00-04:00")
    start = next_allowed(w, utc(2026, 3, 28, 12, 0))
    assert start == utc(2026, 3, 29, 0, 0)                      # 01:00 CET
    assert window_status(w, utc(2026, 3, 29, 1, 59)).open       # 03:59 CEST
    assert not window_status(w, utc(2026, 3, 29, 2, 0)).open    # 04:00 CEST: two hours after the start


def test_a_window_starting_inside_the_skipped_hour_opens_just_after_the_gap():
    w = berlin(days=["Sun"], hours="02:30-05:00")
    assert next_allowed(w, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 30)  # 03:30 CEST, the gap's far side


def test_on_the_fall_back_night_a_window_across_the_repeated_hour_is_an_hour_longer():
    # 2026-10-25: Berlin goes back from 03:00 CEST to 02:00 CET
    w = berlin(days=["Sun"], hours="01:00-04:00")
    assert next_allowed(w, utc(2026, 10, 24, 12, 0)) == utc(2026, 10, 24, 23, 0)   # 01:00 CEST
    assert window_status(w, utc(2026, 10, 25, 2, 59)).open       # 03:59 CET: four hours in
    assert not window_status(w, utc(2026, 10, 25, 3, 0)).open    # 04:00 CET


def test_a_window_spanning_midnight_belongs_to_the_day_it_starts_on():
    w = berlin(days=["Fri"], hours="22:00-02:00")
    assert window_status(w, utc(2026, 12, 4, 21, 30)).open       # Fri 22:30
    assert window_status(w, utc(2026, 12, 5, 0, 30)).open        # Sat 01:30, still Friday's window
    assert not window_status(w, utc(2026, 12, 5, 1, 0)).open     # Sat 02:00
    assert not window_status(w, utc(2026, 12, 5, 21, 30)).open   # Sat 22:30 is not Friday
    assert next_allowed(w, utc(2026, 12, 5, 1, 0)) == utc(2026, 12, 11, 21, 0)


def test_a_freeze_refuses_even_inside_the_hours_and_names_its_reason():
    w = berlin(days=["Tue", "Wed", "Thu"], hours="09:00-16:00",
               freeze=[{"from": "2026-12-20", "to": "2027-01-04", "reason": "year-end freeze"}])
    status = window_status(w, utc(2026, 12, 22, 10, 0))           # Tue 11:00 Berlin, frozen
    assert not status.open and "year-end freeze" in status.reason and "2026-12-20..2027-01-04" in status.reason
    # the freeze ends at the end of 2027-01-04 (a Monday) in Berlin: the next window is Tue 5 January 09:00
    assert status.next_open == utc(2027, 1, 5, 8, 0)


def test_a_freeze_is_whole_local_dates_not_utc_dates():
    w = berlin(freeze=[{"from": "2026-12-20", "to": "2026-12-20"}])
    assert window_status(w, utc(2026, 12, 19, 22, 59)).open       # Sat 23:59 Berlin
    assert not window_status(w, utc(2026, 12, 19, 23, 0)).open    # Sun 00:00 Berlin
    assert window_status(w, utc(2026, 12, 20, 23, 0)).open        # Mon 00:00 Berlin


def test_a_freeze_ending_mid_window_opens_the_window_at_its_end():
    w = Window.model_validate({"timezone": "UTC", "hours": "00:00-24:00",
                               "freeze": [{"from": "2026-12-01", "to": "2026-12-02"}]})
    assert next_allowed(w, utc(2026, 12, 1, 12, 0)) == utc(2026, 12, 3, 0, 0)


def test_a_window_bound_to_other_environments_does_not_apply():
    w = berlin(days=["Sun"], environment=["production"])
    monday = utc(2026, 12, 7, 10, 0)
    assert not window_status(w, monday, "production").open
    assert window_status(w, monday, "staging").open
    assert window_status(None, monday).open


def test_a_window_that_never_opens_says_so():
    w = Window.model_validate({"timezone": "UTC", "days": ["Mon"],
                               "freeze": [{"from": "2026-01-01", "to": "2030-01-01"}]})
    status = window_status(w, utc(2026, 12, 7, 10, 0))
    assert status.next_open is None and status.next_text() == "no allowed time within two years"


@pytest.mark.parametrize("field, value, message", [
    ("timezone", "Mars/Olympus", "unknown time zone"),
    ("days", ["Tue", "Fro"], "unknown day 'Fro'"),
    ("hours", "9-16", 'expected hours like "09:00-16:00"'),
    ("hours", "09:00-09:00", "an empty window"),
    ("freeze", [{"from": "2026-12-20", "to": "2026-12-01"}], "ends (2026-12-01) before it starts"),
])
def test_a_bad_window_is_refused_with_what_is_wrong(field, value, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Window.model_validate({field: value})


def test_every_instant_the_window_calls_allowed_is_inside_it():
    w = berlin(days=["Mon", "Sun"], hours="22:30-03:15",
               freeze=[{"from": "2026-03-30", "to": "2026-03-30", "reason": "x"}])
    t = utc(2026, 3, 20, 0, 0)
    for _ in range(60):
        nxt = next_allowed(w, t)
        assert nxt is not None and nxt >= t and window_status(w, nxt).open
        assert not window_status(w, nxt - timedelta(minutes=1)).open or nxt == t
        t = nxt + timedelta(hours=7)
