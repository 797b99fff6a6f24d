"""The organisers' texts that delegates read, in every language of the site: a column per
language on the same table (django-modeltranslation), so reads need no join."""

from modeltranslation.translator import TranslationOptions, register

from conference.models import Conference, Room, Session, SessionChange, Speaker, Theme, Venue


@register(Venue)
class VenueTranslationOptions(TranslationOptions):
    fields = ("name",)
    # An untranslated name is NULL, not "", so that the per-language unique constraints do
    # not take two untranslated names for the same one.
    empty_values = None


@register(Room)
class RoomTranslationOptions(TranslationOptions):
    fields = ("name",)
    # An untranslated name is NULL, not "", so that the per-language unique constraints do
    # not take two untranslated names for the same one.
    empty_values = None


@register(Conference)
class ConferenceTranslationOptions(TranslationOptions):
    fields = ("name", "tagline", "description", "organiser", "letter_signatory_title")


@register(Speaker)
class SpeakerTranslationOptions(TranslationOptions):
    fields = ("role", "organisation", "biography")


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Session)
class SessionTranslationOptions(TranslationOptions):
    fields = ("title", "description", "location", "meeting_point")


@register(SessionChange)
class SessionChangeTranslationOptions(TranslationOptions):
    # The place and the meeting point as they were and became, in each language, as the
    # session wrote them.
    fields = ("previous_location", "new_location", "previous_meeting_point", "new_meeting_point")
