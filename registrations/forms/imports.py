"""Forms with which organisers register delegates: one at a time in the admin (the public form,
with the organisers' choices), and a spreadsheet of them (the upload, and each row checked by
the public form's rules)."""

from typing import cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.models import SESSION_LANGUAGES, Conference
from registrations.authorities.lookup import NewAuthority, authority_find_named
from registrations.forms.registration import DelegateDetailsForm, RegistrationForm
from registrations.models import Registration
from registrations.organiser.imports import (
    IMPORT_MAX_BYTES,
    ROW,
    ImportRow,
    ImportRowResult,
    ImportTable,
    duplicate_emails_mark,
)


class OrganiserRegistrationForm(RegistrationForm):
    """The public registration form as an organiser fills it in for someone (a speaker, a VIP,
    staff): every category, and the confirmation email only when asked for."""

    notify = forms.BooleanField(
        label=_("Send the confirmation email"),
        required=False,
        initial=False,
        help_text=_(
            "The email that tells the delegate where their registration stands (a place, the "
            "waiting list or pending approval), with their personal link."
        ),
    )

    def __init__(self, *args, conference: Conference, **kwargs):
        super().__init__(*args, conference=conference, submit_label=gettext("Save"), **kwargs)
        # Nobody fills the spam trap or sends this page twice by a double click in the admin.
        del self.fields["website"]
        del self.fields["form_token"]
        category = cast(forms.ChoiceField, self.fields["category"])
        category.label = _("Category")
        category.choices = Registration.Category.choices
        self.fields["authority"].label = _("City or region")
        self.fields["authority"].help_text = _("The local or regional authority they represent.")
        self.fields["new_authority_name"].label = _("Or the name of a city or region not listed")
        self.fields["new_authority_country"].label = _("Its country")
        self.fields["category"].label = _("Category")
        self.fields["interpretation_language"].label = _("Interpretation listened to")
        self.fields["privacy_consent"].label = _(
            "The delegate has been given the privacy notice and agrees to their data being used "
            "to manage their registration."
        )
        self.fields["privacy_consent"].error_messages["required"] = _(
            "The delegate needs to have accepted the privacy notice to be registered."
        )
        self.fields["special_needs_consent"].label = _(
            "The delegate agrees that the organisers use their dietary and accessibility needs "
            "to plan catering and access, and delete them after the conference."
        )

    @property
    def is_spam(self) -> bool:
        return False


class RegistrationImportForm(forms.Form):
    """The file of registrations to import, and how."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, comma or semicolon) or XLSX; at most %(size)d MB.")
        % {"size": IMPORT_MAX_BYTES // (1024 * 1024)},
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would happen, save nothing"),
        required=False,
        initial=True,
    )
    notify = forms.BooleanField(
        label=_("Send each delegate the confirmation email"),
        required=False,
        initial=False,
    )
    privacy_consent = forms.BooleanField(
        label=_(
            "The people in this file have been given the privacy notice and agree to their "
            "data being used to manage their registration."
        ),
        error_messages={
            "required": _("Delegates can only be registered once they accepted the notice.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


# What a spreadsheet's yes and no may say.
YES = {"yes", "y", "true", "1", "x", "oui", "o", "vrai"}
NO = {"", "no", "n", "false", "0", "non", "faux"}


class ImportRowForm(DelegateDetailsForm):
    """One row of an import, checked by the rules of the public form; its columns are the
    fields' names, but for `authority`, `country` and `language`."""

    category = forms.ChoiceField(
        label=_("Category"), choices=Registration.Category.choices, required=False
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=Registration.Language.choices, required=False
    )
    authority = forms.CharField(label=_("City or region"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    special_needs_consent = forms.BooleanField(required=False)

    # Columns whose field has another name.
    FIELD_OF_COLUMN = {"language": "preferred_language"}
    COLUMN_OF_FIELD = {"preferred_language": "language"}

    def __init__(self, values: dict[str, str], **kwargs):
        data = {self.FIELD_OF_COLUMN.get(name, name): value for name, value in values.items()}
        data["category"] = self._choice(
            data.get("category", ""), Registration.Category.choices, Registration.Category.DELEGATE
        )
        data["preferred_language"] = self._choice(
            data.get("preferred_language", ""),
            Registration.Language.choices,
            Registration.Language.ENGLISH,
        )
        data["interpretation_language"] = self._choice(
            data.get("interpretation_language", ""), SESSION_LANGUAGES, ""
        )
        data["country"] = data.get("country", "").strip().upper()
        self.consent_text = data.get("special_needs_consent", "").strip().lower()
        data["special_needs_consent"] = "on" if self.consent_text in YES else ""
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = list(countries)

    @staticmethod
    def _choice(value: str, choices, default: str) -> str:
        """A choice written as its code or its name (in English or French), any case."""
        value = value.strip()
        if not value:
            return default
        wanted = value.casefold()
        for code, label in choices:
            if wanted == code.casefold() or wanted == str(label).casefold():
                return code
        return value

    def clean_special_needs_consent(self) -> bool:
        if self.consent_text not in YES | NO:
            raise forms.ValidationError(gettext("Write yes or no."))
        return self.cleaned_data["special_needs_consent"]

    def phone_region(self, data: dict) -> str | None:
        return data.get("country") or None

    def column_errors(self) -> dict[str, list[str]]:
        return {
            (ROW if name == "__all__" else self.COLUMN_OF_FIELD.get(name, name)): [
                str(message) for message in messages
            ]
            for name, messages in self.errors.items()
        }

    def import_row(self, number: int) -> ImportRow:
        data = self.cleaned_data
        name = " ".join(data["authority"].split())
        authority = authority_find_named(name=name, country=data["country"])
        return ImportRow(
            number=number,
            data=self.registration_data(),
            authority=authority,
            new_authority=None if authority else NewAuthority(name=name, country=data["country"]),
            special_needs_consent=data["special_needs_consent"],
        )


def import_rows_check(table: ImportTable) -> tuple[list[ImportRowResult], list[ImportRow]]:
    """Each row of the file checked by the public form's rules: its result (with the messages
    by column) and, for those that passed, what the registration service is to be given."""
    results, rows = [], []
    for number, values in table.rows:
        form = ImportRowForm(values)
        result = ImportRowResult(
            number=number,
            name=" ".join(
                part for part in (values.get("first_name"), values.get("last_name")) if part
            ),
            email=values.get("email", "").strip(),
        )
        if form.is_valid():
            rows.append(form.import_row(number))
        else:
            for column, messages in form.column_errors().items():
                for message in messages:
                    result.error_add(column, message)
        results.append(result)
    duplicate_emails_mark(results)
    return results, rows
