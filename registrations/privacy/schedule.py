"""A conference's retention schedule: read (created with the defaults when missing), changed
(raising the notice's version), and the moments it sets."""

import calendar
import datetime
from dataclasses import dataclass

from django.db import transaction

from conference.models import Conference
from registrations.models import PRIVACY_NOTICE_VERSION
from registrations.models.retention import RETENTION_PERIOD_FIELDS, RetentionSchedule


def retention_schedule_for(conference: Conference) -> RetentionSchedule:
    """The conference's schedule, created with the defaults if it has none yet."""
    try:
        return conference.retention_schedule
    except RetentionSchedule.DoesNotExist:
        pass
    schedule, _created = RetentionSchedule.objects.get_or_create(conference=conference)
    conference.retention_schedule = schedule
    return schedule


def retention_schedule_update(*, schedule: RetentionSchedule, **periods: int | bool) -> bool:
    """Change the schedule; any change raises its version, so that consents given from now on
    say which promise they accepted. Returns whether anything changed."""
    unknown = set(periods) - set(RETENTION_PERIOD_FIELDS)
    if unknown:
        raise TypeError(f"not retention periods: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        stored = RetentionSchedule.objects.select_for_update().filter(pk=schedule.pk).first()
        changed = stored is None or any(
            getattr(stored, name) != value for name, value in periods.items()
        )
        for name, value in periods.items():
            setattr(schedule, name, value)
        if not changed:
            return False
        schedule.version = (stored.version + 1) if stored is not None else 1
        schedule.full_clean()
        schedule.save()
    return True


def privacy_notice_version(conference: Conference) -> str:
    """What a consent records as the version of the notice accepted: the notice's text and the
    conference's schedule, which its numbers come from."""
    return f"{PRIVACY_NOTICE_VERSION}/{retention_schedule_for(conference).version}"


def months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class RetentionDeadlines:
    """The moments a conference's schedule sets, in absolute time."""

    needs: datetime.datetime  # dietary and accessibility needs go
    identifying: datetime.datetime  # the final purge: everything that identifies a delegate
    final_purge_reminder: datetime.datetime  # organisers are told of the final purge


# Organisers are told this long before the final purge, to export what they need.
FINAL_PURGE_NOTICE = datetime.timedelta(days=14)


def retention_deadlines(conference: Conference) -> RetentionDeadlines:
    schedule = retention_schedule_for(conference)
    ends_at = conference.ends_at  # midnight after the last day, in the conference's time zone
    identifying = datetime.datetime.combine(
        months_later(ends_at.date(), schedule.identifying_months_after_end),
        datetime.time(),
        conference.tzinfo,
    )
    return RetentionDeadlines(
        needs=ends_at + datetime.timedelta(days=schedule.needs_days_after_end),
        identifying=identifying,
        final_purge_reminder=identifying - FINAL_PURGE_NOTICE,
    )
