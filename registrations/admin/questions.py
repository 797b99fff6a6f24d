"""The conference's own questions: each with its choices (their capacity), in both languages,
ordered by their position number; and, from a registration, the organisers' form of its
answers and the files it sent (served only to staff who may see them).

A question's type is fixed once it has answers or when it is built in (the logistics read the
built-in ones by their key and type); its wording and choices may change, and the answers keep
the copies they were saved with. Deleting a question deletes its answers: Django's
confirmation lists them, with their count, before anything goes."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from registrations.errors import RegistrationError
from registrations.forms.questions import AnswersEditForm
from registrations.models import Question, QuestionChoice, Registration
from registrations.permissions import VIEW_SPECIAL_NEEDS
from registrations.places.answers import registration_answers_set
from registrations.questions.answers import AnswerError

CHANGE_ANSWER = "registrations.change_answer"


class QuestionChoiceInline(TranslationTabularInline):
    model = QuestionChoice
    extra = 0
    fields = ["position", "label", "capacity", "held", "builtin"]
    readonly_fields = ["held", "builtin"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                held_count=Count(
                    "answers",
                    filter=~Q(answers__registration__status__in=Registration.INACTIVE_STATUSES),
                )
            )
        )

    @admin.display(description=_("chosen by"))
    def held(self, obj: QuestionChoice) -> int:
        return getattr(obj, "held_count", 0)


class QuestionAdminForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Asked of"),
        choices=Registration.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The participant categories asked; none means everyone."),
    )

    class Meta:
        model = Question
        fields = [
            "conference",
            "position",
            "type",
            "label",
            "help_text",
            "required",
            "categories",
            "special_category",
            "active",
        ]


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    form = QuestionAdminForm
    list_display = [
        "label",
        "conference",
        "type",
        "position",
        "required",
        "special_category",
        "active",
        "answer_count",
    ]
    list_editable = ["position", "active"]
    list_filter = ["conference", "type", "active", "special_category"]
    list_select_related = ["conference"]
    search_fields = ["label_en", "label_fr"]
    ordering = ["conference", "position", "id"]
    readonly_fields = ["builtin"]
    inlines = [QuestionChoiceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answers_held=Count("answers"))

    @admin.display(description=_("answers"), ordering="answers_held")
    def answer_count(self, obj: Question) -> int:
        return getattr(obj, "answers_held", 0)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and (obj.builtin or obj.answers.exists()):
            fields += ["type", "conference"]
        return fields

    def get_urls(self):
        own = [
            path(
                "answers/<int:registration_id>/",
                self.admin_site.admin_view(self.answers_view),
                name="registrations_registration_answers",
            ),
        ]
        return own + super().get_urls()

    def answers_view(self, request, registration_id: int):
        """An organiser changes a registration's answers, at any time; special-category ones
        only with the special-needs permission, and only for a delegate who consented."""
        if not request.user.has_perm(CHANGE_ANSWER):
            raise PermissionDenied
        registration = get_object_or_404(
            Registration.objects.select_related("conference"), pk=registration_id
        )
        special = request.user.has_perm(VIEW_SPECIAL_NEEDS)
        form = AnswersEditForm(
            request.POST or None,
            request.FILES or None,
            registration=registration,
            special=special,
            submit_label=gettext("Save the answers"),
        )
        # The delegate's consent is theirs to give: organisers do not tick it for them.
        form.fields.pop("special_needs_consent", None)
        if request.method == "POST" and form.is_valid():
            assert form.answers_input is not None  # built by clean()
            try:
                registration_answers_set(
                    registration=registration,
                    answers=form.answers_input,
                    special_needs_consent=False,
                    by_organiser=True,
                )
            except RegistrationError as error:
                if not (
                    isinstance(error, AnswerError)
                    and form.answer_error_add(error.question_id, error.message)
                ):
                    form.add_error(None, error.message)
            else:
                self.message_user(request, gettext("The answers are saved."), messages.SUCCESS)
                return redirect(
                    reverse("admin:registrations_registration_change", args=[registration.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Answers of %(registration)s") % {"registration": registration},
            "registration": registration,
            "form": form,
            "opts": Registration._meta,
            "files": form.held_files,
        }
        return TemplateResponse(request, "admin/registrations/question/answers.html", context)
