"""Organisers registering delegates in the admin (one by one, or a spreadsheet of them),
reinstating cancelled registrations, and the confirmation page shown before an action that
cannot be undone. A mixin of the registrations' model admin: its pages call the same services
as the public form and the delegates' own pages."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from conference.models import Conference
from registrations.access.self_service import registration_erase
from registrations.errors import RegistrationError
from registrations.forms.imports import (
    OrganiserRegistrationForm,
    RegistrationImportForm,
    import_rows_check,
)
from registrations.models import Registration
from registrations.organiser.imports import (
    IMPORT_COLUMNS,
    IMPORT_MAX_ROWS,
    ImportFileError,
    import_table_read,
    registrations_import_rows,
)
from registrations.places.registrations import registration_create
from registrations.places.status import registration_reinstate
from registrations.travel.identity import visit_identities_save

ADD_REGISTRATION = "registrations.add_registration"


def conferences_for_organisers() -> QuerySet[Conference]:
    return Conference.objects.order_by("-start_date", "name")


class RegisteringAdminMixin:
    """For RegistrationAdmin (a ModelAdmin): the add page, the import page, reinstating, and
    confirmation pages for destructive actions."""

    admin_site: admin.AdminSite
    model: type[Registration]

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "<path:object_id>/reinstate/",
                self.admin_site.admin_view(self.reinstate_view),
                name="{}_{}_reinstate".format(*info),
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registrations are created only through the registration service (capacity,
        # reference, consent, emails): the add page below is its form, not a model form.
        return request.user.has_perm(ADD_REGISTRATION)

    def _conference(self, request: HttpRequest) -> tuple[Conference | None, list[Conference]]:
        conferences = list(conferences_for_organisers())
        wanted = request.GET.get("conference")
        chosen = next((c for c in conferences if str(c.pk) == wanted), None)
        return chosen or (conferences[0] if conferences else None), conferences

    def _page(self, request: HttpRequest, template: str, context: dict) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "has_view_permission": True,
                **context,
            },
        )

    # --- Adding one registration ---------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        conference, conferences = self._conference(request)
        if conference is None:
            messages.error(request, gettext("Create a conference first."))
            return HttpResponseRedirect(reverse("admin:registrations_registration_changelist"))
        form = OrganiserRegistrationForm(
            request.POST if request.method == "POST" else None, conference=conference
        )
        if form.is_bound and form.is_valid():
            try:
                with transaction.atomic():
                    outcome = registration_create(
                        conference=conference,
                        data=form.registration_data(),
                        authority=form.cleaned_data.get("authority"),
                        new_authority=form.new_authority(),
                        special_needs_consent=form.cleaned_data["special_needs_consent"],
                        sessions=form.cleaned_data["sessions"],
                        notify=form.cleaned_data["notify"],
                        by_organiser=True,
                    )
                    if form.visit_identities:
                        visit_identities_save(
                            registration=outcome.registration,
                            identities=form.visit_identities,
                            consent=form.visit_identity_consent,
                        )
            except RegistrationError as error:
                messages.error(request, error.message)
            else:
                registration = outcome.registration
                messages.success(
                    request,
                    gettext("%(name)s registered (%(reference)s): %(status)s.")
                    % {
                        "name": f"{registration.first_name} {registration.last_name}",
                        "reference": registration.reference,
                        "status": registration.get_status_display(),
                    },
                )
                return HttpResponseRedirect(
                    reverse("admin:registrations_registration_change", args=[registration.pk])
                )
        return self._page(
            request,
            "admin/registrations/registration/add_registration.html",
            {
                "title": _("Add registration"),
                "conference": conference,
                "conferences": conferences,
                "form": form,
                "add": True,
            },
        )

    # --- Importing a spreadsheet -----------------------------------------------------------------

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        conference, conferences = self._conference(request)
        if conference is None:
            messages.error(request, gettext("Create a conference first."))
            return HttpResponseRedirect(reverse("admin:registrations_registration_changelist"))
        form = RegistrationImportForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
        )
        report = table = None
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                table = import_table_read(file=upload, name=upload.name)
            except ImportFileError as error:
                form.add_error("file", error.message)
            else:
                results, rows = import_rows_check(table)
                report = registrations_import_rows(
                    conference=conference,
                    results=results,
                    rows=rows,
                    dry_run=form.cleaned_data["dry_run"],
                    notify=form.cleaned_data["notify"],
                )
        return self._page(
            request,
            "admin/registrations/registration/import.html",
            {
                "title": _("Import registrations"),
                "conference": conference,
                "conferences": conferences,
                "form": form,
                "columns": IMPORT_COLUMNS,
                "max_rows": IMPORT_MAX_ROWS,
                "table": table,
                "report": report,
            },
        )

    # --- Reinstating -----------------------------------------------------------------------------

    def reinstate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._reinstate_one)(request, object_id)

    def _reinstate_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        registration = get_object_or_404(Registration, pk=object_id)
        if not self.has_change_permission(request, registration):  # type: ignore[attr-defined]
            raise PermissionDenied
        self._reinstate(request, [registration])
        return HttpResponseRedirect(
            reverse("admin:registrations_registration_change", args=[registration.pk])
        )

    def _reinstate(self, request: HttpRequest, registrations) -> None:
        done = 0
        for registration in registrations:
            try:
                registration = registration_reinstate(registration=registration)
            except RegistrationError as error:
                messages.error(request, error.message)
                continue
            done += 1
            messages.success(
                request,
                gettext("%(reference)s reinstated: %(status)s.")
                % {
                    "reference": registration.reference,
                    "status": registration.get_status_display(),
                },
            )
        if not done and not registrations:
            messages.warning(request, gettext("No cancelled registration was selected."))

    @admin.action(
        description=_("Reinstate the selected cancelled registrations"), permissions=["change"]
    )
    def reinstate_registrations(self, request, queryset):
        # Oldest cancellation first: the waiting list is joined in that order once full.
        self._reinstate(
            request,
            list(
                queryset.filter(status=Registration.Status.CANCELLED).order_by("cancelled_at", "pk")
            ),
        )

    # --- Erasing ---------------------------------------------------------------------------------

    @admin.action(
        description=_(
            "Erase the personal data of the selected cancelled or rejected registrations"
        ),
        permissions=["change"],
    )
    def erase_registrations(self, request, queryset):
        """At the delegate's request, as they can do themselves from their personal page."""
        erasable = queryset.filter(status__in=Registration.INACTIVE_STATUSES, erased_at=None)
        if not self.action_confirmed(request):
            return self.action_confirmation(
                request, erasable, action="erase_registrations", texts=erase_confirmation_texts
            )
        count = 0
        for registration in erasable:
            registration_erase(registration=registration)
            count += 1
        messages.success(
            request,
            ngettext(
                "The personal data of %(count)d registration was erased.",
                "The personal data of %(count)d registrations was erased.",
                count,
            )
            % {"count": count},
        )

    # --- Confirming a destructive action ---------------------------------------------------------

    def action_confirmed(self, request: HttpRequest) -> bool:
        """Whether the action's confirmation page was answered "Yes, I'm sure"."""
        return request.POST.get("post") == "yes"

    def action_confirmation(
        self,
        request: HttpRequest,
        queryset: QuerySet[Registration],
        *,
        action: str,
        texts: Callable[[int], dict[str, str]],
    ) -> TemplateResponse | None:
        """The page that names the delegates an action will change, before it runs (as the
        admin's own deletion does); None when none of the selected is concerned."""
        registrations = list(
            queryset.select_related("authority").order_by("last_name", "first_name", "pk")
        )
        if not registrations:
            messages.warning(
                request, gettext("None of the selected registrations can be changed that way.")
            )
            return None
        return self._page(
            request,
            "admin/registrations/registration/action_confirmation.html",
            {
                **texts(len(registrations)),
                "registrations": registrations,
                "count": len(registrations),
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "select_across": request.POST.get("select_across", "0"),
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "cancel_url": reverse("admin:registrations_registration_changelist")
                + (f"?{request.GET.urlencode()}" if request.GET else ""),
            },
        )


def cancel_confirmation_texts(count: int) -> dict[str, str]:
    return {
        "title": gettext("Cancel registrations"),
        "question": ngettext(
            "Cancel this %(count)d registration?",
            "Cancel these %(count)d registrations?",
            count,
        )
        % {"count": count},
        "consequence": gettext(
            "Each delegate is told by email; their place and session places go to the waiting "
            "lists, and their personal links stop working."
        ),
    }


def reject_confirmation_texts(count: int) -> dict[str, str]:
    return {
        "title": gettext("Reject registrations"),
        "question": ngettext(
            "Reject this %(count)d pending registration?",
            "Reject these %(count)d pending registrations?",
            count,
        )
        % {"count": count},
        "consequence": gettext(
            "Each delegate is told by email that their registration was not accepted."
        ),
    }


def erase_confirmation_texts(count: int) -> dict[str, str]:
    return {
        "title": gettext("Erase personal data"),
        "question": ngettext(
            "Erase the personal data of this %(count)d registration?",
            "Erase the personal data of these %(count)d registrations?",
            count,
        )
        % {"count": count},
        "consequence": gettext(
            "Names, addresses, needs, answers, travel and identity data, the history and the "
            "personal links are erased for good; only the reference, the city or region, the "
            "category and the dates remain. This cannot be undone."
        ),
    }
