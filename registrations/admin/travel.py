"""Travel paperwork in the admin: visa letter requests and their review, and the identity data
of site visits on their session's page and in its roster export."""

from operator import itemgetter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.models import Session
from registrations.admin.exports import export_paths, session_export_response
from registrations.errors import RegistrationError
from registrations.models import (
    SiteVisitIdentity,
    VisaLetterRequest,
)
from registrations.organiser.exports.columns import Column
from registrations.permissions import EXPORT_REGISTRATIONS, VIEW_VISIT_IDENTITY
from registrations.travel.letters import visa_letter_filename
from registrations.travel.visa import visa_letter_approve, visa_letter_refuse

PASSPORT_FIELDS = [
    "passport_name",
    "nationality",
    "passport_number",
    "date_of_birth",
    "consulate_city",
    "stay_from",
    "stay_until",
    "letter_language",
]


class VisaLetterReviewForm(forms.ModelForm):
    class Meta:
        model = VisaLetterRequest
        fields = ["review_note"]

    def clean(self):
        cleaned_data = super().clean()
        if "_refuse" in self.data and not cleaned_data.get("review_note", "").strip():
            self.add_error(
                "review_note", _("Say why the request is refused: the delegate is told.")
            )
        return cleaned_data


@admin.register(VisaLetterRequest)
class VisaLetterRequestAdmin(admin.ModelAdmin):
    """A request is reviewed once: approved (the letter is made and emailed) or refused with a
    note; after that it is read-only. Requests come from delegates only, and go with their
    erasure or the retention schedule, not by hand."""

    list_display = ["registration", "delegate", "status", "stay_from", "stay_until", "created_at"]
    list_filter = ["status", "registration__conference"]
    search_fields = ["registration__reference", "registration__last_name", "reference"]
    list_select_related = ["registration"]
    date_hierarchy = "created_at"
    change_form_template = "admin/registrations/visaletterrequest/change_form.html"
    form = VisaLetterReviewForm
    fields = [
        "registration",
        "status",
        *PASSPORT_FIELDS,
        "review_note",
        "reference",
        "reviewed_at",
        "reviewed_by",
        "letter_link",
        "letter_sent_at",
        "passport_data_purged_at",
        "created_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [name for name in self.fields if name != "review_note"]
        if obj is not None and obj.status != VisaLetterRequest.Status.REQUESTED:
            readonly.append("review_note")
        return readonly

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("delegate"))
    def delegate(self, obj):
        return obj.registration.full_name

    @admin.display(description=_("letter"))
    def letter_link(self, obj):
        if not obj.letter:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:registrations_visaletterrequest_letter", args=[obj.pk]),
            visa_letter_filename(obj),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/letter.pdf",
                self.admin_site.admin_view(self.letter_view),
                name="registrations_visaletterrequest_letter",
            ),
            *super().get_urls(),
        ]

    def letter_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        visa_request = get_object_or_404(VisaLetterRequest, pk=pk)
        if not visa_request.letter:
            raise Http404("no letter")
        response = FileResponse(
            visa_request.letter.open("rb"),
            as_attachment=True,
            filename=visa_letter_filename(visa_request),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        visa_request = self.get_object(request, object_id)
        extra_context = {
            "can_review": visa_request is not None
            and visa_request.status == VisaLetterRequest.Status.REQUESTED
            and self.has_change_permission(request, visa_request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Saving is reviewing: the page's two buttons approve or refuse, through the services
        (the letter, the emails); nothing else of a request is changed here."""
        note = form.cleaned_data.get("review_note", "")
        try:
            if "_approve" in request.POST:
                visa_letter_approve(request=obj, by=request.user, note=note)
                self.message_user(
                    request, gettext("Approved: the letter is emailed to the delegate.")
                )
            elif "_refuse" in request.POST:
                visa_letter_refuse(request=obj, by=request.user, note=note)
                self.message_user(
                    request, gettext("Refused: the delegate is told, with your note.")
                )
        except RegistrationError as error:
            self.message_user(request, error.message, level=messages.ERROR)

    def log_change(self, request, obj, message):
        # The admin's history would quote the changed fields; the decision is on the request.
        return super().log_change(request, obj, "")


class SiteVisitIdentityInline(admin.TabularInline):
    """Shown only to those who may see identity data (their model's view permission, which the
    admin checks for an inline); given by the delegates, never typed in here."""

    model = SiteVisitIdentity
    extra = 0
    can_delete = False
    verbose_name_plural = _("identity data for the visit")
    fields = readonly_fields = [
        "registration",
        "full_name",
        "nationality",
        "id_number",
        "date_of_birth",
        "given_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def visit_identity_columns() -> list[Column]:
    country = dict(countries)
    return [
        (gettext("Reference"), itemgetter("registration__reference")),
        (gettext("Last name"), itemgetter("registration__last_name")),
        (gettext("First name"), itemgetter("registration__first_name")),
        (gettext("City or region"), itemgetter("registration__authority__name")),
        (gettext("Full name as on the identity document"), itemgetter("full_name")),
        (gettext("Nationality"), lambda row: country.get(row["nationality"], row["nationality"])),
        (gettext("Identity document number"), itemgetter("id_number")),
        (gettext("Date of birth"), lambda row: row["date_of_birth"] or ""),
    ]


class VisitIdentityRosterMixin:
    """The session admin's roster of identity data, as CSV or XLSX (formula-safe writers), for
    those who may both see identity data and export delegates' data."""

    def can_export_identities(self, request) -> bool:
        return request.user.has_perm(VIEW_VISIT_IDENTITY) and request.user.has_perm(
            EXPORT_REGISTRATIONS
        )

    def get_urls(self):
        exports = export_paths(
            self, "<int:pk>/identity", self.identity_export_view, "registrations_session_identity"
        )
        return [*exports, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_export_identities": self.can_export_identities(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def identity_export_view(self, request, pk: int, export_format: str):
        if not self.can_export_identities(request):
            raise PermissionDenied
        session = get_object_or_404(Session, pk=pk)
        rows = (
            SiteVisitIdentity.objects.filter(session=session)
            .order_by("registration__last_name", "registration__first_name", "pk")
            .values(
                "registration__reference",
                "registration__last_name",
                "registration__first_name",
                "registration__authority__name",
                "full_name",
                "nationality",
                "id_number",
                "date_of_birth",
            )
        )
        return session_export_response(
            request,
            session,
            export_format,
            rows,
            visit_identity_columns(),
            name="identity",
            sheet_name=gettext("Identity data"),
            filter=f"session={session.pk}&identity=1",
        )
