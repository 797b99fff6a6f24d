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

__all__ = [
    "AuthorityFactory",
    "ConferenceFactory",
    "OutboundEmailFactory",
    "RegistrationFactory",
    "RoomFactory",
    "SessionFactory",
    "SpeakerFactory",
    "ThemeFactory",
    "VenueFactory",
]
