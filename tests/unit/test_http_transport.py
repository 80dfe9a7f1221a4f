"""The shared HTTP layer's pure parts: URLs as shown and bare, one wording of transport failures, credentials read."""

from __future__ import annotations

import socket

import httpx
import pytest

from golive.checks.base import SourceError
from golive.checks.http_credentials import read_credentials, userinfo
from golive.checks.http_transport import bare_url, describe_error, scrub, without_userinfo
from golive.console.redact import shown_url
from golive.console.runbook import PrometheusTarget


def test_a_url_is_shown_without_user_password_query_or_fragment():
    assert shown_url("https://user:pw@Prom.example:9090/sub?token=x#f") == "https://prom.example:9090/sub"
    assert shown_url("http://[::1]:9090/") == "http://[::1]:9090/"


def test_a_url_with_a_port_that_is_not_a_number_is_shown_without_the_port_rather_than_raising():
    assert shown_url("http://user:pw@host:abc/x") == "http://host/x"


def test_a_url_loses_only_its_userinfo_for_requests_and_its_slash_and_fragment_as_a_base():
    assert without_userinfo("https://u:p%40ss@host:8443/a/?q=1") == "https://host:8443/a/?q=1"
    assert bare_url("https://u:p@host:8443/a/#frag") == "https://host:8443/a"


def test_userinfo_is_decoded_and_a_user_without_a_password_has_none():
    assert userinfo("https://de%40ployer:p%2Fw@host/") == ("de@ployer", "p/w")
    assert userinfo("https://deployer@host/") == ("deployer", None)
    assert userinfo("https://host/") is None


def test_a_url_with_a_user_but_no_password_is_a_setup_error_naming_the_url_field():
    target = PrometheusTarget(url="http://golive@127.0.0.1:9090")
    with pytest.raises(SourceError, match=r"^targets\.prometheus\.main\.url: a username is set but no password$"):
        read_credentials("targets.prometheus.main", target, target.url)


def test_a_name_that_does_not_resolve_is_worded_by_the_resolver_not_as_an_unknown_errno():
    exc = httpx.ConnectError("boom")
    exc.__cause__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert describe_error(exc, "https://nowhere.invalid", 5.0) == \
        "cannot connect to https://nowhere.invalid: name or service not known"


def test_a_server_that_hangs_up_without_answering_is_worded_as_such():
    exc = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    assert describe_error(exc, "http://h:1", 5.0) == "http://h:1 closed the connection without an answer"


def test_a_connect_timeout_says_it_was_connecting_and_a_read_timeout_that_no_answer_came():
    assert describe_error(httpx.ConnectTimeout("x"), "http://h:1", 2.0) == "timed out after 2s connecting to http://h:1"
    assert describe_error(httpx.ReadTimeout("x"), "http://h:1", 2.0) == "no answer from http://h:1 within 2s"


def test_a_short_header_value_is_sent_but_not_scrubbed_so_it_cannot_blank_out_a_port_or_a_status(monkeypatch):
    monkeypatch.setenv("GOLIVE_UNIT_TENANT", "7")
    monkeypatch.setenv("GOLIVE_UNIT_TOKEN", "tok-unit-5ecret-77")
    target = PrometheusTarget(url="http://127.0.0.1:9077", headers_env={"X-Scope-OrgID": "GOLIVE_UNIT_TENANT"},
                              bearer_token_env="GOLIVE_UNIT_TOKEN")
    credentials = read_credentials("targets.prometheus.main", target, target.url)
    assert credentials.headers == {"X-Scope-OrgID": "7", "Authorization": "Bearer tok-unit-5ecret-77"}
    assert credentials.secrets == ("tok-unit-5ecret-77",)
    assert scrub("HTTP 507 from http://127.0.0.1:9077 tok-unit-5ecret-77", credentials.secrets) == \
        "HTTP 507 from http://127.0.0.1:9077 ***"
