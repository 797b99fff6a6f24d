"""Registering: the public form, its thank-you page, the privacy notice."""

from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from conference.models import Conference
from config.compiled_query import CompiledLookup
from registrations.errors import RegistrationError
from registrations.forms.registration import RegistrationForm
from registrations.forms.rendering import registration_form_html
from registrations.models import Registration
from registrations.places.registrations import registration_create
from registrations.places.selectors import RegistrationState, registration_availability
from registrations.questions.answers import AnswerError, answer_files_guard
from registrations.travel.identity import visit_identities_save
from registrations.views.once import SubmitOnceMixin, form_token_issue
from registrations.views.register_page import places_left_line, register_page_html
from registrations.views.throttle import RateLimitMixin

# The thank-you page opens once a form was sent in this browser; it names no registration.
# The mark is a signed cookie holding the conference's id (no session to write for it); a mark
# in the session, as written before, still opens it.
SESSION_KEY = "registration_done"
DONE_COOKIE = "registration_done"
DONE_SALT = "registrations.views.registration.done"


def _done_mark_set(response: HttpResponse, conference: Conference) -> None:
    # As the session's cookie would carry it: as long, as private (HttpOnly), as secure.
    response.set_signed_cookie(
        DONE_COOKIE,
        str(conference.pk),
        salt=DONE_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        path=settings.SESSION_COOKIE_PATH,
        domain=settings.SESSION_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


def _done_mark_for(request: HttpRequest, conference: Conference) -> bool:
    marked = request.get_signed_cookie(
        DONE_COOKIE, default=None, salt=DONE_SALT, max_age=settings.SESSION_COOKIE_AGE
    )
    if marked == str(conference.pk):
        return True
    # A browser without a session costs no query here; reading it still marks the response as
    # varying with the cookies, as it always did.
    done = request.session.get(SESSION_KEY)
    return isinstance(done, dict) and done.get("conference") == conference.pk


# Read for every GET and POST of the form: its SQL compiled once (config/compiled_query.py).
# The retention schedule with it: the consents of a registration record its version.
_conference_published = CompiledLookup(
    lambda slug: (
        Conference.objects.published()
        .select_related("venue", "retention_schedule")
        .filter(slug=slug)
        .order_by()
    )
)


class RegisterView(RateLimitMixin, SubmitOnceMixin, View):
    template_name = "registrations/register.html"
    rate_limit_group = "register"
    once_cookie = DONE_COOKIE

    def rate_limit_email(self) -> str:
        return self.request.POST.get("email", "")

    def dispatch(self, request, *args, slug: str, **kwargs):
        conference = _conference_published.get(slug)
        if conference is None:
            raise Http404("No Conference matches the given query.")
        self.conference = conference
        self.availability = registration_availability(conference=self.conference)
        return super().dispatch(request, *args, **kwargs)

    @property
    def _waiting_list(self) -> bool:
        return self.availability.state is RegistrationState.FULL

    def _form(self, data=None, token: str = "", files=None) -> RegistrationForm:
        label = _("Join the waiting list") if self._waiting_list else _("Register")
        language = get_language() if get_language() in Registration.Language.values else "en"
        return RegistrationForm(
            data,
            files,
            conference=self.conference,
            submit_label=label,
            initial={"preferred_language": language, "form_token": token},
        )

    def _render(
        self, form: RegistrationForm | None, status: int = 200, form_html: str = ""
    ) -> HttpResponse:
        context = {
            "conference": self.conference,
            "availability": self.availability,
            "places_left_line": places_left_line(self.availability),
            "form": form,
            "form_html": form_html,
        }
        # The blank form's page from the one kept (register_page), else rendered.
        page = register_page_html(
            self.request, self.template_name, context, conference=self.conference
        )
        if page is not None:
            return HttpResponse(page, status=status)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        if not self.availability.accepts_registrations:
            return self._render(form=None)
        # The blank form is the same for everyone but its tokens: rendered once, from the cache.
        form_html = registration_form_html(
            request,
            self.conference,
            waiting_list=self._waiting_list,
            token=form_token_issue(request),
            build=lambda token: self._form(token=token),
        )
        return self._render(form=None, form_html=form_html)

    def post(self, request, *args, **kwargs):
        if not self.availability.accepts_registrations:
            return self._render(form=None, status=403)
        return self.submit_once(self.submit)

    def submit(self) -> HttpResponse:
        request = self.request
        form = self._form(request.POST, files=request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        # The page after is the same whatever happened, ignored spam and an address already
        # registered included: it tells a stranger nothing; the email tells the owner.
        if form.is_spam:
            return self._done()
        # The identity data of the visits chosen are kept in the registration's transaction;
        # without any, registration_create's own is the whole of it (no savepoint in another).
        atomic = transaction.atomic() if form.visit_identities else nullcontext()
        try:
            # The files of the answers go if a later step refuses (the rows roll back).
            with answer_files_guard(), atomic:
                outcome = registration_create(
                    conference=self.conference,
                    data=form.registration_data(),
                    authority=form.cleaned_data.get("authority"),
                    new_authority=form.new_authority(),
                    special_needs_consent=form.cleaned_data["special_needs_consent"],
                    sessions=form.cleaned_data["sessions"],
                )
                # Only onto a registration made now: an address already registered gets a
                # reminder, and a stranger's form must not write into that registration.
                if outcome.created and form.visit_identities:
                    visit_identities_save(
                        registration=outcome.registration,
                        identities=form.visit_identities,
                        consent=form.visit_identity_consent,
                    )
        except RegistrationError as error:
            # A full choice is told beside its question; other refusals above the form.
            if not (
                isinstance(error, AnswerError)
                and form.answer_error_add(error.question_id, error.message)
            ):
                messages.error(request, error.message)
            return self._render(form, status=409)
        return self._done()

    def _done(self) -> HttpResponse:
        response = redirect("registrations:register_done", slug=self.conference.slug)
        _done_mark_set(response, self.conference)
        return response


class RegisterDoneView(TemplateView):
    template_name = "registrations/register_done.html"

    def get(self, request, *args, slug: str, **kwargs):
        conference = get_object_or_404(Conference.objects.published(), slug=slug)
        if not _done_mark_for(request, conference):
            response: HttpResponse = redirect("registrations:register", slug=slug)
        else:
            response = self.render_to_response({"conference": conference})
        # Which of the two depends on the browser's cookies (the session's said so before).
        patch_vary_headers(response, ("Cookie",))
        return response
