"""The conference's own questions as form fields, typed by the question's type (named
question_<id>), and what they hand to the services (AnswersInput)."""

import datetime
from collections.abc import Iterable
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.forms.fields import country_choices, validate_line_of_text, validate_text
from registrations.forms.travel import DateInput
from registrations.models import Answer, ConsentRecord, Question, QuestionType, Registration
from registrations.questions.answers import (
    REQUIRED_MESSAGE,
    AnswersInput,
    choice_ids_of,
    choices_held,
    full_message,
    value_is_empty,
)
from registrations.questions.files import ANSWER_FILE_MAX_BYTES, answer_file_type
from registrations.questions.selectors import answers_for, questions_asked

# What the submit button says once pressed (static/js/forms.js).
SENDING_LABEL = _("Sending…")
SPECIAL_NEEDS_CONSENT_LABEL = _(
    "I agree that the organisers use my dietary and accessibility needs to plan "
    "catering and access, and delete them after the conference."
)
SPECIAL_ANSWERS_CONSENT_MESSAGE = _(
    "Tick this box so that we may keep your dietary, health and accessibility answers, or "
    "leave those questions unanswered."
)

TEXT_MAX_LENGTH = 300
LONG_TEXT_MAX_LENGTH = 2000
YES, NO = "yes", "no"


def question_field_name(question: Question) -> str:
    return f"question_{question.pk}"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ConferenceDateTimeField(forms.DateTimeField):
    """A date and time typed in the conference's own time zone (the delegate's arrival in
    Nice), whatever the time zone of the site."""

    widget = DateTimeLocalInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]

    def __init__(self, *args, conference: Conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.tzinfo = conference.tzinfo

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value, self.tzinfo).replace(tzinfo=None)
        return super().prepare_value(value)

    def to_python(self, value):
        with timezone.override(self.tzinfo):
            return super().to_python(value)


class AnswerFileField(forms.FileField):
    """A PDF, JPEG or PNG, by its content, up to the size limit; the type found is kept on the
    upload for the answer."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "read") and upload is not initial:
            upload.checked_content_type = answer_file_type(upload)
        return upload


def _choice_label(choice, held: dict[int, int]) -> str:
    if choice.capacity is None:
        return choice.label
    left = max(choice.capacity - held.get(choice.pk, 0), 0)
    if not left:
        status = gettext("full")
    else:
        status = ngettext("%(count)d seat left", "%(count)d seats left", left) % {"count": left}
    return f"{choice.label} · {status}"


def question_help_text(question: Question) -> str:
    """The organisers' help, after what the page's note asks of fields not required: that
    it is optional, or whom it is required of."""
    if question.required and question.categories:
        names = dict(Registration.Category.choices)
        status = gettext("Required if you attend as: %(categories)s.") % {
            "categories": ", ".join(str(names.get(c, c)) for c in question.categories)
        }
    elif question.required:
        status = ""
    else:
        status = gettext("Optional.")
    return " ".join(part for part in (status, str(question.help_text)) if part)


def question_form_field(
    question: Question, *, conference: Conference, held: dict[int, int], required: bool
) -> forms.Field:
    kind = question.type
    common: dict[str, Any] = {
        "label": question.label,
        "help_text": question_help_text(question),
        "required": required,
        "error_messages": {"required": REQUIRED_MESSAGE},
    }
    if kind == QuestionType.TEXT:
        return forms.CharField(
            max_length=TEXT_MAX_LENGTH, validators=[validate_line_of_text], **common
        )
    if kind == QuestionType.LONG_TEXT:
        return forms.CharField(
            max_length=LONG_TEXT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3}),
            validators=[validate_text],
            **common,
        )
    if kind == QuestionType.NUMBER:
        return forms.DecimalField(max_digits=14, decimal_places=4, **common)
    if kind == QuestionType.DATE:
        return forms.DateField(widget=DateInput, **common)
    if kind == QuestionType.DATETIME:
        return ConferenceDateTimeField(conference=conference, **common)
    if kind == QuestionType.YES_NO:
        return forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common
        )
    if kind == QuestionType.COUNTRY:
        return forms.ChoiceField(choices=country_choices, **common)
    if kind == QuestionType.FILE:
        common["help_text"] = " ".join(
            part
            for part in (
                str(common["help_text"]),
                gettext("PDF, JPEG or PNG, %(size)d MB at most.")
                % {"size": ANSWER_FILE_MAX_BYTES // 2**20},
            )
            if part
        )
        return AnswerFileField(
            widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}), **common
        )
    choices = [(str(choice.pk), _choice_label(choice, held)) for choice in question.choices.all()]
    if kind == QuestionType.SINGLE_CHOICE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)


def answer_initial(answer: Answer) -> Any:
    kind = answer.question.type
    if kind in (QuestionType.TEXT, QuestionType.LONG_TEXT):
        return answer.value_text
    if kind == QuestionType.NUMBER:
        return answer.value_number
    if kind == QuestionType.DATE:
        return answer.value_date
    if kind == QuestionType.DATETIME:
        return answer.value_datetime
    if kind == QuestionType.YES_NO:
        return None if answer.value_bool is None else (YES if answer.value_bool else NO)
    if kind == QuestionType.COUNTRY:
        return answer.value_country.code or ""
    if kind == QuestionType.FILE:
        return None
    ids = [str(choice.pk) for choice in answer.choices.all()]
    return ids[0] if kind == QuestionType.SINGLE_CHOICE and ids else ids


class QuestionFields(forms.Form):
    """Adds a field per question (question_<id>). Questions asked of some categories only are
    required of those alone, checked in questions_clean against the category given; the
    values then go to the service as `answers_input`."""

    questions: list[Question]
    answers_input: AnswersInput | None = None

    def question_fields_add(
        self,
        questions: list[Question],
        *,
        conference: Conference,
        answers: Iterable[Answer] = (),
    ) -> None:
        self.questions = list(questions)
        self.held_files: dict[int, Answer] = {}
        limited = [
            choice.pk
            for question in self.questions
            if question.has_choices
            for choice in question.choices.all()
            if choice.capacity is not None
        ]
        self.choices_held = choices_held(limited) if limited else {}
        self.choices_mine: set[int] = set()
        by_question = {answer.question_id: answer for answer in answers}
        for question in self.questions:
            answer = by_question.get(question.pk)
            name = question_field_name(question)
            holds_file = answer is not None and bool(answer.file)
            # Required in the field (marked, and checked by Django) only when it is asked of
            # everyone and no file is held already.
            required = question.required and not question.categories and not holds_file
            field = question_form_field(
                question, conference=conference, held=self.choices_held, required=required
            )
            if question.categories:
                field.widget.attrs["data-categories"] = " ".join(question.categories)
            self.fields[name] = field
            if answer is not None:
                self.initial[name] = answer_initial(answer)
                self.choices_mine.update(choice.pk for choice in answer.choices.all())
                if holds_file:
                    self.held_files[question.pk] = answer
                    field.help_text = format_html(
                        "{} {}",
                        gettext("You sent “%(name)s”; send another file to replace it.")
                        % {"name": answer.file_name},
                        field.help_text,
                    )

    def question_names(self, *, special: bool) -> list[str]:
        """The fields of the questions of the special category, or of the others."""
        return [
            question_field_name(question)
            for question in getattr(self, "questions", [])
            if question.special_category == special
        ]

    def questions_layout(self, legend: str | None = None) -> list:
        """The fieldset of the questions outside the special category (which go beside the
        dietary and accessibility needs, and their consent); none without such questions."""
        names = self.question_names(special=False)
        if not names:
            return []
        return [Fieldset(legend or _("More about your participation"), *names)]

    def questions_clean(self, category: str) -> None:
        """Check the answers of the questions asked of `category` (the others are dropped,
        whatever they hold) and build `answers_input`."""
        values: dict[int, Any] = {}
        for question in self.questions:
            name = question_field_name(question)
            if not question.asked_of(category):
                self.errors.pop(name, None)
                self.cleaned_data.pop(name, None)
                continue
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if question.type == QuestionType.YES_NO:
                value = None if value in (None, "") else value == YES
            elif question.type == QuestionType.SINGLE_CHOICE:
                value = int(value) if value else None
            elif question.type == QuestionType.MULTIPLE_CHOICE:
                value = [int(v) for v in value or []]
            elif isinstance(value, str):
                value = value.strip()
            if question.required and value_is_empty(value) and question.pk not in self.held_files:
                self.add_error(name, REQUIRED_MESSAGE)
                continue
            if question.has_choices:
                self._choices_full_check(question, name, value)
            values[question.pk] = value
        self.answers_input = AnswersInput(questions=tuple(self.questions), values=values)

    def _choices_full_check(self, question: Question, name: str, value: Any) -> None:
        """Refuse a full choice at once, beside its field; the service decides under the lock
        (a seat may go between this page and the sending)."""
        by_id = {choice.pk: choice for choice in question.choices.all()}
        for pk in choice_ids_of(value):
            choice = by_id.get(pk)
            if (
                choice is not None
                and choice.capacity is not None
                and pk not in self.choices_mine
                and self.choices_held.get(pk, 0) >= choice.capacity
            ):
                self.add_error(name, full_message(choice))
                return

    def answer_error_add(self, question_id: int, message: str) -> bool:
        """Put a service's refusal of an answer beside its field; False if the form has none."""
        for question in getattr(self, "questions", []):
            if question.pk == question_id:
                self.add_error(question_field_name(question), message)
                return True
        return False

    def questions_special_asked(self) -> bool:
        return any(question.special_category for question in getattr(self, "questions", []))


class AnswersEditForm(QuestionFields):
    """The delegate's answers, on their own page (or an organiser's, in the admin): the
    questions asked of their category, with the special-needs consent when any is of the
    special category."""

    def __init__(
        self,
        *args,
        registration: Registration,
        special: bool = True,
        submit_label: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.registration = registration
        conference = registration.conference
        self.question_fields_add(
            questions_asked(conference, category=registration.category, special=special),
            conference=conference,
            answers=answers_for(registration, special=special),
        )
        layout: list = list(self.question_names(special=False))
        special_names = self.question_names(special=True)
        if special_names:
            self.fields["special_needs_consent"] = forms.BooleanField(
                label=SPECIAL_NEEDS_CONSENT_LABEL, required=False
            )
            self.initial["special_needs_consent"] = registration.consents.filter(
                kind=ConsentRecord.Kind.SPECIAL_NEEDS
            ).exists()
            layout.append(
                Fieldset(
                    _("Dietary, health and accessibility"),
                    *special_names,
                    "special_needs_consent",
                )
            )
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": "", "data-sending-label": SENDING_LABEL}
        self.helper.layout = Layout(*layout, Submit("submit", submit_label or _("Save my answers")))

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.questions_clean(self.registration.category)
        answers = self.answers_input
        if (
            "special_needs_consent" in self.fields
            and answers is not None
            and answers.has_special(self.registration.category)
            and not self.cleaned_data.get("special_needs_consent")
        ):
            self.add_error("special_needs_consent", SPECIAL_ANSWERS_CONSENT_MESSAGE)
        return self.cleaned_data
