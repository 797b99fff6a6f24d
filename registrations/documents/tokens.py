"""The signed token a badge's QR code carries."""

from django.core import signing

from registrations.models import Registration

# The QR code on a badge carries a signed token, not a database id: a badge can be neither
# forged nor guessed from another one. Salted so that no other signed value can pass for it.
BADGE_TOKEN_SALT = "registrations.badge"


def badge_token(registration: Registration) -> str:
    return signing.dumps(registration.reference, salt=BADGE_TOKEN_SALT, compress=True)


def reference_from_badge_token(token: str) -> str | None:
    """The reference a genuine badge token carries; None for anything else, typed text included."""
    try:
        reference = signing.loads(token.strip(), salt=BADGE_TOKEN_SALT)
    except signing.BadSignature:
        return None
    return reference if isinstance(reference, str) else None


def registration_from_badge_token(token: str) -> Registration | None:
    reference = reference_from_badge_token(token)
    if reference is None:
        return None
    return (
        Registration.objects.select_related("authority", "conference")
        .filter(reference=reference)
        .first()
    )
