import pytest
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from registrations.models import OutboundEmail, VisaLetterRequest
from tests.factories import AuthorityFactory, RegistrationFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Letters are written through the default storage: into a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs=kwargs)


@pytest.fixture
def registration(conference):
    return RegistrationFactory(
        conference=conference,
        authority=AuthorityFactory(name="Kharkiv", country="UA"),
        first_name="Olena",
        last_name="Shevchenko",
        email="olena.shevchenko@kharkiv.ua",
        job_title="Head of community safety",
    )


@pytest.fixture
def signed_in(client, registration):
    """A browser that has followed the delegate's personal link."""
    token = management_link_issue(registration=registration)
    response = client.get(url("manage_enter", token=token))
    assert response.status_code == 302
    return client


def visa_answer_email(request, *, status="sent", sent_at=None):
    """The outbox email answering the request (its letter, or its refusal), as the outbox
    leaves it: sent at `sent_at`, or still queued, or failed for good."""
    kind = (
        OutboundEmail.Kind.VISA_REFUSED
        if request.status == VisaLetterRequest.Status.REFUSED
        else OutboundEmail.Kind.VISA_APPROVED
    )
    return OutboundEmail.objects.create(
        registration=request.registration,
        visa_request=request,
        kind=kind,
        recipient=request.registration.email,
        language="en",
        status=status,
        sent_at=sent_at,
    )
