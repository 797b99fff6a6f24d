import pytest
from django.urls import reverse

from registrations.access.self_service import registration_erase
from registrations.places.status import registration_cancel
from tests.admin_forms import change_form_data
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_changes_by_a_delegate_and_an_organiser_are_in_the_history(admin_client, admin_user):
    registration = RegistrationFactory(job_title="Adviser", dietary_needs="Vegan")
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    data = change_form_data(admin_client.get(url))
    data.update(job_title="Head of prevention")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = registration.history.latest()
    assert latest.job_title == "Head of prevention"
    assert latest.history_user == admin_user
    assert not hasattr(latest, "dietary_needs")
    history_page = admin_client.get(
        reverse("admin:registrations_registration_history", args=[registration.pk])
    )
    assert history_page.status_code == 200
    assert "Vegan" not in history_page.content.decode()


def test_erasure_deletes_the_history(conference):
    registration = RegistrationFactory(conference=conference)
    registration.job_title = "Changed"
    registration.save()
    registration_cancel(registration=registration)

    registration_erase(registration=registration)

    assert registration.history.count() == 0
