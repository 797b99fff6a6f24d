"""The registration list's filters: by country, authority, booked or awaited session, day
attended and interpretation language. Each filters through a subquery, not a join, so that a
registration shows once whatever else it matches."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.models import SESSION_LANGUAGES, Conference, Session
from registrations.models import Authority, Registration, SessionBooking


class AuthorityCountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        # order_by(): over the model's default ordering (the name), distinct() would keep one
        # row per authority, and list a country as many times as it has authorities.
        codes = Authority.objects.order_by().values_list("country", flat=True).distinct()
        return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(authority__country=self.value())
        return queryset


class AuthorityChoiceForm(forms.Form):
    """The authority filter's one field, a select that the admin's own autocomplete view fills
    as one types (the registration's authority field of the change form uses the same view)."""

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"] = forms.ModelChoiceField(
            label=_("City or region"),
            queryset=Authority.objects.all(),
            required=False,
            widget=AutocompleteSelect(
                Registration._meta.get_field("authority"),
                admin_site,
                attrs={"data-placeholder": gettext("Type a name")},
            ),
        )


def authority_filter_media(admin_site) -> forms.Media:
    return AuthorityChoiceForm(admin_site=admin_site).media


class AuthorityFilter(admin.SimpleListFilter):
    """One authority, chosen in a select that searches as one types; the authority list's
    counts link here with `?authority=<id>`."""

    title = _("city or region")
    parameter_name = "authority"
    template = "admin/registrations/registration/authority_filter.html"

    def lookups(self, request, model_admin):
        self.admin_site = model_admin.admin_site
        value = self.value()
        self.selected = (
            Authority.objects.filter(pk=value).first() if value and value.isdigit() else None
        )
        if self.selected is None:
            return []
        return [(str(self.selected.pk), str(self.selected))]

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(authority_id=value if value.isdigit() else 0)
        return queryset

    def choices(self, changelist):
        # The template reads what it needs from the filter itself: the form, the other
        # parameters to keep, and the link that clears this one.
        self.form = AuthorityChoiceForm(
            initial={"authority": self.selected}, admin_site=self.admin_site
        )
        self.kept_parameters = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        self.clear_url = changelist.get_query_string(remove=[self.parameter_name])
        return super().choices(changelist)


def session_label(session: Session, *, with_conference: bool = False) -> str:
    """A session as the filters list it, in its conference's time zone: "Tue 14 Oct 09:30 –
    Night-time economy"."""
    starts_at = session.starts_at.astimezone(session.conference.tzinfo)
    label = "{} – {}".format(
        formats.date_format(starts_at, "D j M H:i"),
        session.title,
    )
    if with_conference:
        return f"{session.conference.name}: {label}"
    return label


def sign_up_sessions(request) -> list[Session]:
    """The sessions delegates book, read once per request for both session filters."""
    if not hasattr(request, "_sign_up_sessions"):
        request._sign_up_sessions = list(
            Session.objects.filter(kind__in=Session.SIGN_UP_KINDS)
            .select_related("conference")
            .order_by("conference__start_date", "conference_id", "starts_at", "title", "pk")
        )
    return request._sign_up_sessions


class BookingStatusSessionFilter(admin.SimpleListFilter):
    """Registrations holding a booking of one session, in a given status."""

    booking_status: SessionBooking.Status

    def lookups(self, request, model_admin):
        sessions = sign_up_sessions(request)
        several = len({session.conference_id for session in sessions}) > 1
        return [
            (str(session.pk), session_label(session, with_conference=several))
            for session in sessions
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(
            pk__in=SessionBooking.objects.filter(
                session_id=value if value.isdigit() else 0, status=self.booking_status
            ).values("registration_id")
        )


class BookedSessionFilter(BookingStatusSessionFilter):
    title = _("booked session")
    parameter_name = "booked_session"
    booking_status = SessionBooking.Status.BOOKED


class WaitingSessionFilter(BookingStatusSessionFilter):
    title = _("waiting for session")
    parameter_name = "waiting_session"
    booking_status = SessionBooking.Status.WAITING


def conference_days(conferences: QuerySet[Conference]) -> list[datetime.date]:
    days: set[datetime.date] = set()
    for start, end in conferences.values_list("start_date", "end_date"):
        days.update(start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
    return sorted(days)


class DayAttendedFilter(admin.SimpleListFilter):
    """A registration records no days of its own: a delegate attends a day on which they hold
    a place in a session (the day in the conference's time zone)."""

    title = _("day attended (a session booked)")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        return [
            (day.isoformat(), formats.date_format(day, "D j F Y"))
            for day in conference_days(Conference.objects.all())
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return queryset.none()
        on_that_day = Q()
        for conference in Conference.objects.filter(start_date__lte=day, end_date__gte=day):
            starts = datetime.datetime.combine(day, datetime.time(), conference.tzinfo)
            on_that_day |= Q(
                session__conference=conference,
                session__starts_at__gte=starts,
                session__starts_at__lt=starts + datetime.timedelta(days=1),
            )
        if not on_that_day:
            return queryset.none()
        return queryset.filter(
            pk__in=SessionBooking.objects.filter(
                on_that_day, status=SessionBooking.Status.BOOKED
            ).values("registration_id")
        )


NO_INTERPRETATION = "none"


class InterpretationLanguageFilter(admin.SimpleListFilter):
    """The language a delegate listens to interpretation in, or none asked."""

    title = _("interpretation language")
    parameter_name = "interpretation"

    def lookups(self, request, model_admin):
        return [(NO_INTERPRETATION, _("None")), *SESSION_LANGUAGES]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(interpretation_language="" if value == NO_INTERPRETATION else value)
