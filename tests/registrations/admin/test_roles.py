"""The three groups the migrations create, tried on every admin page and export as a member of
each would: Organisers see and export everything, Viewers see everything but delegates' special
needs and export nothing, the Registration desk looks registrations up, read-only."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.admin import registrations as registrations_admin
from registrations.admin.registrations import RegistrationAdmin
from registrations.models import Authority, ExportRecord, OutboundEmail, Registration
from tests.factories import RegistrationFactory, SessionFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

ORGANISERS, VIEWERS, DESK = "Organisers", "Viewers", "Registration desk"
APPS = ("registrations", "conference")
EXPORT_RECORDS = "admin:registrations_exportrecord_changelist"
EXPORT_JOBS = "admin:registrations_exportjob_changelist"
# Webhook endpoints hold their secret, the log what the organisers' systems answer: Organisers'.
WEBHOOK_LISTS = (
    "admin:registrations_webhookendpoint_changelist",
    "admin:registrations_webhookdelivery_changelist",
)
# API tokens act with their user's permissions: organisers manage their own, Viewers none.
API_TOKENS = "admin:registrations_apitoken_changelist"
# Visa letter requests hold passport data: Organisers', not Viewers'.
VISA_REQUESTS = "admin:registrations_visaletterrequest_changelist"


@pytest.fixture
def as_role(client):
    def login(group: str):
        user = get_user_model().objects.create_user(
            group.lower().replace(" ", "-"), password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        staff_login(client, user)
        return client

    return login


@pytest.fixture
def registration():
    return RegistrationFactory(
        dietary_needs="Coeliac, no gluten", accessibility_needs="Step-free access"
    )


@pytest.fixture
def export_urls(registration):
    session = SessionFactory(conference=registration.conference)
    return [
        reverse("admin:registrations_registration_export_csv"),
        reverse("admin:registrations_registration_export_xlsx"),
        reverse("admin:registrations_session_attendees_csv", args=[session.pk]),
        reverse("admin:registrations_session_attendees_xlsx", args=[session.pk]),
        reverse("admin:registrations_authority_delegations_csv"),
        reverse("admin:registrations_authority_delegations_xlsx"),
    ]


def changelist_urls() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label in APPS
    )


def offered_actions(client, url: str) -> list[str]:
    # The changelist shows no action form at all to whoever may run none of its actions.
    action_form = client.get(url).context["action_form"]
    return [name for name, _label in action_form.fields["action"].choices] if action_form else []


def group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


# --- The groups ---------------------------------------------------------------------------------


def test_organisers_hold_every_permission_of_both_apps():
    from django.contrib.auth.models import Permission

    every = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(
            content_type__app_label__in=APPS
        ).values_list("content_type__app_label", "codename")
    }

    assert group_permissions(ORGANISERS) == every
    assert {
        "registrations.view_special_needs",
        "registrations.export_registrations",
        "registrations.check_in",
    } <= every


def test_viewers_hold_view_permissions_only_without_needs_or_exports():
    permissions = group_permissions(VIEWERS)

    assert permissions
    assert all(permission.split(".")[1].startswith("view_") for permission in permissions)
    assert "registrations.view_registration" in permissions
    assert "conference.view_session" in permissions
    assert "conference.view_sessionchange" in permissions
    for withheld in (
        "registrations.view_special_needs",
        "registrations.export_registrations",
        "registrations.view_exportrecord",
        "registrations.view_exportjob",
        "registrations.view_sitevisitidentity",
        "registrations.view_visaletterrequest",
    ):
        assert withheld not in permissions


# --- Changelists --------------------------------------------------------------------------------


def test_every_changelist_of_both_apps_is_covered():
    assert len(changelist_urls()) >= 12


@pytest.mark.parametrize("url", changelist_urls())
def test_organisers_and_viewers_open_every_changelist(as_role, registration, url):
    for group in (ORGANISERS, VIEWERS):
        assert as_role(group).get(url).status_code == (
            403
            if group == VIEWERS
            and url
            in [
                reverse(name)
                for name in (EXPORT_RECORDS, EXPORT_JOBS, API_TOKENS, VISA_REQUESTS, *WEBHOOK_LISTS)
            ]
            else 200
        ), (group, url)


@pytest.mark.parametrize("url", changelist_urls())
def test_registration_desk_opens_no_admin_list(as_role, registration, url):
    # The desk works from the desk page: names, authority and category only.
    assert as_role(DESK).get(url).status_code == 403


def test_registration_desk_opens_the_desk_page(as_role, registration):
    url = reverse("registrations:desk", kwargs={"slug": registration.conference.slug})
    assert as_role(DESK).get(url).status_code == 200


@pytest.mark.parametrize(("group", "can_export"), [(ORGANISERS, True), (VIEWERS, False)])
def test_export_links_show_to_those_who_may_export(as_role, registration, group, can_export):
    content = as_role(group).get(reverse("admin:registrations_registration_changelist"))
    content = content.content.decode()

    assert ("Export attendee list (CSV)" in content) is can_export
    assert ("Export attendee list (XLSX)" in content) is can_export


@pytest.mark.parametrize("group", [VIEWERS])
@pytest.mark.parametrize("action", ["cancel_registrations", "resend_confirmation"])
def test_viewers_and_desk_cannot_run_registration_actions(as_role, registration, group, action):
    client = as_role(group)
    url = reverse("admin:registrations_registration_changelist")

    offered = offered_actions(client, url)
    client.post(url, {"action": action, "_selected_action": [registration.pk]})

    assert action not in offered
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert not OutboundEmail.objects.exists()


def test_viewers_cannot_mark_authorities_reviewed(as_role, registration):
    authority = registration.authority
    Authority.objects.filter(pk=authority.pk).update(needs_review=True)

    as_role(VIEWERS).post(
        reverse("admin:registrations_authority_changelist"),
        {"action": "mark_reviewed", "_selected_action": [authority.pk]},
    )

    authority.refresh_from_db()
    assert authority.needs_review is True


# --- Exports ------------------------------------------------------------------------------------


def test_organisers_get_every_export(as_role, export_urls):
    client = as_role(ORGANISERS)
    for url in export_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
    assert ExportRecord.objects.count() == len(export_urls)


@pytest.mark.parametrize("group", [VIEWERS, DESK])
def test_viewers_and_desk_get_no_export(as_role, export_urls, group):
    client = as_role(group)
    for url in export_urls:
        assert client.get(url).status_code == 403, url
    assert client.get(reverse(EXPORT_RECORDS)).status_code == 403
    assert ExportRecord.objects.count() == 0


def test_attendee_export_has_special_needs_for_organisers(as_role, registration):
    response = as_role(ORGANISERS).get(reverse("admin:registrations_registration_export_csv"))

    text = b"".join(response.streaming_content).decode("utf-8")
    header, row = text.splitlines()[:2]
    # Every field quoted (formula safety when read with another separator).
    assert header.endswith('"Dietary needs","Accessibility needs"')
    assert row.endswith('"Coeliac, no gluten","Step-free access"')
    assert ExportRecord.objects.get().special_needs is True


def test_attendee_export_without_special_needs_for_exporters_without_the_permission(
    client, registration
):
    user = get_user_model().objects.create_user("exporter", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=VIEWERS))
    user.user_permissions.add(
        *Group.objects.get(name=ORGANISERS).permissions.filter(codename="export_registrations")
    )
    staff_login(client, user)

    response = client.get(reverse("admin:registrations_registration_export_csv"))

    text = b"".join(response.streaming_content).decode("utf-8")
    assert "Dietary needs" not in text
    assert "Coeliac" not in text
    assert "Step-free" not in text
    assert ExportRecord.objects.get().special_needs is False


# --- Special needs in the registration admin ----------------------------------------------------


def test_organisers_see_special_needs_on_the_change_page(as_role, registration):
    url = reverse("admin:registrations_registration_change", args=[registration.pk])

    content = as_role(ORGANISERS).get(url).content.decode()

    assert "Dietary needs" in content
    assert "Coeliac, no gluten" in content
    assert "Step-free access" in content


@pytest.mark.parametrize("group", [VIEWERS])
def test_viewers_and_desk_see_no_special_needs_on_the_change_page(as_role, registration, group):
    url = reverse("admin:registrations_registration_change", args=[registration.pk])

    response = as_role(group).get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert registration.last_name in content  # the page is the registration's
    assert "Dietary needs" not in content
    assert "Coeliac" not in content
    assert "Step-free" not in content
    # Read-only: there is no form to save.
    assert 'name="_save"' not in content


def test_saving_without_the_special_needs_permission_keeps_the_needs(client, registration):
    user = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=VIEWERS))
    user.user_permissions.add(
        *Group.objects.get(name=ORGANISERS).permissions.filter(codename="change_registration")
    )
    staff_login(client, user)
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    form = client.get(url).context["adminform"].form
    assert "dietary_needs" not in form.fields

    data = {name: form[name].value() or "" for name in form.fields}
    data |= {
        "dietary_needs": "",
        "accessibility_needs": "",
        "job_title": "Mayor",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
        "emails-TOTAL_FORMS": "0",
        "emails-INITIAL_FORMS": "0",
        "bookings-TOTAL_FORMS": "0",
        "bookings-INITIAL_FORMS": "0",
        "answers-TOTAL_FORMS": "0",
        "answers-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    registration.refresh_from_db()
    assert registration.job_title == "Mayor"
    assert registration.dietary_needs == "Coeliac, no gluten"


@pytest.mark.parametrize(("group", "status"), [(ORGANISERS, 200), (VIEWERS, 400), (DESK, 403)])
def test_only_organisers_may_filter_by_special_needs(as_role, registration, group, status):
    response = as_role(group).get(
        reverse("admin:registrations_registration_changelist"),
        {"dietary_needs__icontains": "gluten"},
    )

    assert response.status_code == status


def test_search_never_reaches_special_needs_without_the_permission(
    as_role, registration, monkeypatch
):
    # Were the needs ever made searchable, a search must not reveal them to others.
    monkeypatch.setattr(
        RegistrationAdmin, "search_fields", [*RegistrationAdmin.search_fields, "dietary_needs"]
    )
    url = reverse("admin:registrations_registration_changelist")

    organisers = as_role(ORGANISERS).get(url, {"q": "gluten"})
    viewers = as_role(VIEWERS).get(url, {"q": "gluten"})

    assert list(organisers.context["cl"].queryset) == [registration]
    assert list(viewers.context["cl"].queryset) == []


# --- The registration changelist on a large table ----------------------------------------------
# (Here rather than in test_admin.py, which other work is changing at the same time.)


def registration_counts(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if "COUNT(" in query["sql"].upper() and "registrations_registration" in query["sql"]
    ]


def test_registration_changelist_counts_the_filtered_list_only(admin_client, registration):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(
            reverse("admin:registrations_registration_changelist"), {"status__exact": "confirmed"}
        )

    assert response.context["cl"].result_count == 1
    # Not a second COUNT(*) of the whole table for "(n total)".
    assert len(registration_counts(captured)) == 1


@pytest.mark.postgres
def test_unfiltered_registration_changelist_estimates_a_large_count(admin_client, monkeypatch):
    monkeypatch.setattr(registrations_admin, "ESTIMATE_COUNT_ABOVE", 2)
    RegistrationFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registrations_registration")
    url = reverse("admin:registrations_registration_changelist")

    with CaptureQueriesContext(connection) as unfiltered:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 3
    assert registration_counts(unfiltered) == []

    with CaptureQueriesContext(connection) as filtered:
        response = admin_client.get(url, {"status__exact": "confirmed"})
    assert response.context["cl"].result_count == 3
    assert len(registration_counts(filtered)) == 1


@pytest.mark.parametrize(
    ("group", "can_print"), [(ORGANISERS, True), (VIEWERS, False), (DESK, True)]
)
def test_badge_printing_is_its_own_permission(group, can_print):
    assert ("registrations.print_badges" in group_permissions(group)) is can_print


@pytest.mark.parametrize("group", [VIEWERS])
def test_viewers_are_not_offered_badge_printing_and_get_no_badges(as_role, registration, group):
    client = as_role(group)
    url = reverse("admin:registrations_registration_changelist")

    offered = offered_actions(client, url)
    response = client.post(
        url, {"action": "print_badges_by_name", "_selected_action": [registration.pk]}
    )

    assert "print_badges_by_name" not in offered
    assert "print_badges_by_authority" not in offered
    assert response.get("Content-Type") != "application/pdf"


def test_organisers_print_badges_from_the_list(as_role, registration):
    response = as_role(ORGANISERS).post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "print_badges_by_name", "_selected_action": [registration.pk]},
    )

    assert response["Content-Type"] == "application/pdf"


def test_only_organisers_may_book_over_capacity():
    assert "registrations.book_over_capacity" in group_permissions(ORGANISERS)
    assert "registrations.book_over_capacity" not in group_permissions(VIEWERS)
    assert "registrations.book_over_capacity" not in group_permissions(DESK)
