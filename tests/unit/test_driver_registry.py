"""This host's list of running drivers: a dead driver's entry and its stale socket are pruned."""

from __future__ import annotations

import json
import socket

from golive.console.driver import registry
from golive.console.driver.protocol import socket_address


def test_a_registered_session_whose_driver_is_gone_is_pruned_with_its_socket(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    folder = tmp_path / "golive-sessions" / "20261201T000000Z-svc-1"
    folder.mkdir(parents=True)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with socket_address(folder) as address:
        stale.bind(address)   # bound, never listening, then closed: what a kill -9 leaves
    stale.close()
    registry.register(folder, 999999)
    entries = list((tmp_path / "run" / "golive").glob("*.json"))
    assert [json.loads(e.read_text())["folder"] for e in entries] == [str(folder.resolve())]

    assert registry.running(tmp_path / "golive-sessions") == []
    assert list((tmp_path / "run" / "golive").glob("*.json")) == []
    assert not (folder / "driver.sock").exists()


def test_without_a_runtime_dir_the_registry_is_private_to_the_user_under_tmp(monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    import os

    assert str(registry.runtime_dir()) == f"/tmp/golive-{os.getuid()}"
