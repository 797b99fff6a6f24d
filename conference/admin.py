import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from conference.models import (
    SESSION_LANGUAGES,
    Conference,
    Room,
    Session,
    SessionChange,
    Speaker,
    Theme,
    Venue,
)
from conference.schedule_checks import schedule_problems
from conference.services import (
    BOOK_OVER_CAPACITY_PERMISSION,
    CAPACITY_FIELDS,
    SessionOverbooking,
    room_overbooking_message,
    room_places_check,
    room_save,
    session_overbooking_message,
    session_places_check,
    session_save,
)
from conference.signals import conference_capacity_raised


class RoomAdminForm(forms.ModelForm):
    """A room whose new seats must hold the delegates booked for the sessions it holds without
    a capacity of their own: checked under their locks, which the admin's transaction keeps
    until the save (room_save), so the refusal lands beside the capacity."""

    class Meta:
        model = Room
        fields = ["venue", "name", "capacity", "position"]

    # Set by the admin from the user's permissions (get_form, get_formset).
    allow_over_capacity = False

    def clean(self):
        super().clean()
        # A model form's clean() returns its cleaned_data.
        cleaned_data = self.cleaned_data
        if self.instance.pk is None or "capacity" not in self.changed_data:
            return cleaned_data
        if cleaned_data.get("capacity") is None:
            return cleaned_data  # refused already
        changed = copy.copy(self.instance)
        changed.capacity = cleaned_data["capacity"]
        try:
            room_places_check(room=changed, allow_over_capacity=self.allow_over_capacity)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                self.add_error(field, field_messages)
        return cleaned_data


def _with_over_capacity(form_class, request):
    allowed = request.user.has_perm(BOOK_OVER_CAPACITY_PERMISSION)
    return type(form_class.__name__, (form_class,), {"allow_over_capacity": allowed})


def _room_save(model_admin, request, room: Room, *, allow_over_capacity: bool) -> None:
    """Save through room_save; sessions accepted over capacity are told, and kept in the
    room's admin history: who accepted it, when."""
    for session, overbooking in room_save(room=room, allow_over_capacity=allow_over_capacity):
        message = room_overbooking_message(session, overbooking)
        messages.warning(request, message)
        model_admin.log_change(request, room, message)


class RoomInline(TranslationTabularInline):
    model = Room
    form = RoomAdminForm
    extra = 0
    fields = ["name", "capacity", "position"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _with_over_capacity(formset.form, request)
        return formset


@admin.register(Venue)
class VenueAdmin(TranslationAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "city", "country"]
    search_fields = ["name_en", "name_fr", "city"]
    inlines = [RoomInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Room:
            super().save_formset(request, form, formset, change)
            return
        rooms = formset.save(commit=False)
        for room in formset.deleted_objects:
            room.delete()
        for room in rooms:
            _room_save(self, request, room, allow_over_capacity=formset.form.allow_over_capacity)


@admin.register(Room)
class RoomAdmin(TranslationAdmin):
    form = RoomAdminForm
    list_display = ["name", "venue", "capacity", "position"]
    list_filter = ["venue"]
    list_select_related = ["venue"]
    search_fields = ["name_en", "name_fr", "venue__name_en", "venue__name_fr"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return _with_over_capacity(form, request)

    def save_model(self, request, obj, form, change):
        _room_save(self, request, obj, allow_over_capacity=form.allow_over_capacity)


@admin.register(Conference)
class ConferenceAdmin(TranslationAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "start_date",
        "end_date",
        "venue",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
        "is_published",
    ]
    list_filter = ["is_published"]
    list_select_related = ["venue"]
    search_fields = ["name_en", "name_fr", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "tagline", "description", "organiser", "website"]}),
        (_("When and where"), {"fields": ["start_date", "end_date", "time_zone", "venue"]}),
        (
            _("Registration"),
            {
                "fields": [
                    "registration_opens_at",
                    "registration_closes_at",
                    "capacity",
                    "approval_for_non_members",
                    "changes_close_at",
                    "reminder_days_before",
                    "reference_prefix",
                    "contact_email",
                    "is_published",
                ]
            },
        ),
        (
            _("Visa invitation letters"),
            {"fields": ["letter_signatory_name", "letter_signatory_title"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        previous = Conference.objects.get(pk=obj.pk).capacity if change else None
        super().save_model(request, obj, form, change)
        if previous is not None and obj.capacity > previous:
            conference_capacity_raised.send(sender=Conference, conference=obj)


class SessionChangeList(ChangeList):
    # Only SessionAdmin uses this change list.
    model_admin: "SessionAdmin"

    def get_results(self, request):
        super().get_results(request)
        # The page's sessions are fetched; give each its warnings for the "warnings" column.
        for session in self.result_list:
            session.schedule_warnings = self.model_admin.schedule_problems_of(request, session)


class SessionAdminForm(forms.ModelForm):
    interpretation_languages = forms.MultipleChoiceField(
        label=_("interpretation into"),
        choices=SESSION_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Session
        fields = [
            "conference",
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "room",
            "location",
            "meeting_point",
            "meeting_time",
            "capacity",
            "language",
            "interpretation_languages",
            "speakers",
            "themes",
            "identity_full_name_required",
            "identity_nationality_required",
            "identity_number_required",
            "identity_date_of_birth_required",
        ]

    # Set by the admin from the user's permissions (SessionAdmin.get_form).
    allow_over_capacity = False
    # What a room or capacity change accepted over capacity left: recorded by the admin.
    overbooking: SessionOverbooking | None = None

    def clean(self):
        super().clean()
        # A model form's clean() returns its cleaned_data.
        cleaned_data = self.cleaned_data
        self._check_places(cleaned_data)
        conference = cleaned_data.get("conference")
        if conference is not None:
            for field in ("speakers", "themes"):
                if any(item.conference_id != conference.pk for item in cleaned_data.get(field, [])):
                    self.add_error(field, _("Choose only from this session’s conference."))
        return cleaned_data

    def _check_places(self, cleaned_data: dict) -> None:
        """A new room or capacity must hold the delegates booked. Checked under the session's
        lock, which the admin's transaction keeps until the save: the refusal lands beside the
        field, and no booking slips in between."""
        if self.instance.pk is None or not CAPACITY_FIELDS & set(self.changed_data):
            return
        if any(field not in cleaned_data for field in CAPACITY_FIELDS):
            return  # refused already
        changed = copy.copy(self.instance)
        changed.room = cleaned_data["room"]
        changed.capacity = cleaned_data["capacity"]
        try:
            self.overbooking = session_places_check(
                session=changed, allow_over_capacity=self.allow_over_capacity
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                self.add_error(field, field_messages)


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ["name", "conference"]
    list_filter = ["conference"]
    list_select_related = ["conference"]
    search_fields = ["name_en", "name_fr"]
    prepopulated_fields = {"slug": ["name"]}


class SessionChangeInline(admin.TabularInline):
    """The session's moves, as recorded and told to the delegates: read only."""

    model = SessionChange
    extra = 0
    can_delete = False
    verbose_name_plural = _("changes of time or place")
    readonly_fields = (
        "sequence",
        "changed_at",
        "previous_starts_at",
        "previous_room",
        "previous_location",
        "previous_meeting_point",
        "previous_meeting_time",
        "new_starts_at",
        "new_room",
        "new_location",
        "new_meeting_point",
        "new_meeting_time",
    )
    fields = readonly_fields
    ordering = ["-sequence"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(TranslationAdmin):
    form = SessionAdminForm
    inlines = [SessionChangeInline]
    list_display = [
        "title",
        "kind",
        "starts_at",
        "ends_at",
        "room",
        "capacity",
        "language",
        "warnings",
    ]
    list_filter = ["conference", "kind", "room", "language", "themes"]
    list_select_related = ["room", "conference"]
    search_fields = [
        "title_en",
        "title_fr",
        "description_en",
        "description_fr",
        "speakers__full_name",
    ]
    autocomplete_fields = ["speakers", "themes"]
    date_hierarchy = "starts_at"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        allowed = request.user.has_perm(BOOK_OVER_CAPACITY_PERMISSION)
        return type(form.__name__, (form,), {"allow_over_capacity": allowed})

    def save_model(self, request, obj, form, change):
        if change:
            session_save(
                session=obj,
                changed_fields=set(form.changed_data),
                allow_over_capacity=form.allow_over_capacity,
            )
            if form.overbooking is not None:
                # Told, and kept in the session's admin history: who accepted it, when.
                message = session_overbooking_message(form.overbooking)
                messages.warning(request, message)
                self.log_change(request, obj, message)
        else:
            super().save_model(request, obj, form, change)

    def schedule_problems_of(self, request, session: Session) -> list[str]:
        """The session's warnings. The checks run once per conference and request, so a
        changelist page costs the same few queries however many sessions it shows."""
        by_conference = getattr(request, "schedule_problems_by_conference", None)
        if by_conference is None:
            by_conference = request.schedule_problems_by_conference = {}
        if session.conference_id not in by_conference:
            by_conference[session.conference_id] = schedule_problems(session.conference)
        return by_conference[session.conference_id].get(session.pk, [])

    def get_changelist(self, request, **kwargs):
        return SessionChangeList

    @admin.display(description=_("warnings"))
    def warnings(self, obj):
        problems = getattr(obj, "schedule_warnings", [])
        if not problems:
            return None
        return format_html_join("", "<p>{}</p>", ((problem,) for problem in problems))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Shown each time the form is, until the timetable is fixed; saving is still allowed.
        if obj is not None and obj.pk is not None:
            saved = Session.objects.select_related("conference").get(pk=obj.pk)
            for problem in self.schedule_problems_of(request, saved):
                messages.warning(request, problem)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Speaker)
class SpeakerAdmin(TranslationAdmin):
    list_display = ["full_name", "role", "organisation", "country", "conference", "session_count"]
    list_filter = ["conference", "country"]
    list_select_related = ["conference"]
    search_fields = ["full_name", "organisation_en", "organisation_fr"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_count=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, obj):
        return obj.session_count
