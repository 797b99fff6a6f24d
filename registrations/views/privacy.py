"""The privacy notice, rendered from a conference's retention schedule: what it promises and what
the purge does come from the same numbers."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from conference.models import Conference
from registrations.models import PRIVACY_NOTICE_VERSION, RetentionSchedule
from registrations.privacy.schedule import privacy_notice_version, retention_schedule_for


class PrivacyNoticeView(TemplateView):
    """The notice with the default schedule, for readers who came from no conference, with a
    link to each conference's own notice (the one its delegates accept)."""

    template_name = "registrations/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            schedule=RetentionSchedule(),
            version=PRIVACY_NOTICE_VERSION,
            conferences=Conference.objects.published().order_by("-start_date"),
            **kwargs,
        )


class ConferencePrivacyNoticeView(TemplateView):
    template_name = "registrations/privacy.html"

    def get_context_data(self, **kwargs):
        conference = get_object_or_404(Conference.objects.published(), slug=kwargs.pop("slug"))
        return super().get_context_data(
            conference=conference,
            schedule=retention_schedule_for(conference),
            version=privacy_notice_version(conference),
            **kwargs,
        )
