"""The coordinator's delegation form."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.authorities.delegations import Coordinator
from registrations.forms.fields import PlainTextForm, privacy_link, validate_person_name
from registrations.forms.questions import QuestionFields, question_field_name
from registrations.forms.registration import AuthorityChoiceForm, DelegateDetailsForm
from registrations.models import Question, Registration
from registrations.places.registrations import RegistrationData, email_normalise
from registrations.questions.selectors import questions_asked


class DelegationMemberForm(PlainTextForm, QuestionFields):
    """One colleague in a delegation: what the coordinator knows of them, and their answers
    to the conference's questions, but for those of the special category (diet, health,
    accessibility), which need the delegate's own consent: they answer those on their page."""

    first_name = forms.CharField(
        label=_("First name"), max_length=100, validators=[validate_person_name]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, validators=[validate_person_name]
    )
    email = forms.EmailField(label=_("Email"), max_length=254)
    job_title = forms.CharField(label=_("Job title"), max_length=150)
    category = forms.ChoiceField(
        label=_("Attends as"),
        choices=cast(forms.ChoiceField, DelegateDetailsForm.base_fields["category"]).choices,
        initial=Registration.Category.DELEGATE,
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for emails"), choices=Registration.Language.choices
    )

    def __init__(
        self,
        *args,
        language: str | None = None,
        conference: Conference | None = None,
        questions: list[Question] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if conference is not None:
            # The formset's forms share one read of the questions (form_kwargs).
            if questions is None:
                questions = questions_asked(conference, special=False)
            self.question_fields_add(
                [question for question in questions if not question.special_category],
                conference=conference,
            )
        # A colleague's details: the browser must not offer the coordinator's own.
        for name in ("first_name", "last_name", "email", "job_title"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        if language:
            # A field default, not form initial data: a row left empty stays unchanged.
            self.fields["preferred_language"].initial = language
        # A row that may stay empty shows no required marks; once filled in, clean() asks for
        # what is missing.
        self.row_required: list[str] = []
        if self.empty_permitted:
            self.row_required = [name for name, field in self.fields.items() if field.required]
            for name in self.row_required:
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        # The forms' clean() methods all return this dict, down to Form.clean().
        data = self.cleaned_data
        for name in self.row_required:
            if name not in self.errors and data.get(name) in (None, "", []):
                self.add_error(name, self.fields[name].error_messages["required"])
        if getattr(self, "questions", None):
            self.questions_clean(data.get("category") or Registration.Category.DELEGATE)
        return data

    @property
    def question_bound_fields(self) -> list:
        return [self[question_field_name(question)] for question in getattr(self, "questions", [])]

    def clean_email(self) -> str:
        return email_normalise(self.cleaned_data["email"])

    def registration_data(self) -> RegistrationData:
        data = self.cleaned_data
        return RegistrationData(
            first_name=" ".join(data["first_name"].split()),
            last_name=" ".join(data["last_name"].split()),
            email=data["email"],
            job_title=data["job_title"],
            category=data["category"],
            preferred_language=data["preferred_language"],
            answers=self.answers_input,
        )


class BaseDelegationMemberFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            email = form.cleaned_data.get("email")
            if email and email in seen:
                form.add_error("email", _("Each delegate needs their own email address."))
            seen.add(email)

    def members(self) -> list[RegistrationData]:
        return [form.registration_data() for form in self.forms if form.cleaned_data]


# formset_factory() returns a subclass of `formset`; django-stubs types it as a plain formset.
DelegationMemberFormSet = cast(
    type[BaseDelegationMemberFormSet],
    forms.formset_factory(
        DelegationMemberForm,
        formset=BaseDelegationMemberFormSet,
        extra=4,
        min_num=1,
        validate_min=True,
        max_num=50,
        validate_max=True,
    ),
)


class DelegationForm(AuthorityChoiceForm):
    """The coordinator and their authority; the delegates come in DelegationMemberFormSet."""

    coordinator_first_name = forms.CharField(
        label=_("Your first name"), max_length=100, validators=[validate_person_name]
    )
    coordinator_last_name = forms.CharField(
        label=_("Your last name"), max_length=100, validators=[validate_person_name]
    )
    coordinator_email = forms.EmailField(label=_("Your email"), max_length=254)
    coordinator_language = forms.ChoiceField(
        label=_("Language for our emails"), choices=Registration.Language.choices
    )
    privacy_consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice, and the colleagues I register know that their "
            "data is used to manage their registration."
        ),
        error_messages={"required": _("You need to accept the privacy notice to register.")},
    )

    def __init__(self, *args, conference=None, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "coordinator_first_name": "given-name",
            "coordinator_last_name": "family-name",
            "coordinator_email": "email",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            self.authority_fieldset(),
            Fieldset(
                _("You, the coordinator"),
                Div(
                    Div("coordinator_first_name", css_class="col-md-6"),
                    Div("coordinator_last_name", css_class="col-md-6"),
                    css_class="row",
                ),
                "coordinator_email",
                "coordinator_language",
            ),
        )
        self.consent_helper = FormHelper()
        self.consent_helper.form_tag = False
        self.consent_helper.disable_csrf = True
        self.consent_helper.layout = Layout(
            Fieldset(_("Privacy"), privacy_link(conference), "privacy_consent"),
            self.honeypot(),
            "form_token",
        )

    def clean_coordinator_email(self) -> str:
        return email_normalise(self.cleaned_data["coordinator_email"])

    def coordinator(self) -> Coordinator:
        data = self.cleaned_data
        return Coordinator(
            first_name=data["coordinator_first_name"],
            last_name=data["coordinator_last_name"],
            email=data["coordinator_email"],
            preferred_language=data["coordinator_language"],
        )
