import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import Authority, AuthorityAllotment, Delegation, Registration
from tests.admin_forms import change_form_data
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_authority_changelist"
IMPORT = "admin:registrations_authority_import"
EXPORT = "admin:registrations_authority_delegations_csv"
HEADER = "name,country,kind,member,region_code\n"


def delegation_of(authority: Authority, conference, first_name="Sophie", last_name="Giordano"):
    return Delegation.objects.create(
        conference=conference,
        authority=authority,
        coordinator_first_name=first_name,
        coordinator_last_name=last_name,
        coordinator_email=f"{first_name.lower()}.{last_name.lower()}@example.org",
        coordinator_language="fr",
    )


def staff_client(client, django_user_model, *permissions: str):
    user = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    staff_login(client, user)
    return client


def upload(client, text: str, **fields):
    member_list = SimpleUploadedFile("members.csv", text.encode("utf-8"), "text/csv")
    return client.post(reverse(IMPORT), {"member_list": member_list, **fields})


def report_rows(response) -> list[tuple]:
    return [
        (line.line, line.name, line.country, line.outcome.value, line.detail)
        for line in response.context["report"].lines
    ]


def export_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="delegations-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# --- Import page ------------------------------------------------------------------------------


def test_authority_import_page_bad_row_writes_nothing_and_shows_the_reason(admin_client):
    AuthorityFactory(name="Liège", country="BE", is_member=False)

    response = upload(admin_client, HEADER + "Nice,FR,,,\nLiege,BE,,yes,\nMannheim,Frnace,,,\n")

    assert response.status_code == 200
    assert report_rows(response) == [
        (2, "Nice", "FR", "created", ""),
        (3, "Liege", "BE", "updated", "Matched “Liège”; changes: member of the network."),
        (
            4,
            "Mannheim",
            "Frnace",
            "rejected",
            "Unknown country “Frnace”: give its ISO code (e.g. FR) or its English name.",
        ),
    ]
    content = response.content.decode()
    assert (
        "<td>4</td>\n          <td>Mannheim</td>\n          <td>Frnace</td>\n"
        "          <td><strong>rejected</strong></td>\n"
        "          <td>Unknown country “Frnace”: give its ISO code (e.g. FR) or its English "
        "name.</td>"
    ) in content
    assert "Nothing was written: 1 line was rejected." in content
    assert list(Authority.objects.values_list("name", "is_member")) == [("Liège", False)]


def test_authority_import_page_good_file_creates_and_updates(admin_client):
    AuthorityFactory(name="Liège", country="BE", is_member=False)

    response = upload(
        admin_client, HEADER + "Nice,FR,,,\nLiege,BE,,yes,BE332\nSofia,Bulgaria,,no,\n"
    )

    assert response.status_code == 200
    assert response.context["report"].written is True
    content = response.content.decode()
    assert "The member list was imported. 2 created, 1 updated, 0 unchanged, 0 rejected." in (
        content
    )
    assert set(Authority.objects.values_list("name", "country", "is_member", "region_code")) == {
        ("Nice", "FR", True, ""),
        ("Liège", "BE", True, "BE332"),
        ("Sofia", "BG", False, ""),
    }


def test_authority_import_page_semicolon_file_creates_and_updates(admin_client):
    AuthorityFactory(name="Liège", country="BE", is_member=False)

    response = upload(
        admin_client, "name;country;member;region_code\nNice;FR;;FRL03\nLiege;BE;yes;BE332\n"
    )

    assert response.context["report"].summary == "1 created, 1 updated, 0 unchanged, 0 rejected."
    assert "The member list was imported. 1 created, 1 updated" in response.content.decode()
    assert set(Authority.objects.values_list("name", "country", "is_member", "region_code")) == {
        ("Nice", "FR", True, "FRL03"),
        ("Liège", "BE", True, "BE332"),
    }


def test_authority_import_page_dry_run_writes_nothing(admin_client):
    response = upload(admin_client, HEADER + "Nice,FR,,,\n", dry_run="on")

    assert report_rows(response) == [(2, "Nice", "FR", "created", "")]
    assert "Dry run: the file is valid; nothing was written." in response.content.decode()
    assert not Authority.objects.exists()


def test_authority_import_page_unreadable_file_shows_a_form_error(admin_client):
    response = upload(admin_client, "city,land\nNice,FR\n")

    assert response.context["report"] is None
    assert response.context["form"].errors == {
        "member_list": [
            "The first line must name the columns: name, country, kind, member, region_code."
        ]
    }


def test_authority_import_page_get_shows_the_form(admin_client):
    response = admin_client.get(reverse(IMPORT))

    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["member_list", "dry_run"]
    assert response.context["report"] is None


@pytest.mark.parametrize(
    "permissions",
    [(), ("view_authority",), ("add_authority",), ("change_authority", "view_authority")],
)
def test_authority_import_page_without_add_and_change_permission_is_forbidden(
    client, django_user_model, permissions
):
    client = staff_client(client, django_user_model, *permissions)

    assert client.get(reverse(IMPORT)).status_code == 403
    assert upload(client, HEADER + "Nice,FR,,,\n").status_code == 403
    assert not Authority.objects.exists()


def test_authority_import_page_with_add_and_change_permission_imports(client, django_user_model):
    client = staff_client(client, django_user_model, "add_authority", "change_authority")

    response = upload(client, HEADER + "Nice,FR,,,\n")

    assert response.status_code == 200
    assert Authority.objects.get().name == "Nice"


def test_authority_changelist_links_to_import_and_export_for_an_organiser(admin_client):
    content = admin_client.get(reverse(CHANGELIST), {"is_member__exact": "1"}).content.decode()

    assert f'href="{reverse(IMPORT)}"' in content
    assert "Import member list (CSV)" in content
    assert f'href="{reverse(EXPORT)}?is_member__exact=1"' in content
    assert "Delegations by country and authority (CSV)" in content


def test_authority_changelist_hides_import_and_export_from_view_only_staff(
    client, django_user_model
):
    client = staff_client(client, django_user_model, "view_authority")

    content = client.get(reverse(CHANGELIST)).content.decode()

    assert "Import member list (CSV)" not in content
    assert "Delegations by country and authority (CSV)" not in content


# --- Merge action -----------------------------------------------------------------------------


@pytest.fixture
def duplicates(conference):
    liege = AuthorityFactory(name="Liège", country="BE")
    typed = Authority.objects.create(name="Liege city", country="BE", needs_review=True)
    AuthorityFactory(name="Luik", country="NL")
    RegistrationFactory.create_batch(2, conference=conference, authority=typed)
    return typed, liege


def merge_post(client, duplicate: Authority, **fields):
    data = {"action": "merge_authority", "_selected_action": [duplicate.pk], **fields}
    return client.post(reverse(CHANGELIST), data)


def test_authority_merge_action_offers_authorities_of_the_same_country(admin_client, duplicates):
    typed, liege = duplicates

    response = merge_post(admin_client, typed)

    assert response.status_code == 200
    assert list(response.context["form"].fields["into"].queryset) == [liege]
    assert response.context["confirming"] is False


def test_authority_merge_action_asks_for_confirmation(admin_client, duplicates):
    typed, liege = duplicates

    response = merge_post(admin_client, typed, into=liege.pk, review="Continue")

    assert response.context["confirming"] is True
    content = response.content.decode()
    assert "Merging moves from Liege city (BE) to Liège (BE):" in content
    assert "<li>2 registrations</li>" in content
    assert "<li>0 delegations</li>" in content
    assert "Liege city (BE) is then deleted" in content
    assert Authority.objects.filter(pk=typed.pk).exists()


def test_authority_merge_action_merges_once_confirmed(admin_client, duplicates):
    typed, liege = duplicates

    response = merge_post(admin_client, typed, into=liege.pk, confirm="Yes, merge")

    assert response.status_code == 302
    assert not Authority.objects.filter(pk=typed.pk).exists()
    assert Registration.objects.filter(authority=liege).count() == 2
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Liege city (BE) was merged into Liège (BE); 2 registrations moved."]
    assert LogEntry.objects.get(object_id=str(liege.pk)).change_message == (
        "Merged Liege city (BE) into it."
    )


def test_authority_merge_action_shows_a_refusal(admin_client, duplicates, conference):
    typed, liege = duplicates
    delegation_of(typed, conference)
    delegation_of(liege, conference, first_name="Luc")

    response = merge_post(admin_client, typed, into=liege.pk, confirm="Yes, merge")

    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        f"Both Liege city (BE) and Liège (BE) have a delegation at {conference.name}. Delete "
        "one of the two delegations first (its delegates stay registered), then merge."
    ]
    assert Authority.objects.filter(pk=typed.pk).exists()


def test_authority_merge_action_refuses_an_authority_of_another_country(admin_client, duplicates):
    typed, _liege = duplicates
    luik = Authority.objects.get(name="Luik")

    response = merge_post(admin_client, typed, into=luik.pk, confirm="Yes, merge")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["into"]
    assert Authority.objects.filter(pk=typed.pk).exists()


def test_authority_merge_action_needs_one_selected_authority(admin_client, duplicates):
    typed, liege = duplicates

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "merge_authority", "_selected_action": [typed.pk, liege.pk], "index": 0},
    )

    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Select one authority to merge into another."]
    assert Authority.objects.count() == 3


def test_authority_merge_action_needs_permission_to_delete(client, django_user_model, duplicates):
    typed, liege = duplicates
    client = staff_client(client, django_user_model, "view_authority", "change_authority")

    changelist = client.get(reverse(CHANGELIST))
    response = merge_post(client, typed, into=liege.pk, confirm="Yes, merge")

    assert "merge_authority" not in dict(changelist.context["action_form"].fields["action"].choices)
    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["No action selected."]
    assert Authority.objects.filter(pk=typed.pk).exists()


# --- Figures ----------------------------------------------------------------------------------


def test_authority_changelist_figures_for_the_chosen_conference(admin_client):
    conference = ConferenceFactory(default_allotment=8)
    other_conference = ConferenceFactory(slug="other", reference_prefix="OTH")
    nice = AuthorityFactory(name="Nice", country="FR")
    liege = AuthorityFactory(name="Liège", country="BE")
    AuthorityAllotment.objects.create(conference=conference, authority=nice, places=3)
    for status, count in [
        (Registration.Status.CONFIRMED, 2),
        (Registration.Status.PENDING, 1),
        (Registration.Status.WAITLISTED, 1),
        (Registration.Status.CANCELLED, 1),
        (Registration.Status.REJECTED, 1),
    ]:
        RegistrationFactory.create_batch(
            count, conference=conference, authority=nice, status=status
        )
    RegistrationFactory(conference=other_conference, authority=nice)
    RegistrationFactory(conference=conference, authority=liege)
    delegation_of(nice, conference)

    response = admin_client.get(reverse(CHANGELIST), {"conference": conference.pk})

    figures = {
        authority.name: (
            authority.confirmed_count,
            authority.pending_count,
            authority.waitlisted_count,
            authority.cancelled_count,
            authority.rejected_count,
            authority.places_used,
            authority.places,
            authority.coordinator_name,
            authority.coordinator_email,
        )
        for authority in response.context["cl"].result_list
    }
    assert figures == {
        "Nice": (2, 1, 1, 1, 1, 4, 3, "Sophie Giordano", "sophie.giordano@example.org"),
        "Liège": (1, 0, 0, 0, 0, 1, 8, None, None),
    }
    content = response.content.decode()
    assert '<td class="field-places_column">4 / 3</td>' in content
    assert '<td class="field-places_column">1 / 8</td>' in content
    assert (
        '<td class="field-coordinator">Sophie Giordano<br>'
        '<a href="mailto:sophie.giordano@example.org">sophie.giordano@example.org</a></td>'
    ) in content


def test_authority_changelist_figures_across_conferences_without_a_choice(admin_client):
    conference = ConferenceFactory()
    other_conference = ConferenceFactory(slug="other", reference_prefix="OTH")
    nice = AuthorityFactory(name="Nice", country="FR")
    RegistrationFactory(conference=conference, authority=nice)
    RegistrationFactory(conference=other_conference, authority=nice)

    response = admin_client.get(reverse(CHANGELIST))

    [authority] = response.context["cl"].result_list
    assert (authority.confirmed_count, authority.places_used) == (2, 2)
    assert "field-places_column" not in response.content.decode()
    assert "field-coordinator" not in response.content.decode()


def test_authority_changelist_places_without_a_limit(admin_client):
    conference = ConferenceFactory(default_allotment=None)
    RegistrationFactory(conference=conference, authority=AuthorityFactory(name="Nice"))

    response = admin_client.get(reverse(CHANGELIST), {"conference": conference.pk})

    assert '<td class="field-places_column">1 (no limit)</td>' in response.content.decode()


def test_authority_changelist_filters_members_kind_review_and_country(admin_client):
    member = AuthorityFactory(name="Nice", country="FR", is_member=True)
    outsider = AuthorityFactory(name="Wien", country="AT", is_member=False)
    region = AuthorityFactory(name="Berlin", country="DE", kind=Authority.Kind.REGION)
    typed = Authority.objects.create(name="Sofia", country="BG", needs_review=True)

    def names(**params) -> set[str]:
        response = admin_client.get(reverse(CHANGELIST), params)
        return {authority.name for authority in response.context["cl"].result_list}

    assert names(is_member__exact="0") == {outsider.name, typed.name}
    assert names(kind__exact="region") == {region.name}
    assert names(needs_review__exact="1") == {typed.name}
    assert names(country="FR") == {member.name}


def test_authority_public_listing_is_filtered_and_changed_in_the_admin(admin_client):
    member = AuthorityFactory(name="Nice", country="FR", is_member=True)
    agreed = AuthorityFactory(
        name="Wien", country="AT", is_member=False, public_listing=Authority.PublicListing.LISTED
    )

    response = admin_client.get(reverse(CHANGELIST), {"public_listing__exact": "listed"})
    assert list(response.context["cl"].result_list) == [agreed]

    change = reverse("admin:registrations_authority_change", args=[member.pk])
    data = change_form_data(admin_client.get(change)) | {"public_listing": "hidden"}
    response = admin_client.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.public_listing == Authority.PublicListing.HIDDEN


def _authorities_with_figures(conference, count: int, start: int) -> None:
    for number in range(start, start + count):
        authority = AuthorityFactory(name=f"Ville {number}", country="FR")
        RegistrationFactory(conference=conference, authority=authority)
        RegistrationFactory(
            conference=conference, authority=authority, status=Registration.Status.PENDING
        )
        AuthorityAllotment.objects.create(conference=conference, authority=authority, places=5)
        delegation_of(authority, conference, last_name=f"Coordinator{number}")


def test_authority_changelist_figures_query_count_is_fixed(admin_client):
    conference = ConferenceFactory(default_allotment=8)
    url = reverse(CHANGELIST)
    params = {"conference": conference.pk}
    admin_client.get(url, params)  # sessions and content types cached, as on a second visit

    _authorities_with_figures(conference, 5, start=0)
    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(url, params)
    assert len(response.context["cl"].result_list) == 5

    _authorities_with_figures(conference, 35, start=5)
    with CaptureQueriesContext(connection) as forty:
        response = admin_client.get(url, params)
    assert len(response.context["cl"].result_list) == 40

    # Session, user, the second factor's device, the chosen conference, the filter's
    # conferences, two counts, the page, the country filter's countries.
    assert len(five) == len(forty) == 9


# --- Delegation export ------------------------------------------------------------------------


def test_delegation_export_groups_by_country_name_authority_and_last_name(admin_client):
    conference = ConferenceFactory()
    meyrin = AuthorityFactory(name="Meyrin", country="CH")
    berlin = AuthorityFactory(name="Berlin", country="DE", kind=Authority.Kind.REGION)
    liege = AuthorityFactory(name="Liège", country="BE", is_member=False)
    evry = AuthorityFactory(name="Évry", country="FR")
    nice = AuthorityFactory(name="Nice", country="FR")
    delegation = delegation_of(nice, conference)
    for authority, last_name in [
        (nice, "Martin"),
        (meyrin, "Keller"),
        (evry, "Zola"),
        (berlin, "Schulz"),
        (nice, "Bernard"),
        (liege, "Lambert"),
    ]:
        RegistrationFactory(
            conference=conference,
            authority=authority,
            last_name=last_name,
            delegation=delegation if authority == nice else None,
        )
    RegistrationFactory(
        conference=conference,
        authority=nice,
        last_name="Cancelled",
        status=Registration.Status.CANCELLED,
    )
    RegistrationFactory(
        conference=conference,
        authority=nice,
        last_name="Rejected",
        status=Registration.Status.REJECTED,
    )

    rows = export_rows(admin_client.get(reverse(EXPORT)))

    assert rows[0] == [
        "Country",
        "Country code",
        "City or region",
        "Kind",
        "Member",
        "Coordinator",
        "Reference",
        "Status",
        "First name",
        "Last name",
        "Email",
        "Phone",
        "Job title",
        "Category",
    ]
    assert [(row[0], row[2], row[9]) for row in rows[1:]] == [
        ("Belgium", "Liège", "Lambert"),
        ("France", "Évry", "Zola"),
        ("France", "Nice", "Bernard"),
        ("France", "Nice", "Martin"),
        ("Germany", "Berlin", "Schulz"),
        ("Switzerland", "Meyrin", "Keller"),
    ]
    bernard = Registration.objects.get(last_name="Bernard")
    assert rows[3] == [
        "France",
        "FR",
        "Nice",
        "Municipality",
        "yes",
        "Sophie Giordano <sophie.giordano@example.org>",
        bernard.reference,
        "Confirmed",
        "Anna",
        "Bernard",
        bernard.email,
        "",
        "Head of prevention",
        "Delegate",
    ]
    assert rows[1][3:6] == ["Municipality", "no", ""]
    assert rows[5][3] == "Region"


def test_delegation_export_escapes_formulas(admin_client):
    RegistrationFactory(
        authority=AuthorityFactory(name="=cmd|' /C calc'!A0", country="FR"),
        first_name="+Anna",
        last_name="-Kowalska",
        job_title="@SUM(A1:A2)",
    )

    rows = export_rows(admin_client.get(reverse(EXPORT)))

    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert (rows[1][8], rows[1][9], rows[1][12]) == ("'+Anna", "'-Kowalska", "'@SUM(A1:A2)")


def test_delegation_export_follows_the_changelist_filters(admin_client):
    conference = ConferenceFactory()
    other_conference = ConferenceFactory(slug="other", reference_prefix="OTH")
    nice = AuthorityFactory(name="Nice", country="FR", is_member=True)
    wien = AuthorityFactory(name="Wien", country="AT", is_member=False)
    here = RegistrationFactory(conference=conference, authority=nice)
    RegistrationFactory(conference=other_conference, authority=nice)
    RegistrationFactory(conference=conference, authority=wien)

    response = admin_client.get(
        reverse(EXPORT), {"conference": conference.pk, "is_member__exact": "1"}
    )

    assert [row[6] for row in export_rows(response)[1:]] == [here.reference]


def test_delegation_export_follows_the_changelist_search(admin_client):
    RegistrationFactory(authority=AuthorityFactory(name="Liège", country="BE"))
    RegistrationFactory(authority=AuthorityFactory(name="Nice", country="FR"))

    rows = export_rows(admin_client.get(reverse(EXPORT), {"q": "liege"}))

    assert [row[2] for row in rows[1:]] == ["Liège"]


def test_delegation_export_coordinator_is_of_the_registration_conference(admin_client):
    conference = ConferenceFactory()
    other_conference = ConferenceFactory(slug="other", reference_prefix="OTH")
    nice = AuthorityFactory(name="Nice", country="FR")
    delegation_of(nice, other_conference)
    RegistrationFactory(conference=conference, authority=nice)

    rows = export_rows(admin_client.get(reverse(EXPORT), {"conference": conference.pk}))

    assert rows[1][5] == ""


def test_delegation_export_needs_permission_to_view_registrations(client, django_user_model):
    client = staff_client(client, django_user_model, "view_authority")

    assert client.get(reverse(EXPORT)).status_code == 403


def test_delegation_export_needs_permission_to_export(client, django_user_model):
    client = staff_client(client, django_user_model, "view_authority", "view_registration")

    assert client.get(reverse(EXPORT)).status_code == 403
    assert "Delegations by country and authority (CSV)" not in (
        client.get(reverse(CHANGELIST)).content.decode()
    )


def test_delegation_export_with_view_and_export_permissions_streams(client, django_user_model):
    client = staff_client(
        client, django_user_model, "view_authority", "view_registration", "export_registrations"
    )
    RegistrationFactory()

    assert len(export_rows(client.get(reverse(EXPORT)))) == 2
