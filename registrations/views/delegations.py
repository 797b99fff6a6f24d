"""Delegations: the coordinator's form, and their page behind their personal link."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import ContextMixin

from conference.models import Conference
from registrations.authorities.allotments import authority_places_left
from registrations.authorities.delegations import (
    delegation_add_member,
    delegation_register,
    delegation_substitute,
)
from registrations.errors import RegistrationError
from registrations.forms.delegations import (
    DelegationForm,
    DelegationMemberForm,
    DelegationMemberFormSet,
)
from registrations.models import Authority, Delegation, ManagementLink, Registration
from registrations.places.selectors import registration_availability
from registrations.places.status import registration_cancel
from registrations.questions.selectors import questions_asked
from registrations.views.once import SubmitOnceMixin, form_token_issue
from registrations.views.self_service import MANAGE_SESSION_KEY
from registrations.views.throttle import RateLimitMixin

DELEGATION_SESSION_KEY = "delegation_done"
Status = Registration.Status


class DelegationRegisterView(RateLimitMixin, SubmitOnceMixin, View):
    template_name = "registrations/delegation_register.html"
    rate_limit_group = "delegation"
    once_session_key = DELEGATION_SESSION_KEY

    def rate_limit_email(self) -> str:
        return self.request.POST.get("coordinator_email", "")

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
            DelegationForm(
                conference=self.conference,
                initial={"coordinator_language": language, "form_token": form_token_issue(request)},
            ),
            DelegationMemberFormSet(prefix="members", form_kwargs=self._member_kwargs()),
        )

    def _member_kwargs(self) -> dict:
        return {
            "language": self._language(),
            "conference": self.conference,
            "questions": questions_asked(self.conference, special=False),
        }

    def _language(self) -> str:
        return get_language() if get_language() in Registration.Language.values else "en"

    def post(self, request, *args, **kwargs):
        if not self.availability.accepts_registrations:
            return self._render(None, None, status=403)
        return self.submit_once(self.submit)

    def submit(self) -> HttpResponse:
        request = self.request
        form = DelegationForm(request.POST, conference=self.conference)
        formset = DelegationMemberFormSet(
            request.POST, request.FILES, prefix="members", form_kwargs=self._member_kwargs()
        )
        if not (form.is_valid() and formset.is_valid()):
            return self._render(form, formset, status=400)
        if form.is_spam:
            return redirect(self.conference)
        try:
            delegation = delegation_register(
                conference=self.conference,
                authority=form.cleaned_data.get("authority"),
                new_authority=form.new_authority(),
                coordinator=form.coordinator(),
                members=formset.members(),
            )
        except RegistrationError as error:
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
        # Only the members registered by the form: an address already registered made no
        # member, so the page names nobody the form's user could not have registered.
        members = delegation.members.order_by("last_name", "first_name")
        by_status = {status: [m for m in members if m.status == status] for status in Status}
        return self.render_to_response(
            {
                "conference": conference,
                "delegation": delegation,
                "confirmed": by_status[Status.CONFIRMED],
                "waitlisted": by_status[Status.WAITLISTED],
                "pending": by_status[Status.PENDING],
            }
        )


def authority_places(request, slug: str, pk: int):
    """Places left for an authority, shown by the delegation form as the coordinator picks."""
    conference = get_object_or_404(Conference.objects.published(), slug=slug)
    authority = get_object_or_404(Authority, pk=pk)
    return JsonResponse({"places_left": authority_places_left(conference, authority)})


class DelegationAccessMixin(ContextMixin, RateLimitMixin):
    """For a coordinator who followed their personal link: gives `self.delegation`."""

    rate_limit_group = "coordinator"

    def rate_limit_email(self) -> str:
        return self.delegation.coordinator_email

    # Set by dispatch(), before any handler runs.
    delegation: Delegation
    conference: Conference

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
        # The query asked for a delegation's link: `link.delegation` is never None.
        if link is None or not link.is_valid() or link.delegation is None:
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
            places_left=authority_places_left(self.conference, self.delegation.authority),
            add_form=kwargs.get("add_form") or DelegationMemberForm(conference=self.conference),
            registration_open=self.conference.registration_is_open(),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Add a delegate."""
        form = DelegationMemberForm(request.POST, request.FILES, conference=self.conference)
        if form.is_valid():
            try:
                delegation_add_member(delegation=self.delegation, data=form.registration_data())
            except RegistrationError as error:
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
                delegation_substitute(registration=member, data=form.registration_data())
            except RegistrationError as error:
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
        registration_cancel(registration=self.member(reference))
        messages.success(request, _("The registration is cancelled and the delegate emailed."))
        return redirect("registrations:manage_delegation")
