"""The delegate's travel paperwork behind their personal link (identity data for site visits,
visa invitation letters), and the public page where an embassy checks a letter."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from registrations.errors import RegistrationError
from registrations.forms.travel import VisaLetterRequestForm, VisitIdentityForm
from registrations.models import VisaLetterRequest
from registrations.travel.identity import visit_identities_save, visit_sessions_asking_identity
from registrations.travel.letters import visa_letter_filename
from registrations.travel.visa import (
    VisaLetterVerification,
    visa_letter_request_create,
    visa_letter_verify,
    visa_requests_open,
)
from registrations.views.self_service import DelegateAccessMixin


class VisitIdentityView(DelegateAccessMixin, TemplateView):
    """The identity data of the booked visits that ask for it, given or changed."""

    template_name = "registrations/manage/visit_identity.html"

    def _form(self, data=None) -> VisitIdentityForm:
        return VisitIdentityForm(
            data,
            registration=self.registration,
            sessions=visit_sessions_asking_identity(self.registration),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                visit_identities_save(
                    registration=self.registration,
                    identities=form.visit_identities,
                    consent=form.visit_identity_consent,
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your identity data for the site visits are saved."))
                return redirect("registrations:manage")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class VisaLetterView(DelegateAccessMixin, TemplateView):
    """The delegate's visa letter requests, their answers and letters; and the form to ask."""

    template_name = "registrations/manage/visa_letter.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visa_requests = list(self.registration.visa_requests.order_by("-created_at"))
        may_ask = visa_requests_open(self.registration) and not any(
            visa_request.status != VisaLetterRequest.Status.REFUSED
            for visa_request in visa_requests
        )
        if may_ask and "form" not in context:
            context["form"] = VisaLetterRequestForm(registration=self.registration)
        context.update(visa_requests=visa_requests, may_ask=may_ask)
        return context

    def post(self, request, *args, **kwargs):
        form = VisaLetterRequestForm(request.POST, registration=self.registration)
        if form.is_valid():
            try:
                visa_letter_request_create(
                    registration=self.registration, data=form.visa_letter_data()
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Your request is sent. We have emailed you, and will again.")
                )
                return redirect("registrations:manage_visa_letter")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class VisaLetterDownloadView(DelegateAccessMixin, View):
    """The delegate's own letter, from storage, while it is kept."""

    def get(self, request, *args, pk: int, **kwargs):
        visa_request = get_object_or_404(
            self.registration.visa_requests, pk=pk, status=VisaLetterRequest.Status.APPROVED
        )
        if not visa_request.letter:
            raise Http404("the letter was deleted with the passport data")
        response = FileResponse(
            visa_request.letter.open("rb"),
            as_attachment=True,
            filename=visa_letter_filename(visa_request),
            content_type="application/pdf",
        )
        # Passport data: no shared cache keeps it, and the browser does not store it either.
        response["Cache-Control"] = "private, no-store"
        return response


def _verification_status(verification: VisaLetterVerification | None) -> int:
    # A withdrawn letter is Gone, so that a program reading only the status is not misled.
    if verification is None:
        return 404
    return 410 if verification.withdrawn else 200


def visa_letter_verify_view(request, reference: str):
    """Public: an embassy checks that a letter was issued, for whom and for which dates. Shows
    no passport data; the reference, 80 random bits, cannot be guessed."""
    verification = visa_letter_verify(reference)
    response = render(
        request,
        "registrations/visa_verify.html",
        {"verification": verification, "reference": reference},
        status=_verification_status(verification),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
