"""The admin of registrations: lists, filters, actions, exports."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from registrations.access.self_service import management_link_send
from registrations.admin.answers import AnswerInline
from registrations.admin.documents import (
    print_badges_by_authority,
    print_badges_by_name,
    send_certificates,
)
from registrations.admin.exports import (
    SPECIAL_NEEDS_FIELDS,
    AttendeeExportMixin,
    can_see_special_needs,
)
from registrations.admin.question_filters import AnswerFilter
from registrations.admin.registering import (
    RegisteringAdminMixin,
    cancel_confirmation_texts,
    reject_confirmation_texts,
)
from registrations.admin.registration_bookings import (
    RegistrationBookingsMixin,
    SessionBookingInline,
)
from registrations.admin.registration_filters import (
    AuthorityCountryFilter,
    AuthorityFilter,
    BookedSessionFilter,
    DayAttendedFilter,
    InterpretationLanguageFilter,
    WaitingSessionFilter,
    authority_filter_media,
)
from registrations.errors import RegistrationError
from registrations.forms.organiser import BulkEmailForm
from registrations.models import (
    ConsentRecord,
    OutboundEmail,
    Registration,
    WebhookEvent,
)
from registrations.organiser.search import search_registrations
from registrations.outbox.bulk import bulk_email_previews, bulk_email_send
from registrations.outbox.placeholders import (
    BULK_PLACEHOLDERS,
    PERSONAL_LINK_PLACEHOLDER,
)
from registrations.permissions import PRINT_BADGES
from registrations.places.registrations import registration_resend_confirmation
from registrations.places.status import (
    registration_approve,
    registration_cancel,
    registration_reject,
)
from registrations.webhooks.events import webhook_event_record


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
class RegistrationAdmin(
    RegistrationBookingsMixin, RegisteringAdminMixin, AttendeeExportMixin, SimpleHistoryAdmin
):
    # Narrow enough for a 1280 px screen beside the filters: one name column, the authority
    # with its country's code, a short date.
    list_display = [
        "name_column",
        "authority_column",
        "category_column",
        "status",
        "registered_at_column",
    ]
    list_display_links = ["name_column"]
    list_filter = [
        "status",
        "category",
        AuthorityCountryFilter,
        AuthorityFilter,
        BookedSessionFilter,
        WaitingSessionFilter,
        DayAttendedFilter,
        InterpretationLanguageFilter,
        AnswerFilter,
        "authority__is_member",
        "conference",
        "preferred_language",
    ]
    # What list_display shows: the authority's name and country, the conference's time zone.
    list_select_related = ["authority", "conference"]
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
    inlines = [SessionBookingInline, ConsentRecordInline, OutboundEmailInline, AnswerInline]
    actions = [
        "approve_registrations",
        "reject_registrations",
        "resend_confirmation",
        "cancel_registrations",
        "reinstate_registrations",
        "erase_registrations",
        "email_delegates",
        "send_new_personal_link",
        print_badges_by_name,
        print_badges_by_authority,
        send_certificates,
    ]
    change_list_template = "admin/registrations/registration/change_list.html"

    # Sorted by the collation key (registrations.collation): Łukasiewicz among the L. The
    # reference under the name, not in a column of its own: the list must fit 1280 px.
    @admin.display(description=_("name and reference"), ordering="sort_name")
    def name_column(self, registration):
        return format_html(
            '{}, {}<br><span class="quiet">{}</span>',
            registration.last_name,
            registration.first_name,
            registration.reference,
        )

    @admin.display(description=_("city or region"), ordering="authority__sort_name")
    def authority_column(self, registration):
        return str(registration.authority)

    # A short header: "participant category" alone was wider than its values.
    @admin.display(description=_("category"), ordering="category")
    def category_column(self, registration):
        return registration.get_category_display()

    @admin.display(description=_("registered at"), ordering="created_at")
    def registered_at_column(self, registration):
        # In the conference's time zone, as the exports give it; year first, 24 h: narrow and
        # the same in every language.
        return formats.date_format(
            registration.created_at.astimezone(registration.conference.tzinfo), "Y-m-d H:i"
        )

    @property
    def media(self):
        # The authority filter's select searches through the admin's autocomplete view.
        return super().media + authority_filter_media(self.admin_site)

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

    def get_search_results(self, request, queryset, search_term):
        # As the admin's own search, but answered from the trigram indexes on PostgreSQL.
        fields = self.get_search_fields(request)
        # The folded names too, so that "aero" finds Ærø (registrations.collation).
        folded = ["search_name", "authority__search_name"]
        return search_registrations(queryset, search_term, fields, folded), False

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

    def save_model(self, request, obj, form, change):
        if change:
            # Only what the form changed: a full save would write back the status (and its
            # dates) as loaded, undoing a cancellation or a promotion made meanwhile.
            if form.changed_data:
                obj.save(update_fields=[*form.changed_data, "updated_at"])
        else:
            super().save_model(request, obj, form, change)
        # An organiser's edit reaches the organisers' systems as the delegate's own does.
        webhook_event_record(
            WebhookEvent.REGISTRATION_UPDATED, registration=obj, changed_fields=form.changed_data
        )

    def revert_disabled(self, request, obj=None):
        # A revert would write an old status back without registration_status_set: counters,
        # capacity, the waiting list, webhooks and emails would all miss it.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Hiding the button is not enough: the page's form would still save the old version.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None):
        # Cancel instead: deleting would silently free a place without promoting anyone.
        return False

    def has_print_badges_permission(self, request):
        return request.user.has_perm(PRINT_BADGES)

    # Actions without permissions are offered to whoever sees the list, Viewers included.
    @admin.action(description=_("Send the confirmation email again"), permissions=["change"])
    def resend_confirmation(self, request, queryset):
        count = 0
        for registration in queryset:
            registration_resend_confirmation(registration=registration)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d email queued.", "%(count)d emails queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        if not self.action_confirmed(request):
            return self.action_confirmation(
                request,
                queryset.active(),
                action="cancel_registrations",
                texts=cancel_confirmation_texts,
            )
        count = 0
        for registration in queryset.active():
            registration_cancel(registration=registration)
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
            registration_approve(registration=registration)
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
        if not self.action_confirmed(request):
            return self.action_confirmation(
                request,
                queryset.filter(status=Registration.Status.PENDING),
                action="reject_registrations",
                texts=reject_confirmation_texts,
            )
        count = 0
        for registration in queryset.filter(status=Registration.Status.PENDING):
            registration_reject(registration=registration)
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
            management_link_send(registration=registration, revoke=True)
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
        form = BulkEmailForm(request.POST if "subject_en" in request.POST else None)
        previews = None
        if form.is_bound and form.is_valid():
            subjects, bodies = form.texts("subject"), form.texts("body")
            if "send" in request.POST:
                try:
                    bulk = bulk_email_send(
                        registrations=queryset,
                        subjects=subjects,
                        bodies=bodies,
                        sent_by=request.user,
                    )
                except RegistrationError as error:
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
                previews = {
                    "registration": first,
                    "languages": bulk_email_previews(
                        registration=first,
                        subjects=subjects,
                        bodies=bodies,
                        personal_link=gettext("(their personal link)"),
                    ),
                }
        context = {
            **self.admin_site.each_context(request),
            "title": _("Write an email to the selected delegates"),
            "opts": self.model._meta,
            "queryset": queryset,
            "count": queryset.count(),
            "form": form,
            "preview": previews,
            "placeholders": [*BULK_PLACEHOLDERS, PERSONAL_LINK_PLACEHOLDER],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(
            request, "admin/registrations/registration/email_delegates.html", context
        )
