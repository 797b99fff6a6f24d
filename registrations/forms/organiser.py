"""Forms of the organisers' tools."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registrations.outbox.placeholders import bulk_placeholders_unknown


class BulkEmailForm(forms.Form):
    """Organisers write to many delegates; {placeholders} are filled in for each."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        help_text=_(
            "Placeholders: {first_name}, {last_name}, {reference}, {authority}, {conference}, "
            "{personal_link}. The personal link is also added at the end of every message."
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        for name in ("subject", "body"):
            unknown = bulk_placeholders_unknown(data.get(name, ""))
            if unknown:
                self.add_error(
                    name,
                    gettext("Unknown placeholder: %(names)s")
                    % {"names": ", ".join("{" + n + "}" for n in sorted(unknown))},
                )
        return data
