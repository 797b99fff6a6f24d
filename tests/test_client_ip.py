"""The client address behind proxies (config.client_ip)."""

import pytest
from django.test import RequestFactory

from config.client_ip import client_ip


def request_from(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    return settings


def test_client_ip_without_trusted_proxies_ignores_forwarded_header(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_client_ip_from_an_untrusted_address_ignores_forwarded_header(proxies):
    assert client_ip(request_from("203.0.113.7", "198.51.100.1, 10.0.0.5")) == "203.0.113.7"


def test_client_ip_through_a_trusted_proxy_is_the_forwarded_client(proxies):
    assert client_ip(request_from("10.0.0.2", "198.51.100.1")) == "198.51.100.1"


def test_client_ip_walks_past_trusted_proxies_from_the_right_only(proxies):
    # The leftmost entry is whatever the client wrote itself: never believed.
    request = request_from("10.0.0.2", "192.0.2.66, 198.51.100.1, 10.1.2.3")
    assert client_ip(request) == "198.51.100.1"


def test_client_ip_with_several_forwarded_headers_joined(proxies):
    assert client_ip(request_from("10.0.0.2", "192.0.2.66,198.51.100.1")) == "198.51.100.1"


def test_client_ip_stops_at_garbage_written_behind_a_trusted_proxy(proxies):
    assert client_ip(request_from("10.0.0.2", "not-an-address, 10.0.0.9")) == "10.0.0.9"


def test_client_ip_through_a_trusted_proxy_without_header_is_the_proxy(proxies):
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"


def test_client_ip_reads_ports_and_ipv6(proxies):
    assert client_ip(request_from("fd00::1", "[2001:db8::7]:4711")) == "2001:db8::7"
    assert client_ip(request_from("10.0.0.2", "198.51.100.1:4711")) == "198.51.100.1"
    assert client_ip(request_from("::ffff:10.0.0.2", "198.51.100.1")) == "198.51.100.1"


def test_trusted_proxies_setting_refuses_a_bad_network(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", "10.0.0.0/8,not-a-network")
    with pytest.raises(ValueError):
        importlib.reload(base)
    monkeypatch.delenv("DJANGO_TRUSTED_PROXIES")
    importlib.reload(base)
