"""The driver's protocol module and a seat's bounded queue, without a driver process."""

from __future__ import annotations

import asyncio

import pytest

from golive.console.driver import protocol as proto
from golive.console.driver import server as srv


def test_a_hello_with_another_version_is_refused_with_the_version_spoken_here():
    with pytest.raises(proto.ProtocolError, match="this driver speaks 1"):
        proto.check_hello({"type": "hello", "golive": 2})


def test_a_command_is_checked_for_name_id_and_argument_types():
    assert proto.check_command({"type": "command", "id": 3, "command": "tick", "args": {"check_id": "a"}}) == \
        (3, "tick", {"check_id": "a"})
    for bad, says in [({"type": "command", "id": True, "command": "proceed"}, "needs an id"),
                      ({"type": "command", "id": 1, "command": "tick", "args": {"checked": True}}, "required"),
                      ({"type": "command", "id": 1, "command": "tick", "args": []}, "must be an object")]:
        with pytest.raises(proto.ProtocolError, match=says):
            proto.check_command(bad)


def test_a_line_with_an_integer_too_long_to_read_is_a_protocol_error_not_a_crash():
    with pytest.raises(proto.ProtocolError, match="line is not JSON: Exceeds the limit"):
        proto.decode(b'{"type": "hello", "golive": ' + b"1" * 5000 + b"}\n")


def test_a_line_that_is_not_json_says_where_it_broke():
    with pytest.raises(proto.ProtocolError, match="line is not JSON: Expecting value"):
        proto.decode(b'{"type": }\n')


def test_nan_travels_as_no_data_not_as_invalid_json():
    assert proto.encode(proto.clean({"value": float("nan"), "history": [(1.0, float("inf"))]})) == \
        b'{"value":null,"history":[[1.0,null]]}\n'


class FakeWriter:
    def __init__(self):
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def close(self) -> None:
        pass


class FakeServer:
    def snapshot(self) -> dict:
        return {"type": "snapshot", "events": []}

    def _drop(self, seat) -> None:
        seat.closed = True


def test_a_slow_seat_gets_a_bounded_queue_then_a_fresh_snapshot_instead_of_the_backlog():
    async def main() -> list[bytes]:
        writer = FakeWriter()
        seat = srv.Seat(FakeServer(), writer, "seat-1", "alice", 1, "seat")
        for i in range(srv.QUEUE_MAX + 50):
            seat.send(proto.encode({"type": "event", "n": i}))
        assert len(seat.out) <= srv.QUEUE_MAX and seat.resync
        seat.last, seat.finishing = proto.encode(proto.error("bye")), True
        await asyncio.wait_for(seat.pump(), 5)
        return writer.written

    written = b"".join(asyncio.run(main())).splitlines()
    assert written[0] == b'{"type":"snapshot","events":[]}'
    assert len(written) < srv.QUEUE_MAX and written[-1].startswith(b'{"type":"error"')


def test_every_command_the_screens_send_has_a_protocol_command_and_a_client_method():
    from golive.console.driver.client import DriverClient

    for name in proto.COMMANDS:
        if name not in ("stop", "write_record"):
            assert callable(getattr(DriverClient, name)), name
    assert proto.check_command({"type": "command", "id": 1, "command": "fire_trigger",
                                "args": {"trigger_id": "corruption",
                                         "reason": "seen in the ledger"}})[1] == "fire_trigger"
    with pytest.raises(proto.ProtocolError, match="'reason' is required"):
        proto.check_command({"type": "command", "id": 1, "command": "fire_trigger", "args": {"trigger_id": "x"}})


def test_every_command_a_session_takes_from_a_person_travels_to_the_driver_with_the_same_arguments():
    import inspect

    from golive.console.driver.client import DriverClient
    from golive.console.session_seeds import SeedReactions

    for name, method in inspect.getmembers(SeedReactions, inspect.iscoroutinefunction):
        assert name in proto.COMMANDS, name
        here = set(inspect.signature(method).parameters) - {"self", "by"}
        assert here == set(proto.COMMANDS[name]), name
        assert set(inspect.signature(getattr(DriverClient, name)).parameters) == here | {"self", "by"}, name
    assert proto.check_command({"type": "command", "id": 1, "command": "confirm_step",
                                "args": {"step": "rollback:switch-back:2"}})[1] == "confirm_step"
    with pytest.raises(proto.ProtocolError, match="'step' is required"):
        proto.check_command({"type": "command", "id": 1, "command": "confirm_step", "args": {"note": "go"}})
