"""Forms of the organisers' tools."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registrations.outbox.placeholders import bulk_placeholders_unknown


class BulkEmailForm(forms.Form):
    """Organisers write to many delegates, in each language of the site; {placeholders} are
    filled in for each. A delegate gets the text of their language, or the other one where it
    is left empty."""

    subject_en = forms.CharField(label=_("Subject in English"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Message in English"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        required=False,
    )
    subject_fr = forms.CharField(label=_("Subject in French"), max_length=200, required=False)
    body_fr = forms.CharField(
        label=_("Message in French"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        required=False,
        help_text=_(
            "Placeholders: {first_name}, {last_name}, {reference}, {authority}, {conference}, "
            "{personal_link}. The personal link is also added at the end of every message."
        ),
    )

    LANGUAGES = ("en", "fr")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        for name in ("subject", "body"):
            if not any(data.get(f"{name}_{code}") for code in self.LANGUAGES):
                self.add_error(
                    f"{name}_en",
                    gettext("Write the subject in English, in French or in both.")
                    if name == "subject"
                    else gettext("Write the message in English, in French or in both."),
                )
            for code in self.LANGUAGES:
                field = f"{name}_{code}"
                unknown = bulk_placeholders_unknown(data.get(field, ""))
                if unknown:
                    self.add_error(
                        field,
                        gettext("Unknown placeholder: %(names)s")
                        % {"names": ", ".join("{" + n + "}" for n in sorted(unknown))},
                    )
        return data

    def texts(self, name: str) -> dict[str, str]:
        """The subjects or the bodies ("subject", "body"), by language code."""
        return {code: self.cleaned_data[f"{name}_{code}"] for code in self.LANGUAGES}
