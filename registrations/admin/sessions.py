"""Sessions in the admin, with their booking figures and attendee lists: the conference app
cannot know about bookings, so they join its session admin here."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.admin import SessionAdmin
from conference.models import Session
from registrations.admin.documents import registration_name_key
from registrations.admin.exports import (
    can_see_special_needs,
    export_paths,
    session_export_response,
)
from registrations.admin.travel import SiteVisitIdentityInline, VisitIdentityRosterMixin
from registrations.models import (
    ExportFormat,
    ExportKind,
    ExportRecord,
    Registration,
    SessionBooking,
)
from registrations.organiser.exports.columns import session_attendee_columns
from registrations.organiser.exports.records import export_record_create
from registrations.organiser.exports.selectors import bookings_for_export
from registrations.organiser.rosters import Roster, roster_pdf, roster_xlsx, session_roster
from registrations.permissions import EXPORT_REGISTRATIONS, VIEW_REGISTRATION


class SessionBookingInline(admin.TabularInline):
    """Who holds a place in the session and who waits for one, in order of arrival."""

    model = SessionBooking
    extra = 0
    can_delete = False
    verbose_name_plural = _("bookings")
    fields = readonly_fields = ["delegate", "authority", "status", "created_at"]
    ordering = ["status", "created_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration__authority")

    def has_add_permission(self, request, obj=None):
        # Bookings go through session_bookings_set: capacity, waiting list, clashes.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("delegate"))
    def delegate(self, booking):
        registration = booking.registration
        return format_html(
            '<a href="{}">{}</a> {}',
            reverse("admin:registrations_registration_change", args=[registration.pk]),
            registration.reference,
            registration.full_name,
        )

    @admin.display(description=_("city or region"))
    def authority(self, booking):
        return booking.registration.authority.name


def _booking_count(**filters) -> Coalesce:
    bookings = (
        SessionBooking.objects.filter(session=OuterRef("pk"), **filters)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(bookings), 0)


# A roster's downloads: content type and builder, by file extension.
ROSTER_DOWNLOADS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", roster_xlsx),
    "pdf": ("application/pdf", roster_pdf),
}


# The conference app cannot know about bookings, so their figures join its session admin here.
admin.site.unregister(Session)


@admin.register(Session)
class SessionBookingAdmin(VisitIdentityRosterMixin, SessionAdmin):
    list_display = [
        *SessionAdmin.list_display,
        "booked_count",
        "waiting_count",
        "attendees_link",
    ]
    inlines = [*SessionAdmin.inlines, SessionBookingInline, SiteVisitIdentityInline]
    change_form_template = "admin/registrations/session/change_form.html"

    def get_queryset(self, request):
        # Counted in subqueries, not through a join: a search or filter across speakers or
        # themes joins more rows per session, which would multiply joined counts.
        return (
            super()
            .get_queryset(request)
            .annotate(
                booked_count=_booking_count(status=SessionBooking.Status.BOOKED),
                # As delegates see it: only confirmed delegates' waiting counts.
                waiting_count=_booking_count(
                    status=SessionBooking.Status.WAITING,
                    registration__status=Registration.Status.CONFIRMED,
                ),
            )
        )

    @admin.display(description=_("booked"), ordering="booked_count")
    def booked_count(self, session):
        places = session.effective_capacity
        if places is not None and session.booked_count > places:
            # Accepted over capacity by an organiser allowed to: shown, not hidden.
            return format_html(
                '{} <strong class="session-overbooked">{}</strong>',
                session.booked_count,
                gettext("overbooked (%(places)d places)") % {"places": places},
            )
        return session.booked_count

    @admin.display(description=_("waiting list"), ordering="waiting_count")
    def waiting_count(self, session):
        return session.waiting_count

    @admin.display(description=_("attendees"))
    def attendees_link(self, session):
        if not session.requires_sign_up and not (session.booked_count or session.waiting_count):
            return None
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            [
                (reverse("admin:registrations_session_attendees_csv", args=[session.pk]), "CSV"),
                (
                    reverse("admin:registrations_session_attendees_csv_excel", args=[session.pk]),
                    gettext("CSV for Excel"),
                ),
                (reverse("admin:registrations_session_attendees_xlsx", args=[session.pk]), "XLSX"),
            ],
        )

    def can_export_attendees(self, request) -> bool:
        # The list holds delegates' personal data: seeing sessions is not enough.
        return (
            self.has_view_permission(request)
            and request.user.has_perm(VIEW_REGISTRATION)
            and request.user.has_perm(EXPORT_REGISTRATIONS)
        )

    def get_list_display(self, request):
        list_display = super().get_list_display(request)
        if self.can_export_attendees(request):
            return list_display
        return [column for column in list_display if column != "attendees_link"]

    def can_see_roster(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm(VIEW_REGISTRATION)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_see_roster": self.can_see_roster(request),
            "can_export_attendees": self.can_export_attendees(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        exports = export_paths(
            self,
            "<int:pk>/attendees",
            self.attendees_export_view,
            "registrations_session_attendees",
        )
        rosters = [
            path(
                "<int:pk>/roster/",
                self.admin_site.admin_view(self.roster_view),
                name="registrations_session_roster",
            ),
            *(
                path(
                    f"<int:pk>/roster.{extension}",
                    self.admin_site.admin_view(self.roster_download_view),
                    {"extension": extension},
                    name=f"registrations_session_roster_{extension}",
                )
                for extension in ROSTER_DOWNLOADS
            ),
        ]
        return [*rosters, *exports, *super().get_urls()]

    def _roster(self, request, pk: int) -> Roster:
        if not self.can_see_roster(request):
            raise PermissionDenied
        session = get_object_or_404(Session.objects.select_related("conference", "room"), pk=pk)
        return session_roster(
            session, special_needs=can_see_special_needs(request), name_key=registration_name_key
        )

    def roster_view(self, request, pk: int):
        """The session's roster on screen, to print: names sorted as on the badge sheets, a
        box to tick, the waiting list below."""
        roster = self._roster(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": roster.session,
            "title": gettext("Roster: %(session)s") % {"session": roster.session.title},
            "roster": roster,
            "can_export_attendees": self.can_export_attendees(request),
        }
        return TemplateResponse(request, "admin/registrations/session/roster.html", context)

    def roster_download_view(self, request, pk: int, extension: str):
        """The roster as XLSX or as a PDF for the coach leader: an export, recorded."""
        if not self.can_export_attendees(request):
            raise PermissionDenied
        roster = self._roster(request, pk)
        content_type, build = ROSTER_DOWNLOADS[extension]
        response = HttpResponse(build(roster), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="session-{roster.session.pk}-roster.{extension}"'
        )
        export_record_create(
            user=request.user,
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind.SESSION_ATTENDEES,
            # The PDF is recorded by its own name: it is no format of the list exports.
            export_format=ExportFormat.XLSX if extension == "xlsx" else extension,  # type: ignore[arg-type]
            conference_ids=[roster.session.conference_id],
            filter=f"session={roster.session.pk}&roster=1",
            searched=False,
            special_needs=roster.special_needs,
            rows=len(roster.booked) + len(roster.waiting),
        )
        return response

    def attendees_export_view(self, request, pk: int, export_format: str):
        """The delegates who booked the session or wait for a place, as CSV or XLSX."""
        if not self.can_export_attendees(request):
            raise PermissionDenied
        session = get_object_or_404(Session, pk=pk)
        return session_export_response(
            request,
            session,
            export_format,
            bookings_for_export(session.bookings.all()),
            session_attendee_columns(),
            name="attendees",
            sheet_name=gettext("Attendees"),
            filter=f"session={session.pk}",
        )
