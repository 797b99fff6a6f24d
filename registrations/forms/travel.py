"""Forms for travel paperwork: identity data for site visits (beside the sessions a delegate
chooses, or on their own page) and the request for a visa invitation letter."""

import datetime
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.models import Conference, Session
from registrations.forms.fields import country_choices, privacy_link, validate_line_of_text
from registrations.models import (
    Registration,
    SiteVisitIdentity,
    VisaLetterRequest,
    identity_fields_required,
)
from registrations.travel.identity import VisitIdentityData
from registrations.travel.visa import VisaLetterData, visa_stay_errors, visa_stay_window

# What the delegate is asked for each field a visit may require.
IDENTITY_FIELD_LABELS = {
    "full_name": _("Full name, exactly as on your identity document"),
    "nationality": _("Nationality"),
    "id_number": _("Identity card or passport number"),
    "date_of_birth": _("Date of birth"),
}

VISIT_IDENTITY_CONSENT = "visit_identity_consent"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _date_of_birth_check(value: datetime.date | None) -> None:
    if value is not None and not (
        datetime.date(1900, 1, 1) <= value <= timezone.localdate() - datetime.timedelta(days=365)
    ):
        raise forms.ValidationError(_("Enter your real date of birth."), code="date_of_birth")


def _document_number_check(value: str) -> None:
    if value and not all(char.isalnum() or char in " -" for char in value):
        raise forms.ValidationError(
            _("Use only the letters and digits printed on the document."), code="document_number"
        )


def identity_form_field(field: str, *, required: bool = False) -> forms.Field:
    label = IDENTITY_FIELD_LABELS[field]
    if field == "nationality":
        # Listed only when shown or checked against a value, not for every form sent in.
        return forms.ChoiceField(label=label, choices=country_choices, required=required)
    if field == "date_of_birth":
        return forms.DateField(
            label=label, required=required, widget=DateInput, validators=[_date_of_birth_check]
        )
    max_length = cast(models.CharField, SiteVisitIdentity._meta.get_field(field)).max_length
    validators = [validate_line_of_text]
    if field == "id_number":
        validators.append(_document_number_check)
    return forms.CharField(
        label=label, max_length=max_length, required=required, validators=validators
    )


class VisitIdentityFields(forms.Form):
    """Adds, for each given session that asks for identity data, the fields it asks for
    (named identity_<session>_<field>) and one consent box for all. They are checked for the
    sessions the delegate chose only; `visit_identities` then holds what was given."""

    visit_identities: dict[Session, VisitIdentityData]

    def visit_identity_fields_add(
        self, sessions, *, existing: dict[int, SiteVisitIdentity] | None = None
    ) -> None:
        self.identity_sessions = [session for session in sessions if session.requires_identity_data]
        existing = existing or {}
        for session in self.identity_sessions:
            held = existing.get(session.pk)
            for field in identity_fields_required(session):
                name = f"identity_{session.pk}_{field}"
                self.fields[name] = identity_form_field(field)
                if held is not None:
                    value = getattr(held, field)
                    self.initial[name] = value.code if field == "nationality" else value
        if self.identity_sessions:
            self.fields[VISIT_IDENTITY_CONSENT] = forms.BooleanField(
                label=_(
                    "I agree to the identity data above being passed on to the hosts of the "
                    "visits for their security clearance, and deleted a few days after each "
                    "visit."
                ),
                required=False,
            )
            if existing:
                self.initial[VISIT_IDENTITY_CONSENT] = True

    def visit_identity_layout(self) -> list:
        """The identity fields, one group per visit, and the consent box; none if no session
        asks for identity data."""
        if not getattr(self, "identity_sessions", None):
            return []
        groups = [
            Fieldset(
                # crispy-forms prints a legend as it is: the title is escaped here.
                escape(_("Identity data for “%(title)s”") % {"title": session.title}),
                *[
                    Field(f"identity_{session.pk}_{field}")
                    for field in identity_fields_required(session)
                ],
                css_class="border-start ps-3",
            )
            for session in self.identity_sessions
        ]
        return [
            HTML(
                format_html(
                    '<p class="form-text">{}</p>',
                    _(
                        "These site visits need identity data for the hosts' security "
                        "clearance. Give them only for the visits you choose."
                    ),
                )
            ),
            *groups,
            VISIT_IDENTITY_CONSENT,
        ]

    def visit_identity_clean(self, chosen: list[Session]) -> None:
        """Requires the fields of the chosen visits that ask for them, beside each field; the
        fields of visits not chosen are ignored, whatever they hold."""
        chosen_ids = {session.pk for session in chosen}
        self.visit_identities = {}
        for session in getattr(self, "identity_sessions", []):
            names = {
                field: f"identity_{session.pk}_{field}"
                for field in identity_fields_required(session)
            }
            if session.pk not in chosen_ids:
                for name in names.values():
                    self.errors.pop(name, None)
                    self.cleaned_data.pop(name, None)
                continue
            values: dict[str, Any] = {}
            for field, name in names.items():
                if name in self.errors:
                    continue
                value = self.cleaned_data.get(name)
                if isinstance(value, str):
                    value = " ".join(value.split())
                if not value:
                    self.add_error(name, _("This visit needs it."))
                    continue
                values[field] = value.upper() if field == "id_number" else value
            if not any(name in self.errors for name in names.values()):
                self.visit_identities[session] = VisitIdentityData(**values)
        if self.visit_identities and not self.cleaned_data.get(VISIT_IDENTITY_CONSENT):
            self.add_error(
                VISIT_IDENTITY_CONSENT,
                _("Tick this box so that we may pass your identity data on to the visits' hosts."),
            )

    @property
    def visit_identity_consent(self) -> bool:
        return bool(self.cleaned_data.get(VISIT_IDENTITY_CONSENT))


class VisitIdentityForm(VisitIdentityFields):
    """On the delegate's own page: the identity data of the visits they booked."""

    def __init__(self, *args, registration: Registration, sessions: list[Session], **kwargs):
        super().__init__(*args, **kwargs)
        existing = {
            identity.session_id: identity for identity in registration.visit_identities.all()
        }
        self.visit_identity_fields_add(sessions, existing=existing)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            *self.visit_identity_layout(),
            Fieldset(_("Privacy"), privacy_link(registration.conference)),
            Submit("submit", _("Save my identity data")),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.visit_identity_clean(self.identity_sessions)
        return self.cleaned_data


class VisaLetterRequestForm(forms.Form):
    """The delegate asks for a visa invitation letter."""

    passport_name = forms.CharField(
        label=_("Full name, exactly as in your passport"),
        max_length=200,
        validators=[validate_line_of_text],
    )
    nationality = forms.ChoiceField(label=_("Nationality"))
    passport_number = forms.CharField(
        label=_("Passport number"),
        max_length=30,
        validators=[validate_line_of_text, _document_number_check],
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=DateInput, validators=[_date_of_birth_check]
    )
    consulate_city = forms.CharField(
        label=_("City of the embassy or consulate where you apply"),
        max_length=100,
        validators=[validate_line_of_text],
    )
    stay_from = forms.DateField(label=_("Arrival"), widget=DateInput)
    stay_until = forms.DateField(label=_("Departure"), widget=DateInput)
    letter_language = forms.ChoiceField(
        label=_("Language of the letter"),
        choices=VisaLetterRequest.Language.choices,
        help_text=_("The language the embassy or consulate asks for."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree to my passport data being used to write this letter, and deleted a few "
            "weeks after it is sent."
        ),
        error_messages={"required": _("Tick this box so that we may write your letter.")},
    )

    def __init__(self, *args, registration: Registration, **kwargs):
        conference = registration.conference
        kwargs.setdefault(
            "initial",
            {
                "stay_from": conference.start_date - datetime.timedelta(days=1),
                "stay_until": conference.end_date + datetime.timedelta(days=1),
                # The letter in the delegate's language unless the embassy asks for the other.
                "letter_language": registration.preferred_language,
            },
        )
        super().__init__(*args, **kwargs)
        self.conference: Conference = conference
        # Built per form so that country names follow the active language.
        nationality = cast(forms.ChoiceField, self.fields["nationality"])
        nationality.choices = [("", "—"), *countries]
        earliest, latest = visa_stay_window(conference)
        for name in ("stay_from", "stay_until"):
            self.fields[name].widget.attrs.update(
                {"min": earliest.isoformat(), "max": latest.isoformat()}
            )
        self.fields["passport_name"].widget.attrs["autocomplete"] = "name"
        self.fields["date_of_birth"].widget.attrs["autocomplete"] = "bday"
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                _("Your passport"),
                "passport_name",
                "nationality",
                "passport_number",
                "date_of_birth",
            ),
            Fieldset(
                _("Your stay"),
                "consulate_city",
                Div(
                    Div("stay_from", css_class="col-sm-6"),
                    Div("stay_until", css_class="col-sm-6"),
                    css_class="row",
                ),
                "letter_language",
            ),
            Fieldset(_("Privacy"), privacy_link(conference), "consent"),
            Submit("submit", _("Ask for my letter")),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        # The forms' clean() methods all return this dict, down to Form.clean().
        data = self.cleaned_data
        stay_from, stay_until = data.get("stay_from"), data.get("stay_until")
        if stay_from and stay_until:
            for name, message in visa_stay_errors(self.conference, stay_from, stay_until).items():
                self.add_error(name, message)
        return data

    def visa_letter_data(self) -> VisaLetterData:
        data = self.cleaned_data
        return VisaLetterData(
            passport_name=data["passport_name"],
            nationality=data["nationality"],
            passport_number=data["passport_number"],
            date_of_birth=data["date_of_birth"],
            consulate_city=data["consulate_city"],
            stay_from=data["stay_from"],
            stay_until=data["stay_until"],
            letter_language=data["letter_language"],
        )
