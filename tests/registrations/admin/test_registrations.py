import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from registrations.admin.registrations import RegistrationAdmin
from registrations.models import OutboundEmail, Registration
from registrations.places.status import registration_cancel
from tests.admin_forms import change_form_data
from tests.factories import (
    AuthorityFactory,
    ConferenceFactory,
    OutboundEmailFactory,
    RegistrationFactory,
)
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"
EXPORT = "admin:registrations_registration_export_csv"


def export_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="attendees-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_registration_changelist_search_and_filters(admin_client):
    liege = AuthorityFactory(name="Liège", country="BE")
    wanted = RegistrationFactory(authority=liege, last_name="Dupont")
    RegistrationFactory(last_name="Other")

    response = admin_client.get(reverse(CHANGELIST), {"q": "liège", "country": "BE"})

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [wanted]
    assert "Export attendee list (CSV)" in response.content.decode()


def test_registration_changelist_query_count_is_fixed(admin_client, django_assert_max_num_queries):
    conference = ConferenceFactory()
    RegistrationFactory.create_batch(40, conference=conference)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200


def test_export_follows_the_changelist_filter(admin_client):
    confirmed = RegistrationFactory(job_title="@admin")
    RegistrationFactory(status=Registration.Status.WAITLISTED)

    rows = export_rows(admin_client.get(reverse(EXPORT), {"status__exact": "confirmed"}))

    assert len(rows) == 2
    assert rows[1][0] == confirmed.reference
    assert rows[1][6] == "'@admin"  # the job title, after the phone


def test_export_follows_the_changelist_search(admin_client):
    RegistrationFactory(last_name="Kowalski")
    RegistrationFactory(last_name="Nowak")

    rows = export_rows(admin_client.get(reverse(EXPORT), {"q": "nowak"}))

    assert [row[3] for row in rows[1:]] == ["Nowak"]


def test_export_needs_staff_login(client):
    response = client.get(reverse(EXPORT))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_export_needs_view_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    staff_login(client, staff)
    assert client.get(reverse(EXPORT)).status_code == 403


def test_cancel_action_cancels_and_promotes(admin_client):
    conference = ConferenceFactory(capacity=1)
    confirmed = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "cancel_registrations", "_selected_action": [confirmed.pk], "post": "yes"},
        follow=True,
    )

    assert "1 registration cancelled." in response.content.decode()
    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert confirmed.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED


def test_resend_action_queues_one_email_each(admin_client):
    registrations = RegistrationFactory.create_batch(2)

    admin_client.post(
        reverse(CHANGELIST),
        {
            "action": "resend_confirmation",
            "_selected_action": [registration.pk for registration in registrations],
        },
    )

    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CONFIRMED).count() == 2


def test_registration_change_page_shows_email_history(admin_client):
    email = OutboundEmailFactory(status=OutboundEmail.Status.FAILED, last_error="SMTP 554")
    url = reverse("admin:registrations_registration_change", args=[email.registration.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert "Registration confirmed" in response.content.decode()


def test_outbox_lists_failed_emails_with_their_error(admin_client):
    OutboundEmailFactory(
        status=OutboundEmail.Status.FAILED, last_error="SMTPDataError: 554 rejected"
    )

    response = admin_client.get(
        reverse("admin:registrations_outboundemail_changelist"), {"status__exact": "failed"}
    )

    assert "SMTPDataError: 554 rejected" in response.content.decode()


def test_outbox_send_again_action(admin_client):
    email = OutboundEmailFactory(status=OutboundEmail.Status.FAILED, attempts=8)

    admin_client.post(
        reverse("admin:registrations_outboundemail_changelist"),
        {"action": "send_again", "_selected_action": [email.pk]},
    )

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 0


def test_raising_conference_capacity_in_admin_promotes_waiting_list(admin_client):
    conference = ConferenceFactory(capacity=1)
    RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(conference=conference, status=Registration.Status.WAITLISTED)
    url = reverse("admin:conference_conference_change", args=[conference.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(capacity=2)
    for name in ("registration_opens_at", "registration_closes_at"):
        value = form[name].value()
        data[f"{name}_0"], data[f"{name}_1"] = (
            value.strftime("%Y-%m-%d"),
            value.strftime("%H:%M:%S"),
        )
        del data[name]

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize(
    "model",
    [
        "conference_conference",
        "conference_venue",
        "conference_room",
        "conference_session",
        "conference_speaker",
        "registrations_authority",
        "registrations_registration",
        "registrations_outboundemail",
    ],
)
def test_every_admin_changelist_loads(admin_client, model):
    RegistrationFactory()
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_authority_autocomplete_for_registrations(admin_client):
    AuthorityFactory(name="Mannheim", country="DE")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "mann",
            "app_label": "registrations",
            "model_name": "registration",
            "field_name": "authority",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["Mannheim (DE)"]


def test_outbox_send_again_leaves_withdrawn_and_sent_emails_alone(admin_client):
    withdrawn = OutboundEmailFactory(status=OutboundEmail.Status.WITHDRAWN)
    sent = OutboundEmailFactory(status=OutboundEmail.Status.SENT)

    admin_client.post(
        reverse("admin:registrations_outboundemail_changelist"),
        {"action": "send_again", "_selected_action": [withdrawn.pk, sent.pk]},
    )

    withdrawn.refresh_from_db()
    sent.refresh_from_db()
    assert (withdrawn.status, sent.status) == ("withdrawn", "sent")


def test_outbox_shows_unconfirmed_emails_under_their_own_status(admin_client):
    sending = OutboundEmailFactory(
        status=OutboundEmail.Status.SENDING,
        attempts=1,
        sending_started_at=timezone.now(),
        message_id="<0123abcd.outbox-7@testserver>",
    )
    sent = OutboundEmailFactory(status=OutboundEmail.Status.SENT)
    changelist = reverse("admin:registrations_outboundemail_changelist")

    listed = admin_client.get(changelist, {"status__exact": "sending"})
    detail = admin_client.get(
        reverse("admin:registrations_outboundemail_change", args=[sending.pk])
    ).content.decode()

    assert list(listed.context["cl"].result_list) == [sending]
    assert "?status__exact=sending" in admin_client.get(changelist).content.decode()
    assert "Sending (unconfirmed)" in listed.content.decode()
    assert sent.recipient not in listed.content.decode()
    assert "&lt;0123abcd.outbox-7@testserver&gt;" in detail
    assert "Sending started at" in detail


def test_outbox_send_again_leaves_unconfirmed_emails_alone(admin_client):
    sending = OutboundEmailFactory(status=OutboundEmail.Status.SENDING, attempts=1)

    admin_client.post(
        reverse("admin:registrations_outboundemail_changelist"),
        {"action": "send_again", "_selected_action": [sending.pk]},
    )

    sending.refresh_from_db()
    assert (sending.status, sending.attempts) == (OutboundEmail.Status.SENDING, 1)


def test_outbox_send_again_is_not_offered_to_read_only_staff(client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))
    staff_login(client, viewer)

    response = client.get(reverse("admin:registrations_outboundemail_changelist"))

    assert response.status_code == 200
    assert "send_again" not in response.content.decode()


def test_registration_history_cannot_be_reverted(admin_client):
    """A revert would set an old status around the status service (counters, waiting list,
    webhooks, emails): the button is hidden and the version's form does not save."""
    registration = RegistrationFactory(first_name="Anna")
    confirmed_version = registration.history.get()
    registration_cancel(registration=registration)
    url = reverse(
        "admin:registrations_registration_simple_history",
        args=[registration.pk, confirmed_version.history_id],
    )

    page = admin_client.get(url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True

    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    response = admin_client.post(url, data)

    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_registration_change_form_leaves_a_status_changed_meanwhile(admin_client, monkeypatch):
    """Saving the change page writes what its form changed, not the status it was loaded
    with: a cancellation made between the page's load of the row and its save stays."""
    registration = RegistrationFactory(first_name="Anna")
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    data = change_form_data(admin_client.get(url))
    save_form = RegistrationAdmin.save_form

    def cancelled_meanwhile(self, request, form, change):
        registration_cancel(registration=Registration.objects.get(pk=registration.pk))
        return save_form(self, request, form, change)

    monkeypatch.setattr(RegistrationAdmin, "save_form", cancelled_meanwhile)

    response = admin_client.post(url, {**data, "first_name": "Annabelle"})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.first_name == "Annabelle"
    assert registration.status == Registration.Status.CANCELLED
    assert registration.cancelled_at is not None
