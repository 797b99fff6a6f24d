"""The delegate directory and meeting requests, behind the delegate's personal link; and the
signed links with which a delegate answers a request from their email."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from registrations.errors import RegistrationError
from registrations.forms.network import (
    DirectoryListingForm,
    DirectorySearchForm,
    MeetingReportForm,
    MeetingRequestForm,
)
from registrations.models import MeetingRequest
from registrations.network.directory import (
    directory_can_see,
    directory_listing_of,
    directory_listing_save,
    directory_listing_withdraw,
    directory_listings_shown,
    directory_search,
)
from registrations.network.meetings import (
    meeting_request_answer,
    meeting_request_cancel,
    meeting_request_create,
    meeting_request_report,
)
from registrations.network.tokens import meeting_from_answer_token
from registrations.views.self_service import DelegateAccessMixin
from registrations.views.throttle import RateLimitMixin

DIRECTORY_PAGE_SIZE = 20


class ConfirmedDelegateMixin(DelegateAccessMixin, TemplateView):
    """The directory is for confirmed delegates: others get a page that says so (403)."""

    def get(self, request, *args, **kwargs):
        if not directory_can_see(self.registration):
            return self.not_confirmed()
        return self.confirmed_get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not directory_can_see(self.registration):
            return self.not_confirmed()
        return self.confirmed_post(request, *args, **kwargs)

    def not_confirmed(self):
        context = self.get_context_data()
        return render(self.request, "registrations/network/not_confirmed.html", context, status=403)

    def confirmed_get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def confirmed_post(self, request, *args, **kwargs):
        return redirect("registrations:directory")


class DirectoryListingView(ConfirmedDelegateMixin):
    """List oneself, change one's entry, or withdraw."""

    template_name = "registrations/network/listing.html"

    def _form(self, data=None):
        return DirectoryListingForm(
            data, registration=self.registration, listing=directory_listing_of(self.registration)
        )

    def confirmed_get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def confirmed_post(self, request, *args, **kwargs):
        if "withdraw" in request.POST:
            if directory_listing_withdraw(registration=self.registration):
                messages.success(request, _("You are no longer listed in the directory."))
            return redirect("registrations:manage")
        form = self._form(request.POST)
        if form.is_valid():
            try:
                directory_listing_save(
                    registration=self.registration,
                    languages=form.cleaned_data["languages"],
                    themes=form.cleaned_data["themes"],
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your entry in the directory is saved."))
                return redirect("registrations:directory")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["listing"] = directory_listing_of(self.registration)
        return context


class DirectoryView(ConfirmedDelegateMixin):
    template_name = "registrations/network/directory.html"

    def confirmed_get(self, request, *args, **kwargs):
        form = DirectorySearchForm(request.GET or None, conference=self.conference)
        filters = form.cleaned_data if form.is_valid() else {}
        listings = directory_search(
            conference=self.conference,
            theme=filters.get("theme"),
            country=filters.get("country", ""),
            language=filters.get("language", ""),
        )
        page = Paginator(listings, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                page=page,
                query=query.urlencode(),
                own_listing=directory_listing_of(self.registration),
            )
        )


class MeetingRequestCreateView(ConfirmedDelegateMixin):
    template_name = "registrations/network/meeting_request.html"

    def _listing(self, pk: int):
        return get_object_or_404(
            directory_listings_shown(self.conference)
            .select_related("registration__authority")
            .exclude(registration=self.registration),
            pk=pk,
        )

    def confirmed_get(self, request, *args, pk: int, **kwargs):
        form = MeetingRequestForm(conference=self.conference)
        return self.render_to_response(self.get_context_data(form=form, listing=self._listing(pk)))

    def confirmed_post(self, request, *args, pk: int, **kwargs):
        listing = self._listing(pk)
        form = MeetingRequestForm(request.POST, conference=self.conference)
        if form.is_valid():
            try:
                meeting_request_create(
                    sender=self.registration,
                    recipient=listing.registration,
                    message=form.cleaned_data["message"],
                    slot=form.cleaned_data["slot"],
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Your request is sent. We will email you their answer."),
                )
                return redirect("registrations:manage")
        return self.render_to_response(
            self.get_context_data(form=form, listing=listing), status=400
        )


class MeetingActionView(DelegateAccessMixin, TemplateView):
    """Answer, cancel or report a request from the personal page (POST only, but for the
    report's confirmation page)."""

    template_name = "registrations/network/meeting_report.html"
    ACTIONS = ("accept", "decline", "cancel", "report")

    def _meeting(self, pk: int) -> MeetingRequest:
        if self.kwargs["action"] not in self.ACTIONS:
            raise Http404
        # Only the recipient answers or reports; either may cancel.
        mine = Q(recipient=self.registration)
        if self.kwargs["action"] == "cancel":
            mine |= Q(sender=self.registration)
        return get_object_or_404(
            MeetingRequest.objects.filter(mine).select_related(
                "sender__authority", "recipient__authority"
            ),
            pk=pk,
        )

    def get(self, request, *args, pk: int, action: str, **kwargs):
        if action != "report":
            return redirect("registrations:manage")
        meeting = self._meeting(pk)
        return self.render_to_response(
            self.get_context_data(meeting=meeting, form=MeetingReportForm())
        )

    def post(self, request, *args, pk: int, action: str, **kwargs):
        meeting = self._meeting(pk)
        try:
            if action in ("accept", "decline"):
                meeting_request_answer(
                    meeting=meeting, by=self.registration, accept=action == "accept"
                )
                messages.success(request, _answered_message(action))
            elif action == "cancel":
                meeting_request_cancel(meeting=meeting, by=self.registration)
                messages.success(request, _("The meeting request is cancelled."))
            else:
                form = MeetingReportForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                meeting_request_report(meeting=meeting, by=self.registration, reason=reason)
                messages.success(request, _report_message())
        except RegistrationError as error:
            messages.error(request, error.message)
        return redirect("registrations:manage")


def _answered_message(action: str) -> str:
    if action == "accept":
        return _("You accepted the meeting: it is in your agenda feed. We have told them.")
    return _("You declined the meeting. We have told them.")


def _report_message() -> str:
    return _("Thank you: the organisers are told, and this delegate can no longer ask you.")


class MeetingAnswerView(RateLimitMixin, TemplateView):
    """The links in the email of a meeting request: the recipient confirms their answer
    (POST; GET never changes anything). The signed link answers once."""

    template_name = "registrations/network/meeting_answer.html"
    rate_limit_group = "manage"

    meeting: MeetingRequest

    def dispatch(self, request, *args, token: str, **kwargs):
        meeting = meeting_from_answer_token(token)
        if meeting is None:
            return render(request, "registrations/manage/link_invalid.html", status=404)
        self.meeting = meeting
        self.answer = request.POST.get("answer") or request.GET.get("answer", "")
        if self.answer not in ("accept", "decline", "report"):
            self.answer = ""
        return super().dispatch(request, *args, **kwargs)

    def rate_limit_email(self) -> str:
        return self.meeting.recipient.email

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            meeting=self.meeting,
            conference=self.meeting.conference,
            answer=self.answer,
            waiting=self.meeting.status == MeetingRequest.Status.REQUESTED,
            form=MeetingReportForm(),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = self.render_to_response(self.get_context_data())
        response["Referrer-Policy"] = "no-referrer"
        return response

    def post(self, request, *args, **kwargs):
        meeting, recipient = self.meeting, self.meeting.recipient
        try:
            if self.answer == "report":
                form = MeetingReportForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                meeting_request_report(meeting=meeting, by=recipient, reason=reason)
                done = _report_message()
            elif self.answer in ("accept", "decline"):
                if meeting.status != MeetingRequest.Status.REQUESTED:
                    raise RegistrationError(_("This request has already been answered."))
                meeting_request_answer(
                    meeting=meeting, by=recipient, accept=self.answer == "accept"
                )
                done = _answered_message(self.answer)
            else:
                return redirect(request.path)
        except RegistrationError as error:
            context = self.get_context_data(error=error.message)
            return self.render_to_response(context, status=409)
        return render(
            request,
            "registrations/network/meeting_answered.html",
            {"conference": meeting.conference, "done": done},
        )
