"""Forms of the delegate directory and meeting requests."""

from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.models import Session, Theme
from registrations.models import (
    DIRECTORY_LANGUAGES,
    DIRECTORY_THEMES_MAX,
    MEETING_MESSAGE_MAX_LENGTH,
    DirectoryListing,
    Registration,
)
from registrations.network.directory import directory_countries, meeting_slots


class DirectoryListingForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "List me for other delegates: confirmed delegates of this conference may see my name, "
            "job title, city or region, country, languages and themes, and ask me for a meeting. "
            "I can withdraw at any time."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"),
        choices=DIRECTORY_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    themes: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Themes of interest"),
        help_text=_("Up to three."),
        queryset=Theme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, registration: Registration, listing: DirectoryListing | None, **kw):
        initial: dict = {}
        if listing is not None:
            initial = {
                "consent": True,
                "languages": listing.languages,
                "themes": list(listing.themes.all()),
            }
        kw["initial"] = initial
        super().__init__(*args, **kw)
        cast(
            forms.ModelMultipleChoiceField, self.fields["themes"]
        ).queryset = registration.conference.themes.order_by("name")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "consent",
            "languages",
            "themes",
            Submit("save", _("Save my entry") if listing else _("List me")),
        )

    def clean_themes(self):
        themes = self.cleaned_data["themes"]
        if len(themes) > DIRECTORY_THEMES_MAX:
            raise forms.ValidationError(
                _("Choose at most %(count)s themes."), params={"count": DIRECTORY_THEMES_MAX}
            )
        return themes


class DirectorySearchForm(forms.Form):
    """A GET form: the page works without JavaScript."""

    theme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("Any")
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["theme"]).queryset = conference.themes.order_by(
            "name"
        )
        any_choice = [("", _("Any"))]
        cast(forms.ChoiceField, self.fields["country"]).choices = any_choice + [
            (code, countries.name(code)) for code in directory_countries(conference)
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = any_choice + list(
            DIRECTORY_LANGUAGES
        )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row g-2 align-items-end"
        self.helper.disable_csrf = True
        self.helper.layout = Layout("theme", "country", "language", Submit("", _("Search")))


class MeetingRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        max_length=MEETING_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few words on what you would like to talk about (500 characters at most)."),
    )
    slot: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Preferred slot"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("No preference"),
    )

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        slot = cast(forms.ModelChoiceField, self.fields["slot"])
        slot.queryset = meeting_slots(conference)
        slot.label_from_instance = self.slot_label  # type: ignore[method-assign,assignment]
        self.conference = conference
        self.helper = FormHelper()
        self.helper.layout = Layout("message", "slot", Submit("send", _("Ask for a meeting")))

    def slot_label(self, session) -> str:
        start = timezone.localtime(session.starts_at, self.conference.tzinfo)
        end = timezone.localtime(session.ends_at, self.conference.tzinfo)
        return (
            f"{session.title}, {formats.date_format(start, 'DATETIME_FORMAT')}"
            f"–{formats.time_format(end, 'TIME_FORMAT')}"
        )


class MeetingReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What was wrong? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
