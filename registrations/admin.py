from django import forms
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
from django_countries.filters import CountryFilter

from conference.admin import SessionAdmin
from conference.models import Conference, Session
from registrations import services
from registrations.admin_documents import (
    print_badges_by_authority,
    print_badges_by_name,
    send_certificates,
)
from registrations.authorities import (
    MEMBER_LIST_COLUMNS,
    authorities_import,
    authorities_with_figures,
    authority_merge,
    delegation_csv,
    delegation_list,
    member_list_read,
)
from registrations.exports import attendee_csv, csv_stream
from registrations.forms import BulkEmailForm
from registrations.models import (
    Authority,
    AuthorityAllotment,
    BulkEmail,
    ConsentRecord,
    OutboundEmail,
    Registration,
    SessionBooking,
)
from registrations.selectors import attendee_list


class ConferenceFiguresFilter(admin.SimpleListFilter):
    """Chooses the conference whose figures the list shows; it hides no authority, so that
    those who sent nobody show too."""

    title = _("conference (for the figures)")
    parameter_name = "conference"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Conference.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        return queryset


class AuthorityAllotmentInline(admin.TabularInline):
    model = AuthorityAllotment
    extra = 0
    fields = ["conference", "places"]


# Upper bound of an uploaded member list; a network of 10,000 authorities fits in 1 MB.
MEMBER_LIST_MAX_BYTES = 2_000_000


class MemberListImportForm(forms.Form):
    member_list = forms.FileField(
        label=_("Member list (CSV)"),
        help_text=_(
            "A header line, then one authority a line with the columns name, country, kind, "
            "member, region_code; comma- or semicolon-separated, UTF-8."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report, without writing"), required=False
    )

    def clean_member_list(self) -> list[dict]:
        upload = self.cleaned_data["member_list"]
        if upload.size > MEMBER_LIST_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB."),
                params={"size": MEMBER_LIST_MAX_BYTES // 1_000_000},
            )
        try:
            return member_list_read(upload.read())
        except services.RegistrationError as error:
            raise forms.ValidationError(error.message) from error


class AuthorityMergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Authority.objects.none())

    def __init__(self, *args, duplicate: Authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Authority.objects.filter(country=duplicate.country)
            .exclude(pk=duplicate.pk)
            .order_by("name")
        )


def _status_count_column(status: Registration.Status):
    @admin.display(description=status.label, ordering=f"{status.value}_count")
    def column(authority):
        return getattr(authority, f"{status.value}_count")

    column.__name__ = f"{status.value}_count"
    return column


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "region_code",
        "is_member",
        "needs_review",
        *[_status_count_column(status) for status in Registration.Status],
    ]
    # Shown when a conference is chosen: places and coordinators exist per conference.
    conference_list_display = ["places_column", "coordinator"]
    list_filter = [
        ConferenceFiguresFilter,
        "is_member",
        ("country", CountryFilter),
        "kind",
        "needs_review",
    ]
    list_editable = ["is_member"]
    search_fields = ["name", "name_key"]
    ordering = ["name"]
    inlines = [AuthorityAllotmentInline]
    actions = ["mark_reviewed", "merge_authority"]
    change_list_template = "admin/registrations/authority/change_list.html"

    def figures_conference(self, request) -> Conference | None:
        """The conference chosen in the list filter, if any; read once per request."""
        if not hasattr(request, "_figures_conference"):
            value = request.GET.get(ConferenceFiguresFilter.parameter_name, "")
            request._figures_conference = (
                Conference.objects.filter(pk=value).first() if value.isdigit() else None
            )
        return request._figures_conference

    def get_queryset(self, request):
        return authorities_with_figures(
            super().get_queryset(request), conference=self.figures_conference(request)
        )

    def get_list_display(self, request):
        if self.figures_conference(request) is None:
            return self.list_display
        return [*self.list_display, *self.conference_list_display]

    @admin.display(description=_("places used / allotted"), ordering="places_used")
    def places_column(self, authority):
        if authority.places is None:
            return gettext("%(used)d (no limit)") % {"used": authority.places_used}
        return f"{authority.places_used} / {authority.places}"

    @admin.display(description=_("coordinator"), ordering="coordinator_name")
    def coordinator(self, authority):
        if not authority.coordinator_name:
            return None
        return format_html(
            '{}<br><a href="mailto:{}">{}</a>',
            authority.coordinator_name,
            authority.coordinator_email,
            authority.coordinator_email,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_import_member_list": self.can_import(request),
            "can_export_delegations": self.can_export_delegations(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Mark the selected authorities as reviewed"))
    def mark_reviewed(self, request, queryset):
        updated = queryset.update(needs_review=False)
        self.message_user(
            request,
            ngettext("%(count)d authority reviewed.", "%(count)d authorities reviewed.", updated)
            % {"count": updated},
            messages.SUCCESS,
        )

    @admin.action(description=_("Merge the selected authority into…"), permissions=["merge"])
    def merge_authority(self, request, queryset):
        """An intermediate page: choose the authority to keep, review what moves, confirm."""
        if queryset.count() != 1:
            self.message_user(
                request,
                gettext("Select one authority to merge into another."),
                messages.WARNING,
            )
            return None
        duplicate = queryset.get()
        form = AuthorityMergeForm(
            request.POST if "into" in request.POST else None, duplicate=duplicate
        )
        if form.is_bound and form.is_valid() and "confirm" in request.POST:
            into = form.cleaned_data["into"]
            duplicate_name = str(duplicate)
            try:
                moved = authority_merge(duplicate=duplicate, into=into)
            except services.RegistrationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return None
            self.log_change(
                request,
                into,
                gettext("Merged %(duplicate)s into it.") % {"duplicate": duplicate_name},
            )
            self.message_user(
                request,
                ngettext(
                    "%(duplicate)s was merged into %(into)s; %(count)d registration moved.",
                    "%(duplicate)s was merged into %(into)s; %(count)d registrations moved.",
                    moved,
                )
                % {"duplicate": duplicate_name, "into": into, "count": moved},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge %(authority)s into another authority")
            % {"authority": duplicate},
            "opts": self.opts,
            "duplicate": duplicate,
            "form": form,
            "confirming": form.is_bound and form.is_valid(),
            "registration_count": duplicate.registrations.count(),
            "delegation_count": duplicate.delegations.count(),
            "allotment_count": duplicate.allotments.count(),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/registrations/authority/merge.html", context)

    def has_merge_permission(self, request) -> bool:
        # Merging changes one authority and deletes another; Django offers an action to users
        # with any one of its permissions, hence a permission of its own.
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def can_import(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def can_export_delegations(self, request) -> bool:
        # The export lists delegates: seeing authorities is not enough.
        return self.has_view_permission(request) and request.user.has_perm(
            "registrations.view_registration"
        )

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="registrations_authority_import",
            ),
            path(
                "delegations.csv",
                self.admin_site.admin_view(self.delegations_csv_view),
                name="registrations_authority_delegations_csv",
            ),
        ]
        return [*urls, *super().get_urls()]

    def import_view(self, request):
        """Upload the member list; the report of each line shows on the same page."""
        if not self.can_import(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = MemberListImportForm(request.POST, request.FILES)
        else:
            form = MemberListImportForm()
        if form.is_bound and form.is_valid():
            try:
                report = authorities_import(
                    rows=form.cleaned_data["member_list"], dry_run=form.cleaned_data["dry_run"]
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import the member list"),
            "opts": self.opts,
            "form": form,
            "report": report,
            "columns": MEMBER_LIST_COLUMNS,
        }
        return TemplateResponse(request, "admin/registrations/authority/import.html", context)

    def delegations_csv_view(self, request):
        """Delegates of the authorities in the changelist's current filters and search (at the
        conference chosen there), grouped by country and authority, as CSV."""
        if not self.can_export_delegations(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:registrations_authority_changelist"))
        registrations = delegation_list(
            changelist.get_queryset(request), conference=self.figures_conference(request)
        )
        filename = f"delegations-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(
            delegation_csv(registrations), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


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
        print_badges_by_name,
        print_badges_by_authority,
        send_certificates,
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

    def has_send_again_permission(self, request) -> bool:
        # The outbox is read-only in the admin, so "change" cannot gate this action.
        return request.user.has_perm("registrations.change_outboundemail")

    @admin.action(
        description=_("Try sending the selected failed emails again"), permissions=["send_again"]
    )
    def send_again(self, request, queryset):
        count = 0
        for email in queryset.filter(status=OutboundEmail.Status.FAILED):
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
