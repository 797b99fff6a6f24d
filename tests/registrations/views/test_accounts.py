"""Staff logins (the admin's, which the desk's sends to) are throttled by django-axes per account
and per client address, with a lockout page of the site's own and an unlock for superusers."""

import uuid
from io import StringIO

import pytest
import redis
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from tests.staff import verified_login

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def viewer():
    user = get_user_model().objects.create_user("vera", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Viewers"))
    return user


def attempt(client, username, password, *, ip="192.0.2.1", url=LOGIN, **headers):
    """One POST of the login's first step (two-factor's wizard: the password)."""
    return client.post(
        url,
        {
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        },
        REMOTE_ADDR=ip,
        **headers,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_limit_and_cool_off_come_from_settings():
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_right_password_logs_in_before_any_failure(client, viewer):
    response = attempt(client, "vera", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_thirty_wrong_passwords_lock_the_account_from_any_address(client, viewer):
    # Each attempt from another address: only the account's count can lock.
    statuses = [
        attempt(client, "vera", f"wrong-{n}", ip=f"198.51.100.{n}").status_code for n in range(30)
    ]

    assert statuses == [200] * 9 + [429] * 21
    response = attempt(client, "vera", PASSWORD, ip="203.0.113.7")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert not logged_in(client)


def test_lockout_of_one_account_leaves_the_others(client, viewer):
    for n in range(10):
        attempt(client, "vera", "wrong", ip=f"198.51.100.{n}")
    other = get_user_model().objects.create_user("otto", password=PASSWORD, is_staff=True)

    response = attempt(client, other.username, PASSWORD, ip="203.0.113.7")

    assert response.status_code == 302
    assert logged_in(client)


def test_thirty_failures_from_one_address_lock_out_every_account_from_it(client, viewer):
    # Another name each time: only the client's count can lock.
    statuses = [attempt(client, f"guess-{n}", "wrong").status_code for n in range(30)]

    assert statuses == [200] * 9 + [429] * 21
    assert attempt(client, "vera", PASSWORD).status_code == 429
    assert not logged_in(client)
    # The same account from elsewhere is not locked.
    assert attempt(client, "vera", PASSWORD, ip="203.0.113.7").status_code == 302
    assert logged_in(client)


def test_lockout_page_is_in_the_site_look_and_says_how_long(client, viewer):
    for _ in range(10):
        attempt(client, "vera", "wrong")

    response = attempt(client, "vera", PASSWORD)

    page = response.content.decode()
    assert response.status_code == 429
    assert [template.name for template in response.templates][-2:] == [
        "registrations/lockout.html",
        "base.html",
    ]
    assert "vendor/bootstrap-5.3.9/bootstrap.min.css" in page
    assert "signing in is paused for 30 minutes." in page
    # Never the name that was tried.
    assert "vera" not in page


def test_lockout_page_in_french(client, viewer):
    for _ in range(10):
        attempt(client, "vera", "wrong")

    response = attempt(client, "vera", PASSWORD, HTTP_ACCEPT_LANGUAGE="fr")

    page = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="fr">' in page
    assert "Connexion suspendue" in page
    assert "la connexion est suspendue pendant 30 minutes." in page


def test_desk_login_is_throttled_too(client, conference):
    desk_user = get_user_model().objects.create_user("dora", password=PASSWORD, is_staff=True)
    desk_user.groups.add(Group.objects.get(name="Registration desk"))
    desk = reverse("registrations:desk", kwargs={"slug": conference.slug})
    login_url = client.get(desk)["Location"]
    assert login_url == f"{LOGIN}?next={desk}"

    statuses = [attempt(client, "dora", "wrong", url=login_url).status_code for _ in range(10)]

    assert statuses == [200] * 9 + [429]
    assert attempt(client, "dora", PASSWORD, url=login_url).status_code == 429
    assert client.get(desk).status_code == 302


def test_superuser_unlocks_a_locked_account(client, admin_client, viewer):
    for n in range(10):
        attempt(client, "vera", "wrong", ip=f"198.51.100.{n}")
    assert attempt(client, "vera", PASSWORD, ip="203.0.113.7").status_code == 429

    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_login", "_selected_action": [viewer.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Sign-in unlocked for 1 account."]
    response = attempt(client, "vera", PASSWORD, ip="203.0.113.7")
    assert response.status_code == 302
    assert logged_in(client)


def test_only_superusers_are_offered_the_unlock(client, viewer):
    manager = get_user_model().objects.create_user("max", password=PASSWORD, is_staff=True)
    manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user", "delete_user"])
    )
    for n in range(10):
        attempt(client, "vera", "wrong", ip=f"198.51.100.{n}")
    verified_login(client, manager)

    changelist = client.get(reverse("admin:auth_user_changelist"))
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_login", "_selected_action": [viewer.pk]},
    )

    assert changelist.status_code == 200
    choices = changelist.context["action_form"].fields["action"].choices
    assert [name for name, _ in choices] == ["", "delete_selected"]
    client.logout()
    assert attempt(client, "vera", PASSWORD, ip="203.0.113.7").status_code == 429


@pytest.fixture
def redis_axes(settings):
    """Axes on the project's Redis cache (the test's REDIS_URL), under a key prefix of this
    test's own, deleted afterwards."""
    prefix = f"test-axes-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    AxesProxyHandler.get_implementation(force=True)
    server = redis.Redis.from_url(settings.REDIS_URL)
    yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    server.close()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    AxesProxyHandler.get_implementation(force=True)


@pytest.mark.services
def test_lockout_is_counted_in_redis(client, viewer, redis_axes):
    server, prefix = redis_axes

    statuses = [attempt(client, "vera", "wrong").status_code for _ in range(10)]

    assert statuses == [200] * 9 + [429]
    # Two counters, the account's and the address's, in Redis with the cool-off as their life.
    keys = list(server.scan_iter(f"{prefix}:*"))
    assert len(keys) == 2
    assert sorted(int(server.get(key)) for key in keys) == [10, 10]
    assert all(1700 < server.ttl(key) <= 1800 for key in keys)
    assert attempt(client, "vera", PASSWORD).status_code == 429


def test_locked_address_is_unlocked_by_command(client, viewer):
    for n in range(10):
        attempt(client, f"guess-{n}", "wrong")
    assert attempt(client, "vera", PASSWORD).status_code == 429

    call_command("axes_reset_ip", "192.0.2.1", stdout=StringIO())

    assert attempt(client, "vera", PASSWORD).status_code == 302
    assert logged_in(client)
