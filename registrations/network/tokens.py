"""The signed links with which a delegate answers a meeting request from their email. A link
names the request and its nonce, signed with the site's secret: it cannot be made for another
request, and it answers only while the request waits (once answered, it is spent)."""

from django.core import signing

from registrations.models import MeetingRequest

_SALT = "registrations.network.meeting-answer"

# The answer links stay valid this long; the personal page answers after that.
MEETING_ANSWER_LINK_MAX_AGE = 60 * 60 * 24 * 30


def meeting_answer_token(meeting: MeetingRequest) -> str:
    return signing.dumps([meeting.pk, meeting.nonce], salt=_SALT, compress=False)


def meeting_from_answer_token(token: str) -> MeetingRequest | None:
    """The request this link answers, if the link is genuine and not too old; whether it still
    waits for an answer is for the caller to see."""
    try:
        pk, nonce = signing.loads(token, salt=_SALT, max_age=MEETING_ANSWER_LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        MeetingRequest.objects.select_related(
            "conference", "sender__authority", "recipient__authority", "slot"
        )
        .filter(pk=pk, nonce=nonce)
        .first()
    )
