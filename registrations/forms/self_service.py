"""Forms of the delegate's own pages."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.access.self_service import DETAIL_FIELDS
from registrations.forms.registration import (
    SENDING_LABEL,
    DelegateDetailsForm,
    SessionChoiceForm,
)
from registrations.models import Registration


class DetailsEditForm(DelegateDetailsForm):
    """The delegate edits their own details; the category is the organisers' to change."""

    # Django's way to drop an inherited form field, which django-stubs does not model.
    category = None  # type: ignore[assignment]

    def __init__(self, *args, registration: Registration, **kwargs):
        initial = {name: getattr(registration, name) for name in DETAIL_FIELDS}
        initial["phone"] = str(registration.phone or "")
        initial["special_needs_consent"] = registration.consents.filter(
            kind="special_needs"
        ).exists()
        super().__init__(*args, initial=initial, **kwargs)
        self.registration = registration
        self.helper = FormHelper()
        self.helper.attrs = {"data-sending-label": SENDING_LABEL}
        self.helper.layout = Layout(
            self.about_you_fieldset(),
            Fieldset(_("Languages"), "preferred_language", "interpretation_language"),
            self.needs_fieldset(),
            Submit("submit", _("Save my changes")),
        )

    def phone_region(self, data: dict) -> str | None:
        return self.registration.authority.country.code or None


class SessionsEditForm(SessionChoiceForm):
    def __init__(self, *args, registration: Registration, **kwargs):
        super().__init__(
            *args,
            conference=registration.conference,
            initial={"sessions": list(registration.bookings.values_list("session_id", flat=True))},
            **kwargs,
        )
        # The identity data the delegate gave already, for the visits that ask for it.
        self.visit_identity_fields_add(
            self.identity_sessions,
            existing={
                identity.session_id: identity for identity in registration.visit_identities.all()
            },
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "sessions", *self.visit_identity_layout(), Submit("submit", _("Save my sessions"))
        )


class LostLinkForm(forms.Form):
    email = forms.EmailField(label=_("The email address you registered with"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.helper = FormHelper()
        self.helper.attrs = {"data-sending-label": SENDING_LABEL}
        self.helper.layout = Layout("email", Submit("submit", _("Send me my link")))
