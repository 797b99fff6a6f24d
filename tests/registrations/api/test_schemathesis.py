"""schemathesis (4.x) against the generated OpenAPI document, with an organiser's token, over
every operation: no 5xx, and every response's status, content type and body as documented.
Bounded (a few examples per operation, derandomised, no deadline) to keep the suite quick."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registrations.documents.tokens import badge_token
from tests.factories import AuthorityFactory, RegistrationFactory, SessionFactory, SpeakerFactory
from tests.factories.registrations import SessionBookingFactory
from tests.registrations.api.conftest import ORGANISERS

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_data(db, conference, make_token):
    """A conference with a programme, delegates and a check-in, and an organiser's token."""
    session = SessionFactory(conference=conference, capacity=5)
    session.speakers.add(SpeakerFactory(conference=conference, country="BE"))
    registration = RegistrationFactory(
        conference=conference, dietary_needs="Vegan", accessibility_needs="Hearing loop"
    )
    SessionBookingFactory(registration=registration, session=session, status="booked")
    AuthorityFactory()
    return {
        "conference": conference,
        "registration": registration,
        "session": session,
        "badge": badge_token(registration),
        "secret": make_token(ORGANISERS),
    }


@pytest.fixture
def api_schema(api_data):
    # As Django's test client does: a request must not close the test's database connection,
    # which holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    schema.config.generation.update(
        modes=[schemathesis.GenerationMode.POSITIVE], allow_x00=False, codec="utf-8"
    )
    yield schema
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_matches_the_document(case, api_data):
    # Real identifiers half the time, so that the operations reach past their 404s.
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = api_data["conference"].slug
    if "reference" in (case.path_parameters or {}):
        case.path_parameters["reference"] = api_data["registration"].reference
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {api_data['secret']}"}, checks=CHECKS
    )
    assert response.status_code < 500
    assert "Vegan" not in response.text or case.operation.path.startswith(
        "/api/v1/conferences/{slug}/registrations/"
    )
