"""Checks of a conference's timetable that organisers should see while they build it. They warn
and never block: a programme is often inconsistent for a while as sessions are moved about."""

from collections import defaultdict

from django.utils import formats, timezone
from django.utils.translation import gettext

from conference.models import Conference


def schedule_problems(conference: Conference) -> dict[int, list[str]]:
    """Warnings by session id, for the sessions that have any, in two queries: sessions that
    share a room at the same time, hold more places than their room has seats, share a speaker
    at the same time, or start outside the conference's days."""
    sessions = list(
        conference.sessions.select_related("room")
        .prefetch_related("speakers")
        .order_by("starts_at", "pk")
    )
    problems: dict[int, list[str]] = defaultdict(list)
    tz = conference.tzinfo

    for session in sessions:
        day = timezone.localtime(session.starts_at, tz).date()
        if day < conference.start_date or day > conference.end_date:
            problems[session.pk].append(
                gettext("Takes place on %(day)s, outside the conference’s days.")
                % {"day": formats.date_format(day)}
            )
        room = session.room
        if room is not None and session.capacity is not None and session.capacity > room.capacity:
            problems[session.pk].append(
                gettext("%(capacity)d places, but %(room)s has only %(seats)d seats.")
                % {"capacity": session.capacity, "room": room.name, "seats": room.capacity}
            )

    # Sessions are sorted by start, so each one's overlapping successors directly follow it.
    for index, first in enumerate(sessions):
        for second in sessions[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            room = first.room  # loaded with the session; the same room as the second's
            if room is not None and first.room_id == second.room_id:
                for one, other in ((first, second), (second, first)):
                    problems[one.pk].append(
                        gettext("%(room)s is also used by “%(session)s” at the same time.")
                        % {"room": room.name, "session": other.title}
                    )
            second_speakers = {speaker.pk for speaker in second.speakers.all()}
            names = sorted(
                speaker.full_name
                for speaker in first.speakers.all()
                if speaker.pk in second_speakers
            )
            for name in names:
                for one, other in ((first, second), (second, first)):
                    problems[one.pk].append(
                        gettext("%(speaker)s also speaks in “%(session)s” at the same time.")
                        % {"speaker": name, "session": other.title}
                    )
    return dict(problems)
