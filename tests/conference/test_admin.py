import pytest
from django.urls import reverse

from conference.models import Session
from tests.admin_forms import change_form_data
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

CHANGE = "admin:conference_session_change"


def test_session_change_page_edits_both_languages(admin_client):
    session = SessionFactory(title_en="Youth, sport and prevention", title_fr="")

    page = admin_client.get(reverse(CHANGE, args=[session.pk]))

    form = page.context["adminform"].form
    for field in ("title", "description", "location"):
        assert f"{field}_en" in form.fields
        assert f"{field}_fr" in form.fields
        assert field not in form.fields
    assert form["title_en"].value() == "Youth, sport and prevention"
    content = page.content.decode()
    assert 'name="title_en"' in content
    assert 'name="title_fr"' in content


def test_session_change_saves_both_languages(admin_client):
    session = SessionFactory(title_en="Youth, sport and prevention")
    url = reverse(CHANGE, args=[session.pk])
    data = {
        **change_form_data(admin_client.get(url)),
        "title_fr": "Jeunesse, sport et prévention",
        "description_en": "Sport and street work.",
        "description_fr": "Le sport et le travail de rue.",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    saved = Session.objects.values("title_en", "title_fr", "description_en", "description_fr").get(
        pk=session.pk
    )
    assert saved == {
        "title_en": "Youth, sport and prevention",
        "title_fr": "Jeunesse, sport et prévention",
        "description_en": "Sport and street work.",
        "description_fr": "Le sport et le travail de rue.",
    }


FRENCH_FIELDS = {
    "venue": {"name_fr"},
    "room": {"name_fr"},
    "conference": {
        "name_fr",
        "tagline_fr",
        "description_fr",
        "organiser_fr",
        "letter_signatory_title_fr",
    },
    "speaker": {"role_fr", "organisation_fr", "biography_fr"},
    "theme": {"name_fr"},
    "session": {"title_fr", "description_fr", "location_fr", "meeting_point_fr"},
}


@pytest.mark.parametrize("model", sorted(FRENCH_FIELDS))
def test_admin_add_page_and_search_of_translated_models_work(admin_client, model):
    SessionFactory(title_en="Youth, sport and prevention", title_fr="Jeunesse, sport et prévention")

    add = admin_client.get(reverse(f"admin:conference_{model}_add"))
    search = admin_client.get(reverse(f"admin:conference_{model}_changelist"), {"q": "a"})

    assert add.status_code == 200
    assert search.status_code == 200
    fields = add.context["adminform"].form.fields
    assert {name for name in fields if name.endswith("_fr")} == FRENCH_FIELDS[model]


def test_session_search_finds_either_language(admin_client):
    SessionFactory(title_en="Youth, sport and prevention", title_fr="Jeunesse, sport et prévention")
    SessionFactory(title_en="Lunch", title_fr="Déjeuner")

    found = admin_client.get(reverse("admin:conference_session_changelist"), {"q": "Jeunesse"})

    assert [session.title for session in found.context["cl"].result_list] == [
        "Youth, sport and prevention"
    ]
