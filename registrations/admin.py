from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

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
from registrations.exports import (
    EXPORT_FILE_RETENTION,
    EXPORT_SYNC_LIMIT,
    XLSX_CONTENT_TYPE,
    attendee_columns,
    bookings_for_export,
    conference_ids_of,
    csv_stream,
    delegation_columns,
    export_filename,
    export_filter,
    export_job_start,
    export_record_create,
    session_attendee_columns,
    xlsx_temporary_file,
)
from registrations.forms import BulkEmailForm
from registrations.models import (
    Authority,
    AuthorityAllotment,
    BulkEmail,
    ConsentRecord,
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportRecord,
    OutboundEmail,
    Registration,
    SessionBooking,
)
from registrations.selectors import attendee_list

EXPORT_PERMISSION = "registrations.export_registrations"
SPECIAL_NEEDS_PERMISSION = "registrations.view_special_needs"
SPECIAL_NEEDS_FIELDS = ("dietary_needs", "accessibility_needs")


def export_paths(model_admin, route: str, view, name: str) -> list:
    """The URLs of one export in every format: `<route>.csv` named `<name>_csv`, and so on."""
    return [
        path(
            f"{route}.{export_format}",
            model_admin.admin_site.admin_view(view),
            {"export_format": export_format},
            name=f"{name}_{export_format}",
        )
        for export_format in ExportFormat
    ]


def can_see_special_needs(request: HttpRequest) -> bool:
    return request.user.has_perm(SPECIAL_NEEDS_PERMISSION)


def csv_response(lines, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(rows, columns, *, filename: str, sheet_name: str) -> tuple[FileResponse, int]:
    """The rows as an XLSX attachment, sent from a temporary file; and how many there were."""
    output, count = xlsx_temporary_file(rows, columns, sheet_name=sheet_name)
    response = FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    return response, count


def export_response(
    export_format: str, rows, columns, *, filename: str, sheet_name: str, count: int
) -> tuple[HttpResponse, int]:
    """The export in CSV (streamed; `count` counted beforehand) or XLSX; and its row count."""
    if export_format == ExportFormat.XLSX:
        return xlsx_response(rows, columns, filename=filename, sheet_name=sheet_name)
    return csv_response(csv_stream(rows, columns), filename=filename), count


def changelist_filter_parameters(changelist) -> list[str]:
    """The query parameters of a changelist's filters and date hierarchy: what an export record
    may keep of its address."""
    parameters = [
        parameter for spec in changelist.filter_specs for parameter in spec.expected_parameters()
    ]
    if changelist.date_hierarchy:
        parameters += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return parameters


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

    # Actions without permissions are offered to whoever sees the list, Viewers included.
    @admin.action(
        description=_("Mark the selected authorities as reviewed"), permissions=["change"]
    )
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
        return (
            self.has_view_permission(request)
            and request.user.has_perm("registrations.view_registration")
            and request.user.has_perm(EXPORT_PERMISSION)
        )

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="registrations_authority_import",
            ),
            *export_paths(
                self,
                "delegations",
                self.delegations_export_view,
                "registrations_authority_delegations",
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

    def delegations_export_view(self, request, export_format: str):
        """Delegates of the authorities in the changelist's current filters and search (at the
        conference chosen there), grouped by country and authority, as CSV or XLSX."""
        if not self.can_export_delegations(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:registrations_authority_changelist"))
        conference = self.figures_conference(request)
        registrations = delegation_list(changelist.get_queryset(request), conference=conference)
        filename = export_filename("delegations", export_format)
        if export_format == ExportFormat.XLSX:
            response, rows = xlsx_response(
                registrations.iterator(chunk_size=2000),
                delegation_columns(),
                filename=filename,
                sheet_name=gettext("Delegations"),
            )
        else:
            rows = registrations.count()
            response = csv_response(delegation_csv(registrations), filename=filename)
        recorded_filter, searched = export_filter(
            request.GET, recorded=changelist_filter_parameters(changelist)
        )
        export_record_create(
            user=request.user,
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind.DELEGATIONS,
            export_format=ExportFormat(export_format),
            conference_ids=[conference.pk] if conference else conference_ids_of(registrations),
            filter=recorded_filter,
            searched=searched,
            special_needs=False,
            rows=rows,
        )
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


# Below this many rows, counting exactly is cheap: the estimate is only for large tables.
ESTIMATE_COUNT_ABOVE = 50_000


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered list of a large table from PostgreSQL's statistics
    (pg_class.reltuples, kept up to date by autovacuum) instead of COUNT(*), which reads the
    whole table; a filtered or searched list, a small table and other databases count exactly.
    The figure shown is then approximate, and the last page may be short or empty."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.has_filters():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [connection.ops.quote_name(queryset.model._meta.db_table)],
                )
                row = cursor.fetchone()
            # -1: never analysed.
            if row and row[0] > ESTIMATE_COUNT_ABOVE:
                return row[0]
        return super().count


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
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
    # What list_display shows: the authority's name and country.
    list_select_related = ["authority"]
    # The unfiltered count would be a second COUNT(*) of the whole table on every page.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
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

    # --- Dietary and accessibility needs: only for holders of view_special_needs -------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_see_special_needs(request):
            return fieldsets
        # The form is built from the fieldsets: without them, the fields are neither shown nor
        # editable, and saving the form leaves them as they are.
        return [
            (name, {**options, "fields": fields})
            for name, options in fieldsets
            if (fields := [f for f in options["fields"] if f not in SPECIAL_NEEDS_FIELDS])
        ]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if can_see_special_needs(request):
            return fields
        return [
            field
            for field in fields
            if field.lstrip("^=@").split("__")[0] not in SPECIAL_NEEDS_FIELDS
        ]

    def lookup_allowed(self, lookup, value, request=None):
        # A filter typed into the address would reveal needs as well as showing them would.
        if lookup.split("__")[0] in SPECIAL_NEEDS_FIELDS and not (
            request is not None and can_see_special_needs(request)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_export": self.can_export(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        # Registrations are created through the registration service (capacity, reference,
        # consent, confirmation email), i.e. the public form.
        return False

    def has_delete_permission(self, request, obj=None):
        # Cancel instead: deleting would silently free a place without promoting anyone.
        return False

    # Actions without permissions are offered to whoever sees the list, Viewers included.
    @admin.action(description=_("Send the confirmation email again"), permissions=["change"])
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

    @admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
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

    # --- Exports --------------------------------------------------------------------------

    def can_export(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)

    def get_urls(self):
        exports = export_paths(
            self, "export", self.export_view, "registrations_registration_export"
        )
        return [*exports, *super().get_urls()]

    def export_view(self, request, export_format: str):
        """The attendee list for the changelist's current filters and search, as CSV (always
        streamed) or XLSX. An XLSX of more than EXPORT_SYNC_LIMIT rows is built by a Celery
        task: this page offers it, and posting the offer starts the job (a GET changes
        nothing)."""
        if not self.can_export(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:registrations_registration_changelist"))
        registrations = attendee_list(changelist.get_queryset(request))
        special_needs = can_see_special_needs(request)
        recorded_filter, searched = export_filter(
            request.GET, recorded=changelist_filter_parameters(changelist)
        )
        count = registrations.count()
        if export_format == ExportFormat.XLSX and count > EXPORT_SYNC_LIMIT:
            if request.method != "POST":
                return self.export_job_offer_view(request, count=count)
            job = export_job_start(
                user=request.user,
                registrations=registrations,
                filter=recorded_filter,
                searched=searched,
                special_needs=special_needs,
            )
            return HttpResponseRedirect(
                reverse("admin:registrations_exportjob_progress", args=[job.pk]), status=303
            )
        response, rows = export_response(
            export_format,
            registrations.iterator(chunk_size=2000),
            attendee_columns(special_needs=special_needs),
            filename=export_filename("attendees", export_format),
            sheet_name=gettext("Attendees"),
            count=count,
        )
        export_record_create(
            user=request.user,
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind.ATTENDEES,
            export_format=ExportFormat(export_format),
            conference_ids=conference_ids_of(registrations),
            filter=recorded_filter,
            searched=searched,
            special_needs=special_needs,
            rows=rows,
        )
        return response

    def export_job_offer_view(self, request, *, count: int):
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Export the attendee list (XLSX)"),
            "opts": self.opts,
            "count": count,
            "limit": EXPORT_SYNC_LIMIT,
            "changelist_url": reverse("admin:registrations_registration_changelist")
            + (f"?{request.GET.urlencode()}" if request.GET else ""),
        }
        return TemplateResponse(
            request, "admin/registrations/registration/export_job_offer.html", context
        )


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
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            [
                (reverse("admin:registrations_session_attendees_csv", args=[session.pk]), "CSV"),
                (reverse("admin:registrations_session_attendees_xlsx", args=[session.pk]), "XLSX"),
            ],
        )

    def can_export_attendees(self, request) -> bool:
        # The list holds delegates' personal data: seeing sessions is not enough.
        return (
            self.has_view_permission(request)
            and request.user.has_perm("registrations.view_registration")
            and request.user.has_perm(EXPORT_PERMISSION)
        )

    def get_list_display(self, request):
        list_display = super().get_list_display(request)
        if self.can_export_attendees(request):
            return list_display
        return [column for column in list_display if column != "attendees_link"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_export_attendees": self.can_export_attendees(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        exports = export_paths(
            self,
            "<int:pk>/attendees",
            self.attendees_export_view,
            "registrations_session_attendees",
        )
        return [*exports, *super().get_urls()]

    def attendees_export_view(self, request, pk: int, export_format: str):
        """The delegates who booked the session or wait for a place, as CSV or XLSX."""
        if not self.can_export_attendees(request):
            raise PermissionDenied
        session = get_object_or_404(Session, pk=pk)
        bookings = bookings_for_export(session.bookings.all())
        response, rows = export_response(
            export_format,
            bookings.iterator(chunk_size=2000),
            session_attendee_columns(),
            filename=f"session-{session.pk}-attendees.{export_format}",
            sheet_name=gettext("Attendees"),
            count=bookings.count() if export_format == ExportFormat.CSV else 0,
        )
        export_record_create(
            user=request.user,
            source=ExportRecord.Source.ADMIN,
            kind=ExportKind.SESSION_ATTENDEES,
            export_format=ExportFormat(export_format),
            conference_ids=[session.conference_id],
            filter=f"session={session.pk}",
            searched=False,
            special_needs=False,
            rows=rows,
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


# --- Exports: background jobs and the record of every export --------------------------------------


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Each user sees their own jobs only, and only they may download a job's file: it holds
    the delegates' data as they were allowed to see it."""

    list_display = ["created_at", "kind", "format", "status", "progress", "download"]
    list_display_links = None
    list_filter = ["status"]
    fields = readonly_fields = [
        "kind",
        "format",
        "filter",
        "searched",
        "special_needs",
        "status",
        "rows_done",
        "rows_total",
        "created_at",
        "finished_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user).defer("registration_ids")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and request.user.has_perm(
            EXPORT_PERMISSION
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, job):
        return format_html(
            '<a href="{}">{} / {}</a>',
            reverse("admin:registrations_exportjob_progress", args=[job.pk]),
            job.rows_done,
            job.rows_total,
        )

    @admin.display(description=_("file"))
    def download(self, job):
        if job.status != ExportJob.Status.DONE or not job.file:
            return None
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:registrations_exportjob_download", args=[job.pk]),
            gettext("Download"),
        )

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="registrations_exportjob_progress",
            ),
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="registrations_exportjob_download",
            ),
        ]
        return [*urls, *super().get_urls()]

    def owned_job(self, request, pk: int) -> ExportJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ExportJob.objects.defer("registration_ids"), pk=pk)
        if job.user_id != request.user.pk:
            raise PermissionDenied
        if job.special_needs and not can_see_special_needs(request):
            # The permission was withdrawn since the job was asked for.
            raise PermissionDenied
        return job

    def progress_view(self, request, pk: int):
        """Where the job stands; the page reloads itself every 2 s until it is finished."""
        job = self.owned_job(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Export of the attendee list"),
            "opts": self.opts,
            "job": job,
            "percent": round(100 * job.rows_done / job.rows_total) if job.rows_total else 0,
            "refresh_seconds": 2,
            "retention_days": EXPORT_FILE_RETENTION.days,
        }
        return TemplateResponse(request, "admin/registrations/exportjob/progress.html", context)

    def download_view(self, request, pk: int):
        job = self.owned_job(request, pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404
        try:
            output = job.file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return FileResponse(
            output,
            as_attachment=True,
            filename=f"{job.kind}-{job.created_at:%Y-%m-%d}-{job.pk}.{job.format}",
            content_type=XLSX_CONTENT_TYPE,
        )


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "source",
        "kind",
        "format",
        "conference_list",
        "filter",
        "searched",
        "special_needs",
        "rows",
    ]
    list_filter = ["source", "kind", "format", "special_needs", "conferences"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "created_at",
        "user",
        "source",
        "kind",
        "format",
        "conference_list",
        "filter",
        "searched",
        "special_needs",
        "rows",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("conferences")

    @admin.display(description=_("conferences"))
    def conference_list(self, record):
        return ", ".join(conference.name for conference in record.conferences.all())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
