import pytest
from django.urls import reverse
from django.utils import translation

from registrations.access.links import management_link_issue
from registrations.authorities.delegations import Coordinator, delegation_register
from registrations.models import Delegation, Registration
from registrations.places.registrations import RegistrationData
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"registrations:{name}", kwargs=kwargs)


@pytest.fixture
def liege(db):
    return AuthorityFactory(name="Liège", country="BE", is_member=True)


def members_data(*people) -> dict:
    data = {
        "members-TOTAL_FORMS": str(max(len(people), 2)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "50",
    }
    for index, (first, email) in enumerate(people):
        data.update(
            {
                f"members-{index}-first_name": first,
                f"members-{index}-last_name": "Peeters",
                f"members-{index}-email": email,
                f"members-{index}-job_title": "Adviser",
                f"members-{index}-category": "delegate",
                f"members-{index}-preferred_language": "fr",
            }
        )
    return data


def delegation_post(authority, *people) -> dict:
    return {
        "authority": authority.pk,
        "coordinator_first_name": "Marie",
        "coordinator_last_name": "Dupont",
        "coordinator_email": "marie@liege.be",
        "coordinator_language": "fr",
        "privacy_consent": "on",
        **members_data(*people),
    }


def test_delegation_form_registers_each_member_and_lists_their_references(
    client, conference, liege
):
    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(liege, ("Jan", "jan@liege.be"), ("An", "an@liege.be")),
        follow=True,
    )

    delegation = Delegation.objects.get()
    assert delegation.members.count() == 2
    assert "The delegation of Liège is registered." in response.content.decode()


def test_delegation_form_names_no_registered_address(client, conference, liege):
    known = RegistrationFactory(conference=conference, email="known@liege.be")

    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(liege, ("Jan", "jan@liege.be"), ("Known", "KNOWN@liege.be")),
        follow=True,
    )

    assert "known@liege.be" not in response.content.decode().lower()
    assert list(Delegation.objects.get().members.values_list("email", flat=True)) == [
        "jan@liege.be"
    ]
    assert known.emails.get().kind == "already_registered"


def test_delegation_form_shows_errors_per_member_and_saves_nothing(client, conference, liege):
    data = delegation_post(liege, ("Jan", "jan@liege.be"), ("R2D2", "an@liege.be"))
    data["members-1-email"] = "jan@liege.be"

    response = client.post(url("delegation_register", slug=conference.slug), data)

    assert response.status_code == 400
    formset = response.context["formset"]
    assert "first_name" in formset.forms[1].errors
    assert Registration.objects.count() == 0


def test_delegation_form_reports_exhausted_places(client, liege):
    conference = ConferenceFactory(default_allotment=1)
    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(liege, ("Jan", "jan@liege.be"), ("An", "an@liege.be")),
    )

    assert response.status_code == 409
    assert "Liège has 1 place left at this conference." in response.content.decode()


def test_places_endpoint_gives_places_left(client, liege):
    conference = ConferenceFactory(default_allotment=3)
    RegistrationFactory(conference=conference, authority=liege)

    response = client.get(url("authority_places", slug=conference.slug, pk=liege.pk))

    assert response.json() == {"places_left": 2}


@pytest.fixture
def coordinator(client, conference, liege):
    delegation = delegation_register(
        conference=conference,
        authority=liege,
        coordinator=Coordinator(first_name="Marie", last_name="Dupont", email="marie@liege.be"),
        members=[
            RegistrationData(
                first_name="Jan", last_name="Peeters", email="jan@liege.be", job_title="x"
            )
        ],
    )
    token = management_link_issue(delegation=delegation)
    response = client.get(url("manage_enter", token=token))
    assert response.url == url("manage")
    assert client.get(response.url).url == url("manage_delegation")
    client.delegation = delegation
    return client


def test_coordinator_page_lists_the_delegation(coordinator):
    content = coordinator.get(url("manage_delegation")).content.decode()
    assert "Delegation of Liège" in content
    assert "jan@liege.be" in content


def test_coordinator_adds_a_delegate(coordinator):
    response = coordinator.post(
        url("manage_delegation"),
        {
            "first_name": "An",
            "last_name": "Peeters",
            "email": "an@liege.be",
            "job_title": "Adviser",
            "category": "delegate",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    assert coordinator.delegation.members.count() == 2


def test_coordinator_replaces_a_delegate(coordinator):
    jan = coordinator.delegation.members.get()
    response = coordinator.post(
        url("delegation_substitute", reference=jan.reference),
        {
            "first_name": "An",
            "last_name": "Peeters",
            "email": "an@liege.be",
            "job_title": "Adviser",
            "category": "delegate",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    jan.refresh_from_db()
    assert jan.status == Registration.Status.CANCELLED
    assert coordinator.delegation.members.active().get().email == "an@liege.be"


def test_coordinator_cancels_a_delegate_after_confirming(coordinator):
    jan = coordinator.delegation.members.get()
    page = coordinator.get(url("delegation_cancel_member", reference=jan.reference))
    assert page.status_code == 200
    coordinator.post(url("delegation_cancel_member", reference=jan.reference))
    jan.refresh_from_db()
    assert jan.status == Registration.Status.CANCELLED


def test_coordinator_cannot_touch_another_delegation(coordinator, conference):
    stranger = RegistrationFactory(conference=conference)
    response = coordinator.get(url("delegation_cancel_member", reference=stranger.reference))
    assert response.status_code == 404


def test_delegate_link_does_not_open_the_delegation_page(client, conference):
    registration = RegistrationFactory(conference=conference)
    token = management_link_issue(registration=registration)
    client.get(url("manage_enter", token=token))
    assert client.get(url("manage_delegation")).status_code == 403


def test_delegation_form_offers_five_rows_and_ignores_empty_ones(client, conference, liege):
    page = client.get(url("delegation_register", slug=conference.slug))
    assert len(page.context["formset"].forms) == 5

    data = delegation_post(liege, ("Jan", "jan@liege.be"))
    data["members-TOTAL_FORMS"] = "5"
    for index in range(1, 5):
        data[f"members-{index}-category"] = "delegate"
        data[f"members-{index}-preferred_language"] = "en"
    response = client.post(url("delegation_register", slug=conference.slug), data)

    assert response.status_code == 302
    assert Delegation.objects.get().members.count() == 1


def test_delegation_form_marks_required_fields_on_the_first_row_only(client, conference):
    response = client.get(url("delegation_register", slug=conference.slug))

    html = response.content.decode()
    first_row, rest = html.split('name="members-1-first_name"', 1)
    spare_rows, empty_form = rest.split('id="member-template"', 1)
    assert first_row.count('<span class="asteriskField">*</span>') == 10
    assert spare_rows.count("asteriskField") == 0
    assert " required" not in spare_rows
    assert 'name="members-__prefix__-first_name"' in empty_form
    assert "asteriskField" not in empty_form.split("</template>")[0]


def test_delegation_form_spare_row_filled_in_part_asks_for_the_rest(client, conference, liege):
    data = delegation_post(liege, ("Jan", "jan@liege.be"))
    data.update(
        {
            "members-1-first_name": "An",
            "members-1-category": "delegate",
            "members-1-preferred_language": "en",
        }
    )

    response = client.post(url("delegation_register", slug=conference.slug), data)

    assert response.status_code == 400
    errors = response.context["formset"].forms[1].errors
    assert errors == {
        "last_name": ["This field is required."],
        "email": ["This field is required."],
        "job_title": ["This field is required."],
    }
    assert Registration.objects.count() == 0


def test_delegation_done_page_names_the_registered_and_waitlisted_members(client, liege):
    conference = ConferenceFactory(capacity=1)
    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(liege, ("Jan", "jan@liege.be"), ("An", "an@liege.be")),
        follow=True,
    )

    html = response.content.decode()
    assert '<h2 class="h5">Registered</h2>\n      <ul><li>Jan Peeters</li></ul>' in html
    assert '<h2 class="h5">On the waiting list</h2>\n      <ul><li>An Peeters</li></ul>' in html
    assert "Awaiting the organisers" not in html


def test_delegation_done_page_names_members_awaiting_approval(client):
    conference = ConferenceFactory(approval_for_non_members=True)
    lille = AuthorityFactory(name="Lille", country="FR", is_member=False)

    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(lille, ("Jan", "jan@lille.fr"), ("An", "an@lille.fr")),
        follow=True,
    )

    assert set(Registration.objects.values_list("status", flat=True)) == {"pending"}
    html = response.content.decode()
    assert "approval</h2>\n      <ul><li>An Peeters</li><li>Jan Peeters</li></ul>" in html
    assert ">Registered</h2>" not in html


def test_delegation_done_page_does_not_name_an_already_registered_member(client, conference, liege):
    RegistrationFactory(conference=conference, email="known@liege.be", first_name="Known")

    response = client.post(
        url("delegation_register", slug=conference.slug),
        delegation_post(liege, ("Jan", "jan@liege.be"), ("Known", "known@liege.be")),
        follow=True,
    )

    html = response.content.decode()
    assert "<li>Jan Peeters</li>" in html
    assert "Known" not in html
