"""The webhooks' admin, as organisers use it: an endpoint made with its secret shown once, a
test event, on and off; the delivery log read-only, with "retry now". Organisers only."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from registrations.models import WebhookDelivery, WebhookEndpoint
from tests.factories import ConferenceFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

ENDPOINTS = "admin:registrations_webhookendpoint_changelist"
ADD_ENDPOINT = "admin:registrations_webhookendpoint_add"
DELIVERIES = "admin:registrations_webhookdelivery_changelist"


@pytest.fixture
def as_role(client):
    def login(group: str):
        user = get_user_model().objects.create_user(
            group.lower().replace(" ", "-"), email="olga@efus.eu", password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        staff_login(client, user)
        return client

    return login


def add_endpoint(client, conference, url, **extra):
    return client.post(
        reverse(ADD_ENDPOINT),
        {
            "conference": conference.pk,
            "url": url,
            "description": "CRM sync",
            "events": ["registration.created", "checkin.created"],
            **extra,
        },
        follow=True,
    )


def test_organiser_adds_an_endpoint_and_sees_its_generated_secret_once(as_role, receiver):
    client = as_role("Organisers")
    conference = ConferenceFactory()

    response = add_endpoint(client, conference, receiver.url)

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["registration.created", "checkin.created"]
    assert endpoint.created_by.username == "organisers"
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    page = response.content.decode()
    assert f'value="{endpoint.secret}"' in page
    # Shown on this answer only: no message or session keeps it for the next page.
    assert all(endpoint.secret not in morsel.value for morsel in response.cookies.values())
    assert endpoint.secret not in str(dict(client.session))
    change_page = client.get(
        reverse("admin:registrations_webhookendpoint_change", args=[endpoint.pk])
    )
    assert endpoint.secret not in change_page.content.decode()


def test_organiser_may_set_the_secret_but_not_a_short_one(as_role, receiver):
    client = as_role("Organisers")
    conference = ConferenceFactory()

    short = add_endpoint(client, conference, receiver.url, chosen_secret="too-short")
    assert "at least 24 characters" in short.content.decode()
    assert not WebhookEndpoint.objects.exists()

    add_endpoint(client, conference, receiver.url, chosen_secret="s3cret-shared-with-our-crm-0001")
    assert WebhookEndpoint.objects.get().secret == "s3cret-shared-with-our-crm-0001"


def test_private_address_is_refused_with_a_message(as_role, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    client = as_role("Organisers")

    response = add_endpoint(client, ConferenceFactory(), "https://10.0.0.8/hooks")

    assert "private or internal network" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_test_event_action_reaches_the_receiver_and_shows_in_the_log(
    as_role, receiver, endpoint_for, django_capture_on_commit_callbacks
):
    client = as_role("Organisers")
    endpoint = endpoint_for(ConferenceFactory())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(ENDPOINTS), {"action": "send_test_event", "_selected_action": [endpoint.pk]}
        )

    assert receiver.events() == ["webhook.test"]
    delivery = WebhookDelivery.objects.get()
    log = client.get(reverse("admin:registrations_webhookdelivery_change", args=[delivery.pk]))
    page = log.content.decode()
    assert log.status_code == 200
    assert "webhook.test" in page
    assert re.search(r"<td class=\"field-status_code\">\s*<p>200</p>", page)


def test_turn_off_and_on_again(as_role, endpoint_for, receiver):
    client = as_role("Organisers")
    endpoint = endpoint_for(ConferenceFactory())

    client.post(reverse(ENDPOINTS), {"action": "turn_off", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert not endpoint.is_active

    client.post(reverse(ENDPOINTS), {"action": "turn_on", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_retry_now_sends_a_failed_delivery_again(
    as_role, endpoint_for, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    client = as_role("Organisers")
    endpoint = endpoint_for(ConferenceFactory())
    receiver.answer_next(500)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(ENDPOINTS), {"action": "send_test_event", "_selected_action": [endpoint.pk]}
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(DELIVERIES), {"action": "retry_now", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.requests) == 2


def test_delivery_log_is_read_only(as_role, endpoint_for):
    client = as_role("Organisers")
    endpoint_for(ConferenceFactory())

    page = client.get(reverse(DELIVERIES))

    assert page.status_code == 200
    assert client.get(reverse("admin:registrations_webhookdelivery_add")).status_code == 403


@pytest.mark.parametrize("group", ["Viewers", "Registration desk"])
def test_only_organisers_reach_webhooks(as_role, endpoint_for, group):
    client = as_role(group)
    endpoint = endpoint_for(ConferenceFactory())

    for url in (
        reverse(ENDPOINTS),
        reverse(ADD_ENDPOINT),
        reverse(DELIVERIES),
        reverse("admin:registrations_webhookendpoint_change", args=[endpoint.pk]),
    ):
        assert client.get(url).status_code == 403, url
