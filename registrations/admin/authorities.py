"""The admin of authorities: places, member-list import, merge, figures and delegation lists."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from conference.models import Conference
from registrations.admin.exports import (
    changelist_filter_parameters,
    csv_response,
    export_paths,
    xlsx_response,
)
from registrations.authorities.lookup import authorities_mark_reviewed
from registrations.authorities.members import (
    MEMBER_LIST_COLUMNS,
    authorities_import,
    member_list_read,
)
from registrations.authorities.merge import authority_merge
from registrations.authorities.selectors import authorities_with_figures, delegation_list
from registrations.errors import RegistrationError
from registrations.models import (
    Authority,
    AuthorityAllotment,
    ExportFormat,
    ExportKind,
    ExportRecord,
    Registration,
)
from registrations.organiser.exports.columns import delegation_columns
from registrations.organiser.exports.records import (
    conference_ids_of,
    export_filter,
    export_record_create,
)
from registrations.organiser.exports.writers import delegation_csv, export_filename
from registrations.organiser.search import search_registrations
from registrations.permissions import EXPORT_REGISTRATIONS, VIEW_REGISTRATION


class ConferenceFiguresFilter(admin.SimpleListFilter):
    """Chooses the conference whose figures the list shows; it hides no authority, so that
    those who sent nobody show too."""

    title = _("conference (for the figures)")
    parameter_name = "conference"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Conference.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        return queryset


class OnTheMapFilter(admin.SimpleListFilter):
    """Those the coordinates lookup could not place (manage.py authority_coordinates), for
    an organiser to enter theirs."""

    title = _("on the map")
    parameter_name = "on_map"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No: no coordinates"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(latitude__isnull=False)
        if self.value() == "no":
            return queryset.filter(latitude__isnull=True)
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
        except RegistrationError as error:
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


def _status_count_column(status: Registration.Status, conference: Conference | None = None):
    """The authority's registrations in this status (at the conference chosen, if one is), as
    a link to them in the registration list."""

    @admin.display(description=status.label, ordering=f"{status.value}_count")
    def column(authority):
        count = getattr(authority, f"{status.value}_count")
        if not count:
            return count
        parameters = {"authority": authority.pk, "status__exact": status.value}
        if conference is not None:
            parameters["conference__id__exact"] = conference.pk
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:registrations_registration_changelist"),
            urlencode(parameters),
            count,
        )

    column.__name__ = f"{status.value}_count"
    return column


class DelegateInline(admin.TabularInline):
    """The authority's delegates, read-only, each linked to their registration."""

    model = Registration
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("delegate")
    verbose_name_plural = _("delegates")
    fields = readonly_fields = ["name", "conference", "category", "status", "created_at"]
    ordering = ["-conference__start_date", "sort_name", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("conference")

    @admin.display(description=_("name"))
    def name(self, registration):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:registrations_registration_change", args=[registration.pk]),
            f"{registration.last_name}, {registration.first_name}",
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "region_code",
        "is_member",
        "public_listing",
        "needs_review",
        *[_status_count_column(status) for status in Registration.Status],
    ]
    # Shown when a conference is chosen: places and coordinators exist per conference.
    conference_list_display = ["places_column", "coordinator"]
    list_filter = [
        ConferenceFiguresFilter,
        "is_member",
        "public_listing",
        ("country", CountryFilter),
        "kind",
        "needs_review",
        OnTheMapFilter,
    ]
    list_editable = ["is_member"]
    search_fields = ["name", "name_key"]
    # By the collation key (registrations.collation): Łódź among the L, Ærø among the A.
    ordering = ["sort_name", "pk"]
    inlines = [AuthorityAllotmentInline, DelegateInline]
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

    def get_search_results(self, request, queryset, search_term):
        # Also the folded name, so that "lodz" finds Łódź, here and in the autocompletes.
        fields = self.get_search_fields(request)
        return search_registrations(queryset, search_term, fields, ["search_name"]), False

    def get_queryset(self, request):
        return authorities_with_figures(
            super().get_queryset(request), conference=self.figures_conference(request)
        )

    def get_list_display(self, request):
        conference = self.figures_conference(request)
        # The counts link to the registrations they count, at the conference chosen.
        list_display = [
            *(column for column in self.list_display if not callable(column)),
            *(_status_count_column(status, conference) for status in Registration.Status),
        ]
        if conference is None:
            return list_display
        return [*list_display, *self.conference_list_display]

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
        updated = authorities_mark_reviewed(queryset)
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
            except RegistrationError as error:
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
            and request.user.has_perm(VIEW_REGISTRATION)
            and request.user.has_perm(EXPORT_REGISTRATIONS)
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
            except RegistrationError as error:
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
            response = csv_response(
                delegation_csv(registrations, export_format=export_format), filename=filename
            )
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
