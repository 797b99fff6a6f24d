import json

import pytest
from django.core.files.storage import default_storage

from registrations.access.self_service import registration_erase
from registrations.models import SiteVisitIdentity, VisaLetterRequest
from registrations.places.status import registration_cancel
from registrations.travel.visa import visa_letter_approve
from tests.factories import SiteVisitIdentityFactory, VisaLetterRequestFactory
from tests.registrations.travel.conftest import url

pytestmark = pytest.mark.django_db


def test_data_export_holds_identity_data_and_visa_requests(signed_in, registration):
    SiteVisitIdentityFactory(registration=registration, id_number="IDN4242424")
    VisaLetterRequestFactory(registration=registration, passport_number="FP4242424")

    response = signed_in.get(url("manage_data"))

    data = json.loads(response.content)
    [identity] = data["site_visit_identity"]
    assert identity["id_number"] == "IDN4242424"
    assert identity["nationality"] == "PL"
    [visa] = data["visa_letter_requests"]
    assert visa["passport_number"] == "FP4242424"
    assert visa["status"] == "requested"


def test_erasure_removes_identity_data_visa_requests_and_letters_at_once(
    registration, django_capture_on_commit_callbacks
):
    SiteVisitIdentityFactory(registration=registration)
    request = visa_letter_approve(
        request=VisaLetterRequestFactory(registration=registration), by=None
    )
    letter = request.letter.name
    assert default_storage.exists(letter)
    registration_cancel(registration=registration)

    with django_capture_on_commit_callbacks(execute=True):
        registration_erase(registration=registration)

    assert not SiteVisitIdentity.objects.exists()
    assert not VisaLetterRequest.objects.exists()
    assert not default_storage.exists(letter)
