"""The delegate directory: a confirmed delegate lists themselves (their own consent, recorded
with its time and withdrawable at any time) and finds the others listed at their conference.

What the directory shows of a delegate is read from their registration at the moment it is
shown, and only while they are listed, confirmed and not erased: a delegate who withdraws, is
cancelled or erased is gone from the next page. It never shows an email address or a phone."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from conference.models import Conference, Session, Theme
from registrations.errors import RegistrationError
from registrations.models import (
    DIRECTORY_LANGUAGES,
    DIRECTORY_THEMES_MAX,
    ConsentRecord,
    DirectoryListing,
    MeetingRequest,
    Registration,
)
from registrations.privacy.schedule import privacy_notice_version


def directory_can_see(registration: Registration) -> bool:
    """Only confirmed delegates see the directory, and only of their own conference."""
    return registration.status == Registration.Status.CONFIRMED and registration.erased_at is None


def directory_listing_of(registration: Registration) -> DirectoryListing | None:
    """The delegate's entry while they are listed."""
    return (
        DirectoryListing.objects.filter(registration=registration, withdrawn_at=None)
        .prefetch_related("themes")
        .first()
    )


def _validated(
    registration: Registration, languages: Iterable[str], themes: Iterable[Theme]
) -> tuple[list[str], list[Theme]]:
    known = [code for code, _label in DIRECTORY_LANGUAGES]
    chosen = set(languages)
    if chosen - set(known):
        raise RegistrationError(gettext("Unknown language."))
    themes = list(dict.fromkeys(themes))
    if len(themes) > DIRECTORY_THEMES_MAX:
        raise RegistrationError(
            gettext("Choose at most %(count)s themes.") % {"count": DIRECTORY_THEMES_MAX}
        )
    if any(theme.conference_id != registration.conference_id for theme in themes):
        raise RegistrationError(gettext("Unknown theme."))
    # In the list's order, so that the entry reads the same whatever the order of the form.
    return [code for code in known if code in chosen], themes


def directory_listing_save(
    *,
    registration: Registration,
    languages: Iterable[str],
    themes: Iterable[Theme],
    now: datetime | None = None,
) -> DirectoryListing:
    """List the delegate (their consent, recorded now, unless they are listed already) or
    change what their entry says."""
    now = now or timezone.now()
    if not directory_can_see(registration):
        raise RegistrationError(gettext("Only confirmed delegates can be listed in the directory."))
    codes, theme_list = _validated(registration, languages, themes)
    with transaction.atomic():
        listing, created = DirectoryListing.objects.select_for_update().get_or_create(
            registration=registration, defaults={"listed_at": now}
        )
        if not created and listing.withdrawn_at is not None:
            listing.listed_at, listing.withdrawn_at = now, None
            created = True
        listing.languages = codes
        listing.full_clean()
        listing.save()
        listing.themes.set(theme_list)
        if created:
            ConsentRecord.objects.create(
                registration=registration,
                kind=ConsentRecord.Kind.DIRECTORY,
                notice_version=privacy_notice_version(registration.conference),
                given_at=now,
            )
    return listing


def directory_listing_withdraw(*, registration: Registration, now: datetime | None = None) -> bool:
    """Take the delegate out of the directory at once; what their entry said goes with it.
    Whether they were listed."""
    now = now or timezone.now()
    with transaction.atomic():
        listing = (
            DirectoryListing.objects.select_for_update()
            .filter(registration=registration, withdrawn_at=None)
            .first()
        )
        if listing is None:
            return False
        listing.withdrawn_at = now
        listing.languages = []
        listing.save(update_fields=["withdrawn_at", "languages", "updated_at"])
        listing.themes.clear()
    return True


def directory_listings_shown(conference: Conference) -> QuerySet[DirectoryListing]:
    """The entries others may see: listed, confirmed, not erased."""
    return DirectoryListing.objects.filter(
        registration__conference=conference,
        registration__status=Registration.Status.CONFIRMED,
        registration__erased_at=None,
        withdrawn_at=None,
    )


def directory_search(
    *,
    conference: Conference,
    theme: Theme | None = None,
    country: str = "",
    language: str = "",
) -> QuerySet[DirectoryListing]:
    """The entries shown, filtered, in the order of names; a fixed number of queries a page."""
    listings = directory_listings_shown(conference)
    if theme is not None:
        listings = listings.filter(themes=theme)
    if country:
        listings = listings.filter(registration__authority__country=country)
    if language:
        # The codes are stored as a JSON list of two-letter strings: the quoted code matches
        # one element exactly, on PostgreSQL and SQLite alike.
        listings = listings.filter(languages__icontains=f'"{language}"')
    return (
        listings.select_related("registration__authority")
        .prefetch_related("themes")
        .order_by("registration__last_name", "registration__first_name", "pk")
        .distinct()
    )


def directory_countries(conference: Conference) -> list[str]:
    """The countries of the authorities with a listed delegate, for the search form."""
    return sorted(
        set(
            directory_listings_shown(conference).values_list(
                "registration__authority__country", flat=True
            )
        )
    )


def meeting_slots(conference: Conference) -> QuerySet[Session]:
    """Where delegates can meet: the programme's breaks (sessions of the kind "break")."""
    return Session.objects.filter(conference=conference, kind=Session.Kind.BREAK).order_by(
        "starts_at", "pk"
    )


@dataclass(frozen=True)
class NetworkFigures:
    """For the organisers' dashboard."""

    listed: int  # delegates the directory shows now
    requests: int  # meeting requests sent, whatever became of them
    accepted: int  # meetings agreed and not cancelled
    reported: int  # requests reported to the organisers


def _count(queryset: QuerySet, by: str) -> Coalesce:
    """The rows of a queryset of one conference, as a subquery (grouped by that conference)."""
    counted = queryset.order_by().values(by).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted), 0)


def network_figures(conference: Conference) -> NetworkFigures:
    """The dashboard's figures of the directory, in one query."""
    meetings = MeetingRequest.objects.filter(conference=conference)
    counts = (
        Conference.objects.filter(pk=conference.pk)
        .annotate(
            listed=_count(directory_listings_shown(conference), "registration__conference"),
            requests=_count(meetings, "conference"),
            accepted=_count(meetings.filter(status=MeetingRequest.Status.ACCEPTED), "conference"),
            reported=_count(meetings.exclude(reported_at=None), "conference"),
        )
        .values("listed", "requests", "accepted", "reported")
        .get()
    )
    return NetworkFigures(**counts)
