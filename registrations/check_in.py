"""Badges' QR codes and checking delegates in at the conference desk and at session doors."""

from django.core import signing

from registrations.models import Registration

# The QR code on a badge carries a signed token, not a database id: a badge can be neither
# forged nor guessed from another one. Salted so that no other signed value can pass for it.
BADGE_TOKEN_SALT = "registrations.badge"


def badge_token(registration: Registration) -> str:
    return signing.dumps(registration.reference, salt=BADGE_TOKEN_SALT, compress=True)


def registration_from_badge_token(token: str) -> Registration | None:
    try:
        reference = signing.loads(token.strip(), salt=BADGE_TOKEN_SALT)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("authority", "conference")
        .filter(reference=reference)
        .first()
    )
