import pytest

from registrations.models import WEBHOOK_SUBSCRIBABLE_EVENTS
from registrations.webhooks.endpoints import webhook_endpoint_create
from tests.registrations.webhooks.receiver import WebhookReceiver


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def endpoint_for(receiver):
    """An endpoint of `conference` at the receiver, subscribed to `events` (all by default)."""

    def make(conference, events=WEBHOOK_SUBSCRIBABLE_EVENTS, *, by=None):
        endpoint, _secret = webhook_endpoint_create(
            conference=conference, url=receiver.url, events=events, by=by
        )
        return endpoint

    return make
