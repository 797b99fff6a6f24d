from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from conference.admin import SessionAdmin
from conference.models import Session
from registrations import services
from registrations.exports import attendee_csv, csv_stream
from registrations.forms import BulkEmailForm
from registrations.models import (
    Authority,
    BulkEmail,
    ConsentRecord,
    OutboundEmail,
    Registration,
    SessionBooking,
)
from registrations.selectors import attendee_list


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "is_member", "needs_review", "created_at"]
    list_filter = ["needs_review", "is_member", "kind", "country"]
    list_editable = ["is_member"]
    search_fields = ["name", "name_key"]
    ordering = ["name"]
    actions = ["mark_reviewed"]

    @admin.action(description=_("Mark the selected authorities as reviewed"))
    def mark_reviewed(self, request, queryset):
        updated = queryset.update(needs_review=False)
        self.message_user(
            request,
            ngettext("%(count)d authority reviewed.", "%(count)d authorities reviewed.", updated)
            % {"count": updated},
            messages.SUCCESS,
        )


class AuthorityCountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Authority.objects.values_list("country", flat=True).distinct()
        return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(authority__country=self.value())
        return queryset


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = readonly_fields = ["kind", "notice_version", "given_at"]

    def has_add_permission(self, request, obj=None):
        return False


class OutboundEmailInline(admin.TabularInline):
    model = OutboundEmail
    extra = 0
    can_delete = False
    verbose_name_plural = _("emails")
    fields = readonly_fields = ["created_at", "kind", "recipient", "status", "attempts", "sent_at"]
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "last_name",
        "first_name",
        "authority",
        "category",
        "status",
        "created_at",
    ]
    list_display_links = ["reference", "last_name"]
    list_filter = [
        "status",
        "category",
        AuthorityCountryFilter,
        "authority__is_member",
        "conference",
        "preferred_language",
    ]
    list_select_related = ["authority", "conference"]
    search_fields = [
        "reference",
        "first_name",
        "last_name",
        "email",
        "authority__name",
    ]
    search_help_text = _("Search by reference, name, email or city or region.")
    autocomplete_fields = ["authority"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reference",
        "conference",
        "status",
        "created_at",
        "updated_at",
        "confirmed_at",
        "cancelled_at",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "conference", "status", "authority"]}),
        (
            _("Delegate"),
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "email",
                    "job_title",
                    "organisation",
                    "phone",
                    "category",
                ]
            },
        ),
        (_("Languages"), {"fields": ["preferred_language", "interpretation_language"]}),
        (_("Needs"), {"fields": ["dietary_needs", "accessibility_needs"]}),
        (
            _("History"),
            {"fields": ["created_at", "updated_at", "confirmed_at", "cancelled_at"]},
        ),
    ]
    inlines = [ConsentRecordInline, OutboundEmailInline]
    actions = [
        "approve_registrations",
        "reject_registrations",
        "resend_confirmation",
        "cancel_registrations",
        "email_delegates",
        "send_new_personal_link",
    ]
    change_list_template = "admin/registrations/registration/change_list.html"

    def has_add_permission(self, request):
        # Registrations are created through the registration service (capacity, reference,
        # consent, confirmation email), i.e. the public form.
        return False

    def has_delete_permission(self, request, obj=None):
        # Cancel instead: deleting would silently free a place without promoting anyone.
        return False

    @admin.action(description=_("Send the confirmation email again"))
    def resend_confirmation(self, request, queryset):
        count = 0
        for registration in queryset:
            services.registration_resend_confirmation(registration=registration)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d email queued.", "%(count)d emails queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected registrations"))
    def cancel_registrations(self, request, queryset):
        count = 0
        for registration in queryset.active():
            services.registration_cancel(registration=registration)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d registration cancelled.", "%(count)d registrations cancelled.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Approve the selected pending registrations"), permissions=["change"]
    )
    def approve_registrations(self, request, queryset):
        count = 0
        for registration in queryset.filter(status=Registration.Status.PENDING).order_by(
            "created_at", "pk"
        ):
            services.registration_approve(registration=registration)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d registration approved.", "%(count)d registrations approved.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Reject the selected pending registrations"), permissions=["change"]
    )
    def reject_registrations(self, request, queryset):
        count = 0
        for registration in queryset.filter(status=Registration.Status.PENDING):
            services.registration_reject(registration=registration)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d registration rejected.", "%(count)d registrations rejected.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Send a new personal link (the old ones stop working)"),
        permissions=["change"],
    )
    def send_new_personal_link(self, request, queryset):
        count = 0
        for registration in queryset.filter(erased_at=None):
            services.management_link_send(registration=registration, revoke=True)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d new link sent.", "%(count)d new links sent.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Write an email to the selected delegates"), permissions=["change"])
    def email_delegates(self, request, queryset):
        """An intermediate page: write, preview for one delegate, then queue for all."""
        queryset = queryset.select_related("conference", "authority").filter(erased_at=None)
        form = BulkEmailForm(request.POST if "subject" in request.POST else None)
        preview = None
        if form.is_bound and form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            if "send" in request.POST:
                try:
                    bulk = services.bulk_email_send(
                        registrations=queryset, subject=subject, body=body, sent_by=request.user
                    )
                except services.RegistrationError as error:
                    self.message_user(request, error.message, messages.ERROR)
                    return None
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d email queued.", "%(count)d emails queued.", bulk.recipient_count
                    )
                    % {"count": bulk.recipient_count},
                    messages.SUCCESS,
                )
                return None
            first = queryset.first()
            if first is not None:
                link = gettext("(their personal link)")
                preview = {
                    "registration": first,
                    "subject": services.bulk_text_render(
                        subject, registration=first, personal_link=link
                    ),
                    "body": services.bulk_text_render(body, registration=first, personal_link=link),
                }
        context = {
            **self.admin_site.each_context(request),
            "title": _("Write an email to the selected delegates"),
            "opts": self.model._meta,
            "queryset": queryset,
            "count": queryset.count(),
            "form": form,
            "preview": preview,
            "placeholders": [*services.BULK_PLACEHOLDERS, services.PERSONAL_LINK_PLACEHOLDER],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(
            request, "admin/registrations/registration/email_delegates.html", context
        )

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv_view),
            name="registrations_registration_export_csv",
        )
        return [export, *super().get_urls()]

    def export_csv_view(self, request):
        """The attendee list for the changelist's current filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:registrations_registration_changelist"))
        queryset = attendee_list(changelist.get_queryset(request))
        filename = f"attendees-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(
            attendee_csv(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "registration",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "language"]
    list_select_related = ["registration"]
    search_fields = ["recipient", "registration__reference"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [
        "registration",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Try sending the selected emails again"), permissions=["view"])
    def send_again(self, request, queryset):
        count = 0
        for email in queryset.exclude(status=OutboundEmail.Status.SENT):
            services.outbound_email_retry(email=email)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class SessionBookingInline(admin.TabularInline):
    """Who holds a place in the session and who waits for one, in order of arrival."""

    model = SessionBooking
    extra = 0
    can_delete = False
    verbose_name_plural = _("bookings")
    fields = readonly_fields = ["delegate", "authority", "status", "created_at"]
    ordering = ["status", "created_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration__authority")

    def has_add_permission(self, request, obj=None):
        # Bookings go through session_bookings_set: capacity, waiting list, clashes.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("delegate"))
    def delegate(self, booking):
        registration = booking.registration
        return format_html(
            '<a href="{}">{}</a> {}',
            reverse("admin:registrations_registration_change", args=[registration.pk]),
            registration.reference,
            registration.full_name,
        )

    @admin.display(description=_("city or region"))
    def authority(self, booking):
        return booking.registration.authority.name


def session_attendee_columns():
    return [
        (gettext("Reference"), lambda b: b.registration.reference),
        (gettext("Booking"), lambda b: b.get_status_display()),
        (gettext("First name"), lambda b: b.registration.first_name),
        (gettext("Last name"), lambda b: b.registration.last_name),
        (gettext("Email"), lambda b: b.registration.email),
        (gettext("City or region"), lambda b: b.registration.authority.name),
        (gettext("Country"), lambda b: b.registration.authority.country.name),
        (gettext("Category"), lambda b: b.registration.get_category_display()),
        (gettext("Language"), lambda b: b.registration.get_preferred_language_display()),
    ]


def _booking_count(**filters) -> Coalesce:
    bookings = (
        SessionBooking.objects.filter(session=OuterRef("pk"), **filters)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(bookings), 0)


# The conference app cannot know about bookings, so their figures join its session admin here.
admin.site.unregister(Session)


@admin.register(Session)
class SessionBookingAdmin(SessionAdmin):
    list_display = [*SessionAdmin.list_display, "booked_count", "waiting_count", "attendees_link"]
    inlines = [*SessionAdmin.inlines, SessionBookingInline]
    change_form_template = "admin/registrations/session/change_form.html"

    def get_queryset(self, request):
        # Counted in subqueries, not through a join: a search or filter across speakers or
        # themes joins more rows per session, which would multiply joined counts.
        return (
            super()
            .get_queryset(request)
            .annotate(
                booked_count=_booking_count(status=SessionBooking.Status.BOOKED),
                # As delegates see it: only confirmed delegates' waiting counts.
                waiting_count=_booking_count(
                    status=SessionBooking.Status.WAITING,
                    registration__status=Registration.Status.CONFIRMED,
                ),
            )
        )

    @admin.display(description=_("booked"), ordering="booked_count")
    def booked_count(self, session):
        return session.booked_count

    @admin.display(description=_("waiting list"), ordering="waiting_count")
    def waiting_count(self, session):
        return session.waiting_count

    @admin.display(description=_("attendees"))
    def attendees_link(self, session):
        if not session.requires_sign_up and not (session.booked_count or session.waiting_count):
            return None
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:registrations_session_attendees_csv", args=[session.pk]),
            gettext("CSV"),
        )

    def get_urls(self):
        export = path(
            "<int:pk>/attendees.csv",
            self.admin_site.admin_view(self.attendees_csv_view),
            name="registrations_session_attendees_csv",
        )
        return [export, *super().get_urls()]

    def attendees_csv_view(self, request, pk: int):
        """The delegates who booked the session or wait for a place, as CSV."""
        # The list holds delegates' personal data: seeing sessions is not enough.
        if not (
            self.has_view_permission(request)
            and request.user.has_perm("registrations.view_registration")
        ):
            raise PermissionDenied
        session = get_object_or_404(Session, pk=pk)
        bookings = (
            session.bookings.select_related("registration__authority")
            .order_by("status", "created_at", "pk")
            .iterator(chunk_size=2000)
        )
        response = StreamingHttpResponse(
            csv_stream(bookings, session_attendee_columns()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="session-{session.pk}-attendees.csv"'
        )
        return response


@admin.register(BulkEmail)
class BulkEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "conference", "recipient_count", "sent_by"]
    list_filter = ["conference"]
    list_select_related = ["conference", "sent_by"]
    search_fields = ["subject", "body"]
    readonly_fields = ["conference", "subject", "body", "sent_by", "created_at", "recipient_count"]

    def has_add_permission(self, request):
        # Written from the registrations list: "Write an email to the selected delegates".
        return False

    def has_change_permission(self, request, obj=None):
        return False
