import factory
from django.db.models import F
from django.utils import timezone

from conference.models import Session
from registrations.models import Authority, OutboundEmail, Registration, SessionBooking
from registrations.places.counters import place_counts_move
from tests.factories.conference import ConferenceFactory


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("name", "country")

    name = factory.Sequence(lambda n: f"Ville {n}")
    kind = Authority.Kind.MUNICIPALITY
    country = "FR"
    is_member = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration written directly, as the service would leave it (no outbox row)."""

    class Meta:
        model = Registration

    conference = factory.SubFactory(ConferenceFactory)
    authority = factory.SubFactory(AuthorityFactory)
    reference = factory.Sequence(lambda n: f"TST-{n:05d}")
    status = Registration.Status.CONFIRMED
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Kowalska{n}")
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    job_title = "Head of prevention"
    category = Registration.Category.DELEGATE
    preferred_language = Registration.Language.ENGLISH
    confirmed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.CONFIRMED else None
    )
    waitlisted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.WAITLISTED else None
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        registration = super()._create(model_class, *args, **kwargs)
        # Counted on the conference row, as the services do.
        place_counts_move(registration.conference, from_status=None, to_status=registration.status)
        return registration


class SessionBookingFactory(factory.django.DjangoModelFactory):
    """A booking written directly, as the services would leave it: a place it holds counted on
    its session's row (and on the session instance given)."""

    class Meta:
        model = SessionBooking

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        booking = super()._create(model_class, *args, **kwargs)
        if booking.status == SessionBooking.Status.BOOKED:
            Session.objects.filter(pk=booking.session_id).update(
                places_booked=F("places_booked") + 1
            )
            booking.session.places_booked += 1
        return booking


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    registration = factory.SubFactory(RegistrationFactory)
    kind = OutboundEmail.Kind.CONFIRMED
    recipient = factory.LazyAttribute(lambda o: o.registration.email)
    language = factory.LazyAttribute(lambda o: o.registration.preferred_language)
    next_attempt_at = factory.LazyFunction(timezone.now)
