"""Registering: the public form, its thank-you page, the privacy notice."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from conference.models import Conference
from registrations.errors import RegistrationError
from registrations.forms.registration import RegistrationForm
from registrations.models import PRIVACY_NOTICE_VERSION, Registration
from registrations.places.registrations import registration_create
from registrations.places.selectors import RegistrationState, registration_availability

# The success page finds the registration through the session, never through the URL.
SESSION_KEY = "registration_done"


class RegisterView(View):
    template_name = "registrations/register.html"

    def dispatch(self, request, *args, slug: str, **kwargs):
        self.conference = get_object_or_404(Conference.objects.published(), slug=slug)
        self.availability = registration_availability(conference=self.conference)
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data=None) -> RegistrationForm:
        if self.availability.state is RegistrationState.FULL:
            label = _("Join the waiting list")
        else:
            label = _("Register")
        language = get_language() if get_language() in Registration.Language.values else "en"
        return RegistrationForm(
            data,
            conference=self.conference,
            submit_label=label,
            initial={"preferred_language": language},
        )

    def _render(self, form: RegistrationForm | None, status: int = 200) -> HttpResponse:
        context = {"conference": self.conference, "availability": self.availability, "form": form}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        if not self.availability.accepts_registrations:
            return self._render(form=None)
        return self._render(self._form())

    def post(self, request, *args, **kwargs):
        if not self.availability.accepts_registrations:
            return self._render(form=None, status=403)
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        if form.is_spam:
            request.session[SESSION_KEY] = {"conference": self.conference.pk, "registration": None}
            return redirect("registrations:register_done", slug=self.conference.slug)
        try:
            outcome = registration_create(
                conference=self.conference,
                data=form.registration_data(),
                authority=form.cleaned_data.get("authority"),
                new_authority=form.new_authority(),
                special_needs_consent=form.cleaned_data["special_needs_consent"],
                sessions=form.cleaned_data["sessions"],
            )
        except RegistrationError as error:
            messages.error(request, error.message)
            return self._render(form, status=409)
        # A repeated sign-up shows the same neutral page as an ignored one: the page must not
        # tell a stranger whether an address is registered; the owner gets an email instead.
        request.session[SESSION_KEY] = {
            "conference": self.conference.pk,
            "registration": outcome.registration.pk if outcome.created else None,
        }
        return redirect("registrations:register_done", slug=self.conference.slug)


class RegisterDoneView(TemplateView):
    template_name = "registrations/register_done.html"

    def get(self, request, *args, slug: str, **kwargs):
        conference = get_object_or_404(Conference.objects.published(), slug=slug)
        done = request.session.get(SESSION_KEY)
        if not done or done.get("conference") != conference.pk:
            return redirect("registrations:register", slug=slug)
        registration = None
        if done.get("registration"):
            registration = Registration.objects.filter(pk=done["registration"]).first()
        bookings = (
            registration.bookings.select_related("session").order_by("session__starts_at")
            if registration
            else []
        )
        context = {"conference": conference, "registration": registration, "bookings": bookings}
        return self.render_to_response(context)


class PrivacyNoticeView(TemplateView):
    template_name = "registrations/privacy.html"
    extra_context = {"version": PRIVACY_NOTICE_VERSION}
