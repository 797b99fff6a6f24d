"""The logistics read from the answers match the answers given: meals per day and per diet
(exact: the diet is a choice), the gala dinner's list, arrivals and departures per hour and
place, counts per choice on the dashboard; only confirmed delegates count, and diets only for
staff who may see special needs."""

import datetime as dt
import io
import zoneinfo

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import ExportRecord, QuestionType, Registration
from registrations.organiser.dashboard import conference_dashboard
from registrations.organiser.logistics import logistics_lines
from registrations.questions.builtin import (
    BUILTIN_ARRIVAL_AT,
    BUILTIN_ARRIVAL_NUMBER,
    BUILTIN_ARRIVAL_PLACE,
    BUILTIN_DAYS_ATTENDED,
    BUILTIN_DEPARTURE_AT,
    BUILTIN_DEPARTURE_NUMBER,
    BUILTIN_DEPARTURE_PLACE,
    BUILTIN_DIET,
    BUILTIN_DIET_OTHER,
    BUILTIN_MEALS,
)
from registrations.questions.figures import (
    ChoiceTally,
    gala_guests,
    meal_counts,
    other_diets,
    question_counts,
    question_figures,
    transfer_hours,
    travel_legs,
)
from tests.factories import AuthorityFactory, ConferenceFactory, RegistrationFactory
from tests.factories.questions import QuestionFactory
from tests.registrations.questions.answering import answer, builtin, choose
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
Status = Registration.Status


def paris(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def world():
    """Nice, 10 to 12 June 2026. Confirmed: Bernard (lunches on the 10th and 11th, gala; vegan
    and gluten-free; lands at the airport at 18:20 on the 9th, leaves by train at 17:05 on the
    12th), Albers (lunch on the 10th, gala; "other": no celery; lands at 18:45 on the 9th),
    Costa (lunch on the 11th; no diet; arrives by train at 08:10 on the 10th). Not counted: a
    cancelled and a waiting delegate who answered alike."""
    conference = ConferenceFactory(
        slug="nice",
        time_zone="Europe/Paris",
        start_date=dt.date(2026, 6, 10),
        end_date=dt.date(2026, 6, 12),
    )
    q = {
        key: builtin(conference, key)
        for key in (
            BUILTIN_DAYS_ATTENDED,
            BUILTIN_MEALS,
            BUILTIN_DIET,
            BUILTIN_DIET_OTHER,
            BUILTIN_ARRIVAL_AT,
            BUILTIN_ARRIVAL_PLACE,
            BUILTIN_ARRIVAL_NUMBER,
            BUILTIN_DEPARTURE_AT,
            BUILTIN_DEPARTURE_PLACE,
            BUILTIN_DEPARTURE_NUMBER,
        )
    }
    photo = QuestionFactory(conference=conference, type=QuestionType.YES_NO, label_en="Photos")
    liege = AuthorityFactory(name="Liège", country="BE")
    nice = AuthorityFactory(name="Nice", country="FR")

    def register(last_name, status=Status.CONFIRMED, authority=liege):
        return RegistrationFactory(
            conference=conference,
            first_name="Eva",
            last_name=last_name,
            status=status,
            authority=authority,
        )

    bernard = register("Bernard")
    choose(bernard, q[BUILTIN_DAYS_ATTENDED], "day:2026-06-10", "day:2026-06-11")
    choose(bernard, q[BUILTIN_MEALS], "lunch:2026-06-10", "lunch:2026-06-11", "gala_dinner")
    choose(bernard, q[BUILTIN_DIET], "vegan", "gluten_free")
    answer(bernard, q[BUILTIN_ARRIVAL_AT], value_datetime=paris(9, 18, 20))
    choose(bernard, q[BUILTIN_ARRIVAL_PLACE], "airport")
    answer(bernard, q[BUILTIN_ARRIVAL_NUMBER], value_text="AF7700")
    answer(bernard, q[BUILTIN_DEPARTURE_AT], value_datetime=paris(12, 17, 5))
    choose(bernard, q[BUILTIN_DEPARTURE_PLACE], "station")
    answer(bernard, q[BUILTIN_DEPARTURE_NUMBER], value_text="TGV 6178")
    answer(bernard, photo, value_bool=True)

    albers = register("Albers", authority=nice)
    choose(albers, q[BUILTIN_DAYS_ATTENDED], "day:2026-06-10")
    choose(albers, q[BUILTIN_MEALS], "lunch:2026-06-10", "gala_dinner")
    choose(albers, q[BUILTIN_DIET], "other")
    answer(albers, q[BUILTIN_DIET_OTHER], value_text="No celery")
    answer(albers, q[BUILTIN_ARRIVAL_AT], value_datetime=paris(9, 18, 45))
    choose(albers, q[BUILTIN_ARRIVAL_PLACE], "airport")
    answer(albers, photo, value_bool=False)

    costa = register("Costa")
    choose(costa, q[BUILTIN_MEALS], "lunch:2026-06-11")
    answer(costa, q[BUILTIN_ARRIVAL_AT], value_datetime=paris(10, 8, 10))
    choose(costa, q[BUILTIN_ARRIVAL_PLACE], "station")
    answer(costa, photo, value_bool=True)

    for status in (Status.CANCELLED, Status.WAITLISTED):
        other = register(f"Not{status}", status=status)
        choose(other, q[BUILTIN_DAYS_ATTENDED], "day:2026-06-10")
        choose(other, q[BUILTIN_MEALS], "lunch:2026-06-10", "gala_dinner")
        choose(other, q[BUILTIN_DIET], "vegan")
        answer(other, q[BUILTIN_DIET_OTHER], value_text="Only soup")
        answer(other, q[BUILTIN_ARRIVAL_AT], value_datetime=paris(9, 18, 30))
        choose(other, q[BUILTIN_ARRIVAL_PLACE], "airport")
        answer(other, photo, value_bool=True)
    return {"conference": conference, "q": q, "photo": photo}


def diets(meal) -> dict[str, int]:
    return {tally.key: tally.count for tally in meal.diets if tally.count}


def test_meals_per_day_and_per_diet_count_the_confirmed_takers_exactly(world):
    meals = {
        meal.choice.builtin: meal for meal in meal_counts(world["conference"], special_needs=True)
    }

    assert list(meals) == [
        "lunch:2026-06-10",
        "lunch:2026-06-11",
        "lunch:2026-06-12",
        "gala_dinner",
    ]
    assert [(m.day, m.count, m.without_diet) for m in meals.values()] == [
        (dt.date(2026, 6, 10), 2, 0),
        (dt.date(2026, 6, 11), 2, 1),
        (dt.date(2026, 6, 12), 0, 0),
        (None, 2, 0),
    ]
    assert diets(meals["lunch:2026-06-10"]) == {"vegan": 1, "gluten_free": 1, "other": 1}
    assert diets(meals["lunch:2026-06-11"]) == {"vegan": 1, "gluten_free": 1}
    assert diets(meals["gala_dinner"]) == {"vegan": 1, "gluten_free": 1, "other": 1}
    # Every diet of the question is listed, in its order.
    assert [tally.key for tally in meals["gala_dinner"].diets][:3] == [
        "vegetarian",
        "vegan",
        "halal",
    ]


def test_meals_without_the_permission_keep_their_totals_and_drop_the_diets(world):
    meals = meal_counts(world["conference"], special_needs=False)

    assert [(m.count, m.diets, m.without_diet) for m in meals] == [
        (2, None, None),
        (2, None, None),
        (0, None, None),
        (2, None, None),
    ]


def test_other_diets_list_the_confirmed_delegates_and_their_words(world):
    assert [(o.name, o.authority, o.text) for o in other_diets(world["conference"])] == [
        ("Eva Albers", "Nice", "No celery"),
    ]


def test_gala_list_names_the_confirmed_guests_by_name_with_their_diet(world):
    guests = gala_guests(world["conference"], special_needs=True)
    hidden = gala_guests(world["conference"], special_needs=False)

    assert [(g.last_name, g.authority, g.country, g.diet) for g in guests] == [
        ("Albers", "Nice", "FR", "No celery"),
        ("Bernard", "Liège", "BE", "Vegan; Gluten-free"),
    ]
    assert [(g.last_name, g.diet) for g in hidden] == [("Albers", None), ("Bernard", None)]


def test_arrivals_and_departures_per_hour_and_place(world):
    legs = travel_legs(world["conference"])

    assert [(leg.direction, leg.at, leg.place, leg.number, leg.last_name) for leg in legs] == [
        ("arrival", paris(9, 18, 20), "airport", "AF7700", "Bernard"),
        ("arrival", paris(9, 18, 45), "airport", "", "Albers"),
        ("arrival", paris(10, 8, 10), "station", "", "Costa"),
        ("departure", paris(12, 17, 5), "station", "TGV 6178", "Bernard"),
    ]
    assert [
        (h.direction, h.hour, h.airport, h.station, h.other, h.total) for h in transfer_hours(legs)
    ] == [
        ("arrival", paris(9, 18), 2, 0, 0, 2),
        ("arrival", paris(10, 8), 0, 1, 0, 1),
        ("departure", paris(12, 17), 0, 1, 0, 1),
    ]


def test_counts_per_choice_of_each_question(world):
    counts = {c.question.pk: c for c in question_counts(world["conference"], special_needs=True)}
    days = counts[world["q"][BUILTIN_DAYS_ATTENDED].pk]
    photo = counts[world["photo"].pk]

    assert [(t.label, t.count) for t in days.choices] == [
        ("Wednesday 10 June 2026", 2),
        ("Thursday 11 June 2026", 1),
        ("Friday 12 June 2026", 0),
    ]
    assert days.answered == 2
    assert photo.choices == [ChoiceTally("yes", "Yes", 2), ChoiceTally("no", "No", 1)]
    assert world["q"][BUILTIN_DIET].pk in counts
    hidden = question_counts(world["conference"], special_needs=False)
    assert world["q"][BUILTIN_DIET].pk not in {c.question.pk for c in hidden}
    # Text and date questions are not counted.
    assert world["q"][BUILTIN_ARRIVAL_AT].pk not in counts


def test_logistics_export_lines_hold_the_meals_chosen_per_diet(world):
    dashboard = conference_dashboard(world["conference"], special_needs=True)
    lines = [
        (line.day, line.item, line.count)
        for line in logistics_lines(dashboard)
        if line.figure == "Meals chosen"
    ]

    assert (dt.date(2026, 6, 10), "Lunch, Wednesday 10 June 2026", 2) in lines
    assert (dt.date(2026, 6, 10), "Lunch, Wednesday 10 June 2026: Vegan", 1) in lines
    assert (None, "Gala dinner: No dietary requirement", 0) in lines
    assert (None, "Gala dinner", 2) in lines


# --- The dashboard and its sheets ---------------------------------------------------------------


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def organiser(django_user_model):
    user = django_user_model.objects.create_user("organiser", password="x", is_staff=True)
    grant(user, "view_registration", "export_registrations")
    return user


def test_dashboard_shows_the_answers_figures_and_charts(client, world, organiser):
    grant(organiser, "view_special_needs")
    staff_login(client, organiser)

    response = client.get(reverse("admin:conference_dashboard", args=["nice"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Only confirmed delegates are counted." in page
    assert f'data-question="{world["photo"].pk}"' in page
    charts = response.context["charts"]["question_counts"]
    photo_chart = next(chart for counts, chart in charts if counts.question == world["photo"])
    assert "Photos: Yes: 2; No: 1." in str(photo_chart)
    assert "No celery" in page
    assert 'data-diet="vegan">1<' in page
    assert "Albers, Eva" in page


def test_dashboard_hides_special_category_answers_without_the_permission(client, world, organiser):
    staff_login(client, organiser)

    response = client.get(reverse("admin:conference_dashboard", args=["nice"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "No celery" not in page
    assert "Vegan; Gluten-free" not in page
    assert f'data-question="{world["q"][BUILTIN_DIET].pk}"' not in page
    assert 'data-diet="' not in page
    assert "Albers, Eva" in page  # the gala list, without the diets


def sheet(client, name: str) -> list[tuple]:
    response = client.get(reverse("admin:conference_answer_sheet", args=["nice", name, "xlsx"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def test_gala_sheet_in_xlsx_with_diets_only_for_special_needs(client, world, organiser):
    staff_login(client, organiser)
    rows = sheet(client, "gala")
    assert rows[0] == ("Reference", "Last name", "First name", "City or region", "Country code")
    assert [row[1:] for row in rows[1:]] == [
        ("Albers", "Eva", "Nice", "FR"),
        ("Bernard", "Eva", "Liège", "BE"),
    ]
    grant(organiser, "view_special_needs")
    organiser = type(organiser).objects.get(pk=organiser.pk)
    staff_login(client, organiser)
    rows = sheet(client, "gala")
    assert rows[0][-1] == "Dietary requirements"
    assert [row[-1] for row in rows[1:]] == ["No celery", "Vegan; Gluten-free"]
    record = ExportRecord.objects.latest("pk")
    assert (record.kind, record.rows, record.special_needs) == ("logistics", 2, True)


def test_travel_sheets_hold_real_times_and_numbers(client, world, organiser):
    staff_login(client, organiser)

    travel = sheet(client, "travel")
    hours = sheet(client, "transfer_hours")

    assert travel[0] == (
        "Direction",
        "Day",
        "Time",
        "Place",
        "Flight or train number",
        "Reference",
        "Last name",
        "First name",
    )
    first = travel[1]
    assert first[0] == "Arrival"
    assert first[1] == dt.datetime(2026, 6, 9)  # a date cell (openpyxl reads it as datetime)
    assert first[2] == dt.datetime(2026, 6, 9, 18, 20)
    assert first[3:5] == ("Airport", "AF7700")
    assert [row[0] for row in travel[1:]] == ["Arrival"] * 3 + ["Departure"]
    assert hours[0][3:] == ("Airport", "Railway station", "Other or not given", "Total")
    assert hours[1][2] == dt.datetime(2026, 6, 9, 18, 0)
    assert hours[1][3:] == (2, 0, 0, 2)
    assert all(isinstance(value, int) for value in hours[1][3:])


def test_answer_sheets_need_the_export_permission(client, world, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    grant(viewer, "view_registration")
    staff_login(client, viewer)

    url = reverse("admin:conference_answer_sheet", args=["nice", "gala", "xlsx"])
    assert client.get(url).status_code == 403


def test_unknown_answer_sheet_is_not_found(client, world, organiser):
    staff_login(client, organiser)
    url = reverse("admin:conference_answer_sheet", args=["nice", "hotel", "xlsx"])
    assert client.get(url).status_code == 404


def test_answer_figures_cost_a_fixed_number_of_queries(world):
    conference = world["conference"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            question_figures(conference, special_needs=True)
        return len(captured)

    few = queries()
    for number in range(20):
        delegate = RegistrationFactory(conference=conference, last_name=f"Extra{number}")
        choose(delegate, world["q"][BUILTIN_MEALS], "gala_dinner")
        choose(delegate, world["q"][BUILTIN_DIET], "halal")
        answer(delegate, world["q"][BUILTIN_ARRIVAL_AT], value_datetime=paris(9, 12))
    many = queries()

    assert few == many
    # Questions, their choices, the choices made, the values, the people named.
    assert many == 5
    gala = question_figures(conference, special_needs=True).gala
    assert len(gala) == 22
