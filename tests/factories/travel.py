import datetime as dt

import factory
from django.utils import timezone

from conference.models import Session
from registrations.models import SiteVisitIdentity, VisaLetterRequest
from tests.factories.conference import SessionFactory
from tests.factories.registrations import RegistrationFactory


class SiteVisitSessionFactory(SessionFactory):
    """A site visit away from the venue that asks for every identity field."""

    kind = Session.Kind.SITE_VISIT
    title = factory.Sequence(lambda n: f"Site visit {n}")
    room = None
    location = "Police headquarters, Nice"
    capacity = 20
    identity_full_name_required = True
    identity_nationality_required = True
    identity_number_required = True
    identity_date_of_birth_required = True


class SiteVisitIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteVisitIdentity

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.SubFactory(
        SiteVisitSessionFactory, conference=factory.SelfAttribute("..registration.conference")
    )
    full_name = factory.LazyAttribute(
        lambda o: f"{o.registration.first_name} {o.registration.last_name}".upper()
    )
    nationality = "PL"
    id_number = factory.Sequence(lambda n: f"IDN{n:07d}")
    date_of_birth = dt.date(1980, 5, 17)
    given_at = factory.LazyFunction(timezone.now)


class VisaLetterRequestFactory(factory.django.DjangoModelFactory):
    """A request awaiting review; pass status and dates for the later steps."""

    class Meta:
        model = VisaLetterRequest

    registration = factory.SubFactory(RegistrationFactory)
    passport_name = factory.LazyAttribute(
        lambda o: f"{o.registration.first_name} {o.registration.last_name}".upper()
    )
    nationality = "UA"
    passport_number = factory.Sequence(lambda n: f"FP{n:07d}")
    date_of_birth = dt.date(1979, 3, 2)
    consulate_city = "Kyiv"
    stay_from = factory.LazyAttribute(
        lambda o: o.registration.conference.start_date - dt.timedelta(days=1)
    )
    stay_until = factory.LazyAttribute(
        lambda o: o.registration.conference.end_date + dt.timedelta(days=1)
    )
    letter_language = VisaLetterRequest.Language.ENGLISH
