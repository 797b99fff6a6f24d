from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_ratelimit.core import is_ratelimited

from conference.models import Conference
from registrations import services
from registrations.certificates import registration_attended
from registrations.forms import (
    DelegationForm,
    DelegationMemberForm,
    DelegationMemberFormSet,
    DetailsEditForm,
    LostLinkForm,
    RegistrationForm,
    SessionsEditForm,
)
from registrations.models import PRIVACY_NOTICE_VERSION, Authority, ManagementLink, Registration
from registrations.selectors import (
    RegistrationState,
    conference_waitlist_position,
    registration_availability,
    registration_booking_lines,
    registration_personal_data,
)

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

    def _render(self, form: RegistrationForm, status: int = 200):
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
            outcome = services.registration_create(
                conference=self.conference,
                data=form.registration_data(),
                authority=form.cleaned_data.get("authority"),
                new_authority=form.new_authority(),
                special_needs_consent=form.cleaned_data["special_needs_consent"],
                sessions=form.cleaned_data["sessions"],
            )
        except services.RegistrationError as error:
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


# --- The delegate's own registration, reached through their personal link -------------------

# The session remembers which personal link opened it; the link is checked on every request,
# so revoking it (new address, cancellation, organiser) closes the door at once.
MANAGE_SESSION_KEY = "manage_link"


def manage_enter(request, token: str):
    """Exchange the token of a personal link for a session, then drop it from the address bar so
    that it leaks neither through the Referer header nor through the history."""
    link = services.management_link_resolve(token=token)
    if link is None:
        return render(request, "registrations/manage/link_invalid.html", status=404)
    request.session.cycle_key()
    request.session[MANAGE_SESSION_KEY] = link.pk
    response = redirect("registrations:manage")
    response["Referrer-Policy"] = "no-referrer"
    return response


class DelegateAccessMixin:
    """Gives the view `self.registration`, or sends the visitor to a page explaining that their
    link is no longer valid."""

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
        if link is None or not link.is_valid() or link.registration.erased_at is not None:
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
                changed = services.registration_update_details(
                    registration=self.registration,
                    data=form.registration_data(category=self.registration.category),
                    special_needs_consent=form.cleaned_data["special_needs_consent"],
                )
            except services.RegistrationError as error:
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
                changes = services.registration_change_sessions(
                    registration=self.registration, sessions=form.cleaned_data["sessions"]
                )
            except services.RegistrationError as error:
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
            services.registration_cancel(registration=self.registration)
            # Cancelling revokes every link, this browser's too; it keeps access through a new
            # one so that the delegate can still download or erase their data.
            token = services.management_link_issue(registration=self.registration)
            request.session[MANAGE_SESSION_KEY] = services.management_link_resolve(token=token).pk
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
            services.registration_erase(registration=self.registration)
        except services.RegistrationError as error:
            messages.error(request, error.message)
            return redirect("registrations:manage")
        request.session.pop(MANAGE_SESSION_KEY, None)
        return render(request, "registrations/manage/erased.html", {"conference": self.conference})


class LeaveView(View):
    def post(self, request, *args, **kwargs):
        request.session.pop(MANAGE_SESSION_KEY, None)
        return redirect("conference:list")


class LostLinkView(View):
    """ "Lost your link?" It answers the same, with the same status, whether or not the address
    is registered; only the registered address receives an email."""

    template_name = "registrations/manage/lost_link.html"
    rates = {"ip": "10/h", "post:email": "3/h"}

    def dispatch(self, request, *args, slug: str, **kwargs):
        self.conference = get_object_or_404(Conference.objects.published(), slug=slug)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self._render(LostLinkForm())

    def post(self, request, *args, **kwargs):
        form = LostLinkForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        throttled = [
            is_ratelimited(
                request, group="lost-link", key=key, rate=rate, method="POST", increment=True
            )
            for key, rate in self.rates.items()
        ]
        if any(throttled):
            form.add_error(None, _("Too many requests. Please wait an hour before asking again."))
            return self._render(form, status=429)
        services.management_link_request(
            conference=self.conference, email=form.cleaned_data["email"]
        )
        return self._render(None, sent=True)

    def _render(self, form, *, status: int = 200, sent: bool = False):
        context = {"conference": self.conference, "form": form, "sent": sent}
        return render(self.request, self.template_name, context, status=status)


# --- Delegations: a coordinator registers colleagues, then looks after them ------------------

DELEGATION_SESSION_KEY = "delegation_done"


class DelegationRegisterView(View):
    template_name = "registrations/delegation_register.html"

    def dispatch(self, request, *args, slug: str, **kwargs):
        self.conference = get_object_or_404(Conference.objects.published(), slug=slug)
        self.availability = registration_availability(conference=self.conference)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, formset, status: int = 200):
        context = {
            "conference": self.conference,
            "availability": self.availability,
            "form": form,
            "formset": formset,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        if not self.availability.accepts_registrations:
            return self._render(None, None)
        language = self._language()
        return self._render(
            DelegationForm(initial={"coordinator_language": language}),
            DelegationMemberFormSet(prefix="members", form_kwargs={"language": language}),
        )

    def _language(self) -> str:
        return get_language() if get_language() in Registration.Language.values else "en"

    def post(self, request, *args, **kwargs):
        if not self.availability.accepts_registrations:
            return self._render(None, None, status=403)
        if is_ratelimited(
            request, group="delegation", key="ip", rate="20/h", method="POST", increment=True
        ):
            return HttpResponse(
                _("Too many requests. Please wait an hour before trying again."), status=429
            )
        form = DelegationForm(request.POST)
        formset = DelegationMemberFormSet(
            request.POST, prefix="members", form_kwargs={"language": self._language()}
        )
        if not (form.is_valid() and formset.is_valid()):
            return self._render(form, formset, status=400)
        if form.is_spam:
            return redirect(self.conference)
        try:
            delegation = services.delegation_register(
                conference=self.conference,
                authority=form.cleaned_data.get("authority"),
                new_authority=form.new_authority(),
                coordinator=form.coordinator(),
                members=formset.members(),
            )
        except services.RegistrationError as error:
            form.add_error(None, error.message)
            return self._render(form, formset, status=409)
        request.session[DELEGATION_SESSION_KEY] = delegation.pk
        return redirect("registrations:delegation_done", slug=self.conference.slug)


class DelegationDoneView(TemplateView):
    template_name = "registrations/delegation_done.html"

    def get(self, request, *args, slug: str, **kwargs):
        conference = get_object_or_404(Conference.objects.published(), slug=slug)
        delegation = conference.delegations.filter(
            pk=request.session.get(DELEGATION_SESSION_KEY)
        ).first()
        if delegation is None:
            return redirect("registrations:delegation_register", slug=slug)
        return self.render_to_response({"conference": conference, "delegation": delegation})


def authority_places(request, slug: str, pk: int):
    """Places left for an authority, shown by the delegation form as the coordinator picks."""
    conference = get_object_or_404(Conference.objects.published(), slug=slug)
    authority = get_object_or_404(Authority, pk=pk)
    return JsonResponse({"places_left": services.authority_places_left(conference, authority)})


class DelegationAccessMixin:
    """For a coordinator who followed their personal link: gives `self.delegation`."""

    def dispatch(self, request, *args, **kwargs):
        link_id = request.session.get(MANAGE_SESSION_KEY)
        link = (
            ManagementLink.objects.select_related(
                "delegation__conference__venue", "delegation__authority"
            )
            .filter(pk=link_id, delegation__isnull=False)
            .first()
            if link_id
            else None
        )
        if link is None or not link.is_valid():
            return render(request, "registrations/manage/link_invalid.html", status=403)
        self.delegation = link.delegation
        self.conference = link.delegation.conference
        return super().dispatch(request, *args, **kwargs)

    def member(self, reference: str) -> Registration:
        return get_object_or_404(self.delegation.members.active(), reference=reference)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(delegation=self.delegation, conference=self.conference)
        return context


class DelegationManageView(DelegationAccessMixin, TemplateView):
    template_name = "registrations/manage/delegation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            members=self.delegation.members.annotate(session_count=Count("bookings")).order_by(
                "status", "last_name", "first_name"
            ),
            places_left=services.authority_places_left(self.conference, self.delegation.authority),
            add_form=kwargs.get("add_form") or DelegationMemberForm(),
            registration_open=self.conference.registration_is_open(),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Add a delegate."""
        form = DelegationMemberForm(request.POST)
        if form.is_valid():
            try:
                services.delegation_add_member(
                    delegation=self.delegation, data=form.registration_data()
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The delegate is registered and gets an email."))
                return redirect("registrations:manage_delegation")
        return self.render_to_response(self.get_context_data(add_form=form), status=400)


class DelegationSubstituteView(DelegationAccessMixin, TemplateView):
    template_name = "registrations/manage/delegation_substitute.html"

    def get(self, request, *args, reference: str, **kwargs):
        member = self.member(reference)
        form = DelegationMemberForm(initial={"preferred_language": member.preferred_language})
        return self.render_to_response(self.get_context_data(member=member, form=form))

    def post(self, request, *args, reference: str, **kwargs):
        member = self.member(reference)
        form = DelegationMemberForm(request.POST)
        if form.is_valid():
            try:
                services.delegation_substitute(registration=member, data=form.registration_data())
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Your colleague takes over the place. Both have been emailed.")
                )
                return redirect("registrations:manage_delegation")
        return self.render_to_response(self.get_context_data(member=member, form=form), status=400)


class DelegationCancelMemberView(DelegationAccessMixin, TemplateView):
    template_name = "registrations/manage/delegation_cancel.html"

    def get(self, request, *args, reference: str, **kwargs):
        return self.render_to_response(self.get_context_data(member=self.member(reference)))

    def post(self, request, *args, reference: str, **kwargs):
        services.registration_cancel(registration=self.member(reference))
        messages.success(request, _("The registration is cancelled and the delegate emailed."))
        return redirect("registrations:manage_delegation")
