"""The registration form, built from the parts the other delegate forms share."""

import copy
import dataclasses
import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from conference.models import SESSION_LANGUAGES, Conference, Session
from conference.page_cache import PAGE_CACHE_SECONDS, registration_form_versions_read
from registrations.authorities.lookup import NewAuthority
from registrations.authorities.selectors import authorities_for_choice
from registrations.forms.copying import CheaplyCopiedFields, fields_copy
from registrations.forms.fields import (
    AuthorityChoiceField,
    PlainTextForm,
    SessionChoiceField,
    authority_places_note,
    country_choices,
    privacy_link,
    validate_person_name,
)
from registrations.forms.questions import (
    SENDING_LABEL,
    SPECIAL_ANSWERS_CONSENT_MESSAGE,
    QuestionFields,
    question_field_name,
)
from registrations.forms.travel import VisitIdentityFields
from registrations.models import Authority, Question, Registration
from registrations.models.identity import sessions_asking_identity_data
from registrations.places.bookings import session_clash_message, session_clashes
from registrations.places.registrations import RegistrationData, email_normalise
from registrations.places.selectors import sessions_for_sign_up
from registrations.questions.selectors import questions_asked


@dataclass(frozen=True)
class RegistrationFormParts:
    """What the registration form of a conference is built from that changes only with the
    versions of the questions and of the programme: the questions with their choices, and the
    sessions offered that ask for identity data (whose fields a form sent in checks too)."""

    questions: list[Question]
    identity_sessions: list[Session]
    # The questions' fields as first built for a form without answers, by language (their
    # labels and help are written in it), copied into each form after; not when a choice
    # counts its seats, whose labels say how many are left.
    question_fields: dict[str, dict[str, forms.Field]] = dataclasses.field(default_factory=dict)

    @property
    def seats_counted(self) -> bool:
        return any(
            choice.capacity is not None
            for question in self.questions
            if question.has_choices
            for choice in question.choices.all()
        )


# Per process, the parts of each conference's form as read under the versions of the questions
# and of the programme (the cached form's, raised by any change to a question or a choice, to a
# session or the conference, and again once it commits): a form sent in builds its fields from
# them without reading them again. The instances are only read. Kept PAGE_CACHE_SECONDS at
# most, as the cached form is: should a raise of a version be lost (the cache unreachable at
# that moment, or restored from an older snapshot), no process keeps checking answers against
# questions, or identity data against visits, that changed for longer than that. By language
# too: the sessions are in programme order, whose last key, the title, is the language's.
_parts_read: dict[tuple[int, str], tuple[tuple[str, str], float, RegistrationFormParts]] = {}


def registration_form_parts(conference: Conference) -> RegistrationFormParts:
    """The questions the registration form asks (questions_asked's) and the visits asking for
    identity data among the sessions offered, kept while their versions stand,
    PAGE_CACHE_SECONDS at most; both versions in one read of the cache."""
    (programme, questions, _authorities), _entry = registration_form_versions_read(conference.pk)
    versions = (programme, questions)
    now = time.monotonic()
    kept_as = (conference.pk, get_language())
    kept = _parts_read.get(kept_as)
    if kept is not None and kept[0] == versions and now - kept[1] < PAGE_CACHE_SECONDS:
        return kept[2]
    # Read after the versions: a change that raises one meanwhile is read here already, or
    # retires what is kept when it commits.
    parts = RegistrationFormParts(
        questions=questions_asked(conference),
        identity_sessions=list(
            sessions_for_sign_up(conference).filter(sessions_asking_identity_data())
        ),
    )
    _parts_read[kept_as] = (versions, now, parts)
    return parts


class DelegateDetailsForm(PlainTextForm):
    """What a delegate tells about themselves, with its validation: shared by the registration
    form and the delegate's own edit form."""

    first_name = forms.CharField(
        label=_("First name"), max_length=100, validators=[validate_person_name]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, validators=[validate_person_name]
    )
    email = forms.EmailField(label=_("Email"), max_length=254)
    badge_name = forms.CharField(
        label=_("Name on your badge"),
        max_length=100,
        required=False,
        help_text=_("Optional, if it differs from your first and last name."),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=150)
    organisation = forms.CharField(
        label=_("Department or organisation"),
        max_length=200,
        required=False,
        help_text=_("For example: Municipal police, Prevention department."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Optional. With the country code, e.g. +33 4 93 92 83 00."),
    )
    category = forms.ChoiceField(
        label=_("You attend as"),
        choices=[
            choice
            for choice in Registration.Category.choices
            if choice[0] != Registration.Category.STAFF
        ],
        initial=Registration.Category.DELEGATE,
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for our emails"), choices=Registration.Language.choices
    )
    interpretation_language = forms.ChoiceField(
        label=_("Interpretation you will listen to"),
        choices=[("", _("None needed")), *SESSION_LANGUAGES],
        required=False,
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. For example: vegetarian, no nuts."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. For example: step-free access, hearing loop."),
    )
    special_needs_consent = forms.BooleanField(
        label=_(
            "I agree that the organisers use my dietary and accessibility needs to plan "
            "catering and access, and delete them after the conference."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "email": "email",
            "first_name": "given-name",
            "last_name": "family-name",
            "phone": "tel",
            "job_title": "organization-title",
            "organisation": "organization",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        # The widget's own type, not an attribute beside it: `type="text" type="tel"` is the
        # text keypad on phones.
        cast(forms.TextInput, self.fields["phone"].widget).input_type = "tel"

    def about_you_fieldset(self) -> Fieldset:
        return Fieldset(
            _("About you"),
            Div(
                Div("first_name", css_class="col-md-6"),
                Div("last_name", css_class="col-md-6"),
                css_class="row",
            ),
            "email",
            "badge_name",
            Div(
                Div("job_title", css_class="col-md-6"),
                Div("organisation", css_class="col-md-6"),
                css_class="row",
            ),
            "phone",
            *(["category"] if "category" in self.fields else []),
        )

    def needs_fieldset(self, *questions: str) -> Fieldset:
        return Fieldset(
            _("Dietary and accessibility needs"),
            *questions,
            "dietary_needs",
            "accessibility_needs",
            "special_needs_consent",
        )

    def clean_email(self) -> str:
        return email_normalise(self.cleaned_data["email"])

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def phone_region(self, data: dict) -> str | None:
        """The country in which a phone number without its country code is read."""
        return None

    def clean(self) -> dict[str, Any]:
        super().clean()
        # The forms' clean() methods all return this dict, down to Form.clean().
        data = self.cleaned_data
        if (data.get("dietary_needs") or data.get("accessibility_needs")) and not data.get(
            "special_needs_consent"
        ):
            self.add_error(
                "special_needs_consent",
                _(
                    "Tick this box so that we may keep your dietary and accessibility needs, "
                    "or leave those fields empty."
                ),
            )
        raw_phone = data.get("phone", "").strip()
        if raw_phone:
            data["phone"] = self._phone_e164(raw_phone, self.phone_region(data))
        return data

    def _phone_e164(self, raw: str, region: str | None) -> str:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            self.add_error(
                "phone",
                _("Enter a valid phone number with its country code, e.g. +33 4 93 92 83 00."),
            )
            return raw
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def registration_data(self, **overrides) -> RegistrationData:
        data = self.cleaned_data
        values = {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "badge_name": " ".join(data["badge_name"].split()),
            "email": data["email"],
            "job_title": data["job_title"],
            "organisation": data["organisation"],
            "phone": data["phone"],
            "preferred_language": data["preferred_language"],
            "interpretation_language": data["interpretation_language"],
            "dietary_needs": data["dietary_needs"],
            "accessibility_needs": data["accessibility_needs"],
        }
        if "category" in data:
            values["category"] = data["category"]
        values.update(overrides)
        return RegistrationData(**values)


class SessionChoiceForm(VisitIdentityFields):
    """The sessions a delegate signs up for, refused when two overlap; with the identity data
    that the site visits they choose ask for."""

    sessions = SessionChoiceField(
        label=_("Workshops, focus sessions and site visits"),
        queryset=Session.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Optional, and you can change them later. Plenaries are open to all. When a session "
            "is full you join its waiting list and get a place as soon as one frees up."
        ),
    )

    def __init__(self, *args, conference: Conference, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(SessionChoiceField, self.fields["sessions"])
        # Built once, when first needed (SessionChoiceField): the choices and the sessions
        # offered are copies of it, each read on its own.
        field.offer(lambda: sessions_for_sign_up(conference))
        # The visits that ask for identity data, whose fields a form sent in checks too.
        self.visit_identity_fields_add(self.identity_sessions_offered())

    def identity_sessions_offered(self) -> Iterable[Session]:
        """The sessions offered that ask for identity data."""
        offered = cast(SessionChoiceField, self.fields["sessions"]).offered
        return offered.filter(sessions_asking_identity_data())

    @property
    def has_sessions_to_choose(self) -> bool:
        return bool(cast(SessionChoiceField, self.fields["sessions"]).offered)

    def clean_sessions(self) -> list[Session]:
        chosen = self.cleaned_data["sessions"]
        # None chosen: the field's empty queryset, which costs a compilation to read nothing.
        sessions = [] if chosen.query.is_empty() else list(chosen)
        clashes = session_clashes(sessions)
        if clashes:
            raise ValidationError(session_clash_message(clashes), code="clash")
        return sessions

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.visit_identity_clean(self.cleaned_data.get("sessions") or [])
        return self.cleaned_data


@functools.cache
def _authorities_offered() -> QuerySet[Authority]:
    return authorities_for_choice()


class AuthorityChoiceForm(PlainTextForm):
    """The city or region someone acts for: chosen from the list, or named when missing."""

    authority = AuthorityChoiceField(
        label=_("Your city or region"),
        queryset=Authority.objects.none(),
        required=False,
        empty_label=_("Choose from the list…"),
        help_text=_("The local or regional authority you represent. Type to search."),
    )
    new_authority_name = forms.CharField(
        label=_("Name of your city or region"), max_length=200, required=False
    )
    new_authority_country = forms.ChoiceField(label=_("Its country"), required=False)
    new_authority_kind = forms.ChoiceField(
        label=_("Kind of authority"),
        choices=Authority.Kind.choices,
        initial=Authority.Kind.MUNICIPALITY,
        required=False,
    )
    # A field people never see; bots that fill every field fill it too.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    # This showing of the form, so that sending it twice registers once (views/once.py: a
    # signed token, about 85 characters).
    form_token = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        authority = cast(AuthorityChoiceField, self.fields["authority"])
        # Django's setter clones it: the one built per process is never evaluated.
        authority.queryset = _authorities_offered()
        authority.choice_lookup_compiled = True
        authority.widget.attrs["data-searchable"] = "true"
        country = cast(forms.ChoiceField, self.fields["new_authority_country"])
        country.choices = country_choices
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def authority_fieldset(self, *notes: HTML) -> Fieldset:
        return Fieldset(
            _("Your city or region"),
            "authority",
            *notes,
            HTML(
                format_html(
                    '<details class="mb-3"{}><summary>{}</summary>',
                    " open" if self.data.get("new_authority_name") else "",
                    _("My city or region is not in the list"),
                )
            ),
            Div(
                "new_authority_name",
                "new_authority_country",
                "new_authority_kind",
                css_class="border-start ps-3 mt-2",
            ),
            HTML("</details>"),
        )

    def honeypot(self) -> Div:
        return Div(Field("website"), css_class="visually-hidden", aria_hidden="true")

    def clean(self) -> dict[str, Any]:
        super().clean()
        # The forms' clean() methods all return this dict, down to Form.clean().
        data = self.cleaned_data
        authority = data.get("authority")
        new_name = " ".join(data.get("new_authority_name", "").split())
        data["new_authority_name"] = new_name
        if authority and new_name:
            self.add_error(
                "new_authority_name",
                _("Either choose your city or region from the list or name it here, not both."),
            )
        elif not authority and not new_name and "authority" not in self.errors:
            self.add_error(
                "authority", _("Choose your city or region, or name it if it is not in the list.")
            )
        elif new_name and not data.get("new_authority_country"):
            self.add_error("new_authority_country", _("Choose the country of your city or region."))
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def new_authority(self) -> NewAuthority | None:
        data = self.cleaned_data
        if data.get("authority"):
            return None
        return NewAuthority(
            name=data["new_authority_name"],
            country=data["new_authority_country"],
            kind=data.get("new_authority_kind") or Authority.Kind.MUNICIPALITY,
        )


class RegistrationForm(AuthorityChoiceForm, DelegateDetailsForm, SessionChoiceForm, QuestionFields):
    privacy_consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree to my data being used to manage my "
            "registration."
        ),
        error_messages={"required": _("You need to accept the privacy notice to register.")},
    )

    # The page's order, which the error summary follows.
    field_order = [
        *AuthorityChoiceForm.base_fields,
        *[name for name in DelegateDetailsForm.base_fields if "needs" not in name],
        "sessions",
        "dietary_needs",
        "accessibility_needs",
        "special_needs_consent",
    ]

    def __init__(self, *args, conference: Conference, submit_label: str, **kwargs):
        # Before the fields are built: the sessions' part reads its visits from them.
        self.parts = registration_form_parts(conference)
        super().__init__(*args, conference=conference, **kwargs)
        self.fields["preferred_language"].initial = kwargs.get("initial", {}).get(
            "preferred_language", Registration.Language.ENGLISH
        )
        self.question_fields_add(self.parts.questions, conference=conference)
        # The questions in the page's order, which the error summary follows.
        order = list(self.fields)
        for name in [*self.question_names(special=False), *self.question_names(special=True)]:
            order.remove(name)
        order[order.index("sessions") + 1 : order.index("sessions") + 1] = self.question_names(
            special=False
        )
        order[order.index("dietary_needs") : order.index("dietary_needs")] = self.question_names(
            special=True
        )
        self.order_fields(order)
        self.conference = conference
        self.submit_label = submit_label

    def identity_sessions_offered(self) -> Iterable[Session]:
        # As kept for the conference (registration_form_parts), not read again.
        return self.parts.identity_sessions

    def question_fields_add(
        self, questions: list[Question], *, conference: Conference, answers: Iterable = ()
    ) -> None:
        """QuestionFields's, with the fields copied from those kept for the conference's
        questions in this language once built (registration_form_parts)."""
        parts = self.parts
        if answers or questions is not parts.questions or parts.seats_counted:
            super().question_fields_add(questions, conference=conference, answers=answers)
            return
        language = get_language()
        built = parts.question_fields.get(language)
        if built is None:
            super().question_fields_add(questions, conference=conference)
            names = {question_field_name(question) for question in questions}
            parts.question_fields[language] = copy.deepcopy(
                {name: value for name, value in self.fields.items() if name in names}
            )
            return
        # What QuestionFields.question_fields_add leaves for questions without answers, none of
        # whose choices counts its seats.
        self.questions = list(questions)
        self.held_files = {}
        self.choices_held = {}
        self.choices_mine = set()
        self.fields.update(fields_copy(built))

    @cached_property
    def helper(self) -> FormHelper:
        """Laid out only when shown: a form sent in that is valid never is."""
        conference = self.conference
        helper = FormHelper()
        helper.attrs = {"novalidate": "", "data-sending-label": SENDING_LABEL}
        full_text = _(
            "This city or region has no places left. Ask your coordinator to register you, or "
            "write to the organisers at %s."
        )
        helper.layout = Layout(
            self.authority_fieldset(authority_places_note(conference, full_text=str(full_text))),
            self.about_you_fieldset(),
            Fieldset(_("Languages"), "preferred_language", "interpretation_language"),
            *(
                [Fieldset(_("Sessions"), "sessions", *self.visit_identity_layout())]
                if self.has_sessions_to_choose
                else []
            ),
            *self.questions_layout(),
            self.needs_fieldset(*self.question_names(special=True)),
            Fieldset(_("Privacy"), privacy_link(conference), "privacy_consent"),
            self.honeypot(),
            "form_token",
            Submit("submit", self.submit_label, css_class="btn-lg"),
        )
        return helper

    def phone_region(self, data: dict) -> str | None:
        authority = data.get("authority")
        return authority.country.code if authority else data.get("new_authority_country") or None

    def clean(self) -> dict[str, Any]:
        super().clean()
        category = self.cleaned_data.get("category") or Registration.Category.DELEGATE
        self.questions_clean(category)
        answers = self.answers_input
        if (
            answers is not None
            and answers.has_special(category)
            and not self.cleaned_data.get("special_needs_consent")
            and "special_needs_consent" not in self.errors
        ):
            self.add_error("special_needs_consent", SPECIAL_ANSWERS_CONSENT_MESSAGE)
        return self.cleaned_data

    def registration_data(self, **overrides) -> RegistrationData:
        return super().registration_data(answers=self.answers_input, **overrides)


# Copied for every form as Django's deep copy would, without its cost (forms/copying.py).
RegistrationForm.base_fields = CheaplyCopiedFields(RegistrationForm.base_fields)
