"""The registration desk and session doors, for staff with the check-in permission."""

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from conference.models import Conference, Session
from registrations.documents.badges import badges_pdf
from registrations.documents.tokens import reference_from_badge_token, registration_from_badge_token
from registrations.errors import CheckInRefusedError
from registrations.forms.desk import CheckInForm, UndoForm
from registrations.models import CheckIn, Registration
from registrations.onsite.check_in import check_in, check_in_undo
from registrations.onsite.desk import (
    DeskCard,
    already_checked_in_message,
    check_in_figures,
    check_ins_recent,
    desk_card,
    desk_lookup,
    door_figures,
)
from registrations.permissions import CHECK_IN, PRINT_BADGES, permitted_user
from registrations.views.documents import pdf_attachment
from registrations.views.throttle import RateLimitMixin

QUERY_MAX_LENGTH = 300


def door_sessions(conference: Conference) -> QuerySet[Session]:
    """Sessions that need sign-up: the ones whose doors are checked."""
    return (
        conference.sessions.filter(kind__in=Session.SIGN_UP_KINDS)
        .select_related("room")
        .order_by("starts_at", "title")
    )


class DeskAccessMixin(PermissionRequiredMixin):
    """Anonymous visitors go to the admin's login page; staff without the permission get 403."""

    permission_required = CHECK_IN
    # Set by View.setup(), as in the views this mixes into.
    kwargs: dict[str, Any]

    # Loaded on first use, after the permission check: strangers learn nothing of conferences.
    @cached_property
    def conference(self) -> Conference:
        return get_object_or_404(Conference, slug=self.kwargs["slug"])

    @cached_property
    def session(self) -> Session | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(door_sessions(self.conference), pk=self.kwargs["pk"])

    def page_url(self, session: Session | None) -> str:
        if session is None:
            return reverse("registrations:desk", kwargs={"slug": self.conference.slug})
        return reverse(
            "registrations:desk_session", kwargs={"slug": self.conference.slug, "pk": session.pk}
        )

    def card_url(
        self, registration: Registration, session: Session | None, done: CheckIn | None = None
    ) -> str:
        params: dict[str, str | int] = {"registration": registration.reference}
        if done is not None:
            params["done"] = done.pk
        return f"{self.page_url(session)}?{urlencode(params)}"

    def card_context(self, card: DeskCard, *, just_checked_in: bool = False) -> dict:
        return {
            "conference": self.conference,
            "card": card,
            "page_url": self.page_url(card.session),
            # Right after this desk checked the delegate in, the standing check-in is news, not
            # a warning: shown as "Checked in" rather than "Already checked in".
            "just_checked_in": just_checked_in,
        }


class DeskView(DeskAccessMixin, TemplateView):
    """The desk (no session) or a session's door: search, scanner, the delegate's card."""

    template_name = "registrations/desk/desk.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join(self.request.GET.get("q", "").split())[:QUERY_MAX_LENGTH]
        results = desk_lookup(self.conference, query) if query else []
        reference = self.request.GET.get("registration", "").strip()
        selected = None
        if reference:
            selected = (
                self.conference.registrations.select_related("authority")
                .filter(reference=reference)
                .first()
            )
        elif len(results) == 1:
            # One match, or a badge scanned into the search box: no need to pick it.
            selected = results[0]
        card = desk_card(selected, session=self.session) if selected else None
        done = self.request.GET.get("done", "")
        just_checked_in = bool(card and card.standing and str(card.standing.pk) == done)
        context.update(
            conference=self.conference,
            session=self.session,
            page_url=self.page_url(self.session),
            query=query,
            query_is_token=":" in query and reference_from_badge_token(query) is None,
            results=results,
            selected_reference=reference,
            figures=check_in_figures(self.conference),
            door=door_figures(self.session) if self.session else None,
            recent=check_ins_recent(self.conference, session=self.session),
            sessions=door_sessions(self.conference),
            scan_text={
                "starting": _("Starting the camera…"),
                "scanning": _("Hold the badge's QR code in front of the camera."),
                "unavailable": _(
                    "The camera is not available (no permission, or no camera). "
                    "Search by name or type the badge code instead."
                ),
                "failed": _("The scan could not be checked. Try again, or search by name."),
            },
        )
        if card is not None:
            context.update(self.card_context(card, just_checked_in=just_checked_in))
        return context

    def post(self, request, *args, **kwargs) -> HttpResponse:
        action = request.POST.get("action")
        if action == "check_in":
            return self.check_in()
        if action == "undo":
            return self.undo()
        return HttpResponseBadRequest()

    def check_in(self) -> HttpResponse:
        form = CheckInForm(self.request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        registration = get_object_or_404(
            self.conference.registrations, reference=form.cleaned_data["registration"]
        )
        try:
            result = check_in(
                registration=registration, by=permitted_user(self.request), session=self.session
            )
        except CheckInRefusedError as error:
            messages.error(self.request, error.message)
            return redirect(self.card_url(registration, self.session))
        params = {"name": registration.name_on_badge}
        if result.already:
            params["message"] = already_checked_in_message(result.check_in, self.conference)
            messages.warning(self.request, _("%(name)s: %(message)s") % params)
            return redirect(self.card_url(registration, self.session))
        if self.session:
            params["session"] = self.session.title
            messages.success(self.request, _("%(name)s is checked in at %(session)s.") % params)
        else:
            messages.success(self.request, _("%(name)s is checked in.") % params)
        return redirect(self.card_url(registration, self.session, done=result.check_in))

    def undo(self) -> HttpResponse:
        form = UndoForm(self.request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        standing = get_object_or_404(
            CheckIn.objects.select_related("registration").filter(
                registration__conference=self.conference, session=self.session
            ),
            pk=form.cleaned_data["check_in"],
        )
        check_in_undo(check_in=standing, by=permitted_user(self.request))
        registration = standing.registration
        messages.success(
            self.request, _("Check-in of %(name)s undone.") % {"name": registration.name_on_badge}
        )
        return redirect(self.card_url(registration, self.session))


class DeskBadgeView(DeskAccessMixin, View):
    """A confirmed delegate's badge, to print (or print again) at the desk: for staff who
    print badges, as the admin's badge sheets are."""

    permission_required = PRINT_BADGES

    def get(self, request, *args, **kwargs) -> HttpResponse:
        registration = get_object_or_404(
            self.conference.registrations.select_related("conference__venue", "authority"),
            reference=kwargs["reference"],
            status=Registration.Status.CONFIRMED,
            erased_at=None,
        )
        pdf = badges_pdf([registration], layout="single")
        return pdf_attachment(pdf, f"badge-{registration.reference}.pdf")


class DeskScanView(DeskAccessMixin, RateLimitMixin):
    """What the camera read, as JSON in ({"token": "…", "session": id or null}) and out: the
    delegate's card, both as data and as the HTML the desk page shows, or why there is none."""

    http_method_names = ["post"]
    rate_limit_group = "desk-scan"

    def rate_limit_response(self) -> JsonResponse:
        return self.refusal(
            "too_many_requests", _("Too many scans: wait a minute and try again."), status=429
        )

    # django-stubs types the method as returning a redirect; Django lets it return any response
    # (or raise), and dispatch() returns it.
    def handle_no_permission(self) -> JsonResponse:  # type: ignore[override]
        # The page's script shows the message; a redirect to the login page would mean nothing.
        if self.request.user.is_authenticated:
            message = _("You are not allowed to check delegates in.")
        else:
            message = _("You are logged out: reload the page and log in again.")
        return self.refusal("forbidden", message, status=403)

    def post(self, request, *args, **kwargs) -> JsonResponse:
        try:
            payload = json.loads(request.body)
            token = payload["token"]
            session_id = payload.get("session")
        except (ValueError, KeyError, TypeError, AttributeError):
            return self.refusal("bad_request", _("The scan could not be read."), status=400)
        if not isinstance(token, str) or not (session_id is None or isinstance(session_id, int)):
            return self.refusal("bad_request", _("The scan could not be read."), status=400)
        session = None
        if session_id is not None:
            session = door_sessions(self.conference).filter(pk=session_id).first()
            if session is None:
                return self.refusal("unknown_session", _("Unknown session."), status=404)

        registration = registration_from_badge_token(token[:QUERY_MAX_LENGTH])
        if registration is None:
            return self.refusal(
                "unknown_badge", _("Unknown badge: this code was not issued for our badges.")
            )
        if registration.conference_id != self.conference.pk:
            return self.refusal(
                "other_conference",
                _("This badge is for another conference: %(name)s.")
                % {"name": registration.conference.name},
            )
        card = desk_card(registration, session=session)
        html = render_to_string(
            "registrations/desk/_card.html", self.card_context(card), request=request
        )
        return JsonResponse(
            {
                "found": True,
                "card": card_data(card),
                "url": self.card_url(registration, session),
                "html": html,
            }
        )

    def refusal(self, code: str, message: str, *, status: int = 404) -> JsonResponse:
        return JsonResponse({"found": False, "code": code, "message": message}, status=status)


def card_data(card: DeskCard) -> dict:
    registration = card.registration
    return {
        "reference": registration.reference,
        "name_on_badge": registration.name_on_badge,
        "authority": registration.authority.name,
        "country": registration.authority.country.name,
        "category": registration.get_category_display(),
        "status": registration.status,
        "status_label": registration.get_status_display(),
        "checked_in": card.standing is not None,
        "door_status": card.door.value if card.door else None,
        "can_check_in": card.can_check_in,
        "warnings": [
            {"code": warning.code, "message": warning.message, "severity": warning.severity}
            for warning in card.warnings
        ],
    }
