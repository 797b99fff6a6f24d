from tests.factories.conference import (
    ConferenceFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
    VenueFactory,
)
from tests.factories.registrations import (
    AuthorityFactory,
    OutboundEmailFactory,
    RegistrationFactory,
)
from tests.factories.travel import (
    SiteVisitIdentityFactory,
    SiteVisitSessionFactory,
    VisaLetterRequestFactory,
)

__all__ = [
    "AuthorityFactory",
    "ConferenceFactory",
    "OutboundEmailFactory",
    "RegistrationFactory",
    "RoomFactory",
    "SessionFactory",
    "SiteVisitIdentityFactory",
    "SiteVisitSessionFactory",
    "SpeakerFactory",
    "ThemeFactory",
    "VenueFactory",
    "VisaLetterRequestFactory",
]
