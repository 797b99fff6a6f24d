"""The built-in questions, which the logistics read by their `builtin` key rather than by their
wording: the days a delegate attends, the meals, a structured diet, arrival and departure.

Every conference gets them when it is created (registrations.apps connects the signal: the
conference app knows nothing of registrations); `questions_builtin_create` adds them to older
ones. Organisers may reword them, reorder them or switch them off (`active`); they are never
created twice, and one deleted on purpose comes back only through that command. Their labels
are organisers' content, in both languages (a column per language), hence written out here
rather than through the interface's message catalogue."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, translation

from conference.models import Conference
from conference.page_cache import questions_changed
from registrations.models import Question, QuestionChoice, QuestionType

BUILTIN_DAYS_ATTENDED = "days_attended"
BUILTIN_MEALS = "meals"
BUILTIN_DIET = "diet"
BUILTIN_DIET_OTHER = "diet_other"
BUILTIN_ARRIVAL_AT = "arrival_at"
BUILTIN_ARRIVAL_PLACE = "arrival_place"
BUILTIN_ARRIVAL_NUMBER = "arrival_number"
BUILTIN_DEPARTURE_AT = "departure_at"
BUILTIN_DEPARTURE_PLACE = "departure_place"
BUILTIN_DEPARTURE_NUMBER = "departure_number"

CHOICE_GALA_DINNER = "gala_dinner"
CHOICE_DIET_OTHER = "other"
# Where a delegate arrives or leaves from, for the transfers.
CHOICE_AIRPORT = "airport"
CHOICE_STATION = "station"
CHOICE_OTHER_WAY = "other"

DIET_CHOICES = (
    ("vegetarian", "Vegetarian", "Végétarien"),
    ("vegan", "Vegan", "Végétalien (vegan)"),
    ("halal", "Halal", "Halal"),
    ("kosher", "Kosher", "Casher"),
    ("no_pork", "No pork", "Sans porc"),
    ("gluten_free", "Gluten-free", "Sans gluten"),
    ("lactose_free", "Lactose-free", "Sans lactose"),
    ("nut_allergy", "Nut allergy", "Allergie aux fruits à coque"),
    (CHOICE_DIET_OTHER, "Other (please say below)", "Autre (précisez ci-dessous)"),
)

PLACE_CHOICES = (
    (CHOICE_AIRPORT, "Airport", "Aéroport"),
    (CHOICE_STATION, "Railway station", "Gare"),
    (CHOICE_OTHER_WAY, "Other (car, coach…)", "Autre (voiture, car…)"),
)


def day_key(day: datetime.date) -> str:
    return f"day:{day.isoformat()}"


def lunch_key(day: datetime.date) -> str:
    return f"lunch:{day.isoformat()}"


def _day_label(day: datetime.date, language: str) -> str:
    # Django's own catalogues name the days and months in both languages.
    with translation.override(language):
        return formats.date_format(day, "l j F Y")


@dataclass(frozen=True)
class ChoiceSpec:
    builtin: str
    label_en: str
    label_fr: str


@dataclass(frozen=True)
class QuestionSpec:
    builtin: str
    type: str
    label_en: str
    label_fr: str
    help_en: str = ""
    help_fr: str = ""
    special_category: bool = False
    choices: tuple[ChoiceSpec, ...] = ()


def conference_days(conference: Conference) -> list[datetime.date]:
    count = (conference.end_date - conference.start_date).days + 1
    return [conference.start_date + datetime.timedelta(days=n) for n in range(count)]


def _day_choices(conference: Conference) -> tuple[ChoiceSpec, ...]:
    return tuple(
        ChoiceSpec(day_key(day), _day_label(day, "en"), _day_label(day, "fr"))
        for day in conference_days(conference)
    )


def _meal_choices(conference: Conference) -> tuple[ChoiceSpec, ...]:
    lunches = tuple(
        ChoiceSpec(
            lunch_key(day),
            f"Lunch, {_day_label(day, 'en')}",
            f"Déjeuner, {_day_label(day, 'fr')}",
        )
        for day in conference_days(conference)
    )
    return (*lunches, ChoiceSpec(CHOICE_GALA_DINNER, "Gala dinner", "Dîner de gala"))


def builtin_question_specs(conference: Conference) -> list[QuestionSpec]:
    """The built-in questions as a new conference gets them, in their order."""
    places = tuple(ChoiceSpec(*choice) for choice in PLACE_CHOICES)
    return [
        QuestionSpec(
            BUILTIN_DAYS_ATTENDED,
            QuestionType.MULTIPLE_CHOICE,
            "Days you attend",
            "Jours de présence",
            choices=_day_choices(conference),
        ),
        QuestionSpec(
            BUILTIN_MEALS,
            QuestionType.MULTIPLE_CHOICE,
            "Meals you will take",
            "Repas auxquels vous participerez",
            choices=_meal_choices(conference),
        ),
        QuestionSpec(
            BUILTIN_DIET,
            QuestionType.MULTIPLE_CHOICE,
            "Dietary requirements",
            "Régime alimentaire",
            "Optional. Tick all that apply.",
            "Facultatif. Cochez tout ce qui s’applique.",
            special_category=True,
            choices=tuple(ChoiceSpec(*choice) for choice in DIET_CHOICES),
        ),
        QuestionSpec(
            BUILTIN_DIET_OTHER,
            QuestionType.TEXT,
            "Other dietary requirement",
            "Autre régime alimentaire",
            "If you ticked “Other”.",
            "Si vous avez coché « Autre ».",
            special_category=True,
        ),
        QuestionSpec(
            BUILTIN_ARRIVAL_AT,
            QuestionType.DATETIME,
            "Arrival: date and time",
            "Arrivée : date et heure",
            "For the transfers, in local time.",
            "Pour les transferts, en heure locale.",
        ),
        QuestionSpec(
            BUILTIN_ARRIVAL_PLACE,
            QuestionType.SINGLE_CHOICE,
            "Arrival: you arrive at",
            "Arrivée : vous arrivez à",
            choices=places,
        ),
        QuestionSpec(
            BUILTIN_ARRIVAL_NUMBER,
            QuestionType.TEXT,
            "Arrival: flight or train number",
            "Arrivée : numéro de vol ou de train",
        ),
        QuestionSpec(
            BUILTIN_DEPARTURE_AT,
            QuestionType.DATETIME,
            "Departure: date and time",
            "Départ : date et heure",
            "For the transfers, in local time.",
            "Pour les transferts, en heure locale.",
        ),
        QuestionSpec(
            BUILTIN_DEPARTURE_PLACE,
            QuestionType.SINGLE_CHOICE,
            "Departure: you leave from",
            "Départ : vous partez de",
            choices=places,
        ),
        QuestionSpec(
            BUILTIN_DEPARTURE_NUMBER,
            QuestionType.TEXT,
            "Departure: flight or train number",
            "Départ : numéro de vol ou de train",
        ),
    ]


# Built-in questions come first, ten apart, so that organisers can slot theirs in between.
POSITION_STEP = 10


def _choices_add_missing(question: Question, specs: tuple[ChoiceSpec, ...]) -> int:
    # One query for both: every save of a conference (each test's too) comes through here.
    rows = list(question.choices.values_list("builtin", "position"))
    held = {builtin for builtin, _ in rows}
    missing = [spec for spec in specs if spec.builtin not in held]
    if not missing:
        return 0
    # New days come in date order after those held; other choices after the organisers' own.
    last = max((position for _, position in rows), default=0)
    QuestionChoice.objects.bulk_create(
        QuestionChoice(
            question=question,
            builtin=spec.builtin,
            label_en=spec.label_en,
            label_fr=spec.label_fr,
            position=last + (index + 1) * POSITION_STEP,
        )
        for index, spec in enumerate(missing)
    )
    return len(missing)


def builtin_questions_create(conference: Conference) -> list[Question]:
    """Create the built-in questions the conference lacks (all of them for a new one); returns
    those created. The questions it holds already are left as the organisers set them."""
    with transaction.atomic():
        held = set(conference.questions.exclude(builtin="").values_list("builtin", flat=True))
        specs = [
            (index, spec)
            for index, spec in enumerate(builtin_question_specs(conference))
            if spec.builtin not in held
        ]
        # One insert for the questions and one for their choices: every conference created
        # (each test's too) goes through here.
        created = Question.objects.bulk_create(
            Question(
                conference=conference,
                builtin=spec.builtin,
                type=spec.type,
                position=(index + 1) * POSITION_STEP,
                label_en=spec.label_en,
                label_fr=spec.label_fr,
                help_text_en=spec.help_en,
                help_text_fr=spec.help_fr,
                special_category=spec.special_category,
            )
            for index, spec in specs
        )
        # A question just created holds no choice yet: all of its own, in order.
        QuestionChoice.objects.bulk_create(
            QuestionChoice(
                question=question,
                builtin=choice.builtin,
                label_en=choice.label_en,
                label_fr=choice.label_fr,
                position=(index + 1) * POSITION_STEP,
            )
            for question, (_, spec) in zip(created, specs, strict=True)
            for index, choice in enumerate(spec.choices)
        )
    if created:
        # Rows created in bulk send no post_save, which retires the cached registration form
        # (registrations.forms.rendering): retired here, now and again once committed.
        conference_id = conference.pk
        questions_changed(conference_id)
        transaction.on_commit(lambda: questions_changed(conference_id))
    return created


def builtin_day_choices_sync(conference: Conference) -> int:
    """Once the conference's dates change, its days and lunches gain the days they lack (a day
    no longer in the dates stays, with its answers, for the organisers to delete). Returns
    how many choices were added."""
    added = 0
    with transaction.atomic():
        questions = {
            question.builtin: question
            for question in conference.questions.filter(
                builtin__in=[BUILTIN_DAYS_ATTENDED, BUILTIN_MEALS]
            )
        }
        if BUILTIN_DAYS_ATTENDED in questions:
            added += _choices_add_missing(
                questions[BUILTIN_DAYS_ATTENDED], _day_choices(conference)
            )
        if BUILTIN_MEALS in questions:
            added += _choices_add_missing(questions[BUILTIN_MEALS], _meal_choices(conference))
    if added:
        # Created in bulk, without signals: the cached registration form is retired here, now
        # and once committed (a conference's save retires it too; the command does not save).
        conference_id = conference.pk
        questions_changed(conference_id)
        transaction.on_commit(lambda: questions_changed(conference_id))
    return added


def builtin_questions_on_conference_save(
    sender: type, instance: Conference, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """post_save of Conference (connected in registrations.apps): a new conference gets the
    built-in questions, a changed one the days its dates gained. Not for fixtures (raw)."""
    if raw:
        return
    if created:
        builtin_questions_create(instance)
    else:
        builtin_day_choices_sync(instance)
