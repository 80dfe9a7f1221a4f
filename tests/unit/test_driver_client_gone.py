"""A seat whose driver dies while it attaches: DriverGone (so `golive watch` follows the journal instead)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from golive.console.driver import protocol as proto
from golive.console.driver.client import DriverClient, DriverGone


def a_driver_that_dies_on_hello(folder: Path) -> threading.Thread:
    """A socket that accepts one seat and closes with its hello unread: the kernel resets the connection."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(folder / proto.SOCKET_NAME))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        conn.recv(1)   # the hello arrived; the rest of it stays unread, so the close is a reset
        conn.close()
        server.close()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_a_driver_that_resets_the_connection_while_a_seat_attaches_is_gone_not_an_error(tmp_path):
    dying = a_driver_that_dies_on_hello(tmp_path)
    with pytest.raises(DriverGone, match="the driver went away"):
        DriverClient(tmp_path)
    dying.join(5)
