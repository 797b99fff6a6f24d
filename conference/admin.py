from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from conference.models import SESSION_LANGUAGES, Conference, Room, Session, Speaker, Venue
from conference.services import session_save
from conference.signals import conference_capacity_raised


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ["name", "capacity", "position"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "city", "country"]
    search_fields = ["name", "city"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "venue", "capacity", "position"]
    list_filter = ["venue"]
    list_select_related = ["venue"]
    search_fields = ["name", "venue__name"]


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
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
    search_fields = ["name", "slug"]
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
                    "reference_prefix",
                    "contact_email",
                    "is_published",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        previous = Conference.objects.get(pk=obj.pk).capacity if change else None
        super().save_model(request, obj, form, change)
        if previous is not None and obj.capacity > previous:
            conference_capacity_raised.send(sender=Conference, conference=obj)


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
            "capacity",
            "language",
            "interpretation_languages",
            "speakers",
        ]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["title", "kind", "starts_at", "ends_at", "room", "capacity", "language"]
    list_filter = ["conference", "kind", "room", "language"]
    list_select_related = ["room"]
    search_fields = ["title", "description", "speakers__full_name"]
    autocomplete_fields = ["speakers"]
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change):
        if change:
            session_save(session=obj, changed_fields=set(form.changed_data))
        else:
            super().save_model(request, obj, form, change)


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["full_name", "role", "organisation", "country", "conference", "session_count"]
    list_filter = ["conference", "country"]
    list_select_related = ["conference"]
    search_fields = ["full_name", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_count=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, obj):
        return obj.session_count
