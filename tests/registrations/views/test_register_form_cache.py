"""The public registration form's blank rendering, kept in the shared cache
(registrations.forms.rendering): the same page as rendered afresh, retired by what it shows,
per language, never one visitor's tokens in another's page."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db.models import F
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conference.models import Conference
from registrations.authorities.lookup import authorities_mark_reviewed
from registrations.forms import fields as form_fields
from registrations.forms.registration import RegistrationForm
from registrations.models import Authority, QuestionChoice, QuestionType, Registration
from registrations.outbox.rows import StatementBatch
from registrations.places.selectors import registration_availability
from registrations.privacy.schedule import retention_schedule_for
from registrations.views.register_page import places_left_line
from tests.factories import AuthorityFactory, RegistrationFactory, SessionFactory
from tests.factories.questions import QuestionChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
PER_REQUEST = re.compile(
    r'(name="csrfmiddlewaretoken" value|name="form_token" value|nonce)="[^"]+"'
)


def register_url(conference, language: str = "en") -> str:
    with translation.override(language):
        return reverse("registrations:register", kwargs={"slug": conference.slug})


def masked(html: str) -> str:
    return PER_REQUEST.sub(r'\1="…"', html)


@pytest.fixture
def full_conference(conference):
    """Sessions (one a site visit asking for identity data), questions of several types (one
    of them asked of speakers only, one with a limited choice), an authority to choose."""
    SessionFactory(conference=conference, title="Night-time economy")
    SessionFactory(
        conference=conference,
        kind="site_visit",
        title="Police station",
        identity_full_name_required=True,
        identity_nationality_required=True,
    )
    QuestionFactory(conference=conference, type=QuestionType.COUNTRY, label_en="Passport from")
    QuestionFactory(
        conference=conference, label_en="Talk title", required=True, categories=["speaker"]
    )
    QuestionChoiceFactory(question__conference=conference, label_en="Boat trip", capacity=5)
    AuthorityFactory(name="Liège", country="BE")
    return conference


def page_rendered_afresh(response, conference) -> str:
    """The page as the view rendered it before the cache: the form built and laid out by
    crispy-forms in the template, for the request the response answered."""
    availability = registration_availability(conference=conference)
    form = RegistrationForm(
        conference=conference,
        submit_label="Register",
        initial={"preferred_language": "en", "form_token": "t"},
    )
    context = {
        "conference": conference,
        "availability": availability,
        # The line the template's blocktranslate printed (tests/…/test_register_page.py).
        "places_left_line": places_left_line(availability),
        "form": form,
    }
    return render_to_string("registrations/register.html", context, request=response.wsgi_request)


def test_cached_form_is_the_page_rendered_afresh(client, full_conference):
    first = client.get(register_url(full_conference))
    second = client.get(register_url(full_conference))

    afresh = masked(page_rendered_afresh(second, full_conference))
    assert masked(first.content.decode()) == afresh
    assert masked(second.content.decode()) == afresh
    assert "Police station" in afresh and "Passport from" in afresh and "Liège" in afresh


def test_cached_form_is_rendered_once(client, full_conference, monkeypatch):
    from registrations.forms import rendering

    renders = []
    real = rendering.render_crispy_form
    monkeypatch.setattr(
        rendering, "render_crispy_form", lambda *a, **k: renders.append(1) or real(*a, **k)
    )

    for _ in range(3):
        assert Client().get(register_url(full_conference)).status_code == 200

    assert len(renders) == 1


def test_cache_hit_runs_a_fixed_number_of_queries(
    client, full_conference, django_assert_num_queries
):
    client.get(register_url(full_conference))
    SessionFactory.create_batch(3, conference=full_conference)
    QuestionFactory.create_batch(3, conference=full_conference)
    client.get(register_url(full_conference))

    # The conference (with its venue): no sessions, questions or authorities, and no session of
    # the visitor's (the form's one-time token is signed, views/once.py).
    with django_assert_num_queries(1):
        response = client.get(register_url(full_conference))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda c: SessionFactory(conference=c, title="Drones and privacy"), "Drones and privacy"),
        (
            lambda c: _save(c.sessions.get(title="Night-time economy"), title="Tram safety"),
            "Tram safety",
        ),
        (lambda c: QuestionFactory(conference=c, label_en="Your hotel"), "Your hotel"),
        (
            lambda c: QuestionChoiceFactory(
                question=c.questions.get(choices__label_en="Boat trip"), label_en="Harbour walk"
            ),
            "Harbour walk",
        ),
        (
            lambda c: _save(
                c.questions.get(label_en="Talk title"), categories=["speaker", "press"]
            ),
            "speaker press",
        ),
        (lambda c: AuthorityFactory(name="Rotterdam", country="NL"), "Rotterdam — Netherlands"),
        (
            lambda c: _save(c.questions.get(label_en="Passport from"), help_text_en="As printed"),
            "As printed",
        ),
        (lambda c: _save(c, contact_email="desk@example.org"), "desk@example.org"),
    ],
    ids=[
        "session",
        "session-text",
        "question",
        "choice",
        "categories",
        "authority",
        "help",
        "conf",
    ],
)
def test_cached_form_changes_with_what_it_shows(client, full_conference, change, shown):
    before = client.get(register_url(full_conference)).content.decode()
    assert shown not in before

    change(full_conference)

    assert shown in client.get(register_url(full_conference)).content.decode()


def _save(instance, **values):
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()


def test_authority_named_by_a_stranger_keeps_the_cached_form(full_conference):
    from conference.page_cache import registration_form_versions_read

    def versions():
        return registration_form_versions_read(full_conference.pk, entry_key="x")[0]

    before = versions()
    AuthorityFactory(name="Sopot", country="PL", needs_review=True)
    assert versions() == before
    AuthorityFactory(name="Gdańsk", country="PL")
    assert versions() != before


def test_cached_form_is_per_language(client, full_conference):
    english = client.get(register_url(full_conference, "en")).content.decode()
    french = client.get(register_url(full_conference, "fr")).content.decode()
    english_again = client.get(register_url(full_conference, "en")).content.decode()

    assert "Liège — Belgium" in english and "Liège — Belgique" in french
    assert 'value="fr" selected' in french and 'value="en" selected' in english
    assert masked(english_again) == masked(english)


def test_cached_form_says_so_when_newcomers_join_the_waiting_list(client, conference):
    client.get(register_url(conference))
    conference.capacity = 1
    conference.save()
    RegistrationFactory(conference=conference)
    type(conference).objects.filter(pk=conference.pk).update(confirmed_count=1)

    content = client.get(register_url(conference)).content.decode()

    assert "Join the waiting list" in content


def test_two_visitors_get_their_own_tokens_and_each_can_register(full_conference):
    authority = AuthorityFactory(name="Rotterdam", country="NL")
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [visitor.get(register_url(full_conference)).content.decode() for visitor in visitors]
    csrf = [CSRF.search(page)[1] for page in pages]
    tokens = [FORM_TOKEN.search(page)[1] for page in pages]

    assert csrf[0] != csrf[1] and tokens[0] != tokens[1]
    assert tokens[0] not in pages[1] and tokens[1] not in pages[0]
    for n, visitor in enumerate(visitors):
        response = visitor.post(
            register_url(full_conference),
            {
                "csrfmiddlewaretoken": csrf[n],
                "form_token": tokens[n],
                "authority": authority.pk,
                "first_name": "Sanne",
                "last_name": "de Vries",
                "email": f"visitor{n}@rotterdam.nl",
                "job_title": "Policy adviser",
                "category": "delegate",
                "preferred_language": "en",
                "privacy_consent": "on",
            },
        )
        assert response.status_code == 302
    assert Registration.objects.count() == 2


def test_errors_after_a_cached_form_are_beside_their_fields_with_the_input_kept(
    client, full_conference
):
    client.get(register_url(full_conference))

    response = client.post(
        register_url(full_conference),
        {"first_name": "Sanne", "email": "broken", "category": "delegate"},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert 'id="error_1_id_email"' in content
    assert 'value="Sanne"' in content
    assert 'id="error-summary"' in content


def test_sending_a_valid_form_counts_no_session_places(client, full_conference, monkeypatch):
    counted = []
    real = form_fields.session_availability
    monkeypatch.setattr(form_fields, "session_availability", lambda s: counted.append(1) or real(s))
    workshop = full_conference.sessions.get(title="Night-time economy")
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
        "sessions": [workshop.pk],
    }

    assert client.post(register_url(full_conference), data).status_code == 302
    assert counted == []
    # Shown again with an error, the choices are labelled with their places.
    response = client.post(register_url(full_conference), {**data, "email": "broken"})
    assert counted == [1]
    assert "99 places left" in response.content.decode()


def test_the_sessions_offered_are_built_only_for_a_form_that_names_some(
    client, full_conference, monkeypatch
):
    from registrations.forms import registration as registration_forms

    # The form shown once: what the process keeps for the conference's forms is read (the
    # visits asking for identity data among them).
    assert client.get(register_url(full_conference)).status_code == 200
    built = []
    real = registration_forms.sessions_for_sign_up
    monkeypatch.setattr(
        registration_forms, "sessions_for_sign_up", lambda c: built.append(c.pk) or real(c)
    )
    workshop = full_conference.sessions.get(title="Night-time economy")
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }

    assert client.post(register_url(full_conference), data).status_code == 302
    assert built == []
    assert not Registration.objects.get(email="sanne@rotterdam.nl").bookings.exists()

    chosen = {**data, "email": "jan@rotterdam.nl", "sessions": [workshop.pk]}
    assert client.post(register_url(full_conference), chosen).status_code == 302
    assert built == [full_conference.pk]
    booked = Registration.objects.get(email="jan@rotterdam.nl").bookings.get()
    assert booked.session == workshop


def test_a_session_id_not_offered_is_refused_as_before(client, full_conference):
    other = SessionFactory(title="Elsewhere")

    response = client.post(register_url(full_conference), {"sessions": [other.pk]})

    assert response.status_code == 400
    assert f"Select a valid choice. {other.pk} is not one of the available choices." in (
        response.content.decode()
    )


def test_form_shows_when_the_cache_is_down(client, full_conference, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "set", down)

    response = client.get(register_url(full_conference))

    assert response.status_code == 200
    assert masked(response.content.decode()) == masked(
        page_rendered_afresh(response, full_conference)
    )


def test_a_form_sent_in_reads_no_more_than_it_checks(full_conference, django_assert_num_queries):
    SessionFactory.create_batch(5, conference=full_conference)
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }

    # The visits asking for identity data, the questions and their choices, the seats the
    # limited choice holds, the authority: not the sessions offered, nor their places.
    with django_assert_num_queries(5):
        form = RegistrationForm(data, conference=full_conference, submit_label="Register")
        assert form.is_valid(), form.errors
    assert [name for name in form.fields if name.startswith("identity_")] == [
        f"identity_{full_conference.sessions.get(title='Police station').pk}_full_name",
        f"identity_{full_conference.sessions.get(title='Police station').pk}_nationality",
    ]
    assert "helper" not in vars(form)  # never laid out


def test_a_valid_registration_sent_in_runs_a_fixed_number_of_queries(
    client, full_conference, django_assert_num_queries
):
    """The whole POST, from the middleware down, for a new address."""
    SessionFactory.create_batch(5, conference=full_conference)
    retention_schedule_for(full_conference)
    page = client.get(register_url(full_conference))
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@rotterdam.nl",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
        "form_token": FORM_TOKEN.search(page.content.decode())[1],
    }

    # The conference with its retention schedule (the consent's notice version); the limited
    # choice's seats, the authority; the webhook endpoints; then under the lock
    # (registration_create's transaction, a savepoint here): the conference locked with, in
    # the same round trip, the authority's places and the address in one statement
    # (places.locking.conference_lock_and_read), the registration (no savepoint), then its
    # history, the counters and the consent in one round trip (places.registrations'
    # StatementBatch, sent before the answers: the conference has questions), the email in
    # another. One by one where a string holds one statement (SQLite): the lock and its read
    # in two, the history, the counter and the consent in three. Neither a session (showing
    # the form wrote none, views/once.py; the thank-you page's mark is a signed cookie,
    # views/registration.py), nor the sessions offered, nor the questions nor the visits
    # asking for identity data (read for the page, kept under their versions), nor the answers
    # of a new registration, nor a transaction around registration_create's when no visit's
    # identity data are given.
    with django_assert_num_queries(10 if StatementBatch().batching else 13):
        response = client.post(register_url(full_conference), data)

    assert response.status_code == 302
    assert Registration.objects.get().email == "sanne@rotterdam.nl"


@pytest.mark.parametrize(
    "change",
    [
        lambda c: QuestionFactory(conference=c, label_en="Badge colour", required=True),
        lambda c: _save(c.questions.get(label_en="Passport from"), required=True),
        lambda c: _save(c.questions.get(label_en="Passport from"), active=False),
    ],
    ids=["question added", "question made required", "question switched off"],
)
def test_a_form_sent_in_checks_the_questions_as_they_are_now(client, full_conference, change):
    """The questions kept for the forms sent in are read again once one changes."""
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }
    passport = full_conference.questions.get(label_en="Passport from")
    first = client.post(
        register_url(full_conference),
        {**data, "email": "a@example.org", f"question_{passport.pk}": "FR"},
    )
    assert first.status_code == 302

    change(full_conference)
    response = client.post(register_url(full_conference), {**data, "email": "b@example.org"})

    switched_off = not full_conference.questions.get(pk=passport.pk).active
    if switched_off:
        # Its answer is no longer asked for, nor kept.
        assert response.status_code == 302
        assert not Registration.objects.get(email="b@example.org").answers.exists()
        sent = client.post(
            register_url(full_conference),
            {**data, "email": "c@example.org", f"question_{passport.pk}": "FR"},
        )
        assert sent.status_code == 302
        assert not Registration.objects.get(email="c@example.org").answers.exists()
    else:
        assert response.status_code == 400
        assert "This question needs an answer." in response.content.decode()


def _visit_asks_for_its_number_too(conference) -> None:
    visit = conference.sessions.get(title="Police station")
    visit.identity_number_required = True
    visit.save()


def _visit_asks_for_nothing(conference) -> None:
    visit = conference.sessions.get(title="Police station")
    visit.identity_full_name_required = visit.identity_nationality_required = False
    visit.save()


@pytest.mark.parametrize(
    ("change", "asked"),
    [
        (lambda c: None, ["full_name", "nationality"]),
        (_visit_asks_for_its_number_too, ["full_name", "nationality", "id_number"]),
        (_visit_asks_for_nothing, []),
    ],
    ids=["unchanged", "visit asks for more", "visit asks for nothing"],
)
def test_a_form_sent_in_checks_the_visits_as_they_are_now(client, full_conference, change, asked):
    """The visits asking for identity data kept for the forms sent in are read again once a
    session changes (the programme's version)."""
    visit = full_conference.sessions.get(title="Police station")
    data = {
        "authority": AuthorityFactory(name="Rotterdam", country="NL").pk,
        "first_name": "Sanne",
        "last_name": "de Vries",
        "job_title": "Policy adviser",
        "category": "delegate",
        "preferred_language": "en",
        "privacy_consent": "on",
    }
    assert (
        client.post(register_url(full_conference), {**data, "email": "a@example.org"}).status_code
        == 302
    )

    change(full_conference)
    form = RegistrationForm(
        {**data, "email": "b@example.org", "sessions": [visit.pk]},
        conference=full_conference,
        submit_label="Register",
    )

    assert form.is_valid() == (not asked)
    assert sorted(name for name in form.fields if name.startswith("identity_")) == sorted(
        f"identity_{visit.pk}_{field}" for field in asked
    )
    assert sorted(name for name in form.errors if name.startswith("identity_")) == sorted(
        f"identity_{visit.pk}_{field}" for field in asked
    )


def test_authorities_marked_reviewed_in_the_admin_join_the_cached_form(client, full_conference):
    named = AuthorityFactory(name="Ville de Sète", country="FR", needs_review=True)
    assert "Ville de Sète" not in client.get(register_url(full_conference)).content.decode()

    authorities_mark_reviewed(Authority.objects.filter(pk=named.pk))

    assert "Ville de Sète" in client.get(register_url(full_conference)).content.decode()


def test_days_the_command_adds_join_the_cached_form(client, full_conference):
    client.get(register_url(full_conference))  # rendered and kept
    # The dates moved without the conference's save (an update): the command adds the days
    # the built-in questions lack, in bulk.
    Conference.objects.filter(pk=full_conference.pk).update(
        end_date=F("end_date") + dt.timedelta(days=1)
    )
    held = list(QuestionChoice.objects.filter(question__conference=full_conference))
    call_command("questions_builtin_create", verbosity=0)
    added = QuestionChoice.objects.filter(question__conference=full_conference).exclude(
        pk__in=[choice.pk for choice in held]
    )
    assert added

    page = client.get(register_url(full_conference)).content.decode()
    for choice in added:
        assert f'value="{choice.pk}"' in page


def test_the_visits_kept_for_forms_sent_in_follow_each_languages_order(full_conference):
    """Visits at the same time in the same room are in the order of their titles, which differ
    by language: a French form does not take the English order of one built before it."""
    police = full_conference.sessions.get(title="Police station")
    harbour = SessionFactory(
        conference=full_conference,
        kind="site_visit",
        title_en="Harbour",
        title_fr="Zone portuaire",
        starts_at=police.starts_at,
        ends_at=police.ends_at,
        room=police.room,
        identity_full_name_required=True,
    )
    police.title_fr = "Commissariat"
    police.save()

    def visits_in(language: str) -> list[int]:
        with translation.override(language):
            form = RegistrationForm(conference=full_conference, submit_label="Register")
            return [session.pk for session in form.parts.identity_sessions]

    assert visits_in("en") == [harbour.pk, police.pk]
    assert visits_in("fr") == [police.pk, harbour.pk]
    assert visits_in("en") == [harbour.pk, police.pk]
