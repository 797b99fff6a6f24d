"""The organisers' own questions, per conference, and the delegates' answers.

Design:
- A `Question` belongs to one conference, is ordered by `position`, has a `type`, a bilingual
  label and help text (django-modeltranslation: `label_en`/`label_fr`…), may be required, and is
  asked of the participant categories in `categories` (Registration.Category values; empty: all).
  `active` switches it off without losing its answers.
- Built-in questions carry a `builtin` key (unique per conference; empty for the organisers'
  own) that the logistics read, so that their meaning does not depend on an organiser's
  wording: days_attended, meals, diet,
  diet_other, arrival_at, arrival_place, arrival_number, departure_at, departure_place,
  departure_number (registrations.questions.builtin). Arrival and departure are a small group
  of plain questions (a date and time, a single choice of airport/station, a text), not a
  composite type: each is then validated, exported and filtered like any other.
- A choice (`QuestionChoice`) of a single or multiple choice question has a bilingual label,
  a position, an optional `capacity` (the gala dinner's seats) and its own `builtin` key
  (vegan, gala_dinner, lunch:2026-06-10, day:2026-06-10, airport…). Its capacity is decided
  under its row's lock, taken by places_lock after the sessions, by id; the choices held are
  counted then among active registrations' answers, a count bounded by the capacity itself.
  A full choice is refused at sign-up with a message beside the field (no waiting list).
- `special_category` marks diet, health or accessibility questions: their answers need the
  delegate's special-needs consent (ConsentRecord.Kind.SPECIAL_NEEDS, as the dietary and
  accessibility fields), are shown only with registrations.view_special_needs, and are deleted
  at the retention schedule's needs deadline (retention_deadlines(conference).needs).
- An `Answer` is one registration's answer to one question (one row per pair). Its value sits in
  the typed column of the question's type: value_text (text, long text), value_number,
  value_date, value_datetime, value_bool (yes/no), value_country, file (+ file_name,
  file_content_type), or `choices` (single and multiple choice, an M2M to QuestionChoice).
  `question_label` and `choice_labels` are copies taken when the answer is saved, so that an
  answer stays readable after its question or choices are changed or deleted. Deleting a
  question deletes its answers (CASCADE: the admin's confirmation lists them with their count).
- Files are kept in the default storage under answers/, which the site never serves as media:
  they are downloaded through a view that checks the permission.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from conference.models import Conference
from registrations.models.registrations import Registration


class QuestionType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes or no")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    COUNTRY = "country", _("Country")
    FILE = "file", _("File (PDF, JPEG or PNG)")


CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)


class Question(models.Model):
    conference = models.ForeignKey(
        Conference,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("conference"),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Questions are asked in this order, lowest first.")
    )
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    categories = models.JSONField(
        _("asked of"),
        default=list,
        blank=True,
        help_text=_("The participant categories asked; none means everyone."),
    )
    special_category = models.BooleanField(
        _("dietary, health or accessibility data"),
        default=False,
        help_text=_(
            "Answers need the delegate's separate consent, are shown only to staff who may "
            "see special needs, and are deleted with the needs after the conference."
        ),
    )
    builtin = models.CharField(
        _("built-in meaning"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Set for the questions the logistics read; the site creates them."),
    )
    active = models.BooleanField(
        _("asked"), default=True, help_text=_("Switched off, it is no longer asked.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["conference", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "builtin"],
                condition=~Q(builtin=""),
                name="question_one_builtin_per_conference",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def has_choices(self) -> bool:
        return self.type in CHOICE_TYPES

    def asked_of(self, category: str) -> bool:
        return not self.categories or category in self.categories


class QuestionChoice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("choice"), max_length=200)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("How many delegates may choose it; empty means no limit."),
    )
    builtin = models.CharField(_("built-in meaning"), max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "builtin"],
                condition=~Q(builtin=""),
                name="question_choice_one_builtin_per_question",
            ),
        ]

    def __str__(self) -> str:
        return self.label


def answer_file_path(answer: "Answer", filename: str) -> str:
    # A random name: the delegate's own file name is kept in file_name, never in the path.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    name = secrets.token_urlsafe(16)
    return f"answers/{answer.question.conference_id}/{name}.{extension}".rstrip(".")


class Answer(models.Model):
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("registration"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    # Copies taken when saved, in the site's default language: what the delegate answered
    # stays readable once the question's wording or its choices change or go.
    question_label = models.CharField(_("question as asked"), max_length=300)
    value_text = models.TextField(_("text"), blank=True)
    value_number = models.DecimalField(
        _("number"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    value_date = models.DateField(_("date"), null=True, blank=True)
    value_datetime = models.DateTimeField(_("date and time"), null=True, blank=True)
    value_bool = models.BooleanField(_("yes or no"), null=True, blank=True)
    value_country = CountryField(verbose_name=_("country"), blank=True)
    choices = models.ManyToManyField(
        QuestionChoice, related_name="answers", blank=True, verbose_name=_("choices")
    )
    choice_labels = models.JSONField(_("choices as chosen"), default=list, blank=True)
    file = models.FileField(_("file"), upload_to=answer_file_path, blank=True, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_content_type = models.CharField(_("file type"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="answer_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        # Not the answer itself: this is what lists of objects show (the admin's delete
        # confirmation among them), to staff who may not see special-category answers.
        return f"{self.question_label} ({self.registration_id})"

    @property
    def display_value(self) -> str:
        """The answer as text, from the typed column its question's type uses (the copies of
        the choices' labels for a choice question)."""
        if self.choice_labels:
            return "; ".join(self.choice_labels)
        if self.value_bool is not None:
            return str(_("Yes") if self.value_bool else _("No"))
        if self.value_number is not None:
            return f"{self.value_number.normalize():f}"
        if self.value_datetime is not None:
            return formats.localize(timezone.localtime(self.value_datetime))
        if self.value_date is not None:
            return formats.localize(self.value_date)
        if self.value_country:
            return str(self.value_country.name)
        if self.file:
            return self.file_name
        return self.value_text
