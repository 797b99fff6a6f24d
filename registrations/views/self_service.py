"""The delegate's own pages, behind their personal link."""

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import ContextMixin

from conference.models import Conference
from registrations.access.links import management_link_issue, management_link_resolve
from registrations.access.selectors import registration_personal_data
from registrations.access.self_service import (
    management_link_request,
    registration_change_sessions,
    registration_erase,
    registration_update_details,
)
from registrations.errors import RegistrationError
from registrations.forms.self_service import DetailsEditForm, LostLinkForm, SessionsEditForm
from registrations.models import ManagementLink, Registration
from registrations.network.directory import directory_can_see, directory_listing_of
from registrations.network.meetings import meeting_requests_of
from registrations.onsite.certificates import registration_attended
from registrations.places.selectors import conference_waitlist_position, registration_booking_lines
from registrations.places.status import registration_cancel
from registrations.travel.identity import visit_identities_save, visit_sessions_asking_identity
from registrations.views.throttle import RateLimitMixin

# The session remembers which personal link opened it; the link is checked on every request,
# so revoking it (new address, cancellation, organiser) closes the door at once.
MANAGE_SESSION_KEY = "manage_link"


def manage_enter(request, token: str):
    """Exchange the token of a personal link for a session, then drop it from the address bar so
    that it leaks neither through the Referer header nor through the history."""
    link = management_link_resolve(token=token)
    if link is None:
        return render(request, "registrations/manage/link_invalid.html", status=404)
    request.session.cycle_key()
    request.session[MANAGE_SESSION_KEY] = link.pk
    response = redirect("registrations:manage")
    response["Referrer-Policy"] = "no-referrer"
    return response


class DelegateAccessMixin(ContextMixin, RateLimitMixin):
    """Gives the view `self.registration`, or sends the visitor to a page explaining that their
    link is no longer valid. Its changes (POST) are rate-limited."""

    rate_limit_group = "manage"

    def rate_limit_email(self) -> str:
        return self.registration.email

    # Set by dispatch(), before any handler runs.
    registration: Registration
    conference: Conference

    def dispatch(self, request, *args, **kwargs):
        link_id = request.session.get(MANAGE_SESSION_KEY)
        link = (
            ManagementLink.objects.select_related(
                "registration__conference__venue", "registration__authority"
            )
            .filter(pk=link_id)
            .first()
            if link_id
            else None
        )
        if link is not None and link.delegation_id is not None and link.is_valid():
            return redirect("registrations:manage_delegation")
        if (
            link is None
            or not link.is_valid()
            # A link opens a registration or a delegation, and delegations went above.
            or link.registration is None
            or link.registration.erased_at is not None
        ):
            request.session.pop(MANAGE_SESSION_KEY, None)
            return render(request, "registrations/manage/link_invalid.html", status=403)
        self.registration = link.registration
        self.conference = link.registration.conference
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            registration=self.registration,
            conference=self.conference,
            changes_open=self.conference.changes_are_open(),
        )
        return context


class ManageView(DelegateAccessMixin, TemplateView):
    template_name = "registrations/manage/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            attended=registration_attended(self.registration),
            booking_lines=registration_booking_lines(self.registration),
            waitlist_position=conference_waitlist_position(self.registration),
            agenda_url=reverse("agenda_calendar", kwargs={"token": self.registration.agenda_token}),
            visit_identity_sessions=visit_sessions_asking_identity(self.registration),
        )
        if directory_can_see(self.registration):
            context.update(
                directory_listing=directory_listing_of(self.registration),
                meeting_requests=list(meeting_requests_of(self.registration)),
            )
        return context


class DetailsEditView(DelegateAccessMixin, TemplateView):
    template_name = "registrations/manage/details.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=DetailsEditForm(registration=self.registration))
        )

    def post(self, request, *args, **kwargs):
        form = DetailsEditForm(request.POST, registration=self.registration)
        if form.is_valid():
            try:
                changed = registration_update_details(
                    registration=self.registration,
                    data=form.registration_data(category=self.registration.category),
                    special_needs_consent=form.cleaned_data["special_needs_consent"],
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                if changed:
                    messages.success(request, _("Your details are saved. We have emailed you."))
                else:
                    messages.info(request, _("Nothing has changed."))
                return redirect("registrations:manage")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SessionsEditView(DelegateAccessMixin, TemplateView):
    template_name = "registrations/manage/sessions.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=SessionsEditForm(registration=self.registration))
        )

    def post(self, request, *args, **kwargs):
        form = SessionsEditForm(request.POST, registration=self.registration)
        if form.is_valid():
            try:
                with transaction.atomic():
                    changes = registration_change_sessions(
                        registration=self.registration, sessions=form.cleaned_data["sessions"]
                    )
                    # Keeps what the chosen visits ask for, drops what the others held.
                    visit_identities_save(
                        registration=self.registration,
                        identities=form.visit_identities,
                        consent=form.visit_identity_consent,
                    )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                if changes.added or changes.removed:
                    messages.success(request, _("Your sessions are saved. We have emailed you."))
                else:
                    messages.info(request, _("Nothing has changed."))
                return redirect("registrations:manage")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CancelView(DelegateAccessMixin, TemplateView):
    """A confirmation page, then the cancellation itself on POST."""

    template_name = "registrations/manage/cancel.html"

    def post(self, request, *args, **kwargs):
        if self.registration.status != Registration.Status.CANCELLED:
            registration_cancel(registration=self.registration)
            # Cancelling revokes every link, this browser's too; it keeps access through a new
            # one so that the delegate can still download or erase their data.
            token = management_link_issue(registration=self.registration)
            link = management_link_resolve(token=token)
            # Issued just now, expiring when the link that opened this page does: valid.
            assert link is not None
            request.session[MANAGE_SESSION_KEY] = link.pk
            messages.success(request, _("Your registration is cancelled. We have emailed you."))
        return redirect("registrations:manage")


class PersonalDataView(DelegateAccessMixin, View):
    def get(self, request, *args, **kwargs):
        data = registration_personal_data(self.registration)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        filename = f"registration-{self.registration.reference}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class EraseView(DelegateAccessMixin, TemplateView):
    template_name = "registrations/manage/erase.html"

    def post(self, request, *args, **kwargs):
        try:
            registration_erase(registration=self.registration)
        except RegistrationError as error:
            messages.error(request, error.message)
            return redirect("registrations:manage")
        request.session.pop(MANAGE_SESSION_KEY, None)
        return render(request, "registrations/manage/erased.html", {"conference": self.conference})


class LeaveView(View):
    def post(self, request, *args, **kwargs):
        request.session.pop(MANAGE_SESSION_KEY, None)
        return redirect("conference:list")


class LostLinkView(RateLimitMixin, View):
    """ "Lost your link?" It answers the same, with the same status, whether or not the address
    is registered; only the registered address receives an email."""

    template_name = "registrations/manage/lost_link.html"
    rate_limit_group = "lost-link"

    def rate_limit_email(self) -> str:
        return self.request.POST.get("email", "")

    def dispatch(self, request, *args, slug: str, **kwargs):
        self.conference = get_object_or_404(Conference.objects.published(), slug=slug)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self._render(LostLinkForm())

    def post(self, request, *args, **kwargs):
        form = LostLinkForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        management_link_request(conference=self.conference, email=form.cleaned_data["email"])
        return self._render(None, sent=True)

    def _render(self, form, *, status: int = 200, sent: bool = False):
        context = {"conference": self.conference, "form": form, "sent": sent}
        return render(self.request, self.template_name, context, status=status)
