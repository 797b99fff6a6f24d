"""The participants page's filters: sent by GET from a link anyone may share, so a value that is
not a choice is dropped instead of refused (as the programme's)."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.models import Authority


class ParticipantsFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, countries: list[tuple[str, str]], kinds: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("All countries")),
            *countries,
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("All kinds")),
            *((value, label) for value, label in Authority.Kind.choices if value in kinds),
        ]
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select"

    def valid_filters(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
