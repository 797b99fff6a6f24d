"""The network guard: https to public addresses only; http and loopback only where allowed
(tests and development); private and internal networks never."""

import socket

import pytest
from django.core.exceptions import ValidationError

from registrations.webhooks.addresses import (
    WebhookTarget,
    webhook_connection,
    webhook_target_resolve,
    webhook_url_check,
)


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    return settings


def test_https_to_a_public_address_is_accepted_and_keeps_its_path_and_query(production):
    target = webhook_target_resolve("https://93.184.215.14:8443/hooks/in?source=conference")

    assert target == WebhookTarget(
        scheme="https",
        host="93.184.215.14",
        port=8443,
        path="/hooks/in?source=conference",
        address="93.184.215.14",
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hooks",  # not https
        "ftp://93.184.215.14/hooks",
        "https://user:password@93.184.215.14/hooks",
        "https:///hooks",
    ],
)
def test_urls_refused_whatever_the_address(production, url):
    with pytest.raises(ValidationError):
        webhook_url_check(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",  # this machine
        "https://[::1]/hooks",
        "https://10.0.0.8/hooks",  # private networks
        "https://172.16.5.4/hooks",
        "https://192.168.1.10/hooks",
        "https://100.64.0.1/hooks",  # shared address space (carrier-grade NAT)
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://[fd00::1]/hooks",  # unique local IPv6
        "https://[::ffff:10.0.0.1]/hooks",  # IPv4-mapped private address
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",  # multicast
        # IPv6 addresses leading to a private or internal IPv4 address, which ipaddress calls
        # global: NAT64, 6to4, IPv4-compatible, IPv4-translated.
        "https://[64:ff9b::a00:1]/hooks",  # 10.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # 169.254.169.254
        "https://[2002:c0a8:10a::1]/hooks",  # 192.168.1.10
        "https://[2002:7f00:1::]/hooks",  # 127.0.0.1
        "https://[::a00:1]/hooks",  # 10.0.0.1
        "https://[::ffff:0:a00:1]/hooks",  # 10.0.0.1
        "https://[::ffff:0:7f00:1]/hooks",  # 127.0.0.1
        "https://[64:ff9b:1::808:808]/hooks",  # NAT64 for local use, whatever inside
    ],
)
def test_private_and_internal_addresses_are_refused_in_production(production, url):
    with pytest.raises(ValidationError) as refused:
        webhook_target_resolve(url)
    assert refused.value.code == "private"


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:808:808::1",  # 6to4 of 8.8.8.8
        "2a00:1450:4007:80e::200e",  # native IPv6
    ],
)
def test_ipv6_addresses_leading_to_public_addresses_are_accepted(production, address):
    assert webhook_target_resolve(f"https://[{address}]/hooks").address == address


def test_a_name_resolving_to_a_private_address_among_public_ones_is_refused(
    production, monkeypatch
):
    def resolve(host, port, type=0):
        assert host == "hooks.example.org"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    with pytest.raises(ValidationError):
        webhook_target_resolve("https://hooks.example.org/in")


def test_loopback_over_http_is_allowed_in_tests_only(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert webhook_target_resolve("http://127.0.0.1:8001/hooks").address == "127.0.0.1"
    with pytest.raises(ValidationError):
        webhook_target_resolve("http://10.0.0.8/hooks")  # loopback, not any private network

    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        webhook_target_resolve("http://127.0.0.1:8001/hooks")


def test_connection_goes_to_the_checked_address_not_a_new_lookup(monkeypatch, production):
    """DNS rebinding: the name is not looked up again when connecting."""
    target = WebhookTarget(
        scheme="https", host="hooks.example.org", port=443, path="/", address="93.184.215.14"
    )
    connected_to = []

    def create_connection(address, timeout=None, source_address=None):
        connected_to.append(address)
        raise ConnectionRefusedError

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *args, **kwargs: pytest.fail("looked up again")
    )

    connection = webhook_connection(target, timeout=1)
    with pytest.raises(ConnectionRefusedError):
        connection.request("POST", "/", body=b"{}")

    assert connected_to == [("93.184.215.14", 443)]
    assert connection.host == "hooks.example.org"  # TLS checks the certificate for the name
