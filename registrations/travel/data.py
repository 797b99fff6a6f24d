"""A delegate's travel data in their data export, and its erasure."""

from functools import partial

from django.db import transaction

from registrations.models import Registration, SiteVisitIdentity, VisaLetterRequest


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def travel_data_for_export(registration: Registration) -> dict:
    """What is held about the delegate for site visits and visa letters, as it is now."""
    identities = SiteVisitIdentity.objects.filter(registration=registration).select_related(
        "session"
    )
    requests = VisaLetterRequest.objects.filter(registration=registration).order_by("created_at")
    return {
        "site_visit_identity": [
            {
                "session": identity.session.title,
                "full_name_on_id": identity.full_name,
                "nationality": identity.nationality.code or "",
                "id_number": identity.id_number,
                "date_of_birth": _iso(identity.date_of_birth),
                "given_at": _iso(identity.given_at),
            }
            for identity in identities
        ],
        "visa_letter_requests": [
            {
                "reference": request.reference,
                "status": request.status,
                "passport_name": request.passport_name,
                "nationality": request.nationality.code or "",
                "passport_number": request.passport_number,
                "date_of_birth": _iso(request.date_of_birth),
                "consulate_city": request.consulate_city,
                "stay_from": _iso(request.stay_from),
                "stay_until": _iso(request.stay_until),
                "letter_language": request.letter_language,
                "review_note": request.review_note,
                "requested_at": _iso(request.created_at),
                "reviewed_at": _iso(request.reviewed_at),
                "letter_sent_at": _iso(request.letter_sent_at),
                "passport_data_deleted_at": _iso(request.passport_data_purged_at),
            }
            for request in requests
        ],
    }


def travel_data_erase(registration: Registration) -> None:
    """Erasure at the delegate's request: their identity data and visa requests go at once,
    the letters' files once the transaction commits (a letter then no longer verifies)."""
    with transaction.atomic():
        SiteVisitIdentity.objects.filter(registration=registration).delete()
        requests = list(
            VisaLetterRequest.objects.select_for_update().filter(registration=registration)
        )
        for request in requests:
            if request.letter:
                transaction.on_commit(partial(request.letter.storage.delete, request.letter.name))
        VisaLetterRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
