import datetime as dt

import factory
from django.utils import timezone

from conference.models import Conference, Room, Session, Speaker, Theme, Venue


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        django_get_or_create = ("name", "city")

    name = "Palais Acropolis"
    street_address = "1 Esplanade Kennedy"
    postal_code = "06364"
    city = "Nice"
    country = "FR"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 100


class ConferenceFactory(factory.django.DjangoModelFactory):
    """A published conference whose registration is open now."""

    class Meta:
        model = Conference

    name = factory.Sequence(lambda n: f"Security, Democracy and Cities {n}")
    slug = factory.Sequence(lambda n: f"conference-{n}")
    tagline = "Co-producing urban security policies"
    organiser = "European Forum for Urban Security"
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=2))
    venue = factory.SubFactory(VenueFactory)
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    capacity = 100
    contact_email = "registrations@example.org"
    letter_signatory_name = "Claire Dumont"
    letter_signatory_title = "Executive Director"
    reference_prefix = "NCE"
    is_published = True


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    conference = factory.SubFactory(ConferenceFactory)
    full_name = factory.Sequence(lambda n: f"Speaker {n}")
    role = "Deputy mayor for security"
    organisation = "City of Liège"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    conference = factory.SubFactory(ConferenceFactory)
    kind = Session.Kind.WORKSHOP
    title = factory.Sequence(lambda n: f"Workshop {n}")
    starts_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(
            o.conference.start_date, dt.time(9, 30), tzinfo=o.conference.tzinfo
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=90))
    room = factory.SubFactory(RoomFactory, venue=factory.SelfAttribute("..conference.venue"))
    language = "en"
    interpretation_languages = factory.LazyFunction(lambda: ["fr"])
