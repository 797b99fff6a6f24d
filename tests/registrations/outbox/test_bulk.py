import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from registrations.access.links import management_link_issue
from registrations.errors import RegistrationError
from registrations.models import BulkEmail, OutboundEmail
from registrations.outbox.bulk import bulk_email_send
from registrations.outbox.placeholders import bulk_placeholders_unknown, bulk_text_render
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:registrations_registration_changelist"


@pytest.fixture
def delegates(conference):
    return [
        RegistrationFactory(
            conference=conference,
            first_name=name,
            authority=AuthorityFactory(name="Liège", country="BE"),
        )
        for name in ("Anne", "Bart")
    ]


def test_placeholders_are_filled_for_each_delegate(delegates):
    text = "Dear {first_name} ({reference}) of {authority}: {personal_link} {unknown}"

    rendered = bulk_text_render(text, registration=delegates[0], personal_link="LINK")

    assert rendered == f"Dear Anne ({delegates[0].reference}) of Liège: LINK {{unknown}}"
    assert bulk_placeholders_unknown(text) == {"unknown"}


def test_bulk_email_refuses_unknown_placeholders(delegates):
    with pytest.raises(RegistrationError):
        bulk_email_send(registrations=delegates, subjects={"en": "Hi {nmae}"}, bodies={"en": "x"})
    assert not BulkEmail.objects.exists()


def test_bulk_email_refuses_delegates_of_several_conferences(delegates):
    other = RegistrationFactory(conference=ConferenceFactory())
    with pytest.raises(RegistrationError):
        bulk_email_send(
            registrations=[*delegates, other], subjects={"en": "Hi"}, bodies={"en": "x"}
        )


def test_bulk_email_sends_one_personal_copy_each_through_the_outbox(
    delegates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulk = bulk_email_send(
            registrations=delegates,
            subjects={"en": "Practical information, {first_name}"},
            bodies={"en": "Dear {first_name},\nYour badge: {reference}.\nManage: {personal_link}"},
        )

    assert bulk.recipient_count == 2
    assert OutboundEmail.objects.filter(bulk_email=bulk, status="sent").count() == 2
    by_name = {message.subject: message for message in mail.outbox}
    anne = by_name["Practical information, Anne"]
    assert delegates[0].reference in anne.body
    assert "/manage/enter/" in anne.body.split("Manage: ", 1)[1]
    assert "Dear Anne,<br>" in anne.alternatives[0][0]


def test_bulk_email_reaches_each_delegate_in_their_language_or_the_other(
    conference, django_capture_on_commit_callbacks
):
    anne = RegistrationFactory(conference=conference, first_name="Anne", preferred_language="fr")
    bart = RegistrationFactory(conference=conference, first_name="Bart", preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        bulk_email_send(
            registrations=[anne, bart],
            subjects={"en": "Practical information", "fr": "Informations pratiques"},
            # No French message: French readers get the English one.
            bodies={"en": "Dear {first_name}, see you in Nice.", "fr": ""},
        )

    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[anne.email].subject == "Informations pratiques"
    assert "Dear Anne, see you in Nice." in by_address[anne.email].body
    assert by_address[bart.email].subject == "Practical information"
    assert "Dear Bart, see you in Nice." in by_address[bart.email].body


def test_bulk_email_refuses_a_message_with_no_subject_in_any_language(delegates):
    with pytest.raises(RegistrationError):
        bulk_email_send(registrations=delegates, subjects={"en": "", "fr": ""}, bodies={"en": "x"})
    assert not BulkEmail.objects.exists()


def test_admin_preview_shows_the_message_in_both_languages(admin_client, delegates):
    selected = {
        "action": "email_delegates",
        "_selected_action": [delegates[0].pk],
        "subject_en": "Hello {first_name}",
        "body_en": "See you, {first_name}.",
        "subject_fr": "Bonjour {first_name}",
        "body_fr": "",
        "preview": "1",
    }

    preview = admin_client.post(reverse(CHANGELIST), selected)

    versions = preview.context["preview"]["languages"]
    assert [(v.language, v.subject, v.body, v.fallback) for v in versions] == [
        ("en", "Hello Anne", "See you, Anne.", False),
        ("fr", "Bonjour Anne", "See you, Anne.", True),
    ]
    content = preview.content.decode()
    assert "Hello Anne" in content
    assert "Bonjour Anne" in content
    assert "Not written in this language" in content
    assert not OutboundEmail.objects.exists()


def test_admin_action_previews_for_one_delegate_then_queues_for_all(admin_client, delegates):
    selected = {
        "action": "email_delegates",
        "_selected_action": [delegate.pk for delegate in delegates],
    }
    page = admin_client.post(reverse(CHANGELIST), selected)
    assert page.status_code == 200
    assert "This email goes to 2 delegates" in page.content.decode()

    message = {"subject_en": "Hello {first_name}", "body_en": "See you, {first_name}."}
    preview = admin_client.post(reverse(CHANGELIST), {**selected, **message, "preview": "1"})
    content = preview.content.decode()
    assert "Preview for" in content
    assert "See you, Anne." in content or "See you, Bart." in content
    assert not OutboundEmail.objects.exists()

    sent = admin_client.post(reverse(CHANGELIST), {**selected, **message, "send": "1"}, follow=True)
    assert "2 emails queued." in sent.content.decode()
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.BULK).count() == 2


def test_admin_action_shows_unknown_placeholder_next_to_the_field(admin_client, delegates):
    response = admin_client.post(
        reverse(CHANGELIST),
        {
            "action": "email_delegates",
            "_selected_action": [delegates[0].pk],
            "subject_en": "Hi {frist_name}",
            "body_en": "x",
            "send": "1",
        },
    )
    assert "Unknown placeholder: {frist_name}" in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_admin_can_send_a_new_personal_link_revoking_the_old(admin_client, delegates):
    management_link_issue(registration=delegates[0])

    admin_client.post(
        reverse(CHANGELIST),
        {"action": "send_new_personal_link", "_selected_action": [delegates[0].pk]},
    )

    # The old link is revoked; the new one is made when the email is sent.
    assert delegates[0].management_links.get().revoked_at is not None
    assert delegates[0].emails.get().kind == OutboundEmail.Kind.MANAGEMENT_LINK


def test_admin_shows_a_sent_message_in_both_languages(admin_client, delegates):
    bulk = bulk_email_send(
        registrations=delegates,
        subjects={"en": "Practical information", "fr": "Informations pratiques"},
        bodies={"en": "See you in Nice.", "fr": "À bientôt à Nice."},
    )

    page = admin_client.get(reverse("admin:registrations_bulkemail_change", args=[bulk.pk]))

    content = page.content.decode()
    for text in ("Practical information", "Informations pratiques", "See you in Nice."):
        assert text in content
    assert escape("À bientôt à Nice.") in content
