"""Admin actions that print badges and send certificates."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from conference.models import Conference
from registrations.collation import name_sort_key, sort_key
from registrations.documents.badges import badges_pdf
from registrations.models import Registration
from registrations.onsite.certificates import certificates_send
from registrations.views.documents import pdf_attachment


def registration_name_key(registration: Registration) -> tuple[str]:
    """The order of people by name (registrations.collation): "Šimek" among the S, Łukasiewicz
    among the L, not after the Z."""
    return (name_sort_key(registration.last_name, registration.first_name),)


_name_key = registration_name_key


def _badge_sheets(modeladmin, request: HttpRequest, queryset: QuerySet, *, key, filename: str):
    registrations = list(
        queryset.filter(status=Registration.Status.CONFIRMED).select_related(
            "conference__venue", "authority"
        )
    )
    if not registrations:
        modeladmin.message_user(
            request,
            gettext("No badge to print: none of the selected registrations is confirmed."),
            messages.WARNING,
        )
        return None
    registrations.sort(key=lambda registration: (*key(registration), registration.pk))
    return pdf_attachment(badges_pdf(registrations, layout="sheet"), filename)


@admin.action(
    description=_("Print badges (confirmed only), sorted by name"), permissions=["print_badges"]
)
def print_badges_by_name(modeladmin, request, queryset):
    return _badge_sheets(
        modeladmin, request, queryset, key=_name_key, filename="badges-by-name.pdf"
    )


@admin.action(
    description=_("Print badges (confirmed only), sorted by city or region"),
    permissions=["print_badges"],
)
def print_badges_by_authority(modeladmin, request, queryset):
    return _badge_sheets(
        modeladmin,
        request,
        queryset,
        key=lambda registration: (
            sort_key(registration.authority.name),
            *registration_name_key(registration),
        ),
        filename="badges-by-authority.pdf",
    )


@admin.action(
    description=_(
        "Send certificates of attendance to everyone checked in at the selection's conferences"
    ),
    permissions=["change"],
)
def send_certificates(modeladmin, request, queryset):
    conferences = Conference.objects.filter(pk__in=queryset.values("conference_id")).order_by("pk")
    count = sum(certificates_send(conference=conference) for conference in conferences)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d certificate of attendance queued.",
            "%(count)d certificates of attendance queued.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )
