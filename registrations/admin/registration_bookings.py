"""A registration's sessions in the admin: its bookings and waiting-list places, and the
organisers' pages that book, move and remove them through the booking services (capacity,
clashes, waiting lists and emails as for the delegate; over capacity for those allowed)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conference.models import Session
from registrations.admin.registration_filters import session_label
from registrations.errors import BookingError
from registrations.models import Registration, SessionBooking
from registrations.permissions import BOOK_OVER_CAPACITY
from registrations.places.bookings import (
    session_booking_add,
    session_booking_move,
    session_booking_remove,
)


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("session").annotate(count=Count("pk")).values("count")[:1]
        ),
        0,
        output_field=IntegerField(),
    )


def sessions_with_places(registration: Registration):
    """The sessions of the registration's conference that need sign-up, each with its
    `booked_count`; one query."""
    return (
        Session.objects.filter(
            conference_id=registration.conference_id, kind__in=Session.SIGN_UP_KINDS
        )
        .select_related("room", "conference")
        .annotate(
            booked_count=_count(
                SessionBooking.objects.filter(
                    session=OuterRef("pk"), status=SessionBooking.Status.BOOKED
                )
            )
        )
        .order_by("starts_at", "title", "pk")
    )


def session_choice_label(session: Session) -> str:
    capacity = session.effective_capacity
    if capacity is None:
        places = gettext("no limit")
    elif session.booked_count >= capacity:
        places = gettext("full: %(booked)d booked for %(capacity)d places") % {
            "booked": session.booked_count,
            "capacity": capacity,
        }
    else:
        places = gettext("%(left)d of %(capacity)d places left") % {
            "left": capacity - session.booked_count,
            "capacity": capacity,
        }
    return f"{session_label(session)} ({places})"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return session_choice_label(obj)


class SessionBookingForm(forms.Form):
    """The session to book (or to move to), and what to do when it is full."""

    session = SessionChoiceField(label=_("Session"), queryset=Session.objects.none())
    waiting_list = forms.BooleanField(
        label=_("If the session is full, put the delegate on its waiting list"),
        required=False,
        help_text=_("Otherwise a full session is refused."),
    )
    over_capacity = forms.BooleanField(
        label=_("Book even if the session is full (over capacity)"),
        required=False,
        help_text=_("The exception is recorded in the registration's history."),
    )

    def __init__(self, *args, registration: Registration, exclude_ids, over_capacity: bool, **kw):
        super().__init__(*args, **kw)
        self.fields["session"].queryset = sessions_with_places(registration).exclude(
            pk__in=exclude_ids
        )
        if not over_capacity:
            del self.fields["over_capacity"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("waiting_list") and cleaned.get("over_capacity"):
            raise forms.ValidationError(
                gettext("Choose either the waiting list or a booking over capacity, not both.")
            )
        return cleaned


class SessionBookingInline(admin.TabularInline):
    """The registration's sessions: places held and waiting-list places, read-only; organisers
    get links to move or remove each."""

    model = SessionBooking
    extra = 0
    can_delete = False
    verbose_name = _("session")
    verbose_name_plural = _("sessions booked and waiting lists")
    template = "admin/registrations/registration/bookings_inline.html"
    readonly_fields = ["session_column", "status_column", "created_at", "booked_at", "actions"]

    def get_fields(self, request, obj=None):
        fields = ["session_column", "status_column", "created_at", "booked_at"]
        if obj is not None and can_change_bookings(request, obj):
            fields.append("actions")
        return fields

    def get_queryset(self, request):
        ahead = SessionBooking.objects.filter(
            session=OuterRef("session"),
            status=SessionBooking.Status.WAITING,
            registration__status=Registration.Status.CONFIRMED,
        ).filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        booked = SessionBooking.objects.filter(
            session=OuterRef("session"), status=SessionBooking.Status.BOOKED
        )
        return (
            super()
            .get_queryset(request)
            .select_related("session__room", "session__conference", "registration")
            .annotate(
                waiting_position=_count(ahead) + 1,
                session_booked_count=_count(booked),
            )
            .order_by("session__starts_at", "session__title", F("pk"))
        )

    @admin.display(description=_("session"))
    def session_column(self, booking):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:conference_session_change", args=[booking.session_id]),
            session_label(booking.session),
        )

    @admin.display(description=_("status"))
    def status_column(self, booking):
        capacity = booking.session.effective_capacity
        if booking.status == SessionBooking.Status.BOOKED:
            if capacity is None:
                return booking.get_status_display()
            return gettext("Booked (%(booked)d booked for %(capacity)d places)") % {
                "booked": booking.session_booked_count,
                "capacity": capacity,
            }
        if booking.registration.status != Registration.Status.CONFIRMED:
            return gettext("Waiting list (until the registration is confirmed)")
        return gettext("Waiting list, position %(position)d") % {
            "position": booking.waiting_position
        }

    @admin.display(description=_("actions"))
    def actions(self, booking):
        links = [
            (
                reverse(
                    f"admin:registrations_registration_session_{name}",
                    args=[booking.registration_id, booking.session_id],
                ),
                label,
            )
            for name, label in (("move", gettext("Move…")), ("remove", gettext("Remove…")))
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def can_change_bookings(request, registration: Registration) -> bool:
    """Organisers: those who may change the registration; a cancelled one has no sessions."""
    return registration.is_active and request.user.has_perm("registrations.change_registration")


class RegistrationBookingsMixin:
    """The RegistrationAdmin's pages to book, move and remove a delegate's sessions."""

    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path(
                "<int:object_id>/sessions/book/",
                view(self.session_book_view),
                name="registrations_registration_session_book",
            ),
            path(
                "<int:object_id>/sessions/<int:session_id>/move/",
                view(self.session_move_view),
                name="registrations_registration_session_move",
            ),
            path(
                "<int:object_id>/sessions/<int:session_id>/remove/",
                view(self.session_remove_view),
                name="registrations_registration_session_remove",
            ),
        ]
        return [*urls, *super().get_urls()]

    def _bookings_registration(self, request, object_id: int) -> Registration:
        registration = get_object_or_404(
            Registration.objects.select_related("conference", "authority"), pk=object_id
        )
        if not self.has_change_permission(request, registration):
            raise PermissionDenied
        if not registration.is_active:
            raise Http404("a cancelled or rejected registration has no sessions to change")
        return registration

    def _booking_form(self, request, registration, *, exclude_ids):
        return SessionBookingForm(
            request.POST if request.method == "POST" else None,
            registration=registration,
            exclude_ids=exclude_ids,
            over_capacity=request.user.has_perm(BOOK_OVER_CAPACITY),
        )

    def _done(self, request, registration, message: str):
        self.log_change(request, registration, message)
        self.message_user(request, message, messages.SUCCESS)
        url = reverse("admin:registrations_registration_change", args=[registration.pk])
        return HttpResponseRedirect(f"{url}#bookings-group")

    def _booking_page(self, request, registration, *, title: str, form=None, booking=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": registration,
            "registration": registration,
            "form": form,
            "booking": booking,
            "change_url": reverse(
                "admin:registrations_registration_change", args=[registration.pk]
            ),
        }
        return TemplateResponse(
            request, "admin/registrations/registration/session_booking.html", context
        )

    def _outcome(self, registration, booking: SessionBooking) -> str:
        values = {"name": registration.full_name, "session": booking.session.title}
        if booking.status == SessionBooking.Status.WAITING:
            return gettext("%(name)s is on the waiting list of “%(session)s”.") % values
        return gettext("%(name)s has a place in “%(session)s”.") % values

    def session_book_view(self, request, object_id: int):
        registration = self._bookings_registration(request, object_id)
        booked = registration.bookings.filter(status=SessionBooking.Status.BOOKED)
        form = self._booking_form(request, registration, exclude_ids=booked.values("session_id"))
        if request.method == "POST" and form.is_valid():
            try:
                booking, _created = session_booking_add(
                    registration=registration,
                    session=form.cleaned_data["session"],
                    waiting_list=form.cleaned_data["waiting_list"],
                    over_capacity=form.cleaned_data.get("over_capacity", False),
                    by=request.user,
                    notify=True,
                )
            except BookingError as error:
                form.add_error("session", error.message)
            else:
                return self._done(request, registration, self._outcome(registration, booking))
        return self._booking_page(
            request,
            registration,
            title=gettext("Book a session for %(name)s") % {"name": registration.full_name},
            form=form,
        )

    def _held_booking(self, registration, session_id: int) -> SessionBooking:
        return get_object_or_404(
            registration.bookings.select_related("session"), session_id=session_id
        )

    def session_move_view(self, request, object_id: int, session_id: int):
        registration = self._bookings_registration(request, object_id)
        booking = self._held_booking(registration, session_id)
        form = self._booking_form(
            request, registration, exclude_ids=registration.bookings.values("session_id")
        )
        if request.method == "POST" and form.is_valid():
            try:
                moved = session_booking_move(
                    registration=registration,
                    session_id=session_id,
                    to=form.cleaned_data["session"],
                    waiting_list=form.cleaned_data["waiting_list"],
                    over_capacity=form.cleaned_data.get("over_capacity", False),
                    by=request.user,
                    notify=True,
                )
            except BookingError as error:
                form.add_error("session", error.message)
            else:
                message = gettext("Moved from “%(from)s”.") % {"from": booking.session.title}
                return self._done(
                    request, registration, f"{message} {self._outcome(registration, moved)}"
                )
        return self._booking_page(
            request,
            registration,
            title=gettext("Move %(name)s from “%(session)s” to another session")
            % {"name": registration.full_name, "session": booking.session.title},
            form=form,
            booking=booking,
        )

    def session_remove_view(self, request, object_id: int, session_id: int):
        registration = self._bookings_registration(request, object_id)
        booking = self._held_booking(registration, session_id)
        if request.method == "POST":
            try:
                session_booking_remove(
                    registration=registration, session_id=session_id, notify=True
                )
            except BookingError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                return self._done(
                    request,
                    registration,
                    gettext("%(name)s no longer holds “%(session)s”.")
                    % {"name": registration.full_name, "session": booking.session.title},
                )
        return self._booking_page(
            request,
            registration,
            title=gettext("Remove %(name)s from “%(session)s”?")
            % {"name": registration.full_name, "session": booking.session.title},
            booking=booking,
        )
