import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from registrations.access.agenda import agenda_feed
from registrations.access.selectors import registration_personal_data
from registrations.access.self_service import registration_erase
from registrations.errors import RegistrationError
from registrations.models import DirectoryListing, MeetingRequest, OutboundEmail, Registration
from registrations.network.directory import directory_listing_save, network_figures
from registrations.network.meetings import (
    MEETING_REQUESTS_PER_DAY,
    MeetingRequestRefused,
    meeting_request_answer,
    meeting_request_cancel,
    meeting_request_create,
    meeting_request_report,
)
from registrations.network.tokens import meeting_answer_token
from registrations.places.status import registration_cancel
from registrations.privacy.purge import personal_data_purge
from registrations.privacy.schedule import retention_deadlines
from tests.factories import ConferenceFactory, RegistrationFactory, SessionFactory
from tests.registrations.network.conftest import sign_in, url

pytestmark = pytest.mark.django_db

Status = MeetingRequest.Status


@pytest.fixture
def both_listed(anna, pierre):
    directory_listing_save(registration=anna, languages=["en", "pl"], themes=[])
    directory_listing_save(registration=pierre, languages=["fr"], themes=[])
    return anna, pierre


def ask(sender, recipient, slot=None, message="Could we talk about night-time economy?"):
    return meeting_request_create(sender=sender, recipient=recipient, message=message, slot=slot)


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def whole_message(message) -> str:
    """Every header, the subject and both bodies, decoded."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.message().items())
    html = "".join(content for content, _mime in message.alternatives)
    return "\n".join([headers, message.subject, message.body, html, str(message.reply_to)])


def answer_links(message) -> dict[str, str]:
    return {
        answer: link
        for link, answer in re.findall(
            r"(http\S+/meetings/answer/\S+/)\?answer=(\w+)", message.body
        )
    }


# --- The flow --------------------------------------------------------------------------------


def test_meeting_request_flow_by_email_links(
    both_listed, coffee_break, client, django_capture_on_commit_callbacks
):
    anna, pierre = both_listed
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(anna).post(
            url("meeting_request", pk=pierre.directory_listing.pk),
            {"message": "Could we talk about night-time economy?", "slot": coffee_break.pk},
        )
    assert response.status_code == 302
    meeting = MeetingRequest.objects.get()
    assert (meeting.sender, meeting.recipient, meeting.slot) == (anna, pierre, coffee_break)
    assert meeting.status == Status.REQUESTED

    # The recipient is emailed, in their language, with links to answer.
    (email,) = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REQUESTED)
    assert (email.registration, email.language, email.meeting_request) == (pierre, "fr", meeting)
    assert email.status == OutboundEmail.Status.SENT
    (message,) = sent_to(pierre.email)
    assert "Anna Nowak" in message.body
    assert "Gdańsk" in message.body
    assert "night-time economy" in message.body
    links = answer_links(message)
    assert set(links) == {"accept", "decline", "report"}
    # They see it on their personal page too.
    home = sign_in(pierre).get(url("manage")).content.decode()
    assert "Anna Nowak" in home and "night-time economy" in home

    # GET shows the request and changes nothing; POST answers.
    answer_path = links["accept"].split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{answer_path}?answer=accept")
    assert page.status_code == 200
    assert MeetingRequest.objects.get().status == Status.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{answer_path}", {"answer": "accept"})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == Status.ACCEPTED and meeting.answered_at is not None

    # The requester is told, in their language.
    (told,) = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_ACCEPTED)
    assert (told.registration, told.language) == (anna, "en")
    (message,) = sent_to(anna.email)
    assert "Pierre Martin (Lyon) accepted your meeting request" in message.body

    # The link answered once: a second answer changes nothing.
    again = client.post(f"/{answer_path}", {"answer": "decline"})
    assert again.status_code == 409
    assert MeetingRequest.objects.get().status == Status.ACCEPTED


def test_declining_from_the_personal_page_tells_the_requester(
    both_listed, django_capture_on_commit_callbacks
):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(pierre).post(url("meeting_action", pk=meeting.pk, action="decline"))
    assert response.status_code == 302
    assert MeetingRequest.objects.get().status == Status.DECLINED
    (message,) = sent_to(anna.email)
    assert "Pierre Martin (Lyon) cannot meet you this time." in message.body


def test_only_the_recipient_answers(both_listed, conference):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    response = sign_in(anna).post(url("meeting_action", pk=meeting.pk, action="accept"))
    assert response.status_code == 404
    with pytest.raises(RegistrationError):
        meeting_request_answer(meeting=meeting, by=anna, accept=True)
    assert MeetingRequest.objects.get().status == Status.REQUESTED


def test_a_forged_or_stale_answer_link_opens_nothing(both_listed, client):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    token = meeting_answer_token(meeting)
    assert client.get(url("meeting_answer", token=token[:-2] + "xx")).status_code == 404
    MeetingRequest.objects.filter(pk=meeting.pk).update(nonce="another")
    assert client.get(url("meeting_answer", token=token)).status_code == 404


def test_email_is_in_the_recipients_language(
    both_listed, coffee_break, django_capture_on_commit_callbacks
):
    """Needs the French catalogue (locale-pending/network-directory.po merged)."""
    anna, pierre = both_listed
    with django_capture_on_commit_callbacks(execute=True):
        ask(anna, pierre, slot=coffee_break)
    (message,) = sent_to(pierre.email)
    assert "souhaite vous rencontrer" in message.subject


def test_accepted_meeting_is_in_both_agenda_feeds(both_listed, coffee_break):
    anna, pierre = both_listed
    meeting = ask(anna, pierre, slot=coffee_break)
    meeting_request_answer(meeting=meeting, by=pierre, accept=True)

    for delegate, other in ((anna, pierre), (pierre, anna)):
        feed = agenda_feed(token=delegate.agenda_token)
        assert feed is not None
        ics = feed.ics.decode()
        assert f"UID:meeting-{meeting.pk}@" in ics
        assert other.full_name in ics
        assert other.authority.name in ics.replace("\r\n ", "")
        assert other.email not in ics and delegate.email not in ics
        start = timezone.localtime(coffee_break.starts_at, anna.conference.tzinfo)
        assert f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}" in ics

    # Cancelled: it leaves both feeds.
    meeting_request_cancel(meeting=meeting, by=anna)
    for delegate in (anna, pierre):
        assert f"meeting-{meeting.pk}@" not in agenda_feed(token=delegate.agenda_token).ics.decode()


def test_a_meeting_not_accepted_is_in_no_feed(both_listed, coffee_break):
    anna, pierre = both_listed
    meeting = ask(anna, pierre, slot=coffee_break)
    assert f"meeting-{meeting.pk}@" not in agenda_feed(token=pierre.agenda_token).ics.decode()


def test_cancelling_an_accepted_meeting_tells_the_other(
    both_listed, coffee_break, django_capture_on_commit_callbacks
):
    anna, pierre = both_listed
    meeting = ask(anna, pierre, slot=coffee_break)
    meeting_request_answer(meeting=meeting, by=pierre, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(pierre).post(url("meeting_action", pk=meeting.pk, action="cancel"))
    assert MeetingRequest.objects.get().status == Status.CANCELLED
    assert OutboundEmail.objects.get(kind=OutboundEmail.Kind.MEETING_CANCELLED).registration == anna


# --- No address revealed ---------------------------------------------------------------------


def test_no_address_is_ever_revealed(
    both_listed, coffee_break, client, django_capture_on_commit_callbacks
):
    anna, pierre = both_listed
    anna_client, pierre_client = sign_in(anna), sign_in(pierre)
    pages = [anna_client.get(url("directory")), pierre_client.get(url("directory"))]
    pages.append(anna_client.get(url("meeting_request", pk=pierre.directory_listing.pk)))
    with django_capture_on_commit_callbacks(execute=True):
        anna_client.post(
            url("meeting_request", pk=pierre.directory_listing.pk),
            {"message": "Hello from Gdańsk", "slot": coffee_break.pk},
        )
    meeting = MeetingRequest.objects.get()
    pages.append(pierre_client.get(url("manage")))
    pages.append(anna_client.get(url("manage")))
    token = meeting_answer_token(meeting)
    pages.append(client.get(url("meeting_answer", token=token) + "?answer=accept"))
    pages.append(pierre_client.get(url("meeting_action", pk=meeting.pk, action="report")))
    with django_capture_on_commit_callbacks(execute=True):
        pages.append(client.post(url("meeting_answer", token=token), {"answer": "accept"}))

    for page in pages:
        assert page.status_code == 200, page.wsgi_request.path
    # Each delegate's own personal page shows them their own address; no page shows the other's.
    own_pages = {3: pierre, 4: anna}
    for index, page in enumerate(pages):
        html = page.content.decode()
        for delegate in (anna, pierre):
            if own_pages.get(index) != delegate:
                assert delegate.email not in html, (index, page.wsgi_request.path)

    # The two emails: the request to Pierre, the answer to Anna.
    (to_pierre,) = sent_to(pierre.email)
    (to_anna,) = sent_to(anna.email)
    for message, other in ((to_pierre, anna), (to_anna, pierre)):
        text = whole_message(message)
        assert other.email not in text
        assert message.reply_to == [anna.conference.contact_email]
        assert other.email not in message.from_email
        assert message.cc == [] and message.bcc == []


# --- Rules and limits ------------------------------------------------------------------------


def test_only_listed_delegates_ask_and_are_asked(anna, pierre, conference):
    directory_listing_save(registration=pierre, languages=[], themes=[])
    with pytest.raises(MeetingRequestRefused):
        ask(anna, pierre)  # Anna is not listed
    directory_listing_save(registration=anna, languages=[], themes=[])
    unlisted = RegistrationFactory(conference=conference)
    with pytest.raises(MeetingRequestRefused):
        ask(anna, unlisted)
    with pytest.raises(MeetingRequestRefused):
        ask(anna, anna)
    assert not MeetingRequest.objects.exists()


def test_a_slot_must_be_one_of_the_programmes_breaks(both_listed, conference):
    anna, pierre = both_listed
    workshop = SessionFactory(conference=conference)
    with pytest.raises(MeetingRequestRefused):
        ask(anna, pierre, slot=workshop)
    other_break = SessionFactory(conference=ConferenceFactory(), kind="break")
    with pytest.raises(MeetingRequestRefused):
        ask(anna, pierre, slot=other_break)
    form = sign_in(anna).get(url("meeting_request", pk=pierre.directory_listing.pk))
    assert workshop.title not in form.content.decode()


def test_message_is_short(both_listed):
    anna, pierre = both_listed
    with pytest.raises(MeetingRequestRefused):
        ask(anna, pierre, message="x" * 501)
    with pytest.raises(MeetingRequestRefused):
        ask(anna, pierre, message="   ")


def test_rate_limit_per_delegate_per_day(anna, conference):
    directory_listing_save(registration=anna, languages=[], themes=[])
    others = [
        RegistrationFactory(conference=conference) for _ in range(MEETING_REQUESTS_PER_DAY + 1)
    ]
    for other in others:
        directory_listing_save(registration=other, languages=[], themes=[])
    for other in others[:MEETING_REQUESTS_PER_DAY]:
        ask(anna, other)

    with pytest.raises(MeetingRequestRefused, match="tomorrow"):
        ask(anna, others[-1])
    # The page says so too.
    response = sign_in(anna).post(
        url("meeting_request", pk=others[-1].directory_listing.pk), {"message": "Hello"}
    )
    assert response.status_code == 400
    assert "try again tomorrow" in response.content.decode()

    # A day later the count starts again.
    MeetingRequest.objects.update(created_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    ask(anna, others[-1])


def test_rate_limit_per_pair(both_listed):
    anna, pierre = both_listed
    first = ask(anna, pierre)
    with pytest.raises(MeetingRequestRefused, match="wait for their answer"):
        ask(anna, pierre)
    meeting_request_answer(meeting=first, by=pierre, accept=False)
    second = ask(anna, pierre)
    meeting_request_answer(meeting=second, by=pierre, accept=False)
    third = ask(anna, pierre)
    meeting_request_cancel(meeting=third, by=anna)
    with pytest.raises(MeetingRequestRefused, match="too many times"):
        ask(anna, pierre)
    # Pierre may still ask Anna.
    ask(pierre, anna)


def test_withdrawn_delegate_cannot_be_asked_nor_accept(both_listed):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    sign_in(anna).post(url("directory_listing"), {"withdraw": "1"})
    with pytest.raises(RegistrationError):
        meeting_request_answer(meeting=meeting, by=pierre, accept=True)
    with pytest.raises(MeetingRequestRefused):
        ask(pierre, anna)


# --- Reports ---------------------------------------------------------------------------------


def test_report_flags_the_request_for_organisers_and_blocks_the_sender(
    both_listed, organiser_client
):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    response = sign_in(pierre).post(
        url("meeting_action", pk=meeting.pk, action="report"), {"reason": "Spam"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.reported_at is not None
    assert meeting.report_reason == "Spam"
    assert meeting.status == Status.DECLINED

    # Blocked: Anna can no longer ask Pierre, whatever the limits.
    with pytest.raises(MeetingRequestRefused, match="cannot ask this delegate"):
        ask(anna, pierre)

    # The organisers see it, filtered, in the admin.
    changelist = organiser_client.get("/admin/registrations/meetingrequest/?reported=yes")
    assert changelist.status_code == 200
    assert anna.reference in changelist.content.decode()
    not_reported = organiser_client.get("/admin/registrations/meetingrequest/?reported=no")
    assert anna.reference not in not_reported.content.decode()


def test_report_emails_the_organisers_once(both_listed, django_capture_on_commit_callbacks):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_request_report(meeting=meeting, by=pierre, reason="Insistent")
        meeting_request_report(meeting=meeting, by=pierre, reason="Again")

    (email,) = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REPORTED)
    assert email.recipient == anna.conference.contact_email
    assert email.registration is None and email.meeting_request == meeting
    assert email.status == OutboundEmail.Status.SENT
    (message,) = sent_to(anna.conference.contact_email)
    assert f"/admin/registrations/meetingrequest/{meeting.pk}/change/" in message.body
    assert anna.reference in message.body and pierre.reference in message.body
    assert "Insistent" in message.body
    text = whole_message(message)
    assert anna.email not in text and pierre.email not in text
    assert "/manage/enter/" not in text


def test_erasing_a_reporter_takes_the_organisers_email_about_it(both_listed):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    meeting_request_report(meeting=meeting, by=pierre, reason="")
    registration_cancel(registration=pierre)

    registration_erase(registration=Registration.objects.get(pk=pierre.pk))

    assert not MeetingRequest.objects.exists()
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REPORTED).exists()


def test_report_link_in_the_email_works_without_the_personal_page(both_listed, client):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    token = meeting_answer_token(meeting)
    page = client.get(url("meeting_answer", token=token) + "?answer=report")
    assert "Report to the organisers" in page.content.decode()
    client.post(url("meeting_answer", token=token), {"answer": "report", "reason": "Rude"})
    meeting.refresh_from_db()
    assert meeting.is_reported and meeting.report_reason == "Rude"


def test_only_the_recipient_reports(both_listed):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    with pytest.raises(RegistrationError):
        meeting_request_report(meeting=meeting, by=anna, reason="")
    assert (
        sign_in(anna).post(url("meeting_action", pk=meeting.pk, action="report")).status_code == 404
    )


# --- Privacy ---------------------------------------------------------------------------------


def test_export_holds_the_directory_entry_and_meeting_requests(both_listed, coffee_break):
    anna, pierre = both_listed
    meeting = ask(anna, pierre, slot=coffee_break)
    meeting_request_report(meeting=meeting, by=pierre, reason="Not relevant")

    anna_data = registration_personal_data(anna)
    assert anna_data["directory_listing"]["languages"] == ["en", "pl"]
    (sent,) = anna_data["meeting_requests"]
    assert sent["direction"] == "sent"
    assert sent["with"] == {"name": "Pierre Martin", "city_or_region": "Lyon"}
    assert sent["message"] == meeting.message
    assert sent["preferred_slot"]["title"] == "Coffee break"
    # The sender is not told of the report; the reporter's export has it.
    assert "report_reason" not in sent
    (received,) = registration_personal_data(pierre)["meeting_requests"]
    assert received["direction"] == "received"
    assert received["report_reason"] == "Not relevant"
    assert pierre.email not in str(anna_data["meeting_requests"])

    response = sign_in(anna).get(url("manage_data"))
    assert "night-time economy" in response.content.decode()


def test_erasure_takes_the_directory_entry_and_meeting_requests(both_listed, conference):
    anna, pierre = both_listed
    ask(anna, pierre)
    ask(pierre, anna)
    unrelated = RegistrationFactory(conference=conference)
    directory_listing_save(registration=unrelated, languages=[], themes=[])
    ask(unrelated, pierre)

    registration_cancel(registration=anna)
    registration_erase(registration=Registration.objects.get(pk=anna.pk))

    assert not DirectoryListing.objects.filter(registration=anna).exists()
    assert list(MeetingRequest.objects.values_list("sender", flat=True)) == [unrelated.pk]
    # The email of a request not sent yet to someone else is withdrawn with it.
    assert not OutboundEmail.objects.filter(
        kind=OutboundEmail.Kind.MEETING_REQUESTED, registration=anna, status="queued"
    ).exists()


def test_purge_takes_the_directory_data_with_the_personal_data(both_listed, conference):
    anna, pierre = both_listed
    ask(anna, pierre)
    final = retention_deadlines(conference).identifying + dt.timedelta(minutes=1)

    personal_data_purge(conferences=[conference], now=final, dry_run=True)
    assert MeetingRequest.objects.exists()

    personal_data_purge(conferences=[conference], now=final)

    assert not DirectoryListing.objects.exists()
    assert not MeetingRequest.objects.exists()


def test_purge_of_a_cancelled_delegate_takes_their_requests(both_listed, conference):
    anna, pierre = both_listed
    ask(anna, pierre)
    registration_cancel(registration=anna)
    personal_data_purge(conferences=[conference], now=timezone.now() + dt.timedelta(days=400))
    assert not MeetingRequest.objects.exists()
    assert not DirectoryListing.objects.filter(registration=anna).exists()
    assert DirectoryListing.objects.filter(registration=pierre).exists()


# --- Organisers ------------------------------------------------------------------------------


def test_dashboard_counts(both_listed, conference, coffee_break, organiser_client):
    anna, pierre = both_listed
    third = RegistrationFactory(conference=conference)
    directory_listing_save(registration=third, languages=[], themes=[])
    accepted = ask(anna, pierre, slot=coffee_break)
    meeting_request_answer(meeting=accepted, by=pierre, accept=True)
    reported = ask(third, pierre)
    meeting_request_report(meeting=reported, by=pierre, reason="")
    ask(third, anna)

    figures = network_figures(conference)
    assert (figures.listed, figures.requests, figures.accepted, figures.reported) == (3, 3, 1, 1)

    page = organiser_client.get(f"/admin/conference/{conference.slug}/dashboard/")
    html = page.content.decode()
    assert re.search(r'data-figure="listed">3<', html)
    assert re.search(r'data-figure="requests">3<', html)
    assert re.search(r'data-figure="accepted">1<', html)
    assert re.search(r'data-figure="reported">1<', html)


def test_viewers_read_but_cannot_change_meeting_requests(both_listed, viewer_client):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    assert viewer_client.get("/admin/registrations/meetingrequest/").status_code == 200
    page = viewer_client.get(f"/admin/registrations/meetingrequest/{meeting.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert viewer_client.get("/admin/registrations/directorylisting/").status_code == 200


def test_organisers_delete_a_reported_request_and_its_report_email(both_listed, organiser_client):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    meeting_request_report(meeting=meeting, by=pierre, reason="Spam")
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REPORTED).exists()
    delete_url = f"/admin/registrations/meetingrequest/{meeting.pk}/delete/"

    response = organiser_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not MeetingRequest.objects.exists()
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REPORTED).exists()
    # Pierre's email about the request stays: his registration is its subject.
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REQUESTED).exists()


def test_viewers_cannot_delete_a_request(both_listed, viewer_client):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    delete_url = f"/admin/registrations/meetingrequest/{meeting.pk}/delete/"
    assert viewer_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert MeetingRequest.objects.filter(pk=meeting.pk).exists()


def test_deleting_the_senders_registration_takes_the_report_email(both_listed):
    anna, pierre = both_listed
    meeting = ask(anna, pierre)
    meeting_request_report(meeting=meeting, by=pierre, reason="")
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REPORTED).exists()

    Registration.objects.get(pk=anna.pk).delete()

    assert not MeetingRequest.objects.exists()
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MEETING_REPORTED).exists()
    assert Registration.objects.filter(pk=pierre.pk).exists()
